#include "providers/shell/output_budget.h"

#include <utility>

namespace wsman::providers::shell {

size_t OutputBudget::used() const {
  base::MutexLock lock(&mu_);
  return used_;
}

bool OutputBudget::Exhausted() const {
  base::MutexLock lock(&mu_);
  return limit_ > 0 && used_ >= limit_;
}

void OutputBudget::Add(size_t bytes) {
  base::MutexLock lock(&mu_);
  used_ += bytes;
}

std::vector<std::function<void()>> OutputBudget::Release(size_t bytes) {
  base::MutexLock lock(&mu_);
  used_ = bytes > used_ ? 0 : used_ - bytes;
  std::vector<std::function<void()>> wake;
  if (limit_ == 0 || used_ < limit_) wake.swap(parked_);
  return wake;
}

bool OutputBudget::ParkIfExhausted(std::function<void()> resume) {
  base::MutexLock lock(&mu_);
  if (limit_ == 0 || used_ < limit_) return false;
  parked_.push_back(std::move(resume));
  return true;
}

}  // namespace wsman::providers::shell
