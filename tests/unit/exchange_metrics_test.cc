// The metrics registry the Exchange counts into (server/metrics/): bounded
// labels, the text format, the histogram's cumulative buckets, and the
// short action names.
#include <gtest/gtest.h>

#include <string>

#include "server/metrics/action_label.h"
#include "server/metrics/registry.h"
#include "soap/actions.h"

namespace wsman::server::metrics {
namespace {

using std::chrono::microseconds;

bool Has(const std::string& text, const std::string& line) {
  return text.find(line + "\n") != std::string::npos;
}

TEST(MetricsRegistryTest, CountsRequestsByActionAndOutcome) {
  Registry r;
  r.CountRequest("Get", "ok", microseconds(1500));
  r.CountRequest("Get", "ok", microseconds(3000));
  r.CountRequest("Get", "AccessDenied", microseconds(100));
  const std::string text = r.Render();
  EXPECT_TRUE(Has(text, "# TYPE wsmand_requests_total counter"));
  EXPECT_TRUE(
      Has(text, R"(wsmand_requests_total{action="Get",outcome="ok"} 2)"));
  EXPECT_TRUE(Has(
      text, R"(wsmand_requests_total{action="Get",outcome="AccessDenied"} 1)"));
  EXPECT_TRUE(Has(
      text,
      R"(wsmand_request_duration_seconds_bucket{action="Get",le="0.001"} 1)"));
  EXPECT_TRUE(Has(
      text,
      R"(wsmand_request_duration_seconds_bucket{action="Get",le="0.005"} 3)"));
  EXPECT_TRUE(Has(
      text,
      R"(wsmand_request_duration_seconds_bucket{action="Get",le="+Inf"} 3)"));
  EXPECT_TRUE(
      Has(text, R"(wsmand_request_duration_seconds_count{action="Get"} 3)"));
  EXPECT_TRUE(
      Has(text, R"(wsmand_request_duration_seconds_sum{action="Get"} 0.0046)"));
}

TEST(MetricsRegistryTest, SlowRequestsCountOnlyInInf) {
  Registry r;
  r.CountRequest("Receive", "ok", std::chrono::seconds(90));
  const std::string text = r.Render();
  EXPECT_TRUE(Has(
      text,
      R"(wsmand_request_duration_seconds_bucket{action="Receive",le="60"} 0)"));
  EXPECT_TRUE(Has(
      text,
      R"(wsmand_request_duration_seconds_bucket{action="Receive",le="+Inf"} 1)"));
}

TEST(MetricsRegistryTest, LabelsAreBounded) {
  Registry r;
  for (int i = 0; i < 200; ++i) {
    r.CountRequest("made-up-" + std::to_string(i),
                   "outcome-" + std::to_string(i), microseconds(1));
  }
  const std::string text = r.Render();
  EXPECT_EQ(text.find("made-up"), std::string::npos);
  // 63 distinct outcomes fit beside "other"; the rest share it.
  EXPECT_TRUE(Has(
      text, R"(wsmand_requests_total{action="other",outcome="outcome-0"} 1)"));
  EXPECT_EQ(text.find("outcome-63\""), std::string::npos);
  EXPECT_TRUE(Has(
      text, R"(wsmand_requests_total{action="other",outcome="other"} 137)"));
}

TEST(MetricsRegistryTest, LabelValuesAreEscaped) {
  Registry r;
  r.CountAuthFailure("a\"b\\c\nd");
  EXPECT_TRUE(
      Has(r.Render(), R"(wsmand_auth_failures_total{reason="a\"b\\c\nd"} 1)"));
}

TEST(MetricsRegistryTest, GaugesAreReadAtRender) {
  Registry r;
  double v = 1;
  r.AddGauge("wsmand_test_gauge", "A test gauge.", [&v] { return v; });
  EXPECT_TRUE(Has(r.Render(), "wsmand_test_gauge 1"));
  v = 42;
  const std::string text = r.Render();
  EXPECT_TRUE(Has(text, "# TYPE wsmand_test_gauge gauge"));
  EXPECT_TRUE(Has(text, "wsmand_test_gauge 42"));
}

TEST(MetricsRegistryTest, ResidentMemoryIsRead) {
  EXPECT_GT(ResidentMemoryBytes(), 0);
}

soap::Request RequestOf(std::string action, std::string resource) {
  soap::Request r;
  r.action = std::move(action);
  r.resource_uri = std::move(resource);
  return r;
}

TEST(ActionLabelTest, ShortNames) {
  EXPECT_EQ(ActionLabel(RequestOf(std::string(soap::action::kGet), "x")),
            "Get");
  EXPECT_EQ(
      ActionLabel(RequestOf(std::string(soap::action::kShellReceive), "x")),
      "Receive");
  EXPECT_EQ(
      ActionLabel(RequestOf(std::string(soap::action::kEventingRenew), "x")),
      "SubscriptionRenew");
  EXPECT_EQ(ActionLabel(RequestOf("http://h/wmi/root/cimv2/Win32_Service/"
                                  "StopService",
                                  "http://h/wmi/root/cimv2/Win32_Service")),
            "Invoke");
  EXPECT_EQ(ActionLabel(RequestOf("urn:made-up", "urn:made")), "other");
  EXPECT_EQ(ActionLabel(RequestOf("http://h/r/", "http://h/r")), "other");
  EXPECT_EQ(ActionIndex("Get"), 3u);
  EXPECT_EQ(kActionLabels[ActionIndex("nonsense")], "other");
}

}  // namespace
}  // namespace wsman::server::metrics
