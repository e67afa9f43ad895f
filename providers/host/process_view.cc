#include "providers/host/process_view.h"

#include <algorithm>
#include <optional>

namespace wsman::providers::host {
namespace {

bool InGroup(const std::vector<gid_t>& groups, gid_t gid) {
  return std::find(groups.begin(), groups.end(), gid) != groups.end();
}

// The process runs as the viewer and only as the viewer: real, effective
// and saved uid (a setuid program it started is not its own).
bool Owns(const ProcessViewer& v, const ProcessInfo& p) {
  return v.system_account && p.uid == v.uid && p.euid == v.uid &&
         p.suid == v.uid;
}

// The kernel's ptrace read check (ptrace_may_access with
// PTRACE_MODE_READ_FSCREDS) for a caller without capabilities: uids and
// gids all the caller's, and the process dumpable. /proc/<pid> belongs to
// the process's euid while it is dumpable and to root otherwise.
bool MayAccess(const ProcessViewer& v, const ProcessInfo& p) {
  return Owns(v, p) && p.gid == v.gid && p.egid == v.gid && p.sgid == v.gid &&
         p.proc_owner && *p.proc_owner == p.euid;
}

}  // namespace

ProcessViewer ProcessViewer::Administrator() {
  ProcessViewer v;
  v.administrator = true;
  v.system_account = true;
  v.uid = 0;
  v.gid = 0;
  return v;
}

ProcessViewer ViewerFor(const Identity* identity,
                        const std::vector<std::string>& administrators,
                        const HostEnv& env) {
  ProcessViewer v;
  v.proc = ReadProcMountOptions(env);
  if (!identity) return v;
  v.system_account = identity->system_account;
  if (v.system_account) {
    v.uid = identity->uid;
    v.gid = identity->gid;
  }
  if (v.system_account && v.uid == 0) {
    v.administrator = true;
    return v;
  }
  std::optional<std::vector<gid_t>> groups;
  auto groups_of_user = [&]() -> const std::vector<gid_t>& {
    if (!groups) {
      groups = env.user_groups ? env.user_groups(identity->user, v.gid)
                               : std::vector<gid_t>{v.gid};
    }
    return *groups;
  };
  for (const std::string& entry : administrators) {
    if (!entry.empty() && entry[0] == '%') {
      if (!v.system_account || !env.group_id) continue;
      std::optional<gid_t> gid = env.group_id(entry.substr(1));
      if (gid && InGroup(groups_of_user(), *gid)) v.administrator = true;
    } else if (entry == identity->user) {
      v.administrator = true;
    }
  }
  if (v.proc.gid && v.system_account) {
    v.in_proc_group = InGroup(groups_of_user(), *v.proc.gid);
  }
  return v;
}

ProcessVisibility VisibilityOf(const ProcessInfo& process,
                               const ProcessViewer& viewer) {
  ProcessVisibility out;
  if (viewer.administrator) return out;
  bool may_access = MayAccess(viewer, process);
  // proc(5): hidepid=ptraceable hides what may not be ptrace-read; the other
  // modes exempt the gid= group first.
  if (viewer.proc.hidepid == 4) {
    out.listed = may_access;
  } else if (viewer.proc.hidepid != 0 && !viewer.in_proc_group) {
    out.listed = may_access;
  }
  out.command_line = out.listed && Owns(viewer, process);
  out.executable_path = out.listed && may_access;
  return out;
}

}  // namespace wsman::providers::host
