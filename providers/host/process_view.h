// Who sees what of a process (docs/classes.md, "Who sees which process
// details"). wsmand reads /proc as root; a request gets of it what its user
// could read there, the way WMI shows processes to a non-administrator
// (other users' CommandLine and ExecutablePath are null):
//  - administrators see every field of every process: uid 0, and the
//    users and "%group"s named in [providers] administrators;
//  - a system account sees the CommandLine of its own processes (real,
//    effective and saved uid all its own: not a setuid program it started),
//    and their ExecutablePath when the kernel would also let it read
//    /proc/<pid>/exe (ptrace read access: the gids its own as well and the
//    process dumpable); for every other process both are null;
//  - a user with no system account (accounts file only) sees neither, for
//    any process: only what every local user can see;
//  - under a hidepid /proc mount (proc(5)) a non-administrator does not see
//    the processes it could not open at all, unless it is in the mount's
//    gid= group (hidepid=ptraceable: no exception).
// Plain values and pure functions; any thread.
#ifndef WSMAND_PROVIDERS_HOST_PROCESS_VIEW_H_
#define WSMAND_PROVIDERS_HOST_PROCESS_VIEW_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "providers/host/readers.h"
#include "providers/identity.h"

namespace wsman::providers::host {

// The user a call builds process instances for.
struct ProcessViewer {
  bool administrator = false;
  bool system_account = false;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  ProcMountOptions proc;       // the /proc mount's hidepid and gid
  bool in_proc_group = false;  // a member of proc.gid

  // Sees everything (what wsmand itself reads).
  static ProcessViewer Administrator();
};

// The viewer for `identity` (nullptr: nobody, who sees only public fields)
// with the configured `administrators` (user names, "%group" names), the
// /proc mount options and group lookups of `env`.
ProcessViewer ViewerFor(const Identity* identity,
                        const std::vector<std::string>& administrators,
                        const HostEnv& env);

struct ProcessVisibility {
  bool listed = true;  // false: hidden by hidepid
  bool command_line = true;
  bool executable_path = true;
};
ProcessVisibility VisibilityOf(const ProcessInfo& process,
                               const ProcessViewer& viewer);

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_PROCESS_VIEW_H_
