#include "providers/shell/command.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace wsman::providers::shell {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

int ExitCodeOf(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);  // as sh reports
  return -1;
}

}  // namespace

Command::Command(std::string id, IoLoop* loop, CommandLimits limits,
                 std::shared_ptr<std::atomic<int>> live_processes)
    : id_(std::move(id)),
      loop_(loop),
      limits_(limits),
      live_processes_(std::move(live_processes)) {}

Command::~Command() {
  // Every loop registration holds a reference, so what is left open here
  // was never registered (or the loop is gone): close it directly.
  for (int s = 0; s < 2; ++s) {
    if (out_fd_[s] >= 0) ::close(out_fd_[s]);
  }
  if (stdin_fd_ >= 0) ::close(stdin_fd_);
  if (pidfd_ >= 0) ::close(pidfd_);
  if (started_ && !reaped_) {
    ::kill(-pid_, SIGKILL);
    int status;
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    if (live_processes_) --*live_processes_;
  }
}

Error Command::Start(const SpawnRequest& request) {
  SpawnedProcess p;
  Error err = Spawn(request, &p);
  if (!err.ok()) return err;
  std::shared_ptr<Command> self = shared_from_this();
  std::lock_guard<std::mutex> lock(mu_);
  started_ = true;
  if (live_processes_) ++*live_processes_;
  pid_ = p.pid;
  pidfd_ = p.pidfd;
  stdin_fd_ = p.stdin_fd;
  stdin_closed_ = false;
  out_fd_[kStdout] = p.stdout_fd;
  out_fd_[kStderr] = p.stderr_fd;
  eof_[0] = eof_[1] = false;
  // The registrations own the command until they are dropped, so the
  // process is reaped even when nobody refers to the command any more.
  for (int s = 0; s < 2; ++s) {
    out_token_[s] = loop_->NewToken();
    if (!loop_->Watch(out_fd_[s], out_token_[s], EPOLLIN,
                      [self, s](uint32_t ev) { self->OnOutput(s, ev); })) {
      ::close(out_fd_[s]);
      out_fd_[s] = -1;
      eof_[s] = true;
    }
  }
  pid_token_ = loop_->NewToken();
  if (!loop_->Watch(pidfd_, pid_token_, EPOLLIN,
                    [self](uint32_t) { self->OnExit(); })) {
    // Cannot happen with a fresh pidfd; fall back to a blocking reap later.
    ::close(pidfd_);
    pidfd_ = -1;
  }
  stdin_token_ = loop_->NewToken();
  return Error::Ok();
}

void Command::OnOutput(int s, uint32_t events) {
  std::lock_guard<std::mutex> lock(mu_);
  if (out_fd_[s] < 0 || paused_[s]) return;
  bool changed = false;
  for (;;) {
    size_t avail = AvailLocked(s);
    if (avail >= limits_.output_buffer) {
      // Back-pressure: stop reading; the process blocks on a full pipe.
      loop_->Pause(out_fd_[s]);
      paused_[s] = true;
      break;
    }
    if (head_[s] > 0 && head_[s] >= buf_[s].size() / 2) {
      buf_[s].erase(0, head_[s]);
      head_[s] = 0;
    }
    size_t want = std::min(kReadChunk, limits_.output_buffer - avail);
    size_t old = buf_[s].size();
    buf_[s].resize(old + want);
    ssize_t n = ::read(out_fd_[s], buf_[s].data() + old, want);
    if (n > 0) {
      buf_[s].resize(old + static_cast<size_t>(n));
      changed = true;
      if (static_cast<size_t>(n) < want) break;  // pipe drained for now
      continue;
    }
    buf_[s].resize(old);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    CloseOutputLocked(s);  // EOF or error
    changed = true;
    break;
  }
  if (changed) cv_.notify_all();
}

void Command::OnExit() {
  std::lock_guard<std::mutex> lock(mu_);
  if (reaped_) return;
  int status = 0;
  pid_t r;
  do {
    r = ::waitpid(pid_, &status, WNOHANG);
  } while (r < 0 && errno == EINTR);
  if (r == 0) return;  // not yet (spurious)
  reaped_ = true;
  exited_ = true;
  exit_code_ = r == pid_ ? ExitCodeOf(status) : -1;
  exit_time_ = SteadyClock::now();
  if (live_processes_) --*live_processes_;
  if (pidfd_ >= 0) {
    loop_->Unwatch(pidfd_, pid_token_);
    ::close(pidfd_);
    pidfd_ = -1;
  }
  cv_.notify_all();
}

