// The session fallback of a command's job (used where no writable cgroup v2
// exists, or with [shell] isolation = "session"): the processes of one
// command found in /proc snapshots and held by pidfd.
//
// A process belongs to the command when
//  - its session or process group is the leader's pid while the leader is
//    held (running, or a zombie we have not reaped: its pid, and so that
//    session and group id, cannot belong to anyone else), or
//  - its parent is the leader (held) or a member, still alive after the
//    child's pidfd was opened (so the parent pid named that member).
// Members are held by pidfd and only ever signalled through it, so a signal
// never reaches a later owner of a member's pid. What this cannot see: a
// process that leaves the session (setsid) and whose parent exits between
// two snapshots (the host takes one every 100 ms) is no longer found; nor
// is anything started by a setuid program that changed its session.
// docs/shell.md "Jobs" lists these limits.
//
// Not thread-safe: the owning CommandGroup serialises calls.
#ifndef WSMAND_PROVIDERS_SHELL_SESSION_TRACKER_H_
#define WSMAND_PROVIDERS_SHELL_SESSION_TRACKER_H_

#include <sys/types.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "providers/shell/proc_scan.h"

namespace wsman::providers::shell {

class SessionTracker {
 public:
  explicit SessionTracker(std::string proc_root = "/proc")
      : proc_root_(std::move(proc_root)) {}

  // The leader, held from now on.
  void SetLeader(pid_t pid) {
    leader_ = pid;
    held_ = true;
  }
  // The leader is about to be reaped: its pid is never used again.
  void ReleaseLeader() { held_ = false; }
  bool leader_held() const { return held_ && leader_ > 0; }
  pid_t leader() const { return leader_; }

  // Learns members from a snapshot and forgets members that exited.
  // Returns how many members it added.
  int Update(const std::vector<ProcStat>& snapshot);

  // True after two snapshots in a row that found no member alive (the
  // second makes a process started during the first's readdir visible).
  bool Empty() const { return quiet_updates_ >= 2 && members_.empty(); }

  // Members alive at the last update (the leader not included).
  int members() const { return static_cast<int>(members_.size()); }

  // SIGKILL to the leader's group (while held) and to every member;
  // returns how many members it signalled.
  int KillOnce(const SignalSender& signals, int sig);

  // Pids of the members (tests).
  std::vector<pid_t> member_pids() const;

 private:
  struct Member {
    uint64_t start_time = 0;
    base::UniqueFd pidfd;
  };
  bool IsMemberAlive(pid_t pid, uint64_t child_start) const;

  std::string proc_root_;
  pid_t leader_ = -1;
  bool held_ = false;
  std::map<pid_t, Member> members_;
  int quiet_updates_ = 0;
};

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_SESSION_TRACKER_H_
