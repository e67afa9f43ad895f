#include "providers/shell/proc_scan.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstdlib>

#include "base/unique_fd.h"

namespace wsman::providers::shell {
namespace {

// The next space-separated field of `rest`, advancing it.
std::string_view NextField(std::string_view* rest) {
  size_t start = rest->find_first_not_of(' ');
  if (start == std::string_view::npos) {
    *rest = {};
    return {};
  }
  size_t end = rest->find(' ', start);
  std::string_view field = rest->substr(start, end - start);
  *rest =
      end == std::string_view::npos ? std::string_view{} : rest->substr(end);
  return field;
}

template <typename T>
bool ToNumber(std::string_view s, T* out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

}  // namespace

bool ParseProcStat(std::string_view text, ProcStat* out) {
  size_t open = text.find('(');
  size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos ||
      close < open) {
    return false;
  }
  ProcStat st;
  std::string_view pid_text = text.substr(0, open);
  while (!pid_text.empty() && pid_text.back() == ' ') pid_text.remove_suffix(1);
  if (!ToNumber(pid_text, &st.pid)) return false;
  std::string_view rest = text.substr(close + 1);
  // Fields 3.. (1-based, proc(5)): state ppid pgrp session tty_nr tpgid
  // flags minflt cminflt majflt cmajflt utime stime cutime cstime priority
  // nice num_threads itrealvalue starttime.
  std::string_view state = NextField(&rest);
  if (state.size() != 1) return false;
  st.state = state[0];
  if (!ToNumber(NextField(&rest), &st.ppid) ||
      !ToNumber(NextField(&rest), &st.pgrp) ||
      !ToNumber(NextField(&rest), &st.session)) {
    return false;
  }
  for (int skip = 7; skip <= 21; ++skip) {
    if (NextField(&rest).empty()) return false;
  }
  if (!ToNumber(NextField(&rest), &st.start_time)) return false;
  *out = st;
  return true;
}

bool ReadProcStat(const std::string& proc_root, pid_t pid, ProcStat* out) {
  std::string path = proc_root + "/" + std::to_string(pid) + "/stat";
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  char buf[1024];
  ssize_t n;
  do {
    n = ::read(fd.get(), buf, sizeof buf);
  } while (n < 0 && errno == EINTR);
  if (n <= 0) return false;
  return ParseProcStat(std::string_view(buf, static_cast<size_t>(n)), out);
}

std::vector<ProcStat> SnapshotProcesses(const std::string& proc_root) {
  std::vector<ProcStat> all;
  DIR* dir = ::opendir(proc_root.c_str());
  if (dir == nullptr) return all;
  while (struct dirent* e = ::readdir(dir)) {
    pid_t pid = 0;
    std::string_view name(e->d_name);
    if (!ToNumber(name, &pid) || pid <= 0) continue;
    ProcStat st;
    if (ReadProcStat(proc_root, pid, &st)) all.push_back(st);
  }
  ::closedir(dir);
  return all;
}

int PidfdOpen(pid_t pid) {
  return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

bool PidfdAlive(int pidfd) {
  if (pidfd < 0) return false;
  struct pollfd p = {pidfd, POLLIN, 0};
  int n;
  do {
    n = ::poll(&p, 1, 0);
  } while (n < 0 && errno == EINTR);
  return n == 0;
}

int PidfdSendSignal(int pidfd, int sig) {
  return static_cast<int>(
      ::syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

int SignalSender::Kill(pid_t pid, int sig) const {
  return kill ? kill(pid, sig) : ::kill(pid, sig);
}

int SignalSender::Pidfd(int fd, int sig) const {
  return pidfd ? pidfd(fd, sig) : PidfdSendSignal(fd, sig);
}

}  // namespace wsman::providers::shell
