// The process readers of readers.h: the numeric entries of /proc and one
// process's /proc/<pid> files (stat, status, cmdline, exe), every file read
// through one open directory.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>

#include "base/strings.h"
#include "base/unique_fd.h"
#include "providers/host/reader_util.h"
#include "providers/host/readers.h"

namespace wsman::providers::host {
namespace {

using reader_util::ReadFileAt;
using reader_util::ReadLinkAt;
using reader_util::ToI64;
using reader_util::ToU64;

// "1000\t1000\t1000\t1000" (real, effective, saved, fs) -> the first three.
template <typename Id>
void ThreeIds(const std::vector<std::string_view>& v, Id* real, Id* effective,
              Id* saved) {
  if (v.size() > 0) *real = static_cast<Id>(ToU64(v[0]));
  *effective = v.size() > 1 ? static_cast<Id>(ToU64(v[1])) : *real;
  *saved = v.size() > 2 ? static_cast<Id>(ToU64(v[2])) : *effective;
}

}  // namespace

std::vector<pid_t> ListPids(const HostEnv& env) {
  std::vector<pid_t> out;
  DIR* d = ::opendir(env.Path("/proc").c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    const char* n = e->d_name;
    if (*n < '1' || *n > '9') continue;
    char* end = nullptr;
    long v = std::strtol(n, &end, 10);
    if (*end == '\0' && v > 0) out.push_back(static_cast<pid_t>(v));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

std::optional<ProcessInfo> ReadProcess(const HostEnv& env, pid_t pid,
                                       const ProcessDetailsFilter& details) {
  base::UniqueFd dir(::open(env.Path("/proc/" + std::to_string(pid)).c_str(),
                            O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir) return std::nullopt;
  auto stat = ReadFileAt(dir.get(), "stat");
  if (!stat) return std::nullopt;
  ProcessInfo p;
  p.pid = pid;
  // "pid (comm) state ppid ..." — comm may hold spaces and parentheses.
  size_t open = stat->find('(');
  size_t close = stat->rfind(')');
  if (open == std::string::npos || close == std::string::npos || close < open) {
    return std::nullopt;
  }
  p.name = stat->substr(open + 1, close - open - 1);
  auto f = base::SplitFields(std::string_view(*stat).substr(close + 1));
  // f[0] = state (field 3), so field N is f[N - 3].
  if (f.size() < 22) return std::nullopt;
  p.state = f[0].empty() ? '?' : f[0][0];
  p.ppid = static_cast<pid_t>(ToI64(f[1]));
  p.session = static_cast<int>(ToI64(f[3]));
  p.utime = ToU64(f[11]);
  p.stime = ToU64(f[12]);
  p.priority = ToI64(f[15]);
  p.nice = ToI64(f[16]);
  p.threads = ToU64(f[17]);
  p.start_ticks = ToU64(f[19]);
  p.vsize = ToU64(f[20]);
  p.rss_pages = ToU64(f[21]);
  if (auto status = ReadFileAt(dir.get(), "status")) {
    for (std::string_view line : base::SplitLines(*status)) {
      size_t colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      std::string_view key = line.substr(0, colon);
      std::string_view rest = line.substr(colon + 1);
      auto v = base::SplitFields(rest);
      if (key == "Name") {
        p.name = std::string(base::Trim(rest));
      } else if (key == "Uid" && !v.empty()) {
        ThreeIds(v, &p.uid, &p.euid, &p.suid);
      } else if (key == "Gid" && !v.empty()) {
        ThreeIds(v, &p.gid, &p.egid, &p.sgid);
      } else if (key == "VmPeak" && !v.empty()) {
        p.vm_peak_kb = ToU64(v[0]);
      } else if (key == "VmHWM" && !v.empty()) {
        p.vm_hwm_kb = ToU64(v[0]);
      }
    }
  }
  if (env.proc_owner) {
    p.proc_owner = env.proc_owner(pid, dir.get());
  } else if (struct stat st; ::fstat(dir.get(), &st) == 0) {
    p.proc_owner = st.st_uid;
  }
  ProcessDetails want = details ? details(p) : ProcessDetails{};
  if (want.command_line) {
    if (auto cmd = ReadFileAt(dir.get(), "cmdline")) {
      while (!cmd->empty() && cmd->back() == '\0') cmd->pop_back();
      std::replace(cmd->begin(), cmd->end(), '\0', ' ');
      p.cmdline = std::move(*cmd);
    }
  }
  if (want.executable_path) p.exe = ReadLinkAt(dir.get(), "exe");
  if (p.exe) {
    constexpr std::string_view kDeleted = " (deleted)";
    if (p.exe->size() > kDeleted.size() &&
        p.exe->compare(p.exe->size() - kDeleted.size(), kDeleted.size(),
                       kDeleted) == 0) {
      p.exe->resize(p.exe->size() - kDeleted.size());
    }
  }
  return p;
}

}  // namespace wsman::providers::host
