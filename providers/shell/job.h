// Jobs: a shell and everything its commands start end together and never
// touch anything else, as a Windows job object does for a WinRS shell
// (MS-WSMV 3.1.4.1.x: Signal terminate, Delete; WinRM's MaxProcessesPerShell
// counts every process of the shell).
//
// JobHost (one per ShellHost) chooses how ([shell] isolation):
//  - cgroup: a cgroup v2 directory per shell, one per command inside it
//    (<home>/<shell-id>/<command-id>, home from cgroup::OpenHome). The child
//    moves itself in before it drops privileges; nothing it starts can leave
//    (moving a process needs write access to cgroup.procs files we own).
//    Kills go by cgroup (cgroup.kill), never by pid number; pids.max =
//    MaxProcessesPerShell on the shell's cgroup where the pids controller is
//    available.
//  - session: the command's session and process group (the leader is held
//    unreaped, so their ids stay ours) plus descendants found in /proc
//    snapshots, held and signalled by pidfd (session_tracker.h, with its
//    limits).
// Job (one per shell) and CommandGroup (one per command) are the handles.
//
// The one rule on pids in every mode: a pid or group is signalled by number
// only while the command's leader is held (not reaped); everything else goes
// through a cgroup or a pidfd. A leader is reaped only when nothing of its
// command is left (or after the command was killed).
//
// Thread-safety: all three are thread-safe. Lock order: ShellHost, shell,
// Command, then Job, then CommandGroup; JobHost's mutex is a leaf. Each
// mutex guards its own object's state only, and none is held while another
// of these is taken (Job copies its groups out of its lock first). The
// order is between private mutexes of different classes, which
// ACQUIRED_AFTER cannot name, so it is this comment.
#ifndef WSMAND_PROVIDERS_SHELL_JOB_H_
#define WSMAND_PROVIDERS_SHELL_JOB_H_

#include <sys/types.h>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/thread_annotations.h"
#include "base/unique_fd.h"
#include "providers/shell/cgroup.h"
#include "providers/shell/proc_scan.h"
#include "providers/shell/session_tracker.h"
#include "providers/shell/shell_types.h"

namespace wsman::providers::shell {

enum class Isolation { kAuto, kCgroup, kSession };

const char* IsolationName(Isolation isolation);
// "auto", "cgroup", "session".
bool ParseIsolation(std::string_view text, Isolation* out);

struct JobOptions {
  Isolation isolation = Isolation::kAuto;
  SignalSender signals;     // tests watch every signal through it
  cgroup::Sources sources;  // where /proc is read
};

class Job;
class CommandGroup;

class JobHost : public std::enable_shared_from_this<JobHost> {
 public:
  static std::shared_ptr<JobHost> Create(JobOptions options);
  ~JobHost();
  JobHost(const JobHost&) = delete;
  JobHost& operator=(const JobHost&) = delete;

  // The isolation in use: kCgroup or kSession.
  Isolation mode() const { return mode_; }
  // Non-empty when isolation = "cgroup" was asked for and is not available:
  // no shell can be created then.
  const std::string& error() const { return error_; }
  // One line for the start-up log: the mode, the directory, why not cgroup.
  const std::string& description() const { return description_; }
  const cgroup::Home& home() const { return home_; }
  // How often Tick() wants to run (session snapshots need 100 ms).
  std::chrono::milliseconds tick_interval() const;

  // A job for one shell; max_processes > 0 becomes its pids.max.
  base::Status NewJob(const std::string& shell_id, int max_processes,
                      std::shared_ptr<Job>* out) EXCLUDES(mu_);

  // Session mode: one /proc snapshot for every tracked command. Both modes:
  // retries removing emptied cgroups.
  void Tick() EXCLUDES(mu_);
  // Ends every process in our cgroups and removes them (waits up to
  // `wait`); later jobs fail.
  void Shutdown(std::chrono::milliseconds wait) EXCLUDES(mu_);

  const SignalSender& signals() const { return options_.signals; }
  const std::string& proc_root() const { return options_.sources.proc_root; }

 private:
  friend class Job;
  friend class CommandGroup;
  explicit JobHost(JobOptions options);
  void RemoveLater(std::string dir) EXCLUDES(mu_);
  void TrackSession(const std::shared_ptr<CommandGroup>& group) EXCLUDES(mu_);
  void RetryRemovals() EXCLUDES(mu_);

