// One command of a shell: its process (a session of its own, in the
// command's group of the shell's job: job.h), the pipes the I/O loop serves,
// bounded output buffers with back-pressure (a full buffer, or a shell over
// its output budget, stops reading the pipe, so the writer blocks), stdin
// queueing, the exit status, and the Receive long-poll.
//
// The leader is held unreaped (a zombie, its status read with WNOWAIT)
// until nothing of the command is left or the command is killed, so its pid
// and the group and session of that id stay ours while anything may signal
// them.
//
// Thread-safety: every public method may be called from any thread. The
// command's mutex guards all of its mutable state and is where Send and
// Receive wait. Lock order (other classes' private mutexes, so the analysis
// cannot check it; shell_host.h): the shell's, then the command's, then
// under it its group's (job.h), the output budget's and the I/O loop's
// (leaves). Output-budget callbacks (RunAll) and stop callbacks run with no
// command lock held.
#ifndef WSMAND_PROVIDERS_SHELL_COMMAND_H_
#define WSMAND_PROVIDERS_SHELL_COMMAND_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "providers/shell/io_loop.h"
#include "providers/shell/job.h"
#include "providers/shell/output_budget.h"
#include "providers/shell/process.h"
#include "providers/shell/shell_types.h"

namespace wsman::providers::shell {

struct CommandLimits {
  size_t output_buffer = 1 << 20;  // per stream
  size_t stdin_buffer = 1 << 20;
  // After the process exited, how long to wait for end-of-file on its
  // pipes (a background child may keep them open) before ending the
  // streams anyway.
  std::chrono::milliseconds exit_grace{1000};
  // How long a Receive that found output waits for more (or for the exit)
  // before answering, so that short commands answer in one round trip.
  std::chrono::milliseconds coalesce{20};
  // What a stream may always buffer, even with the shell's output budget
  // spent, so that every command can make progress.
  size_t budget_floor = 64 * 1024;
};

class Command : public std::enable_shared_from_this<Command> {
 public:
  // `budget` may be null (no budget).
  Command(std::string id, IoLoop* loop, CommandLimits limits,
          std::shared_ptr<OutputBudget> budget);
  ~Command();
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  const std::string& id() const { return id_; }

  // Starts the process in `group` and registers its descriptors with the
  // loop.
  base::Status Start(SpawnRequest request, std::shared_ptr<CommandGroup> group)
      EXCLUDES(mu_);

  // Queues stdin bytes; `end` closes stdin once they are written. Waits
  // (until `deadline`, or `cancel`: kTimedOut) while the stdin queue is full.
  base::Status Send(std::string_view data, bool end,
                    base::MonotonicTime deadline,
                    const std::stop_token& cancel = {}) EXCLUDES(mu_);

  // Waits until there is something to report (output, the end of the
  // streams, the exit) or `deadline`, then takes at most `max_bytes` of
  // output. kTimedOut when nothing came, or when `cancel` was requested (the
  // client left: nothing is taken, so a later Receive gets it);
  // kShellNotFound when the command was killed by Delete/terminate
  // meanwhile.
  base::Status Receive(bool want_stdout, bool want_stderr, size_t max_bytes,
                       base::MonotonicTime deadline, ReceiveResult* out,
                       const std::stop_token& cancel = {}) EXCLUDES(mu_);

  // ctrl_c: SIGINT; ctrl_break: SIGTERM; terminate: SIGKILL (and the command
  // is finished: see Kill).
  void Signal(SignalCode code) EXCLUDES(mu_);

  // Ends the command: SIGKILL to every process of its group, stdin and the
  // output pipes closed, buffered output dropped, waiters woken. The leader
  // is reaped (now, or by the loop once it has died).
  void Kill() EXCLUDES(mu_);

  // Reaps the exited leader once nothing of the command is left (the host
  // calls it periodically). Returns true when the leader is reaped.
  bool ReleaseIfDone() EXCLUDES(mu_);

