// cgroup v2 for the shell host's jobs (providers/shell/job.h): finding the
// unified hierarchy and our own cgroup, choosing the directory of ours that
// every shell's cgroup goes in (docs/shell.md "Jobs" says why it is where it
// is), and the few operations a job needs on a cgroup directory: create,
// join (the cgroup.procs descriptor a child writes "0" to), count, kill
// (cgroup.kill, or freeze and signal each process by pidfd), remove.
// Functions on paths, no state; any thread. The /proc paths are injectable
// for tests.
#ifndef WSMAND_PROVIDERS_SHELL_CGROUP_H_
#define WSMAND_PROVIDERS_SHELL_CGROUP_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "base/unique_fd.h"
#include "providers/shell/proc_scan.h"

namespace wsman::providers::shell::cgroup {

// The mount point of the cgroup2 file system in a /proc/self/mountinfo text
// and the cgroup path its root stands for ("/" unless a cgroup namespace or
// a bind mount shows a subtree). False when there is none.
bool FindCgroup2Mount(std::string_view mountinfo, std::string* mount_point,
                      std::string* mount_root);

// Our cgroup v2 path ("0::<path>" in a /proc/self/cgroup text).
bool ParseOwnCgroup(std::string_view proc_self_cgroup, std::string* path);

// Who a host directory belongs to: the daemon's pid namespace (the inode
// of /proc/self/ns/pid: pids mean nothing across namespaces), its pid and
// start time there, and which of its hosts.
struct HostDirId {
  uint64_t pid_ns = 0;
  pid_t pid = 0;
  uint64_t start_time = 0;
  int seq = 0;
};
// "wsmand-<pid ns>-<pid>-<start time>-<n>", and back.
std::string HostDirName(const HostDirId& id);
bool ParseHostDirName(std::string_view name, HostDirId* id);
// The inode number of <proc_root>/self/ns/pid, 0 when unknown.
uint64_t PidNamespaceId(const std::string& proc_root);

struct Home {
  std::string dir;     // absolute path of our directory; shells go in it
  bool pids = false;   // the pids controller is enabled for its children
  bool moved = false;  // we moved ourselves into <our cgroup>/daemon
  std::string cgroup;  // our cgroup (before any move), for the log
  std::string layout;  // "delegated" or "shared", for the log
};

struct Sources {
  std::string mountinfo = "/proc/self/mountinfo";
  std::string self_cgroup = "/proc/self/cgroup";
  std::string proc_root = "/proc";
};

// Finds cgroup2 and our cgroup D, then:
//  - D is not the hierarchy's root and holds no process but ours (systemd
//    with Delegate=yes): "delegated". If D offers the pids controller we
//    move ourselves into D/daemon (the no-internal-process rule: D may then
//    hand controllers to its children) and enable it.
//  - otherwise (the root, or D shared with other processes): "shared". D is
//    left as it is; we only add a child directory to it.
// Either way our directory is D/wsmand-<pid ns>-<pid>-<start time>-<n>,
// with pids enabled for its children when D offers it. Directories of that
// name from our pid namespace whose daemon no longer runs (a crash) are
// killed and removed first; others' are left alone. False (with `why`) when
// there is no writable cgroup2.
bool OpenHome(const Sources& sources, int seq, Home* out, std::string* why);

// Creates a cgroup directory (mode 0755).
bool MakeDir(const std::string& dir, std::string* why);
// rmdir(2); false while the cgroup still holds processes or children.
bool RemoveDir(const std::string& dir);
// Kills and removes `dir` and everything below it, waiting up to `wait`.
bool KillAndRemoveTree(const std::string& dir, const SignalSender& signals,
                       std::chrono::milliseconds wait);

// The cgroup.procs of `dir` opened for writing (close-on-exec): a child
// writes "0" to it to move itself in before it execs.
base::UniqueFd OpenProcsForJoin(const std::string& dir);
// The processes in `dir` itself (zombies are not listed).
std::vector<pid_t> Procs(const std::string& dir);
// "populated 1" in cgroup.events: some process in `dir` or below.
bool Populated(const std::string& dir);
// Writes pids.max.
bool SetPidsMax(const std::string& dir, int max);
// SIGKILL to every process in `dir` and below: cgroup.kill (Linux 5.14), or
// freeze, signal each process of cgroup.procs by pidfd after checking it is
// still in `dir`, and thaw.
void Kill(const std::string& dir, const SignalSender& signals);

}  // namespace wsman::providers::shell::cgroup

#endif  // WSMAND_PROVIDERS_SHELL_CGROUP_H_