void Command::OnStdinWritable() {
  std::lock_guard<std::mutex> lock(mu_);
  TryWriteStdinLocked();
  cv_.notify_all();
}

void Command::CloseOutputLocked(int s) {
  if (out_fd_[s] >= 0) {
    loop_->Unwatch(out_fd_[s], out_token_[s]);
    ::close(out_fd_[s]);
    out_fd_[s] = -1;
  }
  paused_[s] = false;
  eof_[s] = true;
}

void Command::CloseStdinLocked() {
  if (stdin_fd_ >= 0) {
    if (stdin_watched_) loop_->Unwatch(stdin_fd_, stdin_token_);
    stdin_watched_ = false;
    ::close(stdin_fd_);
    stdin_fd_ = -1;
  }
  stdin_buf_.clear();
  stdin_head_ = 0;
  stdin_closed_ = true;
}

void Command::TryWriteStdinLocked() {
  while (stdin_fd_ >= 0 && stdin_head_ < stdin_buf_.size()) {
    ssize_t n = ::write(stdin_fd_, stdin_buf_.data() + stdin_head_,
                        stdin_buf_.size() - stdin_head_);
    if (n > 0) {
      stdin_head_ += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) break;
    // EPIPE: the process closed its stdin; what is left cannot be written.
    CloseStdinLocked();
    return;
  }
  if (stdin_fd_ < 0) return;
  if (stdin_head_ == stdin_buf_.size()) {
    stdin_buf_.clear();
    stdin_head_ = 0;
    if (stdin_watched_) {
      loop_->Unwatch(stdin_fd_, stdin_token_);
      stdin_watched_ = false;
    }
    if (stdin_end_) CloseStdinLocked();
  } else if (!stdin_watched_) {
    std::shared_ptr<Command> self = shared_from_this();
    stdin_watched_ =
        loop_->Watch(stdin_fd_, stdin_token_, EPOLLOUT,
                     [self](uint32_t) { self->OnStdinWritable(); });
  }
}

Error Command::Send(std::string_view data, bool end,
                    SteadyClock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (killed_) return {Errc::kShellNotFound, "the command was terminated"};
  if (stdin_closed_ || stdin_end_) {
    if (data.empty()) return Error::Ok();  // a repeated end-of-input
    return {Errc::kStdinClosed, "the command's input stream is already closed"};
  }
  while (stdin_buf_.size() - stdin_head_ >= limits_.stdin_buffer) {
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout &&
        stdin_buf_.size() - stdin_head_ >= limits_.stdin_buffer) {
      return {Errc::kTimedOut, "the command did not read its input in time"};
    }
    if (killed_) return {Errc::kShellNotFound, "the command was terminated"};
    if (stdin_closed_) {
      return {Errc::kStdinClosed,
              "the command's input stream is already closed"};
    }
  }
  if (stdin_head_ > 0 && stdin_head_ == stdin_buf_.size()) {
    stdin_buf_.clear();
    stdin_head_ = 0;
  }
  stdin_buf_.append(data);
  if (end) stdin_end_ = true;
  TryWriteStdinLocked();
  return Error::Ok();
}

