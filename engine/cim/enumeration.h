// Enumeration contexts (WS-Enumeration as DSP0226 profiles it): each open
// enumeration owns the provider's Context (a bounded queue), its owner, its
// expiry, the engine-side filter and the one serialised item that did not
// fit the last response. The manager enforces the per-user quota, answers
// lookups only for the owner, reaps expired contexts on a thread, and runs
// the enumeration providers on a bounded pool of threads.
//
// Threads ([docs/architecture.md](../../docs/architecture.md#threads)): one
// reaper; up to `provider_threads` pool workers, started as needed and kept
// until Shutdown. A provider occupies a worker from Enumerate until it posts
// its result (for a large enumeration, until the client has pulled all but
// the last queue_capacity instances); an Enumerate that finds every worker
// busy is refused with w:QuotaLimit, never queued. Every public method is
// safe from any thread. Expiry reads the injected MonotonicClock; the
// waits of a Pull (Context::WaitReady) use real time.
#ifndef WSMAND_ENGINE_CIM_ENUMERATION_H_
#define WSMAND_ENGINE_CIM_ENUMERATION_H_

#include <atomic>
#include <chrono>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "engine/cim/resource_uri.h"
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
  // Enumeration providers running at once (the pool's size, [enumeration]
  // provider_threads); one more Enumerate gets w:QuotaLimit.
  size_t provider_threads = 16;
  // Time for expiry (tests inject a base::ManualClock).
  base::MonotonicClock clock = base::RealMonotonicClock();
};

// What the engine filters and projects (when the provider does not).
struct ItemFilter {
  std::shared_ptr<const WqlQuery> wql;
  WqlClassTest is_a;                      // the class hierarchy, for WQL's ISA
  std::vector<soap::Selector> selectors;  // SelectorFilter dialect
  bool engine_filters = true;

  bool Matches(const providers::Instance& instance) const;
  // The WQL property list, or nullptr for all properties.
  const std::vector<std::string>* projection() const;
};

enum class EnumerationMode { kObject, kObjectAndEpr, kEpr };

struct EnumerationContext {
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
  // The request URI's family: items and EPRs name classes in it (and in
  // the WMI family, projections are w:XmlFragment items).
  UriFamily family = UriFamily::kDmtf;

  // Guarded by the manager's mutex once published (the caller of Open sets
  // `lifetime` before). The analysis cannot name another object's mutex;
  // only EnumerationManager touches these, always under its mu_.
  std::chrono::milliseconds lifetime{0};
  base::MonotonicTime expires_at;
  int pulls_in_progress = 0;
  // Items handed to responses so far (batch.cc's TakePending), for the
  // enumeration-close debug line.
  std::atomic<uint64_t> items_sent{0};

  // One Pull at a time. A context with a Pull in progress does not expire.
  base::Mutex pull_mu;
  // Serialised, did not fit the last response.
  std::optional<std::string> pending GUARDED_BY(pull_mu);
};

class EnumerationManager {
 public:
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

  // Runs `work` (the provider call of the open context `id`) on a pool
  // worker. When every worker is busy (w:QuotaLimit) or the manager is
  // stopping (w:EndpointUnavailable) the context is closed and the fault
  // returned; `work` is then destroyed without running.
  soap::Outcome Start(const std::string& id, std::function<void()> work)
      EXCLUDES(mu_);
  // Provider calls running or about to run on the pool.
  size_t BusyWorkers() const;
  // Pulls in progress on `context` (tests wait for a Pull to be waiting).
  int TEST_PullsInProgress(const EnumerationContext& context) const
      EXCLUDES(mu_);
  // How long `context` has left before it expires (negative: expired).
  std::chrono::milliseconds Remaining(const EnumerationContext& context) const
      EXCLUDES(mu_);
  // Cancels every context, waits (up to `wait`) for the providers to
  // return, and joins every pool worker. The one exception: a worker still
  // inside a provider that ignores cancellation after `wait` is detached
  // (logged as providers-still-running), since joining it would hang the
  // daemon's exit; it holds the pool's shared state, nothing of the manager.
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
  // The provider pool; shared with its workers so that a worker outliving
  // the manager (a provider ignoring cancellation) touches no freed memory.
  struct Pool {
    explicit Pool(size_t size) : size(size) {}
    const size_t size;
    base::Mutex mu;
    base::CondVar work_cv;  // work queued, or stopping
    base::CondVar idle_cv;  // a provider call returned
    std::list<std::function<void()>> queue GUARDED_BY(mu);
    size_t busy GUARDED_BY(mu) = 0;  // queued + running
    bool stopping GUARDED_BY(mu) = false;
    struct Worker {
      std::thread thread;
      bool exited = false;  // guarded by mu
    };
    std::list<Worker> workers GUARDED_BY(mu);

    void Run(Worker* self) EXCLUDES(mu);
  };
  std::shared_ptr<Pool> pool_;
};

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_ENUMERATION_H_
