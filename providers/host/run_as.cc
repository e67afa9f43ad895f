#include "providers/host/run_as.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>

#include "base/child_process.h"
#include "base/user.h"

namespace wsman::providers::host {
namespace {

bool HasShellSyntax(const std::string& s) {
  return s.find_first_of(";&|<>()$`\\\"'*?[]#~=%{}\n") != std::string::npos;
}

base::ChildSetup DropTo(const ActAs& who) {
  base::ChildSetup setup;
  if (who.switch_user) {
    setup.drop_to = base::Credentials{who.uid, who.gid, who.groups};
  }
  return setup;
}

}  // namespace

MiResult ResolveActAs(const Identity* identity, ActAs* out,
                      std::string* message) {
  if (::geteuid() != 0) {
    out->switch_user = false;
    out->uid = ::geteuid();
    out->gid = ::getegid();
    out->user = identity ? identity->user : std::string();
    return MiResult::kOk;
  }
  if (!identity || !identity->system_account) {
    *message = "The user \"" + (identity ? identity->user : std::string()) +
               "\" has no system account, and wsmand acts on the host with "
               "the rights of the authenticated system user.";
    return MiResult::kAccessDenied;
  }
  out->switch_user = true;
  out->user = identity->user;
  out->uid = identity->uid;
  out->gid = identity->gid;
  out->home = identity->home.empty() ? "/" : identity->home;
  out->groups = base::GroupsOf(identity->user, identity->gid);
  return MiResult::kOk;
}

ActReport RunAs(const ActAs& who, const std::function<ActReport()>& act,
                std::chrono::milliseconds timeout) {
  base::ChildReport r = base::RunInChild(
      DropTo(who),
      [&act]() -> base::ChildReport {
        ActReport a = act();
        return {a.err, a.value};
      },
      timeout);
  return {r.err, r.value};
}

ActReport KillAs(const ActAs& who, pid_t pid, int sig) {
  return RunAs(who, [pid, sig]() -> ActReport {
    if (::kill(pid, sig) != 0) return {errno, 0};
    return {0, 0};
  });
}

ActReport SpawnAs(const ActAs& who, const std::string& command_line,
                  const std::string& cwd) {
  // Everything the grandchild needs is prepared before forking.
  std::string script =
      HasShellSyntax(command_line) ? command_line : "exec " + command_line;
  std::vector<std::string> env_strings = {
      "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
      "HOME=" + who.home, "SHELL=/bin/sh"};
  if (!who.user.empty()) {
    env_strings.push_back("USER=" + who.user);
    env_strings.push_back("LOGNAME=" + who.user);
  }
  // The grandchild: a session of its own, default signals, stdio on
  // /dev/null, nothing else of the daemon's open; it already runs as `who`.
  base::PreparedExec exec("/bin/sh", {"/bin/sh", "-c", script},
                          std::move(env_strings));
  base::ChildSetup detached;
  detached.new_session = true;
  detached.reset_signals = true;
  detached.stdio_to_dev_null = true;
  detached.close_other_fds = true;
  detached.working_directory = cwd.empty() ? who.home : cwd;
  detached.chdir_falls_back_to_root = cwd.empty();

  return RunAs(who, [&]() -> ActReport {
    base::ChildFailure failure;
    pid_t child = base::ForkExec(detached, exec, &failure);
    if (child < 0) return {failure.err, 0};
    // The command runs; it is reparented when this child exits.
    return {0, child};
  });
}

}  // namespace wsman::providers::host
