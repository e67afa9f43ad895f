// Enumeration contexts (WS-Enumeration as DSP0226 profiles it): each open
// enumeration owns the provider's Context (a bounded queue), its owner, its
// expiry, the engine-side filter and the one serialised item that did not
// fit the last response. The manager enforces the per-user quota, answers
// lookups only for the owner, reaps expired contexts on a thread, and runs
// the enumeration providers on their own threads.
#ifndef WSMAND_ENGINE_CIM_ENUMERATION_H_
#define WSMAND_ENGINE_CIM_ENUMERATION_H_

#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/mutex.h"
#include "engine/cim/wql.h"
#include "providers/context.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::engine::cim {

struct EnumerationSettings {
  // Lifetime of an idle context when Enumerate carries no Expires, and the
  // most a client may ask for. Every Pull starts the lifetime again.
  std::chrono::milliseconds default_expiry{std::chrono::minutes(10)};
  std::chrono::milliseconds max_expiry{std::chrono::hours(1)};
  // Open contexts one user may hold.
  size_t max_contexts_per_user = 64;
  // Instances queued per context before the provider blocks.
  size_t queue_capacity = 1000;
  std::chrono::milliseconds reap_interval{std::chrono::seconds(1)};
};

// What the engine filters and projects (when the provider does not).
struct ItemFilter {
  std::shared_ptr<const WqlQuery> wql;
  std::vector<soap::Selector> selectors;  // SelectorFilter dialect
  bool engine_filters = true;

  bool Matches(const providers::Instance& instance) const;
  // The WQL property list, or nullptr for all properties.
  const std::vector<std::string>* projection() const;
};

enum class EnumerationMode { kObject, kObjectAndEpr, kEpr };

struct EnumerationContext {
  using Clock = std::chrono::steady_clock;

  // Set before EnumerationManager::Open publishes the context, never
  // changed afterwards (so read without a lock).
  std::string id;  // given by Open
  std::string owner;
  std::shared_ptr<providers::Context> mi;
  ItemFilter filter;
  EnumerationMode mode = EnumerationMode::kObject;
  std::string resource_uri;    // the class URI items are written with ("" =
                               // each instance's own class URI)
  std::string namespace_name;  // for EPRs
  std::string address;         // a:Address of EPRs

  // Guarded by the manager's mutex once published (the caller of Open sets
  // `lifetime` before). The analysis cannot name another object's mutex;
  // only EnumerationManager touches these, always under its mu_.
  std::chrono::milliseconds lifetime{0};
  Clock::time_point expires_at;
  int pulls_in_progress = 0;

  // One Pull at a time. A context with a Pull in progress does not expire.
  base::Mutex pull_mu;
  // Serialised, did not fit the last response.
  std::optional<std::string> pending GUARDED_BY(pull_mu);
};

class EnumerationManager {
 public:
  using Clock = std::chrono::steady_clock;

  explicit EnumerationManager(EnumerationSettings settings);
  ~EnumerationManager();
  EnumerationManager(const EnumerationManager&) = delete;
  EnumerationManager& operator=(const EnumerationManager&) = delete;

  const EnumerationSettings& settings() const { return settings_; }

  // Publishes `context`, which the caller has fully built first: owner,
  // lifetime, the provider handle `mi`, filter, mode and addresses. Open
  // gives it its id and expiry under the lock; only from then on can Find,
  // the reaper and Shutdown see it (they Cancel() its `mi`), so a context
  // without `mi` is refused (wsman:InternalError). Quota checked
  // (w:QuotaLimit). Start the provider only after Open succeeded.
  soap::Result<std::shared_ptr<EnumerationContext>> Open(
      std::shared_ptr<EnumerationContext> context) EXCLUDES(mu_);
  // The context, if it exists, has not expired and belongs to `user`.
  std::shared_ptr<EnumerationContext> Find(const std::string& id,
                                           const std::string& user)
      EXCLUDES(mu_);
  // Starts the lifetime again (Pull, Renew); returns the new lifetime.
  std::chrono::milliseconds Touch(
      EnumerationContext& context,
      std::optional<std::chrono::milliseconds> lifetime = std::nullopt)
      EXCLUDES(mu_);
  // Brackets a Pull: the reaper leaves the context alone in between.
  void BeginPull(EnumerationContext& context) EXCLUDES(mu_);
  void EndPull(EnumerationContext& context) EXCLUDES(mu_);
  // Cancels the provider and forgets the context.
  void Close(const std::string& id) EXCLUDES(mu_);
  size_t OpenCount(const std::string& user) const EXCLUDES(mu_);
  size_t OpenCount() const EXCLUDES(mu_);
  // Closes every expired context now (the reaper calls this).
  size_t ReapExpired() EXCLUDES(mu_);

  // Runs `work` (a provider call) on its own thread; tracked for shutdown.
  void Spawn(std::function<void()> work);
  // Starts the provider of the open context `id` (`work`, a provider call);
  // when it cannot start, closes the context and returns the fault.
  soap::Status Start(const std::string& id, std::function<void()> work);
  // How long `context` has left before it expires (negative: expired).
  std::chrono::milliseconds Remaining(const EnumerationContext& context) const
      EXCLUDES(mu_);
  // Cancels every context and waits (up to `wait`) for provider threads.
  void Shutdown(std::chrono::milliseconds wait = std::chrono::seconds(5))
      EXCLUDES(mu_);

 private:
  void ReaperLoop() EXCLUDES(mu_);

  const EnumerationSettings settings_;
  mutable base::Mutex mu_;
  std::map<std::string, std::shared_ptr<EnumerationContext>> contexts_
      GUARDED_BY(mu_);
  std::map<std::string, size_t> per_user_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  base::CondVar reaper_cv_;
  std::thread reaper_;
  // Provider threads; shared with them so that a thread outliving the
  // manager (a provider ignoring cancellation) touches no freed memory.
  // Finished threads are joined (by the next Spawn and by Shutdown), so
  // that none is still in its thread-exit handlers when the process exits.
  struct Threads {
    base::Mutex mu;
    base::CondVar cv;
    std::list<std::thread> running GUARDED_BY(mu);   // in their work
    std::list<std::thread> finished GUARDED_BY(mu);  // done, to be joined
    // Detaches what was never joined: a thread that outlived Shutdown's
    // wait, possibly the one destroying this.
    ~Threads();
    void JoinFinished() EXCLUDES(mu);
  };
  std::shared_ptr<Threads> threads_ = std::make_shared<Threads>();
};

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_ENUMERATION_H_
