#include "server/http/worker_pool.h"

namespace wsman::server::http {
WorkerPool::WorkerPool(int warm_threads, int max_threads,
                       std::chrono::seconds idle_exit)
    : warm_threads_(warm_threads),
      max_threads_(max_threads < warm_threads ? warm_threads : max_threads),
      idle_exit_(idle_exit) {}

WorkerPool::~WorkerPool() { Shutdown(); }

int WorkerPool::busy() const {
  base::MutexLock lock(&mu_);
  return busy_;
}

int WorkerPool::threads() const {
  base::MutexLock lock(&mu_);
  return static_cast<int>(workers_.size());
}

bool WorkerPool::Submit(std::function<void()> fn) {
  JoinFinished();
  {
    base::MutexLock lock(&mu_);
    int pending = static_cast<int>(jobs_.size());
    bool has_room = !shutdown_ && busy_ + pending < max_threads_;
    if (has_room) {
      jobs_.push_back(std::move(fn));
      if (idle_ > pending) {
        cv_.NotifyOne();
      } else {
        // The new thread waits for mu_ before it looks at its handle.
        auto self = workers_.emplace(workers_.end());
        *self = std::thread(&WorkerPool::WorkerLoop, this, self);
      }
      return true;
    }
  }
  return false;
}

void WorkerPool::WorkerLoop(Workers::iterator self) {
  base::UniqueMutexLock lock(&mu_);
  for (;;) {
    ++idle_;
    const auto until = std::chrono::steady_clock::now() + idle_exit_;
    bool woke = true;
    while (!shutdown_ && jobs_.empty()) {
      if (!cv_.WaitUntil(lock, until) && !shutdown_ && jobs_.empty()) {
        woke = false;
        break;
      }
    }
    --idle_;
    if (jobs_.empty()) {
      if (shutdown_ ||
          (!woke && static_cast<int>(workers_.size()) > warm_threads_)) {
        break;
      }
      continue;
    }
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    ++busy_;
    lock.Unlock();
    job();
    job = nullptr;
    lock.Lock();
    --busy_;
  }
  finished_.splice(finished_.end(), workers_, self);
  exited_cv_.NotifyAll();
}

void WorkerPool::JoinFinished() {
  Workers done;
  {
    base::MutexLock lock(&mu_);
    done.swap(finished_);
  }
  for (std::thread& t : done) t.join();
}

void WorkerPool::Shutdown() {
  {
    base::UniqueMutexLock lock(&mu_);
    shutdown_ = true;
    cv_.NotifyAll();
    while (!workers_.empty()) exited_cv_.Wait(lock);
  }
  JoinFinished();
}

}  // namespace wsman::server::http
