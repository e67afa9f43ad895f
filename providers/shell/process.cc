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

namespace wsman::providers::shell {
namespace {

// What the child reports through the close-on-exec error pipe when a step
// before execve fails.
enum ChildStep : int {
  kStepSetpgid = 1,
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
    case kStepSetpgid:
      return "setpgid";
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

void CloseBoth(int fds[2]) {
  for (int i = 0; i < 2; ++i) {
    if (fds[i] >= 0) ::close(fds[i]);
    fds[i] = -1;
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

  int in[2] = {-1, -1}, outp[2] = {-1, -1}, errp[2] = {-1, -1},
      report[2] = {-1, -1};
  if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(outp, O_CLOEXEC) != 0 ||
      ::pipe2(errp, O_CLOEXEC) != 0 || ::pipe2(report, O_CLOEXEC) != 0) {
    int e = errno;
    CloseBoth(in);
    CloseBoth(outp);
    CloseBoth(errp);
    CloseBoth(report);
    return {Errc::kSpawnFailed,
            std::string("cannot create pipes: ") + std::strerror(e)};
  }

  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    CloseBoth(in);
    CloseBoth(outp);
    CloseBoth(errp);
    CloseBoth(report);
    return {Errc::kSpawnFailed, std::string("fork: ") + std::strerror(e)};
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only.
    int rfd = report[1];
    if (::setpgid(0, 0) != 0) ChildFail(rfd, kStepSetpgid);
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
    if (::dup2(in[0], 0) < 0 || ::dup2(outp[1], 1) < 0 ||
        ::dup2(errp[1], 2) < 0) {
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
  ::setpgid(pid, pid);  // also done by the child; whichever runs first wins
  ::close(in[0]);
  ::close(outp[1]);
  ::close(errp[1]);
  ::close(report[1]);
  Report r{0, 0};
  ssize_t n;
  do {
    n = ::read(report[0], &r, sizeof r);
  } while (n < 0 && errno == EINTR);
  ::close(report[0]);
  if (n == static_cast<ssize_t>(sizeof r)) {
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(in[1]);
    ::close(outp[0]);
    ::close(errp[0]);
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

  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd < 0) {
    int e = errno;
    ::kill(-pid, SIGKILL);
    int status;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    ::close(in[1]);
    ::close(outp[0]);
    ::close(errp[0]);
    return {Errc::kSpawnFailed, std::string("pidfd_open: ") + std::strerror(e)};
  }
  ::fcntl(pidfd, F_SETFD, FD_CLOEXEC);
  for (int fd : {in[1], outp[0], errp[0]}) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  }
  out->pid = pid;
  out->pidfd = pidfd;
  out->stdin_fd = in[1];
  out->stdout_fd = outp[0];
  out->stderr_fd = errp[0];
  return Error::Ok();
}

}  // namespace wsman::providers::shell
