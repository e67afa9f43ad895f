#include "server/auth/account_recheck.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using base::ManualClock;
using std::chrono::milliseconds;
using std::chrono::seconds;

AccountRecheck::Options Opts(ManualClock& clock) {
  AccountRecheck::Options o;
  o.interval = seconds(5);
  o.clock = clock.AsMonotonic();
  return o;
}

TEST(AuthAccountRecheck, DueOncePerIntervalWithTheLoginsStamp) {
  ManualClock clock;
  AccountRecheck r(Opts(clock));
  std::optional<uint64_t> stamp;
  r.Checked("alice", 42);
  EXPECT_FALSE(r.Due("alice", &stamp));
  clock.Advance(milliseconds(4999));
  EXPECT_FALSE(r.Due("alice", &stamp));
  clock.Advance(milliseconds(1));
  ASSERT_TRUE(r.Due("alice", &stamp));
  EXPECT_EQ(stamp, std::optional<uint64_t>(42));
  // Claimed: the next caller is not sent as well.
  EXPECT_FALSE(r.Due("alice", &stamp));
  clock.Advance(seconds(5));
  EXPECT_TRUE(r.Due("alice", &stamp));
}

TEST(AuthAccountRecheck, UnknownUserIsDueWithoutStamp) {
  ManualClock clock;
  AccountRecheck r(Opts(clock));
  std::optional<uint64_t> stamp = 7;
  EXPECT_TRUE(r.Due("bob", &stamp));
  EXPECT_FALSE(stamp.has_value());
  r.Checked("bob", 9);
  r.Forget("bob");
  EXPECT_TRUE(r.Due("bob", &stamp));
  EXPECT_FALSE(stamp.has_value());
  r.Checked("bob", 9);
  r.Clear();
  EXPECT_TRUE(r.Due("bob", &stamp));
  EXPECT_FALSE(stamp.has_value());
}

TEST(AuthAccountRecheck, Bounded) {
  ManualClock clock;
  auto o = Opts(clock);
  o.max_users = 32;
  AccountRecheck r(o);
  for (int i = 0; i < 10000; ++i) r.Checked("u" + std::to_string(i), 1);
  // Whatever was dropped is simply due again (without a stamp).
  int known = 0;
  for (int i = 9990; i < 10000; ++i) {
    std::optional<uint64_t> stamp;
    if (!r.Due("u" + std::to_string(i), &stamp)) ++known;
  }
  EXPECT_GT(known, 0);
}

}  // namespace
}  // namespace wsman::auth
