#include "providers/context.h"

#include <exception>

#include "base/log.h"

namespace wsman::providers {

Context::Context(size_t capacity, bool blocking)
    : capacity_(capacity == 0 ? 1 : capacity), blocking_(blocking) {}

MiResult Context::Enqueue(Posted item) {
  base::UniqueMutexLock lock(&mu_);
  if (has_result_) return MiResult::kFailed;
  if (cancelled_) return kCancelledResult;
  if (queue_.size() >= capacity_) {
    if (!blocking_) return MiResult::kServerLimitsExceeded;
    while (queue_.size() >= capacity_ && !cancelled_ && !has_result_) {
      producer_cv_.Wait(lock);
    }
    if (has_result_) return MiResult::kFailed;
    if (cancelled_) return kCancelledResult;
  }
  queue_.push_back(std::move(item));
  if (queue_.size() > peak_) peak_ = queue_.size();
  lock.Unlock();
  consumer_cv_.NotifyOne();
  return MiResult::kOk;
}

template <typename Ready>
bool Context::WaitConsumer(Clock::time_point deadline,
                           const std::stop_token& stop, Ready ready) {
  // A stop request wakes the wait: the callback takes mu_ so the wake-up
  // cannot fall between the check and the wait. Declared before the lock,
  // it is destroyed after the lock is released (its destructor waits for a
  // callback in progress, which needs mu_).
  std::stop_callback wake(stop, [this] {
    base::MutexLock lock(&mu_);
    consumer_cv_.NotifyAll();
  });
  base::UniqueMutexLock lock(&mu_);
  for (;;) {
    if (ready()) return true;
    if (stop.stop_requested()) return false;
    if (!consumer_cv_.WaitUntil(lock, deadline)) return ready();
  }
}

MiResult Context::PostInstance(Instance instance) {
  return Enqueue(Posted{std::move(instance), false, {}});
}

MiResult Context::PostIndication(Instance indication, std::string bookmark) {
  return Enqueue(Posted{std::move(indication), true, std::move(bookmark)});
}

MiResult Context::PostResult(MiResult result, std::optional<Instance> error,
                             std::string message) {
  {
    base::MutexLock lock(&mu_);
    if (has_result_) return MiResult::kFailed;
    has_result_ = true;
    result_ = result;
    error_ = std::move(error);
    message_ = std::move(message);
  }
  consumer_cv_.NotifyAll();
  producer_cv_.NotifyAll();
  return MiResult::kOk;
}

bool Context::IsCancelled() const {
  base::MutexLock lock(&mu_);
  return cancelled_;
}

bool Context::WaitReady(Clock::time_point deadline, std::stop_token stop) {
  return WaitConsumer(deadline, stop, [this]() NO_THREAD_SAFETY_ANALYSIS {
    return !queue_.empty() || has_result_ || cancelled_;
  });
}

std::optional<Posted> Context::TryTake() {
  base::UniqueMutexLock lock(&mu_);
  if (queue_.empty()) return std::nullopt;
  Posted item = std::move(queue_.front());
  queue_.pop_front();
  lock.Unlock();
  producer_cv_.NotifyOne();
  return item;
}

bool Context::WaitResult(Clock::time_point deadline, std::stop_token stop) {
  return WaitConsumer(deadline, stop, [this]() NO_THREAD_SAFETY_ANALYSIS {
    return has_result_;
  });
}

bool Context::HasResult() const {
  base::MutexLock lock(&mu_);
  return has_result_;
}

bool Context::Drained() const {
  base::MutexLock lock(&mu_);
  return has_result_ && queue_.empty();
}

MiResult Context::result() const {
  base::MutexLock lock(&mu_);
  return result_;
}

std::string Context::result_message() const {
  base::MutexLock lock(&mu_);
  return message_;
}

std::optional<Instance> Context::error_instance() const {
  base::MutexLock lock(&mu_);
  return error_;
}

void Context::Cancel() {
  std::deque<Posted> dropped;
  {
    base::MutexLock lock(&mu_);
    if (cancelled_) return;
    cancelled_ = true;
    dropped.swap(queue_);
  }
  producer_cv_.NotifyAll();
  consumer_cv_.NotifyAll();
}

size_t Context::queued() const {
  base::MutexLock lock(&mu_);
  return queue_.size();
}

size_t Context::peak_queued() const {
  base::MutexLock lock(&mu_);
  return peak_;
}

bool Context::FailIfOpen(std::string_view why) {
  std::string label;
  {
    base::MutexLock lock(&mu_);
    if (has_result_) return false;
    has_result_ = true;
    result_ = MiResult::kFailed;
    message_ = std::string(why);
    label = label_;
  }
  consumer_cv_.NotifyAll();
  producer_cv_.NotifyAll();
  log::Error("provider-error",
             {{"provider", label.empty() ? std::string_view("-") : label},
              {"error", why}});
  return true;
}

void Context::set_label(std::string label) {
  base::MutexLock lock(&mu_);
  label_ = std::move(label);
}

std::string Context::label() const {
  base::MutexLock lock(&mu_);
  return label_;
}

namespace {

// Owned by the control block of every provider handle: runs when the last
// handle copy goes away.
struct HandleGuard {
  explicit HandleGuard(std::shared_ptr<Context> c) : context(std::move(c)) {}
  HandleGuard(const HandleGuard&) = delete;
  HandleGuard& operator=(const HandleGuard&) = delete;
  ~HandleGuard() {
    context->FailIfOpen("the provider returned without calling PostResult");
  }
  std::shared_ptr<Context> context;
};

}  // namespace

ContextPtr MakeProviderHandle(const std::shared_ptr<Context>& context) {
  auto guard = std::make_shared<HandleGuard>(context);
  return ContextPtr(guard, context.get());
}

void CallProvider(const std::shared_ptr<Context>& context, std::string label,
                  const std::function<void(ContextPtr)>& call) {
  context->set_label(std::move(label));
  ContextPtr handle = MakeProviderHandle(context);
  try {
    call(handle);
  } catch (const std::exception& e) {
    context->FailIfOpen(std::string("the provider threw an exception: ") +
                        e.what());
  } catch (...) {
    context->FailIfOpen("the provider threw an exception");
  }
  handle.reset();
}

}  // namespace wsman::providers
