// WorkerPool: grows on demand to its cap, refuses work beyond it (Submit
// returns false and never runs it), finishes queued work on shutdown and
// joins its threads.
#include "server/http/worker_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>

namespace wsman::server::http {
namespace {

// Enqueues `n` tasks that run `first`, then wait for `gate`; returns how
// many had started within a second.
int StartGated(
    WorkerPool* pool, int n, std::shared_future<void> gate,
    std::function<void()> first = [] {}) {
  auto started = std::make_shared<std::atomic<int>>(0);
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE(pool->Submit([started, gate, first] {
      first();
      ++*started;
      gate.wait();
    }));
  }
  for (int i = 0; i < 200 && started->load() < n; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return started->load();
}

TEST(WorkerPoolTest, GrowsToTheCapThenRefuses) {
  WorkerPool pool(1, 3);
  std::promise<void> release;
  EXPECT_EQ(StartGated(&pool, 3, release.get_future().share()), 3);
  EXPECT_EQ(pool.busy(), 3);
  bool ran = false;
  EXPECT_FALSE(pool.Submit([&] { ran = true; }));
  release.set_value();
  pool.Shutdown();
  EXPECT_FALSE(ran);  // refused work never runs
  EXPECT_EQ(pool.threads(), 0);
}

TEST(WorkerPoolTest, ShutdownFinishesQueuedWork) {
  std::atomic<int> done{0};
  {
    WorkerPool pool(2, 8);
    for (int i = 0; i < 8; ++i) {
      EXPECT_TRUE(pool.Submit([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        ++done;
      }));
    }
    pool.Shutdown();
  }
  EXPECT_EQ(done.load(), 8);
}

// A thread-exit handler (as OpenSSL and libxml2 install) that takes a
// while: shutdown() must not return before it has run on every worker.
std::atomic<int> exit_handlers_done{0};
struct SlowThreadExit {
  bool armed = false;
  ~SlowThreadExit() {
    if (!armed) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ++exit_handlers_done;
  }
};
thread_local SlowThreadExit slow_thread_exit;

TEST(WorkerPoolTest, ShutdownReturnsAfterThreadExitHandlers) {
  exit_handlers_done = 0;
  WorkerPool pool(4, 4);
  std::promise<void> release;
  ASSERT_EQ(StartGated(&pool, 4, release.get_future().share(),
                       [] { slow_thread_exit.armed = true; }),
            4);
  release.set_value();
  pool.Shutdown();
  EXPECT_EQ(exit_handlers_done.load(), 4);
}

TEST(WorkerPoolTest, IdleExtraThreadsExit) {
  WorkerPool pool(1, 4, std::chrono::seconds(1));
  std::atomic<int> done{0};
  for (int i = 0; i < 4; ++i) {
    EXPECT_TRUE(pool.Submit([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ++done;
    }));
  }
  for (int i = 0; i < 100 && done.load() < 4; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(pool.threads(), 4);
  for (int i = 0; i < 300 && pool.threads() > 1; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(pool.threads(), 1);
}

}  // namespace
}  // namespace wsman::server::http
