#include "engine/cim/enumeration.h"

#include "providers/log.h"
#include "soap/duration.h"
#include "soap/response_writer.h"

namespace wsman::engine::cim {

bool ItemFilter::Matches(const providers::Instance& instance) const {
  if (!engine_filters) return true;
  if (wql && !wql->Matches(instance)) return false;
  for (const soap::Selector& s : selectors) {
    const providers::Value* v = instance.Get(s.name);
    if (!v || v->is_null() || v->is_array()) return false;
    if (v->type() == providers::CimType::kReference ||
        v->type() == providers::CimType::kInstance) {
      return false;
    }
    std::string text = providers::ScalarToText(v->type(), v->scalar());
    if (v->type() == providers::CimType::kString) {
      if (text != s.value) return false;
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
    : settings_(settings) {
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
  context->expires_at = soap::DeadlineAfter(context->lifetime);
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
  return context;
}

std::shared_ptr<EnumerationContext> EnumerationManager::Find(
    const std::string& id, const std::string& user) {
  base::MutexLock lock(&mu_);
  auto it = contexts_.find(id);
  if (it == contexts_.end()) return nullptr;
  if (it->second->owner != user) return nullptr;
  if (it->second->expires_at <= Clock::now()) return nullptr;
  return it->second;
}

std::chrono::milliseconds EnumerationManager::Touch(
    EnumerationContext& context,
    std::optional<std::chrono::milliseconds> lifetime) {
  base::MutexLock lock(&mu_);
  if (lifetime) context.lifetime = *lifetime;
  context.expires_at = soap::DeadlineAfter(context.lifetime);
  return context.lifetime;
}

void EnumerationManager::BeginPull(EnumerationContext& context) {
  base::MutexLock lock(&mu_);
  ++context.pulls_in_progress;
}

void EnumerationManager::EndPull(EnumerationContext& context) {
  base::MutexLock lock(&mu_);
  --context.pulls_in_progress;
  context.expires_at = soap::DeadlineAfter(context.lifetime);
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
    Clock::time_point now = Clock::now();
    for (const auto& [id, context] : contexts_) {
      if (context->expires_at <= now && context->pulls_in_progress == 0) {
        expired.push_back(id);
      }
    }
  }
  for (const std::string& id : expired) {
    providers::Log(providers::LogLevel::kInfo, "enumeration-expired",
                   {{"context", id}});
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

EnumerationManager::Threads::~Threads() NO_THREAD_SAFETY_ANALYSIS {
  // The last owner: no other thread refers to this any more.
  for (std::list<std::thread>* list : {&running, &finished}) {
    for (std::thread& t : *list) {
      if (t.joinable()) t.detach();
    }
  }
}

void EnumerationManager::Threads::JoinFinished() {
  std::list<std::thread> done;
  {
    base::MutexLock lock(&mu);
    done.swap(finished);
  }
  for (std::thread& t : done) t.join();
}

void EnumerationManager::Spawn(std::function<void()> work) {
  std::shared_ptr<Threads> threads = threads_;
  threads->JoinFinished();
  base::MutexLock lock(&threads->mu);
  // The new thread takes mu before it looks at its handle.
  auto self = threads->running.emplace(threads->running.end());
  *self = std::thread([threads, self, work = std::move(work)]() mutable {
    work();
    // Drop what the work holds (the provider's context, the provider, the
    // enumeration queue) before saying this thread is done: Shutdown() lets
    // the engine and the process go away once no thread is running.
    work = nullptr;
    base::MutexLock lock(&threads->mu);
    threads->finished.splice(threads->finished.end(), threads->running, self);
    threads->cv.NotifyAll();
  });
}

soap::Status EnumerationManager::Start(const std::string& id,
                                       std::function<void()> work) {
  (void)id;
  Spawn(std::move(work));
  return soap::Ok{};
}

std::chrono::milliseconds EnumerationManager::Remaining(
    const EnumerationContext& context) const {
  base::MutexLock lock(&mu_);
  return std::chrono::duration_cast<std::chrono::milliseconds>(
      context.expires_at - Clock::now());
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
  {
    Threads& threads = *threads_;
    base::UniqueMutexLock lock(&threads.mu);
    const Clock::time_point until = Clock::now() + wait;
    while (!threads.running.empty() && threads.cv.WaitUntil(lock, until)) {
    }
    if (!threads.running.empty()) {
      providers::Log(providers::LogLevel::kWarn, "providers-still-running",
                     {{"threads", std::to_string(threads.running.size())}});
    }
  }
  threads_->JoinFinished();
}

}  // namespace wsman::engine::cim
