// One epoll thread serving the pipes and pidfds of every command of every
// shell. Handlers are looked up by a token (never reused), so an event that
// races with a removal finds nothing and is dropped.
//
// Thread-safety: Watch, Pause, Resume, Unwatch and watch_count may be called
// from any thread (Commands call them under their own mutex); handlers run
// on the loop thread with no lock of the loop held. The loop's mutex guards
// the handler table only and is a leaf: nothing is locked or called under it.
#ifndef WSMAND_PROVIDERS_SHELL_IO_LOOP_H_
#define WSMAND_PROVIDERS_SHELL_IO_LOOP_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "base/unique_fd.h"

namespace wsman::providers::shell {

class IoLoop {
 public:
  // Called on the loop thread with the epoll events of the fd.
  using Handler = std::function<void(uint32_t events)>;

  IoLoop();
  ~IoLoop();
  IoLoop(const IoLoop&) = delete;
  IoLoop& operator=(const IoLoop&) = delete;

  bool ok() const { return epoll_fd_.valid(); }

  // A fresh token for Watch().
  uint64_t NewToken() { return next_token_.fetch_add(1); }
  // Installs `handler` for `token` (replacing any) and adds `fd` to the epoll
  // set with `events`. Returns false when epoll_ctl fails.
  bool Watch(int fd, uint64_t token, uint32_t events, Handler handler)
      EXCLUDES(mu_);
  // Removes `fd` from the epoll set but keeps the handler (pause).
  void Pause(int fd);
  // Re-adds a paused fd.
  bool Resume(int fd, uint64_t token, uint32_t events);
  // Removes fd from the epoll set and drops the handler. The caller closes
  // the fd afterwards.
  void Unwatch(int fd, uint64_t token) EXCLUDES(mu_);

  // Number of handlers installed (for tests).
  size_t watch_count() const EXCLUDES(mu_);

 private:
  void Run() EXCLUDES(mu_);

  base::UniqueFd epoll_fd_;
  base::UniqueFd wake_fd_;
  std::atomic<uint64_t> next_token_{1};
  std::atomic<bool> stop_{false};
  mutable base::Mutex mu_;
  std::unordered_map<uint64_t, std::shared_ptr<Handler>> handlers_
      GUARDED_BY(mu_);
  std::thread thread_;
};

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_IO_LOOP_H_
