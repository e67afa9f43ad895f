// Snapshot<T>: a shared_ptr that one thread replaces while others read it
// (configuration, accounts, TLS contexts swapped on SIGHUP). Load() hands out
// a reference-counted copy, so a reader keeps the version it started with
// after a Store(). A mutex held for the copy only, instead of
// std::atomic<std::shared_ptr>: libstdc++ 12 implements that with a lock bit
// ThreadSanitizer cannot see, so every reload looked like a data race.
// Thread-safe.
#ifndef WSMAND_BASE_SNAPSHOT_H_
#define WSMAND_BASE_SNAPSHOT_H_

#include <memory>
#include <utility>

#include "base/mutex.h"

namespace wsman::base {

template <typename T>
class Snapshot {
 public:
  Snapshot() = default;
  explicit Snapshot(std::shared_ptr<T> value) : value_(std::move(value)) {}
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  std::shared_ptr<T> Load() const EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    return value_;
  }
  void Store(std::shared_ptr<T> value) EXCLUDES(mu_) {
    {
      MutexLock lock(&mu_);
      value_.swap(value);
    }
    // The old value (now in `value`) is released outside the lock.
  }

 private:
  mutable Mutex mu_;
  std::shared_ptr<T> value_ GUARDED_BY(mu_);
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_SNAPSHOT_H_
