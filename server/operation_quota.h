// MaxConcurrentOperationsPerUser: how many requests one authenticated user
// may have in progress at once, so that one user's long-polls (Receive,
// Pull) cannot hold every worker. Begin() takes a slot for the request's
// life (the returned Slot gives it back). The limit can change while
// requests are in progress (SIGHUP, a winrm/config Put): requests already
// holding a slot keep it, new ones are measured against the new limit.
// Thread-safe.
#ifndef WSMAND_SERVER_OPERATION_QUOTA_H_
#define WSMAND_SERVER_OPERATION_QUOTA_H_

#include <atomic>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/mutex.h"

namespace wsman::server {

class OperationQuota {
 public:
  // `max_per_user` 0 = no limit.
  explicit OperationQuota(size_t max_per_user) : max_(max_per_user) {}
  OperationQuota(const OperationQuota&) = delete;
  OperationQuota& operator=(const OperationQuota&) = delete;

  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept : quota_(o.quota_), user_(std::move(o.user_)) {
      o.quota_ = nullptr;
    }
    Slot& operator=(Slot&& o) noexcept {
      if (this != &o) {
        Release();
        quota_ = o.quota_;
        user_ = std::move(o.user_);
        o.quota_ = nullptr;
      }
      return *this;
    }
    ~Slot() { Release(); }
    explicit operator bool() const { return quota_ != nullptr; }

   private:
    friend class OperationQuota;
    void Release() {
      if (quota_ != nullptr) quota_->End(user_);
      quota_ = nullptr;
    }
    Slot(OperationQuota* quota, std::string user)
        : quota_(quota), user_(std::move(user)) {}
    OperationQuota* quota_ = nullptr;
    std::string user_;
  };

  // A slot for one request of `user`; empty (false) when the user already
  // has max_per_user() in progress. Without a limit, always granted.
  Slot Begin(std::string_view user) EXCLUDES(mu_);
  size_t max_per_user() const { return max_.load(std::memory_order_relaxed); }
  void set_max_per_user(size_t max) {
    max_.store(max, std::memory_order_relaxed);
  }
  size_t InProgress(std::string_view user) const EXCLUDES(mu_);

 private:
  void End(const std::string& user) EXCLUDES(mu_);

  std::atomic<size_t> max_;
  mutable base::Mutex mu_;
  std::unordered_map<std::string, size_t> in_progress_ GUARDED_BY(mu_);
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_OPERATION_QUOTA_H_
