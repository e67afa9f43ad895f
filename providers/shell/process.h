// Starting one command's process through base/child_process.h: fork, then
// in the child only async-signal-safe calls (into the command's cgroup, a
// session of its own with no controlling terminal, default signal
// dispositions, the pipes on 0/1/2, every other descriptor closed,
// RLIMIT_AS, the run-as account's groups/gid/uid, the working directory,
// execve). Everything that allocates (argv, envp, the group list) is
// prepared before the fork. Any thread.
#ifndef WSMAND_PROVIDERS_SHELL_PROCESS_H_
#define WSMAND_PROVIDERS_SHELL_PROCESS_H_

#include <sys/types.h>

#include <string>
#include <utility>
#include <vector>

#include "base/unique_fd.h"
#include "providers/shell/shell_types.h"
#include "providers/shell/windows_command.h"

namespace wsman::providers::shell {

struct SpawnRequest {
  RunAs run_as;
  std::string working_directory;  // "" = run_as.home (or "/" if none)
  // Added to the clean base environment, overriding it.
  std::vector<std::pair<std::string, std::string>> environment;
  // What to run (windows_command.h: PlanCommand of the CommandSpec).
  ExecPlan exec;
  long memory_limit_mb = 0;  // 0 = no RLIMIT_AS
  // A cgroup's cgroup.procs open for writing: the child writes "0" to it
  // first, so it and everything it starts live in that cgroup. -1: none.
  int cgroup_join_fd = -1;
};

// The started process: not reaped (the caller reaps it through the pidfd).
struct SpawnedProcess {
  pid_t pid = -1;
  base::UniqueFd pidfd;
  base::UniqueFd stdin_fd;   // write end, non-blocking, close-on-exec
  base::UniqueFd stdout_fd;  // read end, non-blocking, close-on-exec
  base::UniqueFd stderr_fd;
};

// The clean base environment for `run_as`: PATH, HOME, USER, LOGNAME,
// SHELL, LANG.
std::vector<std::pair<std::string, std::string>> BaseEnvironment(
    const RunAs& run_as);

// Starts the process. On failure returns kSpawnFailed (or kInvalidArgument
// for an unusable working directory) with a message naming the step.
base::Status Spawn(const SpawnRequest& request, SpawnedProcess* out);

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_PROCESS_H_
