#include "engine/cim/enumeration.h"

#include <algorithm>
#include <iterator>

#include "base/log.h"
#include "base/strings.h"
#include "soap/duration.h"
#include "soap/response_writer.h"

namespace wsman::engine::cim {

bool ItemFilter::Matches(const providers::Instance& instance) const {
  if (!engine_filters) return true;
  if (wql && !wql->Matches(instance, &is_a)) return false;
  for (const soap::Selector& s : selectors) {
    const providers::Value* v = instance.Get(s.name);
    if (!v || v->is_null() || v->is_array()) return false;
    if (v->type() == providers::CimType::kReference ||
        v->type() == providers::CimType::kInstance) {
      return false;
    }
    std::string text = providers::ScalarToText(v->type(), v->scalar());
    // [MS-WSMV] 3.1.4.1.2: selector values compare case-insensitively.
    if (v->type() == providers::CimType::kString) {
      if (!base::EqualsIgnoreCase(text, s.value)) return false;
    } else {
      auto parsed =
          providers::ScalarFromText(v->type(), soap::TrimXmlSpace(s.value));
      if (!parsed) return false;
      auto want = providers::Value::Make(v->type(), std::move(*parsed));
      if (!want || !(*want == *v)) return false;
    }
  }
  return true;
}

const std::vector<std::string>* ItemFilter::projection() const {
  if (wql && !wql->properties().empty()) return &wql->properties();
  return nullptr;
}

EnumerationManager::EnumerationManager(EnumerationSettings settings)
    : settings_(std::move(settings)),
      pool_(std::make_shared<Pool>(
          std::max<size_t>(1, settings_.provider_threads))) {
  reaper_ = std::thread([this] { ReaperLoop(); });
}

EnumerationManager::~EnumerationManager() { Shutdown(); }

soap::Result<std::shared_ptr<EnumerationContext>> EnumerationManager::Open(
    std::shared_ptr<EnumerationContext> context) {
  if (!context || !context->mi) {
    // Everything that sees a published context may Cancel() its provider.
    return soap::Fault(soap::FaultCode::kInternalError, {},
                       "An enumeration context was opened before its "
                       "provider call was set up.");
  }
  context->id = soap::NewMessageId();
  const std::string& owner = context->owner;
  base::MutexLock lock(&mu_);
  context->expires_at =
      soap::DeadlineAfter(context->lifetime, settings_.clock());
  if (stopping_) {
    return soap::Fault(soap::FaultCode::kEndpointUnavailable, {},
                       "The service is shutting down.");
  }
  size_t& count = per_user_[owner];
  if (count >= settings_.max_contexts_per_user) {
    return soap::Fault(
        soap::FaultCode::kQuotaLimit, {},
        "The user already has " + std::to_string(count) +
            " open enumerations, the most allowed. Release some (or let "
            "them expire) first.");
  }
  ++count;
  contexts_[context->id] = context;
  log::Debug("enumeration-open", {{"context", context->id},
                                  {"user", owner},
                                  {"resource", context->resource_uri}});
  return context;
}

std::shared_ptr<EnumerationContext> EnumerationManager::Find(
    const std::string& id, const std::string& user) {
  base::MutexLock lock(&mu_);
  auto it = contexts_.find(id);
  if (it == contexts_.end()) return nullptr;
  if (it->second->owner != user) return nullptr;
  if (it->second->expires_at <= settings_.clock()) return nullptr;
  return it->second;
}

std::chrono::milliseconds EnumerationManager::Touch(
    EnumerationContext& context,
    std::optional<std::chrono::milliseconds> lifetime) {
  base::MutexLock lock(&mu_);
  if (lifetime) context.lifetime = *lifetime;
  context.expires_at = soap::DeadlineAfter(context.lifetime, settings_.clock());
  return context.lifetime;
}

void EnumerationManager::BeginPull(EnumerationContext& context) {
  base::MutexLock lock(&mu_);
  ++context.pulls_in_progress;
}

void EnumerationManager::EndPull(EnumerationContext& context) {
  base::MutexLock lock(&mu_);
  --context.pulls_in_progress;
  context.expires_at = soap::DeadlineAfter(context.lifetime, settings_.clock());
}

void EnumerationManager::Close(const std::string& id) {
  std::shared_ptr<EnumerationContext> closed;
  {
    base::MutexLock lock(&mu_);
    auto it = contexts_.find(id);
    if (it == contexts_.end()) return;
    closed = it->second;
    contexts_.erase(it);
    auto user = per_user_.find(closed->owner);
    if (user != per_user_.end() && --user->second == 0) per_user_.erase(user);
  }
  closed->mi->Cancel();
  log::Debug(
      "enumeration-close",
      {{"context", id},
       {"user", closed->owner},
       {"items",
        std::to_string(closed->items_sent.load(std::memory_order_relaxed))}});
}

size_t EnumerationManager::OpenCount(const std::string& user) const {
  base::MutexLock lock(&mu_);
  auto it = per_user_.find(user);
  return it == per_user_.end() ? 0 : it->second;
}

size_t EnumerationManager::OpenCount() const {
  base::MutexLock lock(&mu_);
  return contexts_.size();
}

size_t EnumerationManager::ReapExpired() {
  std::vector<std::string> expired;
  {
    base::MutexLock lock(&mu_);
    base::MonotonicTime now = settings_.clock();
    for (const auto& [id, context] : contexts_) {
      if (context->expires_at <= now && context->pulls_in_progress == 0) {
        expired.push_back(id);
      }
    }
  }
  for (const std::string& id : expired) {
    log::Info("enumeration-expired", {{"context", id}});
    Close(id);
  }
  return expired.size();
}

void EnumerationManager::ReaperLoop() {
  base::UniqueMutexLock lock(&mu_);
  while (!stopping_) {
    reaper_cv_.WaitFor(lock, settings_.reap_interval);
    if (stopping_) break;
    lock.Unlock();
    ReapExpired();
    lock.Lock();
  }
}

void EnumerationManager::Pool::Run(Worker* self) {
  base::UniqueMutexLock lock(&mu);
  for (;;) {
    while (queue.empty() && !stopping) work_cv.Wait(lock);
    if (queue.empty()) break;  // stopping, nothing left to run
    std::function<void()> work = std::move(queue.front());
    queue.pop_front();
    lock.Unlock();
    work();
    // Drop what the work holds (the provider's context, the provider, the
    // enumeration queue) before saying it is done: Shutdown() lets the
    // engine and the process go away once nothing is busy.
    work = nullptr;
    lock.Lock();
    --busy;
    idle_cv.NotifyAll();
  }
  self->exited = true;
  idle_cv.NotifyAll();
}

soap::Outcome EnumerationManager::Start(const std::string& id,
                                        std::function<void()> work) {
  std::shared_ptr<Pool> pool = pool_;
  std::optional<soap::Fault> refused;
  {
    base::MutexLock lock(&pool->mu);
    if (pool->stopping) {
      refused = soap::Fault(soap::FaultCode::kEndpointUnavailable, {},
                            "The service is shutting down.");
    } else if (pool->busy >= pool->size) {
      refused = soap::Fault(
          soap::FaultCode::kQuotaLimit, {},
          "All " + std::to_string(pool->size) +
              " enumeration provider threads ([enumeration] "
              "provider_threads) are busy with other enumerations. Try "
              "again when one ends; releasing open enumerations ends them.");
    } else {
      ++pool->busy;
      pool->queue.push_back(std::move(work));
      // Every busy call has a worker: start one more when they are all
      // taken (workers stay until Shutdown).
      if (pool->workers.size() < pool->busy) {
        Pool::Worker* w = &pool->workers.emplace_back();
        // The new worker takes mu before it looks at its entry.
        w->thread = std::thread([pool, w] { pool->Run(w); });
      } else {
        pool->work_cv.NotifyOne();
      }
      return soap::Ok{};
    }
  }
  work = nullptr;
  Close(id);
  return *std::move(refused);
}

size_t EnumerationManager::BusyWorkers() const {
  base::MutexLock lock(&pool_->mu);
  return pool_->busy;
}

int EnumerationManager::TEST_PullsInProgress(
    const EnumerationContext& context) const {
  base::MutexLock lock(&mu_);
  return context.pulls_in_progress;
}

std::chrono::milliseconds EnumerationManager::Remaining(
    const EnumerationContext& context) const {
  base::MutexLock lock(&mu_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      context.expires_at - settings_.clock());
}

void EnumerationManager::Shutdown(std::chrono::milliseconds wait) {
  std::map<std::string, std::shared_ptr<EnumerationContext>> all;
  {
    base::MutexLock lock(&mu_);
    if (stopping_ && !reaper_.joinable()) return;
    stopping_ = true;
    all.swap(contexts_);
    per_user_.clear();
  }
  reaper_cv_.NotifyAll();
  if (reaper_.joinable()) reaper_.join();
  for (auto& [id, context] : all) context->mi->Cancel();
  all.clear();
  Pool& pool = *pool_;
  std::list<Pool::Worker> workers;
  {
    base::UniqueMutexLock lock(&pool.mu);
    pool.stopping = true;
    pool.work_cv.NotifyAll();
    // Real time: this bounds the daemon's exit, whatever clock expiry uses.
    const auto until = std::chrono::steady_clock::now() + wait;
    auto all_exited = [&]() REQUIRES(pool.mu) {
      for (const Pool::Worker& w : pool.workers) {
        if (!w.exited) return false;
      }
      return true;
    };
    while (!all_exited() && pool.idle_cv.WaitUntil(lock, until)) {
    }
    if (!all_exited()) {
      log::Warn("providers-still-running",
                {{"threads", std::to_string(pool.busy)}});
    }
    // Exited workers are joined below; a worker still in a provider is
    // detached (the documented exception): it keeps `pool` alive itself.
    for (auto it = pool.workers.begin(); it != pool.workers.end();) {
      auto next = std::next(it);
      if (it->exited) {
        workers.splice(workers.end(), pool.workers, it);
      } else {
        it->thread.detach();
      }
      it = next;
    }
  }
  for (Pool::Worker& w : workers) w.thread.join();
}

}  // namespace wsman::engine::cim
