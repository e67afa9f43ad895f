// A mutex the thread-safety analysis understands (libstdc++'s std::mutex
// carries no annotations): Mutex, MutexLock (scoped, like lock_guard),
// UniqueMutexLock (like unique_lock: may unlock early, and is what a CondVar
// waits with) and CondVar (a std::condition_variable on the Mutex's own
// std::mutex). Same semantics and cost as the std types they wrap.
#ifndef WSMAND_BASE_MUTEX_H_
#define WSMAND_BASE_MUTEX_H_

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "base/thread_annotations.h"

namespace wsman::base {

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // For code that only the analysis cannot follow (e.g. a callback known
  // to run under the lock).
  void AssertHeld() ASSERT_CAPABILITY(this) {}

 private:
  friend class UniqueMutexLock;
  std::mutex mu_;
};

class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// Holds the mutex, can release it before the end of the scope, and is what
// CondVar waits with.
class SCOPED_CAPABILITY UniqueMutexLock {
 public:
  explicit UniqueMutexLock(Mutex* mu) ACQUIRE(mu) : lock_(mu->mu_) {}
  ~UniqueMutexLock() RELEASE() = default;
  UniqueMutexLock(const UniqueMutexLock&) = delete;
  UniqueMutexLock& operator=(const UniqueMutexLock&) = delete;

  void Unlock() RELEASE() { lock_.unlock(); }
  void Lock() ACQUIRE() { lock_.lock(); }
  std::unique_lock<std::mutex>& native() { return lock_; }

 private:
  std::unique_lock<std::mutex> lock_;
};

class CondVar {
 public:
  void NotifyOne() { cv_.notify_one(); }
  void NotifyAll() { cv_.notify_all(); }
  void Wait(UniqueMutexLock& lock) { cv_.wait(lock.native()); }
  // False on timeout.
  template <typename Clock, typename Duration>
  bool WaitUntil(UniqueMutexLock& lock,
                 const std::chrono::time_point<Clock, Duration>& deadline) {
    return cv_.wait_until(lock.native(), deadline) ==
           std::cv_status::no_timeout;
  }
  template <typename Rep, typename Period>
  bool WaitFor(UniqueMutexLock& lock,
               const std::chrono::duration<Rep, Period>& timeout) {
    return cv_.wait_for(lock.native(), timeout) == std::cv_status::no_timeout;
  }

 private:
  std::condition_variable cv_;
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_MUTEX_H_
