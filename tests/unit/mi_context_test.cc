// The provider Context's life cycle: exactly one PostResult, nothing after
// it, FAILED for providers that return without it or throw, posting from
// other threads, cancellation, back-pressure.
#include "providers/context.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "providers/result.h"

namespace wsman::providers {
namespace {

using namespace std::chrono_literals;

Instance Item(int i) {
  Instance inst("T");
  inst.SetKey("Id", Value::Sint32(i));
  return inst;
}

Context::Clock::time_point Soon(std::chrono::milliseconds d = 2s) {
  return Context::Clock::now() + d;
}

TEST(MiContext, FirstPostResultWinsSecondFails) {
  Context c;
  EXPECT_EQ(c.PostResult(MiResult::kNotFound, std::nullopt, "first"),
            MiResult::kOk);
  EXPECT_EQ(c.PostResult(MiResult::kOk), MiResult::kFailed);
  EXPECT_EQ(c.result(), MiResult::kNotFound);
  EXPECT_EQ(c.result_message(), "first");
}

TEST(MiContext, EveryCallAfterPostResultFailsAndChangesNothing) {
  Context c;
  ASSERT_EQ(c.PostInstance(Item(1)), MiResult::kOk);
  ASSERT_EQ(c.PostResult(MiResult::kOk), MiResult::kOk);
  EXPECT_EQ(c.PostInstance(Item(2)), MiResult::kFailed);
  EXPECT_EQ(c.PostIndication(Item(3)), MiResult::kFailed);
  EXPECT_EQ(c.PostResult(MiResult::kFailed, std::nullopt, "late"),
            MiResult::kFailed);
  EXPECT_EQ(c.queued(), 1u);
  auto item = c.TryTake();
  ASSERT_TRUE(item);
  EXPECT_EQ(*item->instance.Get("Id")->AsInt(), 1);
  EXPECT_TRUE(c.Drained());
  EXPECT_EQ(c.result(), MiResult::kOk);
}

TEST(MiContext, ProviderReturningWithoutPostResultGetsFailed) {
  auto c = std::make_shared<Context>();
  CallProvider(c, "T/Enumerate", [](ContextPtr ctx) {
    ctx->PostInstance(Item(1));  // and no PostResult
  });
  ASSERT_TRUE(c->HasResult());
  EXPECT_EQ(c->result(), MiResult::kFailed);
  EXPECT_NE(c->result_message().find("without calling PostResult"),
            std::string::npos);
  EXPECT_EQ(c->queued(), 1u);  // what it posted is still delivered
  EXPECT_EQ(c->label(), "T/Enumerate");
}

TEST(MiContext, ThrowingProviderGetsFailed) {
  auto c = std::make_shared<Context>();
  CallProvider(c, "T/Get",
               [](ContextPtr) { throw std::runtime_error("boom"); });
  EXPECT_EQ(c->result(), MiResult::kFailed);
  EXPECT_NE(c->result_message().find("boom"), std::string::npos);
}

TEST(MiContext, ThrowingAfterPostResultKeepsTheResult) {
  auto c = std::make_shared<Context>();
  CallProvider(c, "T/Get", [](ContextPtr ctx) {
    ctx->PostResult(MiResult::kOk);
    throw 42;
  });
  EXPECT_EQ(c->result(), MiResult::kOk);
}

TEST(MiContext, PostingFromAnotherThreadAfterReturning) {
  auto c = std::make_shared<Context>(8);
  std::thread worker;
  CallProvider(c, "T/Async", [&](ContextPtr ctx) {
    worker = std::thread([ctx] {
      std::this_thread::sleep_for(20ms);
      for (int i = 0; i < 5; ++i) ctx->PostInstance(Item(i));
      ctx->PostResult(MiResult::kOk);
    });
  });
  EXPECT_FALSE(c->HasResult());  // the provider kept its handle
  int taken = 0;
  while (!c->Drained()) {
    ASSERT_TRUE(c->WaitReady(Soon()));
    while (auto item = c->TryTake()) {
      EXPECT_EQ(*item->instance.Get("Id")->AsInt(), taken++);
    }
  }
  worker.join();
  EXPECT_EQ(taken, 5);
  EXPECT_EQ(c->result(), MiResult::kOk);
}

TEST(MiContext, HandleDroppedOnAnotherThreadWithoutResult) {
  auto c = std::make_shared<Context>();
  std::thread worker;
  CallProvider(c, "T/Async", [&](ContextPtr ctx) {
    worker = std::thread([ctx]() mutable { ctx.reset(); });
  });
  worker.join();
  EXPECT_TRUE(c->WaitResult(Soon()));
  EXPECT_EQ(c->result(), MiResult::kFailed);
}

TEST(MiContext, CancelWakesABlockedProducer) {
  auto c = std::make_shared<Context>(2);
  std::atomic<int> last{-1};
  std::thread producer([&] {
    for (int i = 0; i < 100; ++i) {
      MiResult r = c->PostInstance(Item(i));
      if (r != MiResult::kOk) {
        last = static_cast<int>(r);
        break;
      }
    }
    c->PostResult(MiResult::kOk);
  });
  while (c->queued() < 2) std::this_thread::sleep_for(1ms);
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(c->queued(), 2u);  // blocked on the full queue
  c->Cancel();
  producer.join();
  EXPECT_TRUE(c->IsCancelled());
  EXPECT_EQ(last.load(), static_cast<int>(kCancelledResult));
  EXPECT_EQ(c->queued(), 0u);  // cancel frees what was queued
  EXPECT_EQ(c->PostInstance(Item(1)), MiResult::kFailed);
}

TEST(MiContext, ErrorResultMidStreamAfterItems) {
  Context c(10);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(c.PostInstance(Item(i)), MiResult::kOk);
  c.PostResult(MiResult::kAccessDenied, std::nullopt, "stop");
  EXPECT_TRUE(c.HasResult());
  EXPECT_FALSE(c.Drained());  // items first
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(c.TryTake());
  EXPECT_TRUE(c.Drained());
  EXPECT_EQ(c.result(), MiResult::kAccessDenied);
}

TEST(MiContext, BackPressureBoundsTheQueue) {
  auto c = std::make_shared<Context>(4);
  std::thread producer([&] {
    for (int i = 0; i < 200; ++i) c->PostInstance(Item(i));
    c->PostResult(MiResult::kOk);
  });
  int next = 0;
  while (!c->Drained()) {
    ASSERT_TRUE(c->WaitReady(Soon()));
    if (auto item = c->TryTake()) {
      EXPECT_EQ(*item->instance.Get("Id")->AsInt(), next++);
      if (next % 50 == 0) std::this_thread::sleep_for(5ms);  // slow consumer
    }
  }
  producer.join();
  EXPECT_EQ(next, 200);
  EXPECT_LE(c->peak_queued(), 4u);
}

TEST(MiContext, NonBlockingContextRefusesWhenFull) {
  Context c(2, /*blocking=*/false);
  EXPECT_EQ(c.PostInstance(Item(1)), MiResult::kOk);
  EXPECT_EQ(c.PostInstance(Item(2)), MiResult::kOk);
  EXPECT_EQ(c.PostInstance(Item(3)), MiResult::kServerLimitsExceeded);
}

TEST(MiContext, WaitReadyTimesOut) {
  Context c;
  auto start = Context::Clock::now();
  EXPECT_FALSE(c.WaitReady(start + 30ms));
  EXPECT_GE(Context::Clock::now() - start, 25ms);
}

TEST(MiContext, StopRequestEndsTheWaitAndTakesNothing) {
  // A consumer whose client went away stops waiting at once, long before
  // its deadline, and leaves what is queued for the next Pull.
  Context c;
  std::stop_source stop;
  std::thread stopper([&] {
    std::this_thread::sleep_for(50ms);
    stop.request_stop();
  });
  auto start = Context::Clock::now();
  EXPECT_FALSE(c.WaitReady(start + 60s, stop.get_token()));
  EXPECT_LT(Context::Clock::now() - start, 10s);
  stopper.join();
  EXPECT_FALSE(c.WaitResult(Context::Clock::now() + 60s, stop.get_token()));
  // Already stopped, but ready: ready wins.
  ASSERT_EQ(c.PostInstance(Item(1)), MiResult::kOk);
  EXPECT_TRUE(c.WaitReady(Context::Clock::now() + 60s, stop.get_token()));
  EXPECT_EQ(c.queued(), 1u);
}

TEST(MiResults, EveryResultHasANameAndRoundTrips) {
  EXPECT_EQ(kAllMiResults.size(), 27u);
  for (MiResult r : kAllMiResults) {
    EXPECT_EQ(MiResultName(r).substr(0, 10), "MI_RESULT_");
    EXPECT_EQ(MiResultFromInt(static_cast<uint32_t>(r)), r);
  }
  EXPECT_FALSE(MiResultFromInt(18));
  EXPECT_FALSE(MiResultFromInt(29));
}

}  // namespace
}  // namespace wsman::providers
