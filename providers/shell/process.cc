#include "providers/shell/process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/child_process.h"

namespace wsman::providers::shell {
namespace {

// Reaps a child that never became a command (it could not be held): it is
// ours and unreaped, so its pid is still its own.
void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

std::vector<std::pair<std::string, std::string>> BaseEnvironment(
    const RunAs& run_as) {
  std::string path = run_as.uid == 0
                         ? "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:"
                           "/sbin:/bin"
                         : "/usr/local/bin:/usr/bin:/bin";
  return {{"PATH", path},
          {"HOME", run_as.home.empty() ? "/" : run_as.home},
          {"USER", run_as.user},
          {"LOGNAME", run_as.user},
          {"SHELL", run_as.shell.empty() ? "/bin/sh" : run_as.shell},
          {"LANG", "C.UTF-8"}};
}

base::Status Spawn(const SpawnRequest& request, SpawnedProcess* out) {
  // Everything the child needs, prepared before fork.
  if (request.exec.program.empty() || request.exec.argv.empty()) {
    return ShellError(Errc::kInvalidArgument, "the command line is empty");
  }
  std::vector<std::pair<std::string, std::string>> env_pairs =
      BaseEnvironment(request.run_as);
  for (const auto& [name, value] : request.environment) {
    bool replaced = false;
    for (auto& pair : env_pairs) {
      if (pair.first == name) {
        pair.second = value;
        replaced = true;
      }
    }
    if (!replaced) env_pairs.emplace_back(name, value);
  }
  std::vector<std::string> env_strings;
  env_strings.reserve(env_pairs.size());
  for (const auto& [name, value] : env_pairs) {
    env_strings.push_back(name + "=" + value);
  }
  const base::PreparedExec exec(request.exec.program, request.exec.argv,
                                std::move(env_strings));

  base::Pipe in, outp, errp;
  if (!in.Open() || !outp.Open() || !errp.Open()) {
    return ShellError(Errc::kSpawnFailed, std::string("cannot create pipes: ") +
                                              std::strerror(errno));
  }
  const RunAs& who = request.run_as;
  base::ChildSetup setup;
  // Into the command's cgroup first (still root), so that nothing it
  // starts is ever outside it; a session of its own (no controlling
  // terminal); the pipes on 0/1/2 and nothing else of the daemon's open.
  setup.cgroup_join_fd = request.cgroup_join_fd;
  setup.new_session = true;
  setup.reset_signals = true;
  setup.stdio[0] = in.read.get();
  setup.stdio[1] = outp.write.get();
  setup.stdio[2] = errp.write.get();
  setup.close_other_fds = true;
  if (request.memory_limit_mb > 0) {
    setup.memory_limit =
        static_cast<rlim_t>(request.memory_limit_mb) * 1024 * 1024;
  }
  if (who.switch_user) {
    setup.drop_to = base::Credentials{who.uid, who.gid, who.groups};
  }
  setup.working_directory = request.working_directory.empty()
                                ? (who.home.empty() ? "/" : who.home)
                                : request.working_directory;
  setup.chdir_falls_back_to_root = request.working_directory.empty();

  base::ChildFailure failure;
  const pid_t pid = base::ForkExec(setup, exec, &failure);
  in.read.reset();
  outp.write.reset();
  errp.write.reset();
  if (pid < 0) {
    if (failure.step == base::ChildStep::kChdir) {
      return ShellError(Errc::kInvalidArgument,
                        "the working directory \"" + setup.working_directory +
                            "\" cannot be used: " + std::strerror(failure.err));
    }
    if (failure.step == base::ChildStep::kFork) {
      return ShellError(Errc::kSpawnFailed,
                        std::string("fork: ") + std::strerror(failure.err));
    }
    std::string step(base::ChildStepName(failure.step));
    if (failure.step == base::ChildStep::kExec) step += " /bin/sh";
    return ShellError(Errc::kSpawnFailed,
                      "cannot start the command: " + step +
                          " failed: " + std::strerror(failure.err));
  }

  base::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    int e = errno;
    // Still unreaped, so the group of that id is the child's own.
    ::kill(-pid, SIGKILL);
    KillAndReap(pid);
    return ShellError(Errc::kSpawnFailed,
                      std::string("pidfd_open: ") + std::strerror(e));
  }
  for (const base::UniqueFd* fd : {&in.write, &outp.read, &errp.read}) {
    ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  out->pid = pid;
  out->pidfd = std::move(pidfd);
  out->stdin_fd = std::move(in.write);
  out->stdout_fd = std::move(outp.read);
  out->stderr_fd = std::move(errp.read);
  return base::Status::Ok();
}

}  // namespace wsman::providers::shell
