#include "server/auth/throttle.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using base::ManualClock;
using std::chrono::hours;
using std::chrono::milliseconds;
using std::chrono::seconds;
using Outcome = Throttle::Outcome;

Throttle::Options Opts(ManualClock& clock) {
  Throttle::Options o;
  o.clock = clock.AsMonotonic();
  // defaults: 5 per (address, user), 20 per address, 10 per user, in 60 s;
  // backoff 1 s .. 60 s
  return o;
}

// One check that ran and failed; false when the throttle refused it.
bool Fail(Throttle& t, const std::string& address, const std::string& user) {
  if (t.BeginAttempt(address, user) != ThrottleLock::kNone) return false;
  t.EndAttempt(address, user, Outcome::kFailed);
  return true;
}

bool Succeed(Throttle& t, const std::string& address, const std::string& user) {
  if (t.BeginAttempt(address, user) != ThrottleLock::kNone) return false;
  t.EndAttempt(address, user, Outcome::kSucceeded);
  return true;
}

TEST(AuthThrottle, LocksAddressUserAfterMaxFailures) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(t.Check("10.0.0.1", "alice"), ThrottleLock::kNone);
    EXPECT_TRUE(Fail(t, "10.0.0.1", "alice"));
  }
  EXPECT_EQ(t.Check("10.0.0.1", "alice"), ThrottleLock::kAddressUser);
  EXPECT_EQ(t.BeginAttempt("10.0.0.1", "alice"), ThrottleLock::kAddressUser);
  EXPECT_EQ(t.LockRemaining("10.0.0.1", "alice"), milliseconds(1000));
  // The same user elsewhere and another user here are not affected.
  EXPECT_EQ(t.Check("10.0.0.2", "alice"), ThrottleLock::kNone);
  EXPECT_EQ(t.Check("10.0.0.1", "bob"), ThrottleLock::kNone);
  clock.Advance(milliseconds(999));
  EXPECT_EQ(t.Check("10.0.0.1", "alice"), ThrottleLock::kAddressUser);
  clock.Advance(milliseconds(1));
  EXPECT_EQ(t.Check("10.0.0.1", "alice"), ThrottleLock::kNone);
}

TEST(AuthThrottle, BackoffDoublesUpToMax) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "u"));
  std::vector<int64_t> locks;
  for (int i = 0; i < 9; ++i) {
    ASSERT_TRUE(Fail(t, "p", "u"));
    auto left = t.LockRemaining("p", "u");
    locks.push_back(left.count());
    clock.Advance(left);  // wait out the lock, then fail again
  }
  EXPECT_EQ(locks, (std::vector<int64_t>{1000, 2000, 4000, 8000, 16000, 32000,
                                         60000, 60000, 60000}));
}

TEST(AuthThrottle, SuccessForgivesOnlyItsOwnUser) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "victim"));
  ASSERT_TRUE(Succeed(t, "p", "attacker"));  // another user: no effect
  ASSERT_TRUE(Fail(t, "p", "victim"));
  EXPECT_EQ(t.Check("p", "victim"), ThrottleLock::kAddressUser);

  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "carol"));
  ASSERT_TRUE(Succeed(t, "p", "carol"));  // her own: forgiven
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "carol"));
  EXPECT_EQ(t.Check("p", "carol"), ThrottleLock::kNone);
}

TEST(AuthThrottle, CachedSuccessResetsNothing) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "x"));
  t.NoteCachedSuccess("p", "x");
  ASSERT_TRUE(Fail(t, "p", "x"));
  EXPECT_EQ(t.Check("p", "x"), ThrottleLock::kAddressUser);
}

// The review's M3 pattern: 4 wrong guesses for x, one login of one's own
// account y, repeated. Only max_failures guesses for x ever run.
TEST(AuthThrottle, InterleavingOwnLoginsDoesNotReset) {
  ManualClock clock;
  Throttle t(Opts(clock));
  int guesses = 0;
  for (int round = 0; round < 25; ++round) {
    for (int i = 0; i < 4; ++i) guesses += Fail(t, "p", "x") ? 1 : 0;
    if (round % 2 == 0) {
      EXPECT_TRUE(Succeed(t, "p", "y"));
    } else {
      t.NoteCachedSuccess("p", "y");
    }
    clock.Advance(milliseconds(10));
  }
  EXPECT_EQ(guesses, 5);
}

// Counted when they start: a burst of parallel checks is admitted only up
// to the limit, whatever their timing.
TEST(AuthThrottle, ParallelAttemptsAreAdmittedUpToTheLimit) {
  ManualClock clock;
  Throttle t(Opts(clock));
  int admitted = 0;
  for (int i = 0; i < 100; ++i) {
    if (t.BeginAttempt("p", "x") == ThrottleLock::kNone) ++admitted;
  }
  EXPECT_EQ(admitted, 5);
  // A pending check does not lock a request that may be served from the
  // cache; only settled failures do.
  EXPECT_EQ(t.Check("p", "x"), ThrottleLock::kNone);
  // A cancelled check (never ran) frees its place and counts nothing.
  t.EndAttempt("p", "x", Outcome::kCancelled);
  EXPECT_EQ(t.BeginAttempt("p", "x"), ThrottleLock::kNone);
  for (int i = 0; i < 5; ++i) t.EndAttempt("p", "x", Outcome::kFailed);
  EXPECT_EQ(t.Check("p", "x"), ThrottleLock::kAddressUser);
  // Once locked before, only one check at a time after the lock.
  clock.Advance(t.LockRemaining("p", "x"));
  EXPECT_EQ(t.BeginAttempt("p", "x"), ThrottleLock::kNone);
  EXPECT_EQ(t.BeginAttempt("p", "x"), ThrottleLock::kAddressUser);
  t.EndAttempt("p", "x", Outcome::kCancelled);
}