Error Command::Receive(bool want_stdout, bool want_stderr, size_t max_bytes,
                       SteadyClock::time_point deadline, ReceiveResult* out) {
  const bool want[2] = {want_stdout, want_stderr};
  max_bytes = std::max<size_t>(max_bytes, 64);
  std::unique_lock<std::mutex> lock(mu_);
  auto complete = [&] { return exited_ && StreamsEndedLocked(); };
  auto wanted_avail = [&] {
    size_t n = 0;
    for (int s = 0; s < 2; ++s) {
      if (want[s]) n += AvailLocked(s);
    }
    return n;
  };
  auto grace_over = [&](SteadyClock::time_point now) {
    return exited_ && !StreamsEndedLocked() &&
           now >= exit_time_ + limits_.exit_grace;
  };
  for (;;) {
    if (killed_) return {Errc::kShellNotFound, "the command was terminated"};
    SteadyClock::time_point now = SteadyClock::now();
    if (grace_over(now) && wanted_avail() == 0) {
      // The process is gone but something (a background child) holds its
      // pipes open: end the streams with what was delivered.
      for (int s = 0; s < 2; ++s) {
        if (AvailLocked(s) == 0 || !want[s]) CloseOutputLocked(s);
      }
    }
    if (wanted_avail() > 0 || complete()) break;
    if (now >= deadline) {
      return {Errc::kTimedOut, "no output within the operation timeout"};
    }
    SteadyClock::time_point wake = deadline;
    if (exited_ && !StreamsEndedLocked()) {
      wake = std::min(wake, exit_time_ + limits_.exit_grace);
    }
    cv_.wait_until(lock, wake);
  }
  // Output came while the process runs: give it a moment to finish or to
  // fill the response, so short commands answer in one round trip.
  if (!complete() && wanted_avail() < max_bytes) {
    SteadyClock::time_point until =
        std::min(deadline, SteadyClock::now() + limits_.coalesce);
    cv_.wait_until(lock, until, [&] {
      return killed_ || complete() || wanted_avail() >= max_bytes;
    });
    if (killed_) return {Errc::kShellNotFound, "the command was terminated"};
  }

  // Share the budget: stderr may take up to half when both have output.
  size_t take[2] = {0, 0};
  size_t reserve = want[1] ? std::min(AvailLocked(1), max_bytes / 2) : 0;
  take[0] = want[0] ? std::min(AvailLocked(0), max_bytes - reserve) : 0;
  take[1] = want[1] ? std::min(AvailLocked(1), max_bytes - take[0]) : 0;
  out->chunks.clear();
  for (int s = 0; s < 2; ++s) {
    if (take[s] > 0) {
      StreamChunk chunk;
      chunk.stream = static_cast<Stream>(s);
      chunk.data.assign(buf_[s], head_[s], take[s]);
      head_[s] += take[s];
      if (head_[s] == buf_[s].size()) {
        // Drained: give large buffers back rather than keep a megabyte per
        // finished command.
        if (buf_[s].capacity() > 128 * 1024) {
          std::string().swap(buf_[s]);
        } else {
          buf_[s].clear();
        }
        head_[s] = 0;
      }
      out->chunks.push_back(std::move(chunk));
      if (paused_[s] && AvailLocked(s) < limits_.output_buffer &&
          out_fd_[s] >= 0) {
        if (loop_->Resume(out_fd_[s], out_token_[s], EPOLLIN)) {
          paused_[s] = false;
        }
      }
    }
    if (want[s] && !end_sent_[s] && exited_ && eof_[s] && AvailLocked(s) == 0) {
      StreamChunk end;
      end.stream = static_cast<Stream>(s);
      end.end = true;
      out->chunks.push_back(std::move(end));
      end_sent_[s] = true;
    }
  }
  out->done = complete() && (!want[0] || AvailLocked(0) == 0) &&
              (!want[1] || AvailLocked(1) == 0);
  out->exit_code = exit_code_;
  return Error::Ok();
}

void Command::KillGroupLocked(int sig) {
  if (!started_) return;
  // After the leader is reaped its group may live on (background children
  // holding the pipes); signal it only while that is plausible.
  if (!reaped_ || !StreamsEndedLocked()) ::kill(-pid_, sig);
}

void Command::Signal(SignalCode code) {
  if (code == SignalCode::kTerminate) {
    Kill();
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  KillGroupLocked(code == SignalCode::kCtrlC ? SIGINT : SIGTERM);
}

void Command::Kill() {
  std::lock_guard<std::mutex> lock(mu_);
  if (killed_) return;
  KillGroupLocked(SIGKILL);
  killed_ = true;
  CloseStdinLocked();
  for (int s = 0; s < 2; ++s) CloseOutputLocked(s);
  cv_.notify_all();
}

size_t Command::buffered(Stream s) const {
  std::lock_guard<std::mutex> lock(mu_);
  return AvailLocked(s);
}

bool Command::exited() const {
  std::lock_guard<std::mutex> lock(mu_);
  return exited_;
}

bool Command::reaped() const {
  std::lock_guard<std::mutex> lock(mu_);
  return reaped_;
}

}  // namespace wsman::providers::shell