  const JobOptions options_;
  // Set by the constructor, read-only after it.
  Isolation mode_ = Isolation::kSession;
  std::string error_;
  std::string description_;
  cgroup::Home home_;

  base::Mutex mu_;
  bool shut_down_ GUARDED_BY(mu_) = false;
  std::vector<std::string> pending_removals_ GUARDED_BY(mu_);
  std::vector<std::weak_ptr<CommandGroup>> sessions_ GUARDED_BY(mu_);
};

// One shell's processes.
class Job {
 public:
  Job(std::shared_ptr<JobHost> host, std::string dir);
  ~Job();
  Job(const Job&) = delete;
  Job& operator=(const Job&) = delete;

  // The group a new command's processes go in.
  base::Status NewGroup(const std::string& command_id,
                        std::shared_ptr<CommandGroup>* out) EXCLUDES(mu_);
  // Every process of the shell: each command's live processes, and its
  // leader while held.
  int CountProcesses() EXCLUDES(mu_);
  // SIGKILL to every process of the shell.
  void KillAll() EXCLUDES(mu_);

 private:
  std::vector<std::shared_ptr<CommandGroup>> LiveGroups() EXCLUDES(mu_);

  const std::shared_ptr<JobHost> host_;
  const std::string dir_;  // "" in session mode
  base::Mutex mu_;
  std::vector<std::weak_ptr<CommandGroup>> groups_ GUARDED_BY(mu_);
};

// One command's processes. Command calls SetLeader after the spawn,
// LeaderExited when its leader is a zombie, and ReleaseLeader right before
// reaping it.
class CommandGroup {
 public:
  CommandGroup(std::shared_ptr<JobHost> host, std::string dir,
               base::UniqueFd join);
  ~CommandGroup();
  CommandGroup(const CommandGroup&) = delete;
  CommandGroup& operator=(const CommandGroup&) = delete;

  // cgroup mode: the command cgroup's cgroup.procs, for the child to write
  // "0" to before it execs; -1 in session mode (and after SetLeader).
  int join_fd() const EXCLUDES(mu_);
  // After the spawn: the leader, held from now on; the join fd is closed.
  void SetLeader(pid_t pid) EXCLUDES(mu_);
  void LeaderExited() EXCLUDES(mu_);
  // Nothing of the command runs any more (the held leader's zombie aside):
  // the leader may be reaped.
  bool Empty() EXCLUDES(mu_);
  void ReleaseLeader() EXCLUDES(mu_);
  // `sig` to the leader's process group, only while the leader is held.
  // After its release nothing of the command is left to signal.
  void Signal(int sig) EXCLUDES(mu_);
  // SIGKILL to every process of the command.
  void Kill() EXCLUDES(mu_);
  // Live processes of the command, the held leader included.
  int Count() EXCLUDES(mu_);

  // Session mode: learns members from a snapshot (JobHost::Tick); returns
  // how many it added.
  int Update(const std::vector<ProcStat>& snapshot) EXCLUDES(mu_);
  // Session mode: something may still be found (the leader is held, or
  // members were alive at the last snapshot).
  bool NeedsScan() EXCLUDES(mu_);
  // Session mode, for Job::KillAll: one round of SIGKILLs.
  int KillRound() EXCLUDES(mu_);

  const std::string& dir() const { return dir_; }

 private:
  // cgroup mode: cgroup.kill on dir_ (mu_ held, so that it is ordered with
  // SetLeader, Signal and the other kills).
  void KillLocked() REQUIRES(mu_);

  const std::shared_ptr<JobHost> host_;
  const std::string dir_;  // "" in session mode
  mutable base::Mutex mu_;
  base::UniqueFd join_ GUARDED_BY(mu_);
  pid_t leader_ GUARDED_BY(mu_) = -1;
  bool held_ GUARDED_BY(mu_) = false;
  bool leader_exited_ GUARDED_BY(mu_) = false;
  // Not thread-safe itself (session_tracker.h): only under mu_.
  SessionTracker session_ GUARDED_BY(mu_);
};

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_JOB_H_
