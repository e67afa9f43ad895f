// base/clock: the manual clock moves only when told, from any thread.
#include "base/clock.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace wsman::base {
namespace {

using namespace std::chrono_literals;

TEST(BaseClock, ManualClockMovesOnlyWhenTold) {
  ManualClock clock;
  MonotonicClock fn = clock.AsMonotonic();
  MonotonicTime t0 = fn();
  EXPECT_EQ(fn(), t0);
  clock.Advance(1500ms);
  EXPECT_EQ(fn() - t0, 1500ms);
  clock.Set(t0);
  EXPECT_EQ(fn(), t0);
  // Far enough from the epoch that subtracting a day does not wrap.
  EXPECT_GT(t0.time_since_epoch(), 24h);
}

TEST(BaseClock, ManualClockAdvancesFromManyThreads) {
  ManualClock clock;
  MonotonicTime t0 = clock.Now();
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int j = 0; j < 1000; ++j) clock.Advance(1ms);
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(clock.Now() - t0, 4000ms);
}

TEST(BaseClock, RealClocksMoveForward) {
  MonotonicClock steady = RealMonotonicClock();
  MonotonicTime a = steady();
  EXPECT_LE(a, steady());
  WallClock wall = RealWallClock();
  EXPECT_GT(wall().time_since_epoch(), 0s);
}

}  // namespace
}  // namespace wsman::base
