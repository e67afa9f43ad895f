#include "server/operation_quota.h"

namespace wsman::server {

OperationQuota::Slot OperationQuota::Begin(std::string_view user) {
  base::MutexLock lock(&mu_);
  const size_t max = max_per_user();
  size_t& count = in_progress_[std::string(user)];
  if (max > 0 && count >= max) {
    if (count == 0) in_progress_.erase(std::string(user));
    return Slot();
  }
  ++count;
  return Slot(this, std::string(user));
}

void OperationQuota::End(const std::string& user) {
  base::MutexLock lock(&mu_);
  auto it = in_progress_.find(user);
  if (it == in_progress_.end()) return;
  if (--it->second == 0) in_progress_.erase(it);
}

size_t OperationQuota::InProgress(std::string_view user) const {
  base::MutexLock lock(&mu_);
  auto it = in_progress_.find(std::string(user));
  return it == in_progress_.end() ? 0 : it->second;
}

}  // namespace wsman::server
