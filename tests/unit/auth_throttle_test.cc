#include "server/auth/throttle.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::ManualClock;

Throttle::Options Opts(const ManualClock& clock) {
  Throttle::Options o;
  o.clock = clock.AsClock();
  return o;  // defaults: 5 failures / 60 s, backoff 1 s .. 60 s
}

TEST(AuthThrottle, LocksAfterMaxFailures) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(t.Allowed("10.0.0.1"));
    t.RecordFailure("10.0.0.1");
  }
  EXPECT_TRUE(t.Allowed("10.0.0.1"));
  t.RecordFailure("10.0.0.1");
  EXPECT_FALSE(t.Allowed("10.0.0.1"));
  EXPECT_EQ(t.LockRemaining("10.0.0.1"), milliseconds(1000));
  EXPECT_TRUE(t.Allowed("10.0.0.2"));  // other peers unaffected
  clock.Advance(milliseconds(999));
  EXPECT_FALSE(t.Allowed("10.0.0.1"));
  clock.Advance(milliseconds(1));
  EXPECT_TRUE(t.Allowed("10.0.0.1"));
}

TEST(AuthThrottle, BackoffDoublesUpToMax) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) t.RecordFailure("p");
  std::vector<int64_t> locks;
  for (int i = 0; i < 9; ++i) {
    t.RecordFailure("p");
    auto left = t.LockRemaining("p");
    locks.push_back(left.count());
    clock.Advance(left);  // wait out the lock, then fail again
  }
  EXPECT_EQ(locks, (std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 32000,
                                         60000, 60000, 60000}));
}

TEST(AuthThrottle, SuccessResets) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) t.RecordFailure("p");
  t.RecordSuccess("p");
  EXPECT_EQ(t.tracked_peers(), 0u);
  for (int i = 0; i < 4; ++i) t.RecordFailure("p");
  EXPECT_TRUE(t.Allowed("p"));
}

TEST(AuthThrottle, FailuresOutsideWindowAreForgotten) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) t.RecordFailure("p");
  clock.Advance(seconds(61));
  t.RecordFailure("p");
  EXPECT_TRUE(t.Allowed("p"));
  // A quiet window also resets the backoff.
  for (int i = 0; i < 4; ++i) t.RecordFailure("p");
  EXPECT_FALSE(t.Allowed("p"));
  EXPECT_EQ(t.LockRemaining("p"), milliseconds(1000));
  clock.Advance(seconds(120));
  for (int i = 0; i < 5; ++i) t.RecordFailure("p");
  EXPECT_EQ(t.LockRemaining("p"), milliseconds(1000));
}

TEST(AuthThrottle, BoundedPeers) {
  ManualClock clock;
  auto o = Opts(clock);
  o.max_peers = 64;
  Throttle t(o);
  for (int i = 0; i < 10000; ++i) t.RecordFailure("peer" + std::to_string(i));
  EXPECT_LE(t.tracked_peers(), 64u);
  EXPECT_GT(t.tracked_peers(), 0u);
}

TEST(AuthThrottle, DisabledWithZeroMax) {
  ManualClock clock;
  auto o = Opts(clock);
  o.max_failures = 0;
  Throttle t(o);
  for (int i = 0; i < 100; ++i) t.RecordFailure("p");
  EXPECT_TRUE(t.Allowed("p"));
  EXPECT_EQ(t.tracked_peers(), 0u);
}

}  // namespace
}  // namespace wsman::auth
