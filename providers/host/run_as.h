// Acting on the host with the rights of the authenticated user: when wsmand
// runs as root, a host-changing act (kill a process, start a command, start
// or stop a service) runs in a forked child that first drops to the user
// (setgroups to the user's groups, setgid, setuid) and reports its outcome
// through a pipe (base/child_process.h). When wsmand does not run as root it
// cannot switch, and the child acts with the daemon's own rights.
#ifndef WSMAND_PROVIDERS_HOST_RUN_AS_H_
#define WSMAND_PROVIDERS_HOST_RUN_AS_H_

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "providers/identity.h"
#include "providers/result.h"

namespace wsman::providers::host {

struct ActAs {
  bool switch_user = false;
  std::string user;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  std::vector<gid_t> groups;
  std::string home = "/";
};

// Who to act as for `identity`. kAccessDenied (with `message`) when wsmand
// runs as root and the user has no system account of the same name.
MiResult ResolveActAs(const Identity* identity, ActAs* out,
                      std::string* message);

// What a child reports: an errno value (0 = success) and one number (e.g.
// the pid of a started process).
struct ActReport {
  int err = 0;
  int64_t value = 0;
};

// Runs `act` in a forked child after switching to `who` (when
// who.switch_user), and returns what it reported. `act` runs in the child of
// a multi-threaded process: it should do little more than system calls.
// The child is killed after `timeout` (err = ETIMEDOUT).
ActReport RunAs(const ActAs& who, const std::function<ActReport()>& act,
                std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Kills `pid` with `sig` as `who`.
ActReport KillAs(const ActAs& who, pid_t pid, int sig);

// Starts `command_line` detached (new session, stdio on /dev/null) as
// `who` in `cwd` ("" = the user's home, else "/"); value = the new pid.
// A command line without shell syntax is exec'ed in place of the shell so
// that the pid is the command's.
ActReport SpawnAs(const ActAs& who, const std::string& command_line,
                  const std::string& cwd);

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_RUN_AS_H_
