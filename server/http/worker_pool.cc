#include "server/http/worker_pool.h"

namespace wsman::server::http {
WorkerPool::WorkerPool(int warm_threads, int max_threads,
                       std::chrono::seconds idle_exit)
    : warm_threads_(warm_threads),
      max_threads_(max_threads < warm_threads ? warm_threads : max_threads),
      idle_exit_(idle_exit) {}

WorkerPool::~WorkerPool() { Shutdown(); }

int WorkerPool::busy() const {
  std::lock_guard<std::mutex> lock(mu_);
  return busy_;
}

int WorkerPool::threads() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(workers_.size());
}

bool WorkerPool::Submit(std::function<void()> fn) {
  JoinFinished();
  {
    std::unique_lock<std::mutex> lock(mu_);
    int pending = static_cast<int>(jobs_.size());
    bool has_room = !shutdown_ && busy_ + pending < max_threads_;
    if (has_room) {
      jobs_.push_back(std::move(fn));
      if (idle_ > pending) {
        cv_.notify_one();
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
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    ++idle_;
    bool woke = cv_.wait_for(lock, idle_exit_,
                             [&] { return shutdown_ || !jobs_.empty(); });
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
    lock.unlock();
    job();
    job = nullptr;
    lock.lock();
    --busy_;
  }
  finished_.splice(finished_.end(), workers_, self);
  exited_cv_.notify_all();
}

void WorkerPool::JoinFinished() {
  Workers done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    done.swap(finished_);
  }
  for (std::thread& t : done) t.join();
}

void WorkerPool::Shutdown() {
  {
    std::unique_lock<std::mutex> lock(mu_);
    shutdown_ = true;
    cv_.notify_all();
    exited_cv_.wait(lock, [&] { return workers_.empty(); });
  }
  JoinFinished();
}

}  // namespace wsman::server::http
