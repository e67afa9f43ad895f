// Reading processes from /proc and holding them by pidfd, for the session
// fallback of a shell's job (providers/shell/session_tracker.h): one line of
// /proc/<pid>/stat parsed (pid, parent, group, session, start time), a
// snapshot of every process, and the pidfd calls that make a signal reach
// exactly the process that was looked at, never a later owner of its pid.
// Pure functions and plain values; any thread. The proc root is injectable
// so tests can feed made-up stat files.
#ifndef WSMAND_PROVIDERS_SHELL_PROC_SCAN_H_
#define WSMAND_PROVIDERS_SHELL_PROC_SCAN_H_

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace wsman::providers::shell {

struct ProcStat {
  pid_t pid = 0;
  char state = '?';  // R, S, D, Z, ...
  pid_t ppid = 0;
  pid_t pgrp = 0;
  pid_t session = 0;
  uint64_t start_time = 0;  // clock ticks since boot (field 22): with the
                            // pid, names one process for the boot's life
};

// Parses the text of /proc/<pid>/stat (proc(5)); the command name may hold
// spaces and parentheses, so fields are read after the last ')'.
bool ParseProcStat(std::string_view text, ProcStat* out);

// Reads <proc_root>/<pid>/stat; false when the process is gone.
bool ReadProcStat(const std::string& proc_root, pid_t pid, ProcStat* out);

// Every process listed in <proc_root> at the time of reading (readdir is not
// atomic: a process started meanwhile may be missing).
std::vector<ProcStat> SnapshotProcesses(const std::string& proc_root);

// Every signal the shell host sends goes through one of these, so that tests
// can see (and check) each target. Empty members: the real system calls.
struct SignalSender {
  std::function<int(pid_t pid, int sig)> kill;   // kill(2); pid < 0: a group
  std::function<int(int pidfd, int sig)> pidfd;  // pidfd_send_signal(2)

  int Kill(pid_t pid, int sig) const;
  int Pidfd(int pidfd, int sig) const;
};

// pidfd_open(2): -1 (errno set) when the process is gone.
int PidfdOpen(pid_t pid);
// True while the process a pidfd refers to has not exited (a pidfd polls
// readable once its process is a zombie or gone).
bool PidfdAlive(int pidfd);
// pidfd_send_signal(2) with no siginfo.
int PidfdSendSignal(int pidfd, int sig);

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_PROC_SCAN_H_