TEST(AuthThrottle, AddressSprayingUserNamesIsBounded) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Fail(t, "p", "u0"));
  for (int i = 1; i <= 16; ++i)
    ASSERT_TRUE(Fail(t, "p", "u" + std::to_string(i)));
  // 19 failures from p. u0's own success forgives u0's 3, nobody else's.
  ASSERT_TRUE(Succeed(t, "p", "u0"));
  int more = 0;
  for (int i = 17; i < 40; ++i) more += Fail(t, "p", "u" + std::to_string(i));
  EXPECT_EQ(more, 4);
  EXPECT_EQ(t.Check("p", "fresh"), ThrottleLock::kAddress);
  EXPECT_EQ(t.Check("q", "fresh"), ThrottleLock::kNone);
}

TEST(AuthThrottle, UserLockSparesAddressesTheUserLogsInFrom) {
  ManualClock clock;
  Throttle t(Opts(clock));
  ASSERT_TRUE(Succeed(t, "home", "alice"));
  t.NoteCachedSuccess("laptop", "alice");
  // A distributed guesser: one failure from each of 10 addresses.
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Fail(t, "10.1.0." + std::to_string(i), "alice"));
  }
  EXPECT_EQ(t.Check("10.1.0.99", "alice"), ThrottleLock::kUser);
  EXPECT_EQ(t.BeginAttempt("10.1.0.99", "alice"), ThrottleLock::kUser);
  EXPECT_EQ(t.Check("10.1.0.99", "bob"), ThrottleLock::kNone);
  // The owner keeps working from where she logs in.
  EXPECT_EQ(t.Check("home", "alice"), ThrottleLock::kNone);
  EXPECT_EQ(t.Check("laptop", "alice"), ThrottleLock::kNone);
  EXPECT_TRUE(Succeed(t, "home", "alice"));
  // The lock is a backoff, never longer than max_backoff: to keep it, the
  // guesser must keep failing, and a failure each time it ends doubles it
  // only up to 60 s.
  EXPECT_EQ(t.LockRemaining("10.1.0.99", "alice"), milliseconds(1000));
  for (int i = 0; i < 10; ++i) {
    clock.Advance(t.LockRemaining("10.1.0.99", "alice"));
    ASSERT_TRUE(Fail(t, "10.1.0.99", "alice"));
  }
  EXPECT_EQ(t.LockRemaining("10.1.0.99", "alice"), milliseconds(60000));
  EXPECT_EQ(t.Check("home", "alice"), ThrottleLock::kNone);
  // An address is known for a day after the last login from it.
  clock.Advance(hours(24));
  for (int i = 0; i < 10; ++i) {
    ASSERT_TRUE(Fail(t, "10.2.0." + std::to_string(i), "alice"));
  }
  EXPECT_EQ(t.Check("laptop", "alice"), ThrottleLock::kUser);
}

TEST(AuthThrottle, FailuresOutsideWindowAreForgotten) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "u"));
  clock.Advance(seconds(61));
  ASSERT_TRUE(Fail(t, "p", "u"));
  EXPECT_EQ(t.Check("p", "u"), ThrottleLock::kNone);
  // A quiet window also resets the backoff.
  for (int i = 0; i < 4; ++i) ASSERT_TRUE(Fail(t, "p", "u"));
  EXPECT_EQ(t.Check("p", "u"), ThrottleLock::kAddressUser);
  EXPECT_EQ(t.LockRemaining("p", "u"), milliseconds(1000));
  clock.Advance(seconds(120));
  for (int i = 0; i < 5; ++i) ASSERT_TRUE(Fail(t, "p", "u"));
  EXPECT_EQ(t.LockRemaining("p", "u"), milliseconds(1000));
}

TEST(AuthThrottle, MalformedCountsAgainstTheAddressOnly) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(Fail(t, "p", ""));
  EXPECT_EQ(t.Check("p", ""), ThrottleLock::kAddress);
  EXPECT_EQ(t.Check("p", "alice"), ThrottleLock::kAddress);
  EXPECT_EQ(t.Check("q", ""), ThrottleLock::kNone);
}

TEST(AuthThrottle, BoundedTables) {
  ManualClock clock;
  auto o = Opts(clock);
  o.max_tracked = 64;
  Throttle t(o);
  for (int i = 0; i < 10000; ++i) {
    (void)Fail(t, "peer" + std::to_string(i), "user" + std::to_string(i));
  }
  EXPECT_LE(t.tracked(), 3 * 64u);
  EXPECT_GT(t.tracked(), 0u);
}

TEST(AuthThrottle, SuccessesLeaveNothingTracked) {
  ManualClock clock;
  Throttle t(Opts(clock));
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Succeed(t, "p", "alice"));
  EXPECT_EQ(t.tracked(), 0u);
  ASSERT_TRUE(Fail(t, "p", "alice"));
  ASSERT_TRUE(Succeed(t, "p", "alice"));
  EXPECT_EQ(t.tracked(), 0u);
}

TEST(AuthThrottle, DisabledWithZeroMax) {
  ManualClock clock;
  auto o = Opts(clock);
  o.max_failures = 0;
  Throttle t(o);
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(Fail(t, "p", "u"));
  EXPECT_EQ(t.Check("p", "u"), ThrottleLock::kNone);
  EXPECT_EQ(t.tracked(), 0u);
}

}  // namespace
}  // namespace wsman::auth
