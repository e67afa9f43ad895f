// An elastic worker pool for busy connections: keeps `warm_threads` threads
// alive, grows on demand up to `max_threads`, and refuses work beyond that
// instead of queueing it without bound (the caller then closes the
// connection). Thread-safe; shutdown() joins every thread.
#ifndef WSMAND_SERVER_HTTP_WORKER_POOL_H_
#define WSMAND_SERVER_HTTP_WORKER_POOL_H_

#include <chrono>
#include <deque>
#include <functional>
#include <list>
#include <thread>

#include "base/mutex.h"

namespace wsman::server::http {

class WorkerPool {
 public:
  WorkerPool(int warm_threads, int max_threads,
             std::chrono::seconds idle_exit = std::chrono::seconds(60));
  ~WorkerPool();
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Runs `fn` on a worker; false (fn dropped) when every thread up to
  // max_threads is busy or the pool is shut down.
  bool Submit(std::function<void()> fn) EXCLUDES(mu_);
  // Runs queued work to completion, then joins every thread: when it
  // returns, no worker runs any more, not even its thread-exit handlers
  // (OpenSSL's among them, which must not race the process's exit).
  void Shutdown() EXCLUDES(mu_);

  int busy() const EXCLUDES(mu_);
  int threads() const EXCLUDES(mu_);

 private:
  using Workers = std::list<std::thread>;
  void WorkerLoop(Workers::iterator self) EXCLUDES(mu_);
  // Joins the threads that have left WorkerLoop.
  void JoinFinished() EXCLUDES(mu_);

  const int warm_threads_;
  const int max_threads_;
  const std::chrono::seconds idle_exit_;

  mutable base::Mutex mu_;
  base::CondVar cv_;         // work or shutdown for idle workers
  base::CondVar exited_cv_;  // a worker left WorkerLoop
  std::deque<std::function<void()>> jobs_ GUARDED_BY(mu_);
  Workers workers_ GUARDED_BY(mu_);   // threads in WorkerLoop
  Workers finished_ GUARDED_BY(mu_);  // threads that have left it, to join
  int idle_ GUARDED_BY(mu_) = 0;
  int busy_ GUARDED_BY(mu_) = 0;
  bool shutdown_ GUARDED_BY(mu_) = false;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_WORKER_POOL_H_