  // For tests and quotas.
  pid_t pid() const EXCLUDES(mu_);
  size_t buffered(Stream s) const EXCLUDES(mu_);
  bool exited() const EXCLUDES(mu_);
  bool reaped() const EXCLUDES(mu_);

 private:
  size_t AvailLocked(int s) const REQUIRES(mu_) {
    return buf_[s].size() - head_[s];
  }
  // What Receive waits for, in terms of the streams it wants.
  size_t WantedAvailLocked(const bool want[2]) const REQUIRES(mu_);
  bool CompleteLocked() const REQUIRES(mu_) {
    return exited_ && StreamsEndedLocked();
  }
  // The process exited `exit_grace` ago and its pipes are still open.
  bool GraceOverLocked(base::MonotonicTime now) const REQUIRES(mu_);
  // Loop handlers: take mu_.
  void OnOutput(int s, uint32_t events) EXCLUDES(mu_);
  void OnExit() EXCLUDES(mu_);
  void OnStdinWritable() EXCLUDES(mu_);
  void CloseOutputLocked(int s) REQUIRES(mu_);
  void CloseStdinLocked() REQUIRES(mu_);
  // Takes mu_ and wakes every waiter (a cancelled Send or Receive).
  void WakeWaiters() EXCLUDES(mu_);
  void TryWriteStdinLocked() REQUIRES(mu_);
  // An output-budget callback: takes mu_.
  void ResumeOutput(int s) EXCLUDES(mu_);
  void ReleaseLocked() REQUIRES(mu_);
  // Takes `n` bytes from the buffered count; returns who to wake (run them
  // once mu_ is released).
  std::vector<std::function<void()>> UnbufferLocked(size_t n) REQUIRES(mu_);
  bool StreamsEndedLocked() const REQUIRES(mu_) { return eof_[0] && eof_[1]; }

  const std::string id_;
  IoLoop* const loop_;
  const CommandLimits limits_;
  const std::shared_ptr<OutputBudget> budget_;

  mutable base::Mutex mu_;
  // Output, the exit, stdin room, a kill, a cancellation: Send and Receive
  // wait on it.
  base::CondVar cv_;
  std::shared_ptr<CommandGroup> group_ GUARDED_BY(mu_);
  pid_t pid_ GUARDED_BY(mu_) = -1;
  base::UniqueFd pidfd_ GUARDED_BY(mu_);
  bool pid_watched_ GUARDED_BY(mu_) = false;
  uint64_t pid_token_ GUARDED_BY(mu_) = 0;
  base::UniqueFd out_fd_[2] GUARDED_BY(mu_);
  uint64_t out_token_[2] GUARDED_BY(mu_) = {0, 0};
  bool paused_[2] GUARDED_BY(mu_) = {false, false};
  std::string buf_[2] GUARDED_BY(mu_);
  size_t head_[2] GUARDED_BY(mu_) = {0, 0};
  bool eof_[2] GUARDED_BY(mu_) = {true, true};
  bool end_sent_[2] GUARDED_BY(mu_) = {false, false};
  base::UniqueFd stdin_fd_ GUARDED_BY(mu_);
  uint64_t stdin_token_ GUARDED_BY(mu_) = 0;
  bool stdin_watched_ GUARDED_BY(mu_) = false;
  std::string stdin_buf_ GUARDED_BY(mu_);
  size_t stdin_head_ GUARDED_BY(mu_) = 0;
  bool stdin_end_ GUARDED_BY(mu_) = false;
  bool stdin_closed_ GUARDED_BY(mu_) = true;
  bool started_ GUARDED_BY(mu_) = false;
  bool reaped_ GUARDED_BY(mu_) = false;
  bool exited_ GUARDED_BY(mu_) = false;
  int exit_code_ GUARDED_BY(mu_) = 0;
  base::MonotonicTime exit_time_ GUARDED_BY(mu_) = {};
  base::MonotonicTime start_time_ GUARDED_BY(mu_) = {};  // for the exit log
  bool killed_ GUARDED_BY(mu_) = false;
};

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_COMMAND_H_
