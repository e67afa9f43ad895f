#include "providers/host/run_as.h"

#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "base/user.h"

namespace wsman::providers::host {
namespace {

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

// In a child: default signal handling, nothing blocked.
void ResetSignals() {
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  struct sigaction dfl;
  std::memset(&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    ::sigaction(sig, &dfl, nullptr);
  }
}

bool HasShellSyntax(const std::string& s) {
  return s.find_first_of(";&|<>()$`\\\"'*?[]#~=%{}\n") != std::string::npos;
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
  int report[2];
  if (::pipe2(report, O_CLOEXEC) != 0) return {errno, 0};
  pid_t pid = ::fork();
  if (pid < 0) {
    int e = errno;
    ::close(report[0]);
    ::close(report[1]);
    return {e, 0};
  }
  if (pid == 0) {
    ::close(report[0]);
    ActReport r;
    if (who.switch_user) {
      if (::setgroups(who.groups.size(), who.groups.data()) != 0 ||
          ::setgid(who.gid) != 0 || ::setuid(who.uid) != 0) {
        r.err = errno;
        WriteAll(report[1], &r, sizeof r);
        ::_exit(1);
      }
    }
    r = act();
    WriteAll(report[1], &r, sizeof r);
    ::_exit(0);
  }
  ::close(report[1]);
  ActReport r{EIO, 0};
  struct pollfd p = {report[0], POLLIN, 0};
  int ready;
  do {
    ready = ::poll(&p, 1, static_cast<int>(timeout.count()));
  } while (ready < 0 && errno == EINTR);
  if (ready <= 0) {
    ::kill(pid, SIGKILL);
    r = {ETIMEDOUT, 0};
  } else {
    ssize_t n;
    do {
      n = ::read(report[0], &r, sizeof r);
    } while (n < 0 && errno == EINTR);
    if (n != static_cast<ssize_t>(sizeof r)) r = {EIO, 0};
  }
  ::close(report[0]);
  int status;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  return r;
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
  std::vector<char*> envp;
  for (std::string& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);
  std::string sh = "/bin/sh", dash_c = "-c";
  std::vector<char*> argv = {sh.data(), dash_c.data(), script.data(), nullptr};
  std::string dir = cwd.empty() ? who.home : cwd;
  bool explicit_dir = !cwd.empty();

  return RunAs(who, [&]() -> ActReport {
    int exec_report[2];
    if (::pipe2(exec_report, O_CLOEXEC) != 0) return {errno, 0};
    pid_t child = ::fork();
    if (child < 0) return {errno, 0};
    if (child == 0) {
      ::close(exec_report[0]);
      ::setsid();
      ResetSignals();
      int null_fd = ::open("/dev/null", O_RDWR);
      if (null_fd >= 0) {
        ::dup2(null_fd, 0);
        ::dup2(null_fd, 1);
        ::dup2(null_fd, 2);
      }
      if (::syscall(SYS_close_range, 3u, ~0u, 4u /* CLOSE_RANGE_CLOEXEC */) !=
          0) {
        for (int fd = 3; fd < 65536; ++fd) {
          if (fd != exec_report[1]) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
      }
      if (::chdir(dir.c_str()) != 0) {
        if (explicit_dir || ::chdir("/") != 0) {
          int e = errno;
          WriteAll(exec_report[1], &e, sizeof e);
          ::_exit(127);
        }
      }
      ::execve(argv[0], argv.data(), envp.data());
      int e = errno;
      WriteAll(exec_report[1], &e, sizeof e);
      ::_exit(127);
    }
    ::close(exec_report[1]);
    int e = 0;
    ssize_t n;
    do {
      n = ::read(exec_report[0], &e, sizeof e);
    } while (n < 0 && errno == EINTR);
    ::close(exec_report[0]);
    if (n == static_cast<ssize_t>(sizeof e)) {
      int status;
      ::waitpid(child, &status, 0);
      return {e, 0};
    }
    // The command runs; it is reparented when this child exits.
    return {0, child};
  });
}

}  // namespace wsman::providers::host
