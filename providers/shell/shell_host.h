// The WinRS shell host: every open shell, its commands and processes (a
// job per shell: job.h), the quotas (MaxShellsPerUser, MaxConcurrentUsers,
// MaxProcessesPerShell, MaxMemoryPerShellMB, the output budget), the
// idle/lifetime reaper, and who commands run as. Knows no SOAP and no HTTP;
// engine/winrs turns its Errors into faults.
//
// Locking: the host's mutex guards the shell table only and is never held
// while waiting; each shell's mutex guards its commands, its activity and
// whether it is closed; each command guards its buffers and is where
// Receive long-polls wait. Order: host, shell, command, then the job's locks
// (job.h): ReapIdle takes a shell's mutex under the host's, RunCommand kills
// a command under its shell's, a command calls its group under its own, and
// Create makes a job (JobHost's mutex, a leaf) under the host's. The
// analysis checks the first step (Shell::mu is ACQUIRED_AFTER(mu_) in
// shell_host.cc, reported with -Wthread-safety-beta); the others are
// private mutexes of other classes, taken in other functions, so they are
// this comment and those of command.h and job.h. The reaper's mutex guards
// only its stop flag and is held with no other.
#ifndef WSMAND_PROVIDERS_SHELL_SHELL_HOST_H_
#define WSMAND_PROVIDERS_SHELL_SHELL_HOST_H_

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "providers/identity.h"
#include "providers/shell/command.h"
#include "providers/shell/io_loop.h"
#include "providers/shell/job.h"
#include "providers/shell/shell_types.h"

namespace wsman::providers::shell {

struct HostOptions {
  Quotas quotas;
  // True: run commands as the authenticated user (wsmand runs as root).
  // False: run them as the daemon's own user (developer mode).
  bool run_as_authenticated = false;
  // With run_as_authenticated: the unprivileged system account that
  // authenticated users without a system account of their own run as;
  // "" = such users are refused.
  std::string fallback_user;
  // [shell] powershell: the pwsh that PowerShell command lines run with;
  // "" = the first of kPowerShellSearchPath (windows_command.h), looked up
  // for each command, so installing PowerShell needs no restart.
  std::string powershell;
  CommandLimits command_limits;
  // How a shell's processes are kept together ([shell] isolation), and the
  // signal calls (tests watch them).
  JobOptions jobs;
  // Read for idle and lifetime bookkeeping; tests inject a
  // base::ManualClock to drive the reaper. Empty = steady_clock::now.
  base::MonotonicClock clock;
  // The background reaper (idle, lifetime, and the jobs' upkeep: Maintain);
  // tests call ReapIdle() and Maintain().
  bool start_reaper = true;
  std::chrono::milliseconds reaper_interval{1000};
};

// The defaults: run_as_authenticated when the process runs as root.
HostOptions DefaultHostOptions();

class ShellHost {
 public:
  explicit ShellHost(HostOptions options);
  ~ShellHost();
  ShellHost(const ShellHost&) = delete;
  ShellHost& operator=(const ShellHost&) = delete;

  base::Status Create(const Identity& identity, const ShellSpec& spec,
                      ShellInfo* out) EXCLUDES(mu_);
  base::Status Info(std::string_view user, std::string_view shell_id,
                    ShellInfo* out) EXCLUDES(mu_);
  base::Status RunCommand(std::string_view user, std::string_view shell_id,
                          const CommandSpec& command, std::string* command_id)
      EXCLUDES(mu_);
  // Send and Receive wait until `deadline`, or until `cancel` is requested
  // (nobody waits for the answer any more): kTimedOut, nothing taken.
  base::Status Send(std::string_view user, std::string_view shell_id,
                    std::string_view command_id, std::string_view data,
                    bool end, base::MonotonicTime deadline,
                    std::stop_token cancel = {}) EXCLUDES(mu_);
  base::Status Receive(std::string_view user, std::string_view shell_id,
                       std::string_view command_id, bool want_stdout,
                       bool want_stderr, size_t max_bytes,
                       base::MonotonicTime deadline, ReceiveResult* out,
                       std::stop_token cancel = {}) EXCLUDES(mu_);
  base::Status Signal(std::string_view user, std::string_view shell_id,
                      std::string_view command_id, SignalCode code)
      EXCLUDES(mu_);
  base::Status Delete(std::string_view user, std::string_view shell_id)
      EXCLUDES(mu_);

  // Ends shells idle longer than their IdleTimeOut (no request in progress)
  // or older than their Lifetime. Returns how many were ended.
  size_t ReapIdle() EXCLUDES(mu_);
  // The jobs' upkeep: session snapshots, emptied cgroups removed, exited
  // leaders reaped once nothing of their command is left.
  void Maintain() EXCLUDES(mu_);
  // Ends every shell and wakes every waiter; later calls fail.
  void Shutdown() EXCLUDES(mu_);

  size_t shell_count() const EXCLUDES(mu_);
  const HostOptions& options() const { return options_; }
  // The isolation in use, for the start-up log, and why it is unusable
  // ("" when it is usable).
  const std::string& isolation_description() const {
    return jobs_->description();
  }
  const std::string& isolation_error() const { return jobs_->error(); }
  Isolation isolation() const { return jobs_->mode(); }
  // Processes of a shell as MaxProcessesPerShell counts them (tests).
  int ProcessCountForTest(std::string_view shell_id) EXCLUDES(mu_);
  // For tests: the command object (nullptr when unknown).
  std::shared_ptr<Command> FindCommandForTest(std::string_view shell_id,
                                              std::string_view command_id)
      EXCLUDES(mu_);

 private:
  struct Shell;
  class ActiveRequest;
  base::MonotonicTime Now() const;
  std::shared_ptr<Shell> Find(std::string_view user,
                              std::string_view shell_id) const EXCLUDES(mu_);
  base::Status ResolveRunAs(const Identity& identity, RunAs* out) const;
  base::Status FindCommand(std::string_view user, std::string_view shell_id,
                           std::string_view command_id,
                           std::shared_ptr<Shell>* shell,
                           std::shared_ptr<Command>* command) const
      EXCLUDES(mu_);
  // Marks the shell closed and ends its commands and processes. Takes the
  // shell's mutex: call it with no lock held (Shell is incomplete here, so
  // this is not EXCLUDES(shell->mu)).
  static void CloseShell(Shell* shell);
  void ReaperLoop() EXCLUDES(mu_, reaper_mu_);

  HostOptions options_;
  // Before loop_: commands the loop still holds when it is destroyed end
  // their groups through it.
  std::shared_ptr<JobHost> jobs_;
  IoLoop loop_;
  mutable base::Mutex mu_;
  std::unordered_map<std::string, std::shared_ptr<Shell>> shells_
      GUARDED_BY(mu_);
  std::map<std::string, int, std::less<>> shells_per_user_ GUARDED_BY(mu_);
  bool shut_down_ GUARDED_BY(mu_) = false;

  base::Mutex reaper_mu_;
  base::CondVar reaper_cv_;
  bool reaper_stop_ GUARDED_BY(reaper_mu_) = false;
  // Started by the constructor, joined by the destructor.
  std::thread reaper_;
};

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_SHELL_HOST_H_
