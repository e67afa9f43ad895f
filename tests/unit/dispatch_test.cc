// Dispatcher routing: Identify by body, (action, resource) before resource
// before action before fallback, and the two "nobody serves this" faults.
#include "server/dispatch.h"

#include <gtest/gtest.h>

#include "soap/envelope_parser.h"

namespace wsman::server {
namespace {

constexpr char kGetEnvelope[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
    "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\"><s:Header>"
    "<a:Action>ACTION</a:Action><a:MessageID>uuid:1</a:MessageID>"
    "<w:ResourceURI>RESOURCE</w:ResourceURI></s:Header><s:Body/>"
    "</s:Envelope>";

soap::Envelope Parse(const std::string& action, const std::string& resource) {
  std::string xml = kGetEnvelope;
  xml.replace(xml.find("ACTION"), 6, action);
  xml.replace(xml.find("RESOURCE"), 8, resource);
  auto parsed = soap::ParseEnvelope(xml, soap::ParseLimits{});
  EXPECT_TRUE(parsed.ok());
  return std::move(parsed).value();
}

Operation Answer(std::string text) {
  return [text](const OperationContext&, std::string* out) {
    *out = text;
    return soap::Status(soap::Ok{});
  };
}

std::string Dispatch(const Dispatcher& d, const soap::Envelope& e,
                     soap::FaultCode* fault = nullptr) {
  OperationContext context{e.request(), nullptr, "peer", "host", 512000};
  std::string out;
  soap::Status status = d.Dispatch(context, &out);
  if (!status.ok()) {
    if (fault) *fault = status.fault().code;
    return "fault";
  }
  return out;
}

TEST(DispatchTest, MostSpecificRouteWins) {
  Dispatcher d;
  d.Register("urn:get", Answer("by-action"));
  d.RegisterResource("urn:res", Answer("by-resource"));
  d.RegisterForResource("urn:get", "urn:res", Answer("exact"));
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:res")), "exact");
  EXPECT_EQ(Dispatch(d, Parse("urn:other", "urn:res")), "by-resource");
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:elsewhere")), "by-action");
}

TEST(DispatchTest, FallbackRunsLastAndMayDecline) {
  Dispatcher d;
  d.Register("urn:get", Answer("by-action"));
  d.SetFallback([](const OperationContext& c,
                   std::string* out) -> std::optional<soap::Status> {
    if (c.request.resource_uri != "urn:cim") return std::nullopt;
    *out = "fallback";
    return soap::Status(soap::Ok{});
  });
  EXPECT_EQ(Dispatch(d, Parse("urn:get", "urn:cim")), "by-action");
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kEnumerate), "urn:cim")),
            "fallback");
  soap::FaultCode code{};
  EXPECT_EQ(Dispatch(d, Parse(std::string(action::kEnumerate), "urn:x"), &code),
            "fault");
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
}

TEST(DispatchTest, UnknownActionAndUnknownResourceFaults) {
  Dispatcher d;
  soap::FaultCode code{};
  Dispatch(d, Parse("urn:no-such-action", "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kActionNotSupported);
  Dispatch(d, Parse(std::string(action::kGet), "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
  // A method invocation on an unserved resource.
  Dispatch(d, Parse("urn:r/StartService", "urn:r"), &code);
  EXPECT_EQ(code, soap::FaultCode::kDestinationUnreachable);
}

TEST(DispatchTest, AddInstallsEngineRoutes) {
  Dispatcher d;
  d.Add({{"urn:a", "", Answer("a")},
         {"urn:b", "urn:r", Answer("b")},
         {"", "urn:s", Answer("s")}});
  EXPECT_EQ(Dispatch(d, Parse("urn:a", "urn:anything")), "a");
  EXPECT_EQ(Dispatch(d, Parse("urn:b", "urn:r")), "b");
  EXPECT_EQ(Dispatch(d, Parse("urn:whatever", "urn:s")), "s");
}

}  // namespace
}  // namespace wsman::server
