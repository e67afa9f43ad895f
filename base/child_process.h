// The one home for starting a child process with other rights: fork, then in
// the child only async-signal-safe steps, in this order, each checked:
//   1. join a cgroup (write "0" to its cgroup.procs)        optional
//   2. setsid: a session of its own, no controlling terminal optional
//   3. default signal dispositions, nothing blocked          optional
//   4. the given descriptors (or /dev/null) on 0/1/2         optional
//   5. every other descriptor close-on-exec                  optional
//   6. RLIMIT_AS                                             optional
//   7. drop privileges: setgroups, then setgid, then setuid, then a check
//      that the ids took and that setuid(0) is refused (no way back)
//   8. chdir (with "/" as the fallback when allowed)
//   9. execve, or a function run in the child (RunInChild)
// A failed step is reported to the parent through a close-on-exec pipe as
// (step, errno); the child exits 127. The daemon is multi-threaded, so the
// child may not allocate: everything it needs (argv, envp, the group list,
// the directory) is prepared before fork, in ChildSetup and PreparedExec.
//
// Used by the shell host (providers/shell/process.cc) and the host
// providers' run-as acts (providers/host/run_as.cc).
//
// Thread rules: any thread. ForkExec and PrepareChild are async-signal-safe
// (callable in a forked child, as run_as does for its detached commands);
// the rest allocate.
#ifndef WSMAND_BASE_CHILD_PROCESS_H_
#define WSMAND_BASE_CHILD_PROCESS_H_

#include <sys/resource.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wsman::base {

// The step that failed; a Status from this module carries it in detail().
enum class ChildStep : int {
  kNone = 0,
  kCgroup,
  kSetsid,
  kStdio,
  kRlimit,
  kGroups,
  kGid,
  kUid,
  kChdir,
  kExec,
  kFork,  // in the parent: pipe2 or fork itself
};
// "setgid", "chdir to the working directory", ...
std::string_view ChildStepName(ChildStep step);

// The account the child drops to (step 7).
struct Credentials {
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups, set as given
};

struct ChildSetup {
  int cgroup_join_fd = -1;  // -1: stay in the parent's cgroup
  bool new_session = false;
  bool reset_signals = false;
  // Step 4: the descriptors dup2'ed onto 0, 1 and 2; or all three on
  // /dev/null with stdio_to_dev_null. Neither: stdio is inherited.
  int stdio[3] = {-1, -1, -1};
  bool stdio_to_dev_null = false;
  bool close_other_fds = false;
  rlim_t memory_limit = RLIM_INFINITY;
  std::optional<Credentials> drop_to;  // nullopt: keep the parent's ids
  std::string working_directory;       // "": stay where the parent is
  bool chdir_falls_back_to_root = false;
};

// A failed step as the child reported it.
struct ChildFailure {
  ChildStep step = ChildStep::kNone;
  int err = 0;
};

// Runs steps 1-8 of `setup` in the calling (child) process. kNone on
// success; otherwise the failed step, with errno set. Async-signal-safe.
ChildStep PrepareChild(const ChildSetup& setup) noexcept;

// argv and envp for execve, as the arrays it takes; built before fork.
class PreparedExec {
 public:
  PreparedExec(std::string path, std::vector<std::string> argv,
               std::vector<std::string> env);
  PreparedExec(const PreparedExec&) = delete;
  PreparedExec& operator=(const PreparedExec&) = delete;

  const std::string& path() const { return path_; }
  char* const* argv() const { return argv_ptrs_.data(); }
  char* const* envp() const { return env_ptrs_.data(); }

 private:
  std::string path_;
  std::vector<std::string> argv_;
  std::vector<std::string> env_;
  std::vector<char*> argv_ptrs_;
  std::vector<char*> env_ptrs_;
};

// Forks a child that runs PrepareChild(setup) and execs `exec`. Returns its
// pid once the exec succeeded (the child is not reaped: the caller owns it).
// On failure returns -1 with *failure set; a child that failed was reaped.
// Async-signal-safe (no allocation), so a forked child may call it too.
pid_t ForkExec(const ChildSetup& setup, const PreparedExec& exec,
               ChildFailure* failure) noexcept;

// What a function run in a child reports: an errno value (0 = success)
// and one number (e.g. the pid of a process it started).
struct ChildReport {
  int err = 0;
  int64_t value = 0;
};

// Forks a child that runs PrepareChild(setup), then `fn`, and returns what
// `fn` reported ({errno of the failed step, 0} when the setup failed, EIO
// when the child died without a report). `fn` runs in the child of a
// multi-threaded process: no allocation, little more than system calls.
// The child is killed after `timeout` (err = ETIMEDOUT) and always reaped.
ChildReport RunInChild(const ChildSetup& setup,
                       const std::function<ChildReport()>& fn,
                       std::chrono::milliseconds timeout);

}  // namespace wsman::base

#endif  // WSMAND_BASE_CHILD_PROCESS_H_
