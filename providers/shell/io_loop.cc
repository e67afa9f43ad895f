#include "providers/shell/io_loop.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>

namespace wsman::providers::shell {

namespace {
constexpr uint64_t kWakeToken = 0;
}  // namespace

IoLoop::IoLoop() {
  epoll_fd_.reset(::epoll_create1(EPOLL_CLOEXEC));
  wake_fd_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (!epoll_fd_ || !wake_fd_) return;
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = kWakeToken;
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, wake_fd_.get(), &ev);
  thread_ = std::thread([this] { Run(); });
}

IoLoop::~IoLoop() {
  stop_ = true;
  if (wake_fd_) {
    uint64_t one = 1;
    (void)!::write(wake_fd_.get(), &one, sizeof one);
  }
  if (thread_.joinable()) thread_.join();
  // Dropped outside the lock: the last reference to a command may go with
  // its handler, and the command then reaps its leader under its own lock.
  std::unordered_map<uint64_t, std::shared_ptr<Handler>> dropped;
  base::MutexLock lock(&mu_);
  dropped.swap(handlers_);
}

bool IoLoop::Watch(int fd, uint64_t token, uint32_t events, Handler handler) {
  {
    base::MutexLock lock(&mu_);
    handlers_[token] = std::make_shared<Handler>(std::move(handler));
  }
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) != 0) {
    base::MutexLock lock(&mu_);
    handlers_.erase(token);
    return false;
  }
  return true;
}

void IoLoop::Pause(int fd) {
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
}

bool IoLoop::Resume(int fd, uint64_t token, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = token;
  if (::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_ADD, fd, &ev) == 0) return true;
  return errno == EEXIST;
}

void IoLoop::Unwatch(int fd, uint64_t token) {
  ::epoll_ctl(epoll_fd_.get(), EPOLL_CTL_DEL, fd, nullptr);
  std::shared_ptr<Handler> dropped;  // destroyed outside the lock
  base::MutexLock lock(&mu_);
  auto it = handlers_.find(token);
  if (it != handlers_.end()) {
    dropped = std::move(it->second);
    handlers_.erase(it);
  }
}

size_t IoLoop::watch_count() const {
  base::MutexLock lock(&mu_);
  return handlers_.size();
}

void IoLoop::Run() {
  constexpr int kMaxEvents = 64;
  epoll_event events[kMaxEvents];
  while (!stop_) {
    int n = ::epoll_wait(epoll_fd_.get(), events, kMaxEvents, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < n && !stop_; ++i) {
      uint64_t token = events[i].data.u64;
      if (token == kWakeToken) {
        uint64_t drain;
        (void)!::read(wake_fd_.get(), &drain, sizeof drain);
        continue;
      }
      std::shared_ptr<Handler> handler;
      {
        base::MutexLock lock(&mu_);
        auto it = handlers_.find(token);
        if (it != handlers_.end()) handler = it->second;
      }
      if (handler) (*handler)(events[i].events);
    }
  }
}

}  // namespace wsman::providers::shell
