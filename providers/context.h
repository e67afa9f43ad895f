// The Context of one provider request, modelled on MI_Context: the provider
// posts instances (PostInstance) and indications, and ends the request with
// exactly one PostResult. The engine consumes what was posted from the
// other side of a bounded queue. MI_Context_WriteMessage/WriteError have no
// counterpart: nothing would read them (a provider logs through
// base/log.h; the C ABI's write_message is such a log line).
// Indications are queued like instances but ignored until eventing exists.
//
// Rules (tested in tests/unit/mi_context_test.cc):
//  - Every call is thread-safe: a provider may post from any thread and may
//    finish after its entry point has returned (keep a copy of the
//    ContextPtr).
//  - The first PostResult ends the request. After it every call (a second
//    PostResult, PostInstance, PostIndication) returns MiResult::kFailed
//    and changes nothing.
//  - PostInstance blocks while the queue is full (back-pressure) when the
//    context was made blocking (enumerations); it returns kCancelledResult
//    once the consumer cancelled (Release, expiry, shutdown). Non-blocking
//    contexts (Get, Put, ...) answer kServerLimitsExceeded when full.
//  - A provider whose last ContextPtr copy goes away without PostResult, or
//    that throws, gets MiResult::kFailed posted for it and an error log
//    line (see MakeProviderHandle / CallProvider).
#ifndef WSMAND_PROVIDERS_CONTEXT_H_
#define WSMAND_PROVIDERS_CONTEXT_H_

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "providers/instance.h"
#include "providers/result.h"

namespace wsman::providers {

// What PostInstance and PostIndication return once the consumer went away.
inline constexpr MiResult kCancelledResult = MiResult::kPullHasBeenAbandoned;

// One item posted by the provider.
struct Posted {
  Instance instance;
  bool indication = false;
  std::string bookmark;  // indications only
};

class Context {
 public:
  using Clock = std::chrono::steady_clock;

  // `capacity`: the most instances queued at once. `blocking`: whether a
  // full queue blocks PostInstance (true) or refuses the instance.
  explicit Context(size_t capacity = 1024, bool blocking = true);
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  // ------------------------------------------------------ provider side
  MiResult PostInstance(Instance instance);
  MiResult PostIndication(Instance indication, std::string bookmark = {});
  // Ends the request: `result`, an optional error instance (e.g. a
  // CIM_Error) and a message for the client.
  MiResult PostResult(MiResult result, std::optional<Instance> error = {},
                      std::string message = {});
  bool IsCancelled() const;

  // ------------------------------------------------------ consumer side
  // Waits until an item is queued, the result is posted or the context is
  // cancelled (true), or until `deadline` passes or `stop` is requested
  // (false: the consumer stops waiting; nothing is taken).
  bool WaitReady(Clock::time_point deadline, std::stop_token stop = {})
      EXCLUDES(mu_);
  // Takes the oldest queued item, waking a blocked producer.
  std::optional<Posted> TryTake();
  // Waits for the result until `deadline` (or `stop`); true once posted.
  bool WaitResult(Clock::time_point deadline, std::stop_token stop = {})
      EXCLUDES(mu_);
  bool HasResult() const;
  // The result was posted and every item taken.
  bool Drained() const;
  MiResult result() const;
  std::string result_message() const;
  std::optional<Instance> error_instance() const;
  // Cancels the request: drops what is queued, wakes a blocked producer,
  // and makes IsCancelled() true. Idempotent.
  void Cancel();
  size_t queued() const;
  size_t capacity() const { return capacity_; }
  // The most items ever queued at once (for tests of the bound).
  size_t peak_queued() const;

  // Posts kFailed with `why` unless a result was posted; logs an error line
  // naming `label()`. True when it posted.
  bool FailIfOpen(std::string_view why);
  // "provider/operation", for log lines.
  void set_label(std::string label);
  std::string label() const;

 private:
  MiResult Enqueue(Posted item) EXCLUDES(mu_);
  // Waits on consumer_cv_ until `ready()` holds, `deadline` passes or
  // `stop` is requested; the result of the last `ready()`.
  template <typename Ready>
  bool WaitConsumer(Clock::time_point deadline, const std::stop_token& stop,
                    Ready ready) EXCLUDES(mu_);

  const size_t capacity_;
  const bool blocking_;
  mutable base::Mutex mu_;
  base::CondVar consumer_cv_;
  base::CondVar producer_cv_;
  std::deque<Posted> queue_ GUARDED_BY(mu_);
  size_t peak_ GUARDED_BY(mu_) = 0;
  bool has_result_ GUARDED_BY(mu_) = false;
  bool cancelled_ GUARDED_BY(mu_) = false;
  MiResult result_ GUARDED_BY(mu_) = MiResult::kOk;
  std::string message_ GUARDED_BY(mu_);
  std::optional<Instance> error_ GUARDED_BY(mu_);
  std::string label_ GUARDED_BY(mu_);
};

// What providers receive: a shared handle to their Context.
using ContextPtr = std::shared_ptr<Context>;

// The handle given to a provider call: while any copy of it lives the
// provider may post; when the last copy is destroyed without a PostResult,
// kFailed is posted for the provider with an error log line ("returned
// without PostResult").
ContextPtr MakeProviderHandle(const std::shared_ptr<Context>& context);

// Calls `call` with a provider handle for `context` (labelled `label`):
// an exception becomes kFailed (with the exception's text) and an error
// log line; a provider that keeps no handle and posted no result gets
// kFailed too. The call may return before the result is posted when the
// provider kept a handle (asynchronous completion).
void CallProvider(const std::shared_ptr<Context>& context, std::string label,
                  const std::function<void(ContextPtr)>& call);

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_CONTEXT_H_
