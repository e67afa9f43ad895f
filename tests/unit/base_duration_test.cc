#include "base/duration.h"

#include <gtest/gtest.h>

#include <string>

namespace wsman::base {
namespace {

XsdDuration Ok(std::string_view text) {
  auto r = ParseXsdDuration(text);
  EXPECT_TRUE(r.ok()) << text << ": " << r.message();
  return r.ok() ? *r : XsdDuration{};
}

void ExpectInvalid(std::string_view text) {
  auto r = ParseXsdDuration(text);
  ASSERT_FALSE(r.ok()) << "accepted: '" << text << "'";
  EXPECT_EQ(r.status().code(), Status::Code::kInvalidArgument);
}

TEST(BaseDuration, ComponentsAsWritten) {
  XsdDuration d = Ok("P1Y2M3DT4H5M6.75S");
  EXPECT_EQ(d.years, 1);
  EXPECT_EQ(d.months, 2);
  EXPECT_EQ(d.days, 3);
  EXPECT_EQ(d.hours, 4);
  EXPECT_EQ(d.minutes, 5);
  EXPECT_EQ(d.seconds, 6);
  EXPECT_EQ(d.nanoseconds, 750000000u);
  d = Ok("PT90M");
  EXPECT_EQ(d.minutes, 90);
  EXPECT_EQ(d.hours, 0);
  d = Ok("P1M");  // M before T is months
  EXPECT_EQ(d.months, 1);
  EXPECT_EQ(d.minutes, 0);
  EXPECT_EQ(Ok("PT0S").seconds, 0);
}

TEST(BaseDuration, FractionTruncatedPastNanoseconds) {
  EXPECT_EQ(Ok("PT1.123456789999S").nanoseconds, 123456789u);
  EXPECT_EQ(Ok("PT0.000000001S").nanoseconds, 1u);
  EXPECT_EQ(Ok("PT0.0000000001S").nanoseconds, 0u);
}

TEST(BaseDuration, StrictOrderAndOnce) {
  ExpectInvalid("PT1S1M");  // accepted in Put bodies before the merge
  ExpectInvalid("PT1M1H");
  ExpectInvalid("P1D1M");
  ExpectInvalid("P1Y1Y");
  ExpectInvalid("PT1H1H");
  ExpectInvalid("PT1HT1M");
  ExpectInvalid("P1H");   // time designator before T
  ExpectInvalid("PT1D");  // date designator after T
}

TEST(BaseDuration, RejectsMalformed) {
  for (const char* bad :
       {"", "P", "PT", "P1DT", "-PT1S", "+PT1S", "T1S", "PT1", "PTS", "PT.5S",
        "PT1.S", "PT1.0M", "P1.5D", "PT1X", " PT1S", "PT1S ", "pt1s",
        "PT99999999999999999999S"}) {
    ExpectInvalid(bad);
  }
}

TEST(BaseDuration, LargestComponent) {
  EXPECT_EQ(Ok("PT9223372036854775807S").seconds, INT64_MAX);
  ExpectInvalid("PT9223372036854775808S");
}

}  // namespace
}  // namespace wsman::base
