#include "providers/shell/command.h"

#include <signal.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>
#include <utility>

#include "base/log.h"
#include "base/metrics.h"

namespace wsman::providers::shell {
namespace {

constexpr size_t kReadChunk = 64 * 1024;

// The exit status of a waitid(2) report, as sh reports it (128 + signal).
int ExitCodeOf(const siginfo_t& info) {
  switch (info.si_code) {
    case CLD_EXITED:
      return info.si_status;
    case CLD_KILLED:
    case CLD_DUMPED:
      return 128 + info.si_status;
  }
  return -1;
}

// waitid on our own unreaped child through its pidfd; `flags` adds WNOWAIT
// to only look. True when it has exited (info filled).
bool WaitLeader(int pidfd, int flags, siginfo_t* info) {
  *info = {};
  int r;
  do {
    r = ::waitid(static_cast<idtype_t>(P_PIDFD), static_cast<id_t>(pidfd), info,
                 WEXITED | flags);
  } while (r < 0 && errno == EINTR);
  return r == 0 && info->si_pid != 0;
}

}  // namespace

Command::Command(std::string id, IoLoop* loop, CommandLimits limits,
                 std::shared_ptr<OutputBudget> budget)
    : id_(std::move(id)),
      loop_(loop),
      limits_(limits),
      budget_(std::move(budget)) {}

Command::~Command() {
  // Every loop registration holds a reference, so what is left open here
  // was never registered (or the loop is gone); the UniqueFds close it.
  std::vector<std::function<void()>> wake;
  {
    base::MutexLock lock(&mu_);
    if (started_ && !reaped_) {
      group_->Kill();
      group_->ReleaseLeader();
      siginfo_t info;
      WaitLeader(pidfd_.get(), 0, &info);  // it was sent SIGKILL
      reaped_ = true;
    }
    if (started_ && !exited_) base::metrics::CommandsRunning().Add(-1);
    wake = UnbufferLocked(AvailLocked(0) + AvailLocked(1));
  }
  RunAll(std::move(wake));
}

base::Status Command::Start(SpawnRequest request,
                            std::shared_ptr<CommandGroup> group) {
  SpawnedProcess p;
  request.cgroup_join_fd = group->join_fd();
  base::Status err = Spawn(request, &p);
  if (!err.ok()) return err;
  group->SetLeader(p.pid);
  std::shared_ptr<Command> self = shared_from_this();
  // The lifecycle at debug: the program and how many arguments, never the
  // arguments themselves (they may hold secrets).
  log::Debug("command-start",
             {{"command", id_},
              {"user", request.run_as.user},
              {"executable", request.exec.program},
              {"pid", std::to_string(p.pid)},
              {"args", std::to_string(request.exec.argv.empty()
                                          ? 0
                                          : request.exec.argv.size() - 1)}});
  base::metrics::CommandsRunning().Add(1);
  base::MutexLock lock(&mu_);
  started_ = true;
  start_time_ = std::chrono::steady_clock::now();
  group_ = std::move(group);
  pid_ = p.pid;
  pidfd_ = std::move(p.pidfd);
  stdin_fd_ = std::move(p.stdin_fd);
  stdin_closed_ = false;
  out_fd_[kStdout] = std::move(p.stdout_fd);
  out_fd_[kStderr] = std::move(p.stderr_fd);
  eof_[0] = eof_[1] = false;
  // The registrations own the command until they are dropped, so the
  // process is reaped even when nobody refers to the command any more.
  for (int s = 0; s < 2; ++s) {
    out_token_[s] = loop_->NewToken();
    if (!loop_->Watch(out_fd_[s].get(), out_token_[s], EPOLLIN,
                      [self, s](uint32_t ev) { self->OnOutput(s, ev); })) {
      out_fd_[s].reset();
      eof_[s] = true;
    }
  }
  pid_token_ = loop_->NewToken();
  // Cannot fail with a fresh pidfd; without it the exit is only noticed
  // when the command is killed or destroyed.
  pid_watched_ = loop_->Watch(pidfd_.get(), pid_token_, EPOLLIN,
                              [self](uint32_t) { self->OnExit(); });
  stdin_token_ = loop_->NewToken();
  return base::Status::Ok();
}

void Command::OnOutput(int s, uint32_t events) {
  base::MutexLock lock(&mu_);
  if (!out_fd_[s] || paused_[s]) return;
  bool changed = false;
  for (;;) {
    size_t avail = AvailLocked(s);
    if (avail >= limits_.output_buffer) {
      // Back-pressure: stop reading; the process blocks on a full pipe.
      loop_->Pause(out_fd_[s].get());
      paused_[s] = true;
      break;
    }
    if (budget_ && avail >= limits_.budget_floor) {
      // The shell's budget is spent: wait until some of its output is
      // received. ParkIfExhausted and Release share a lock, so a release
      // between the check and the pause still wakes us.
      std::weak_ptr<Command> weak = weak_from_this();
      if (budget_->ParkIfExhausted([weak, s] {
            if (auto c = weak.lock()) c->ResumeOutput(s);
          })) {
        loop_->Pause(out_fd_[s].get());
        paused_[s] = true;
        break;
      }
    }
    if (head_[s] > 0 && head_[s] >= buf_[s].size() / 2) {
      buf_[s].erase(0, head_[s]);
      head_[s] = 0;
    }
    size_t want = std::min(kReadChunk, limits_.output_buffer - avail);
    size_t old = buf_[s].size();
    buf_[s].resize(old + want);
    ssize_t n = ::read(out_fd_[s].get(), buf_[s].data() + old, want);
    if (n > 0) {
      buf_[s].resize(old + static_cast<size_t>(n));
      if (budget_) budget_->Add(static_cast<size_t>(n));
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
  if (changed) cv_.NotifyAll();
}

void Command::ResumeOutput(int s) {
  base::MutexLock lock(&mu_);
  if (!paused_[s] || !out_fd_[s] || AvailLocked(s) >= limits_.output_buffer)
    return;
  if (loop_->Resume(out_fd_[s].get(), out_token_[s], EPOLLIN)) {
    paused_[s] = false;
  }
}

size_t Command::WantedAvailLocked(const bool want[2]) const {
  size_t n = 0;
  for (int s = 0; s < 2; ++s) {
    if (want[s]) n += AvailLocked(s);
  }
  return n;
}

bool Command::GraceOverLocked(base::MonotonicTime now) const {
  return exited_ && !StreamsEndedLocked() &&
         now >= exit_time_ + limits_.exit_grace;
}

std::vector<std::function<void()>> Command::UnbufferLocked(size_t n) {
  if (!budget_ || n == 0) return {};
  return budget_->Release(n);
}

void Command::OnExit() {
  base::MutexLock lock(&mu_);
  if (exited_ || !pidfd_) return;
  siginfo_t info;
  // Only look (WNOWAIT): the zombie keeps its pid, and so its process group
  // and session, from being reused while they may still be signalled.
  if (!WaitLeader(pidfd_.get(), WNOHANG | WNOWAIT, &info)) return;
  exited_ = true;
  exit_code_ = ExitCodeOf(info);
  exit_time_ = std::chrono::steady_clock::now();
  base::metrics::CommandsRunning().Add(-1);
  log::Debug(
      "command-exit",
      {{"command", id_},
       {"exit_code", std::to_string(exit_code_)},
       {"duration_ms",
        std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                           exit_time_ - start_time_)
                           .count())}});
  if (pid_watched_) {
    loop_->Unwatch(pidfd_.get(), pid_token_);
    pid_watched_ = false;
  }
  group_->LeaderExited();
  if (killed_ || group_->Empty()) ReleaseLocked();
  cv_.NotifyAll();
}

void Command::ReleaseLocked() {
  if (reaped_ || !exited_) return;
  // From here on nothing signals the leader's pid or group.
  group_->ReleaseLeader();
  siginfo_t info;
  WaitLeader(pidfd_.get(), 0, &info);  // a zombie: returns at once
  pidfd_.reset();
  reaped_ = true;
}

bool Command::ReleaseIfDone() {
  base::MutexLock lock(&mu_);
  if (exited_ && !reaped_ && group_->Empty()) ReleaseLocked();
  return reaped_;
}

void Command::OnStdinWritable() {
  base::MutexLock lock(&mu_);
  TryWriteStdinLocked();
  cv_.NotifyAll();
}

void Command::CloseOutputLocked(int s) {
  if (out_fd_[s]) {
    loop_->Unwatch(out_fd_[s].get(), out_token_[s]);
    out_fd_[s].reset();
  }
  paused_[s] = false;
  eof_[s] = true;
}

void Command::CloseStdinLocked() {
  if (stdin_fd_) {
    if (stdin_watched_) loop_->Unwatch(stdin_fd_.get(), stdin_token_);
    stdin_watched_ = false;
    stdin_fd_.reset();
  }
  stdin_buf_.clear();
  stdin_head_ = 0;
  stdin_closed_ = true;
}

void Command::TryWriteStdinLocked() {
  while (stdin_fd_ && stdin_head_ < stdin_buf_.size()) {
    ssize_t n = ::write(stdin_fd_.get(), stdin_buf_.data() + stdin_head_,
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
  if (!stdin_fd_) return;
  if (stdin_head_ == stdin_buf_.size()) {
    stdin_buf_.clear();
    stdin_head_ = 0;
    if (stdin_watched_) {
      loop_->Unwatch(stdin_fd_.get(), stdin_token_);
      stdin_watched_ = false;
    }
    if (stdin_end_) CloseStdinLocked();
  } else if (!stdin_watched_) {
    std::shared_ptr<Command> self = shared_from_this();
    stdin_watched_ =
        loop_->Watch(stdin_fd_.get(), stdin_token_, EPOLLOUT,
                     [self](uint32_t) { self->OnStdinWritable(); });
  }
}

void Command::WakeWaiters() {
  base::MutexLock lock(&mu_);
  cv_.NotifyAll();
}

base::Status Command::Send(std::string_view data, bool end,
                           base::MonotonicTime deadline,
                           const std::stop_token& cancel) {
  // Declared before the lock: destroyed after it is released (a callback in
  // progress needs mu_).
  std::stop_callback on_cancel(cancel, [this] { WakeWaiters(); });
  base::UniqueMutexLock lock(&mu_);
  if (killed_)
    return ShellError(Errc::kShellNotFound, "the command was terminated");
  if (stdin_closed_ || stdin_end_) {
    if (data.empty()) return base::Status::Ok();  // a repeated end-of-input
    return ShellError(Errc::kStdinClosed,
                      "the command's input stream is already closed");
  }
  while (stdin_buf_.size() - stdin_head_ >= limits_.stdin_buffer) {
    if (cancel.stop_requested()) {
      return ShellError(Errc::kTimedOut, "the client disconnected");
    }
    if (!cv_.WaitUntil(lock, deadline) &&
        stdin_buf_.size() - stdin_head_ >= limits_.stdin_buffer) {
      return ShellError(Errc::kTimedOut,
                        "the command did not read its input in time");
    }
    if (killed_)
      return ShellError(Errc::kShellNotFound, "the command was terminated");
    if (stdin_closed_) {
      return ShellError(Errc::kStdinClosed,
                        "the command's input stream is already closed");
    }
  }
  if (stdin_head_ > 0 && stdin_head_ == stdin_buf_.size()) {
    stdin_buf_.clear();
    stdin_head_ = 0;
  }
  stdin_buf_.append(data);
  if (end) stdin_end_ = true;
  TryWriteStdinLocked();
  return base::Status::Ok();
}

base::Status Command::Receive(bool want_stdout, bool want_stderr,
                              size_t max_bytes, base::MonotonicTime deadline,
                              ReceiveResult* out,
                              const std::stop_token& cancel) {
  const bool want[2] = {want_stdout, want_stderr};
  max_bytes = std::max<size_t>(max_bytes, 64);
  // A client that disconnects wakes the wait. Declared before the lock, so
  // it is destroyed after the lock is released (its destructor waits for a
  // callback in progress, which needs mu_).
  std::stop_callback on_cancel(cancel, [this] { WakeWaiters(); });
  base::UniqueMutexLock lock(&mu_);
  const base::Status cancelled =
      ShellError(Errc::kTimedOut, "the client disconnected");
  for (;;) {
    if (killed_)
      return ShellError(Errc::kShellNotFound, "the command was terminated");
    if (cancel.stop_requested()) return cancelled;
    base::MonotonicTime now = std::chrono::steady_clock::now();
    if (GraceOverLocked(now) && WantedAvailLocked(want) == 0) {
      // The process is gone but something (a background child) holds its
      // pipes open: end the streams with what was delivered.
      for (int s = 0; s < 2; ++s) {
        if (AvailLocked(s) == 0 || !want[s]) CloseOutputLocked(s);
      }
    }
    if (WantedAvailLocked(want) > 0 || CompleteLocked()) break;
    if (now >= deadline) {
      return ShellError(Errc::kTimedOut,
                        "no output within the operation timeout");
    }
    base::MonotonicTime wake = deadline;
    if (exited_ && !StreamsEndedLocked()) {
      wake = std::min(wake, exit_time_ + limits_.exit_grace);
    }
    cv_.WaitUntil(lock, wake);
  }
  // Output came while the process runs: give it a moment to finish or to
  // fill the response, so short commands answer in one round trip.
  if (!CompleteLocked() && WantedAvailLocked(want) < max_bytes) {
    base::MonotonicTime until =
        std::min(deadline, std::chrono::steady_clock::now() + limits_.coalesce);
    while (!killed_ && !CompleteLocked() &&
           WantedAvailLocked(want) < max_bytes && !cancel.stop_requested()) {
      if (!cv_.WaitUntil(lock, until)) break;
    }
    if (killed_)
      return ShellError(Errc::kShellNotFound, "the command was terminated");
    if (cancel.stop_requested()) return cancelled;
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
      if (paused_[s] && AvailLocked(s) < limits_.output_buffer && out_fd_[s]) {
        if (loop_->Resume(out_fd_[s].get(), out_token_[s], EPOLLIN)) {
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
  out->done = CompleteLocked() && (!want[0] || AvailLocked(0) == 0) &&
              (!want[1] || AvailLocked(1) == 0);
  out->exit_code = exit_code_;
  // Room in the shell's budget: streams of other commands waiting for it
  // read again (they take their own locks, so ours is released first).
  std::vector<std::function<void()>> wake = UnbufferLocked(take[0] + take[1]);
  lock.Unlock();
  RunAll(std::move(wake));
  return base::Status::Ok();
}

void Command::Signal(SignalCode code) {
  if (code == SignalCode::kTerminate) {
    Kill();
    return;
  }
  base::MutexLock lock(&mu_);
  // To the leader's process group while the leader is held; once it is
  // reaped nothing of the command is left (job.h).
  if (started_) group_->Signal(code == SignalCode::kCtrlC ? SIGINT : SIGTERM);
}

void Command::Kill() {
  std::vector<std::function<void()>> wake;
  {
    base::MutexLock lock(&mu_);
    if (killed_) return;
    killed_ = true;
    if (started_) {
      group_->Kill();
      // An exited leader is reaped now; a running one once it has died
      // (OnExit).
      ReleaseLocked();
    }
    CloseStdinLocked();
    for (int s = 0; s < 2; ++s) CloseOutputLocked(s);
    // Nobody can receive the output any more.
    wake = UnbufferLocked(AvailLocked(0) + AvailLocked(1));
    for (int s = 0; s < 2; ++s) {
      std::string().swap(buf_[s]);
      head_[s] = 0;
    }
    cv_.NotifyAll();
  }
  RunAll(std::move(wake));
}

pid_t Command::pid() const {
  base::MutexLock lock(&mu_);
  return pid_;
}

size_t Command::buffered(Stream s) const {
  base::MutexLock lock(&mu_);
  return AvailLocked(s);
}

bool Command::exited() const {
  base::MutexLock lock(&mu_);
  return exited_;
}

bool Command::reaped() const {
  base::MutexLock lock(&mu_);
  return reaped_;
}

}  // namespace wsman::providers::shell
