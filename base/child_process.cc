#include "base/child_process.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/unique_fd.h"

namespace wsman::base {
namespace {

constexpr unsigned kCloseRangeCloexec = 4u;  // CLOSE_RANGE_CLOEXEC

// Writes all of `data` (async-signal-safe); gives up on an error.
void WriteAll(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    ssize_t n = ::write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    size -= static_cast<size_t>(n);
  }
}

// Reads exactly `size` bytes; false on EOF or an error first.
bool ReadFull(int fd, void* data, size_t size) {
  ssize_t n;
  do {
    n = ::read(fd, data, size);
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(size);
}

void KillAndReap(pid_t pid) {
  ::kill(pid, SIGKILL);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
}

void ResetSignals() {
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
}

bool SetStdio(const ChildSetup& setup) {
  if (setup.stdio_to_dev_null) {
    UniqueFd null_fd(::open("/dev/null", O_RDWR | O_CLOEXEC));
    if (!null_fd) return false;
    for (int target = 0; target < 3; ++target) {
      if (::dup2(null_fd.get(), target) < 0) return false;
    }
    return true;
  }
  for (int target = 0; target < 3; ++target) {
    if (setup.stdio[target] >= 0 && ::dup2(setup.stdio[target], target) < 0) {
      return false;
    }
  }
  return true;
}

// Nothing else of the daemon's (sockets, files) may leak into the child's
// program: every descriptor from 3 up closes at exec.
void MarkOthersCloseOnExec() {
  if (::syscall(SYS_close_range, 3u, ~0u, kCloseRangeCloexec) == 0) return;
  for (int fd = 3; fd < 65536; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
}

// setgroups -> setgid -> setuid, in that order (once the uid is dropped the
// others are no longer allowed), then proof that there is no way back.
ChildStep DropPrivileges(const Credentials& c) {
  if (::setgroups(c.groups.size(), c.groups.data()) != 0) {
    return ChildStep::kGroups;
  }
  if (::setgid(c.gid) != 0) return ChildStep::kGid;
  if (::setuid(c.uid) != 0) return ChildStep::kUid;
  if (::getgid() != c.gid || ::getegid() != c.gid) {
    errno = EPERM;
    return ChildStep::kGid;
  }
  if (::getuid() != c.uid || ::geteuid() != c.uid ||
      (c.uid != 0 && ::setuid(0) == 0)) {
    errno = EPERM;
    return ChildStep::kUid;
  }
  return ChildStep::kNone;
}

[[noreturn]] void ChildFail(int report_fd, ChildStep step) {
  ChildFailure f{step, errno};
  WriteAll(report_fd, &f, sizeof f);
  ::_exit(127);
}

}  // namespace

std::string_view ChildStepName(ChildStep step) {
  switch (step) {
    case ChildStep::kNone:
      return "start";
    case ChildStep::kCgroup:
      return "joining the command's cgroup";
    case ChildStep::kSetsid:
      return "setsid";
    case ChildStep::kStdio:
      return "dup2";
    case ChildStep::kRlimit:
      return "setrlimit(RLIMIT_AS)";
    case ChildStep::kGroups:
      return "setgroups";
    case ChildStep::kGid:
      return "setgid";
    case ChildStep::kUid:
      return "setuid";
    case ChildStep::kChdir:
      return "chdir to the working directory";
    case ChildStep::kExec:
      return "execve";
    case ChildStep::kFork:
      return "fork";
  }
  return "start";
}

ChildStep PrepareChild(const ChildSetup& setup) noexcept {
  // Into the cgroup first (still privileged), so that nothing the child
  // starts is ever outside it.
  if (setup.cgroup_join_fd >= 0 && ::write(setup.cgroup_join_fd, "0", 1) != 1) {
    return ChildStep::kCgroup;
  }
  // A session of its own: no controlling terminal (a daemon run on a
  // terminal must not lend it to commands: TIOCSTI), and the process group
  // and session ids are the child's pid.
  if (setup.new_session && ::setsid() < 0) return ChildStep::kSetsid;
  if (setup.reset_signals) ResetSignals();
  if (!SetStdio(setup)) return ChildStep::kStdio;
  if (setup.close_other_fds) MarkOthersCloseOnExec();
  if (setup.memory_limit != RLIM_INFINITY) {
    struct rlimit rl = {setup.memory_limit, setup.memory_limit};
    if (::setrlimit(RLIMIT_AS, &rl) != 0) return ChildStep::kRlimit;
  }
  if (setup.drop_to) {
    ChildStep step = DropPrivileges(*setup.drop_to);
    if (step != ChildStep::kNone) return step;
  }
  if (!setup.working_directory.empty() &&
      ::chdir(setup.working_directory.c_str()) != 0) {
    // A home directory that does not exist (useradd -M) is not fatal, as
    // for login(1): start in "/" instead, where the caller allows it.
    if (!setup.chdir_falls_back_to_root || ::chdir("/") != 0) {
      return ChildStep::kChdir;
    }
  }
  return ChildStep::kNone;
}

PreparedExec::PreparedExec(std::string path, std::vector<std::string> argv,
                           std::vector<std::string> env)
    : path_(std::move(path)), argv_(std::move(argv)), env_(std::move(env)) {
  for (std::string& a : argv_) argv_ptrs_.push_back(a.data());
  argv_ptrs_.push_back(nullptr);
  for (std::string& e : env_) env_ptrs_.push_back(e.data());
  env_ptrs_.push_back(nullptr);
}

pid_t ForkExec(const ChildSetup& setup, const PreparedExec& exec,
               ChildFailure* failure) noexcept {
  Pipe report;  // close-on-exec: it closes exactly at a successful exec
  if (!report.Open(O_CLOEXEC)) {
    *failure = {ChildStep::kFork, errno};
    return -1;
  }
  pid_t pid = ::fork();
  if (pid < 0) {
    *failure = {ChildStep::kFork, errno};
    return -1;
  }
  if (pid == 0) {
    // Child: async-signal-safe calls only, no destructors (_exit).
    report.read.reset();
    const int rfd = report.write.get();
    ChildStep step = PrepareChild(setup);
    if (step != ChildStep::kNone) ChildFail(rfd, step);
    ::execve(exec.path().c_str(), exec.argv(), exec.envp());
    ChildFail(rfd, ChildStep::kExec);
  }
  report.write.reset();
  ChildFailure f;
  if (ReadFull(report.read.get(), &f, sizeof f)) {
    KillAndReap(pid);  // it exits by itself; the kill only makes sure
    *failure = f;
    return -1;
  }
  *failure = {};
  return pid;
}

ChildReport RunInChild(const ChildSetup& setup,
                       const std::function<ChildReport()>& fn,
                       std::chrono::milliseconds timeout) {
  Pipe report;
  if (!report.Open(O_CLOEXEC)) return {errno, 0};
  pid_t pid = ::fork();
  if (pid < 0) return {errno, 0};
  if (pid == 0) {
    report.read.reset();
    ChildReport r;
    if (PrepareChild(setup) != ChildStep::kNone) {
      r.err = errno;
      WriteAll(report.write.get(), &r, sizeof r);
      ::_exit(1);
    }
    r = fn();
    WriteAll(report.write.get(), &r, sizeof r);
    ::_exit(0);
  }
  report.write.reset();
  ChildReport r{EIO, 0};
  struct pollfd p = {report.read.get(), POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    ::kill(pid, SIGKILL);
    r = {ETIMEDOUT, 0};
  } else if (!ReadFull(report.read.get(), &r, sizeof r)) {
    r = {EIO, 0};
  }
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return r;
}

}  // namespace wsman::base
