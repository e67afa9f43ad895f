#include "providers/shell/process.h"

#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace wsman::providers::shell {
namespace {

// What the child reports through the close-on-exec error pipe when a step
// before execve fails.
enum ChildStep : int {
  kStepCgroup = 1,
  kStepSetsid,
  kStepDup,
  kStepRlimit,
  kStepGroups,
  kStepGid,
  kStepUid,
  kStepChdir,
  kStepExec,
};

const char* StepName(int step) {
  switch (step) {
    case kStepCgroup:
      return "joining the command's cgroup";
    case kStepSetsid:
      return "setsid";
    case kStepDup:
      return "dup2";
    case kStepRlimit:
      return "setrlimit(RLIMIT_AS)";
    case kStepGroups:
      return "setgroups";
    case kStepGid:
      return "setgid";
    case kStepUid:
      return "setuid";
    case kStepChdir:
      return "chdir to the working directory";
    case kStepExec:
      return "execve /bin/sh";
  }
  return "start";
}

struct Report {
  int step;
  int err;
};

[[noreturn]] void ChildFail(int report_fd, int step) {
  Report r{step, errno};
  (void)!::write(report_fd, &r, sizeof r);
  ::_exit(127);
}

// Reaps a child that never became a command (its exec failed, or it could
// not be held): it is ours and unreaped, so its pid is still its own.
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

Error Spawn(const SpawnRequest& request, SpawnedProcess* out) {
  // Everything the child needs, prepared before fork.
  std::vector<std::string> args;
  args.push_back("/bin/sh");
  args.push_back("-c");
  if (request.command.skip_shell) {
    // Run the program with its arguments verbatim: the shell only searches
    // PATH and replaces itself ("$0" is the program).
    args.push_back("exec \"$0\" \"$@\"");
    for (const std::string& a : request.command.argv) args.push_back(a);
    if (request.command.argv.empty()) {
      return {Errc::kInvalidArgument, "the command line is empty"};
    }
  } else {
    args.push_back(request.command.command_line);
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);

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
  std::vector<char*> envp;
  for (std::string& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);

  std::string cwd = request.working_directory;
  const bool default_cwd = cwd.empty();
  if (cwd.empty())
    cwd = request.run_as.home.empty() ? "/" : request.run_as.home;
  const RunAs& who = request.run_as;
  rlim_t memory_limit =
      request.memory_limit_mb > 0
          ? static_cast<rlim_t>(request.memory_limit_mb) * 1024 * 1024
          : RLIM_INFINITY;

  base::Pipe in, outp, errp, report;
  if (!in.Open() || !outp.Open() || !errp.Open() || !report.Open()) {
    return {Errc::kSpawnFailed,
            std::string("cannot create pipes: ") + std::strerror(errno)};
  }
  const int join_fd = request.cgroup_join_fd;

  pid_t pid = ::fork();
  if (pid < 0) {
    return {Errc::kSpawnFailed, std::string("fork: ") + std::strerror(errno)};
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    int rfd = report.write.get();
    // Into the command's cgroup first (still root), so that nothing it
    // starts is ever outside it.
    if (join_fd >= 0 && ::write(join_fd, "0", 1) != 1) {
      ChildFail(rfd, kStepCgroup);
    }
    // A session of its own: no controlling terminal (a daemon run on a
    // terminal must not lend it to commands: TIOCSTI), and the process
    // group and session ids are the leader's pid.
    if (::setsid() < 0) ChildFail(rfd, kStepSetsid);
    sigset_t none;
    sigemptyset(&none);
    ::sigprocmask(SIG_SETMASK, &none, nullptr);
    struct sigaction dfl;
    std::memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; ++sig) {
      if (sig == SIGKILL || sig == SIGSTOP) continue;
      ::sigaction(sig, &dfl, nullptr);  // fails harmlessly for RT internals
    }
    if (::dup2(in.read.get(), 0) < 0 || ::dup2(outp.write.get(), 1) < 0 ||
        ::dup2(errp.write.get(), 2) < 0) {
      ChildFail(rfd, kStepDup);
    }
    // Nothing else of the daemon's (sockets, files) may leak into the
    // command: mark every other descriptor close-on-exec. The report pipe
    // is already close-on-exec, so it closes exactly at a successful exec.
    if (::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) !=
        0) {
      for (int fd = 3; fd < 65536; ++fd) {
        if (fd != rfd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
      }
    }
    if (memory_limit != RLIM_INFINITY) {
      struct rlimit rl = {memory_limit, memory_limit};
      if (::setrlimit(RLIMIT_AS, &rl) != 0) ChildFail(rfd, kStepRlimit);
    }
    if (who.switch_user) {
      if (::setgroups(who.groups.size(), who.groups.data()) != 0) {
        ChildFail(rfd, kStepGroups);
      }
      if (::setgid(who.gid) != 0) ChildFail(rfd, kStepGid);
      if (::setuid(who.uid) != 0) ChildFail(rfd, kStepUid);
    }
    if (::chdir(cwd.c_str()) != 0) {
      // A home directory that does not exist (useradd -M) is not fatal, as
      // for login(1): start in "/" instead. An explicit one is.
      if (!default_cwd || ::chdir("/") != 0) ChildFail(rfd, kStepChdir);
    }
    ::execve("/bin/sh", argv.data(), envp.data());
    ChildFail(rfd, kStepExec);
  }

  // Parent.
  in.read.reset();
  outp.write.reset();
  errp.write.reset();
  report.write.reset();
  Report r{0, 0};
  ssize_t n;
  do {
    n = ::read(report.read.get(), &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  report.read.reset();
  if (n == static_cast<ssize_t>(sizeof r)) {
    KillAndReap(pid);  // it exits by itself; the kill only makes sure
    Errc code =
        r.step == kStepChdir ? Errc::kInvalidArgument : Errc::kSpawnFailed;
    std::string message = std::string("cannot start the command: ") +
                          StepName(r.step) + " failed: " + std::strerror(r.err);
    if (r.step == kStepChdir) {
      message = "the working directory \"" + cwd +
                "\" cannot be used: " + std::strerror(r.err);
    }
    return {code, message};
  }

  base::UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    int e = errno;
    // Still unreaped, so the group of that id is the child's own.
    ::kill(-pid, SIGKILL);
    KillAndReap(pid);
    return {Errc::kSpawnFailed, std::string("pidfd_open: ") + std::strerror(e)};
  }
  for (const base::UniqueFd* fd : {&in.write, &outp.read, &errp.read}) {
    ::fcntl(fd->get(), F_SETFL, ::fcntl(fd->get(), F_GETFL) | O_NONBLOCK);
  }
  out->pid = pid;
  out->pidfd = std::move(pidfd);
  out->stdin_fd = std::move(in.write);
  out->stdout_fd = std::move(outp.read);
  out->stderr_fd = std::move(errp.read);
  return Error::Ok();
}

}  // namespace wsman::providers::shell
