#include "providers/shell/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <thread>

#include "base/file_util.h"
#include "base/strings.h"

namespace wsman::providers::shell::cgroup {
namespace {

using namespace std::chrono_literals;

bool ReadText(const std::string& path, std::string* out) {
  base::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  base::StatusOr<std::string> read = base::ReadAll(fd.get(), path);
  if (!read.ok()) return false;
  *out = std::move(read).value();
  return true;
}

bool WriteText(const std::string& path, std::string_view text) {
  base::UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return false;
  ssize_t n;
  do {
    n = ::write(fd.get(), text.data(), text.size());
  } while (n < 0 && errno == EINTR);
  return n == static_cast<ssize_t>(text.size());
}

bool HasWord(std::string_view text, std::string_view word) {
  for (std::string_view w : base::SplitFields(text, base::kWhitespace)) {
    if (w == word) return true;
  }
  return false;
}

std::vector<std::string> SubDirs(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) return out;
  while (struct dirent* e = ::readdir(d)) {
    if (e->d_type != DT_DIR) continue;
    if (std::strcmp(e->d_name, ".") == 0 || std::strcmp(e->d_name, "..") == 0)
      continue;
    out.push_back(dir + "/" + e->d_name);
  }
  ::closedir(d);
  return out;
}

void RemoveTree(const std::string& dir) {
  for (const std::string& sub : SubDirs(dir)) RemoveTree(sub);
  ::rmdir(dir.c_str());
}

// Signals every process of `dir` (not below) by pidfd, each checked to be
// in `dir` after its pidfd was opened.
void KillListed(const std::string& dir, const SignalSender& signals) {
  for (pid_t pid : Procs(dir)) {
    base::UniqueFd fd(PidfdOpen(pid));
    if (!fd) continue;
    std::vector<pid_t> now = Procs(dir);
    if (std::find(now.begin(), now.end(), pid) == now.end()) continue;
    // Alive after the second listing: the pid named this process then.
    if (PidfdAlive(fd.get())) signals.Pidfd(fd.get(), SIGKILL);
  }
}

void KillByList(const std::string& dir, const SignalSender& signals) {
  for (const std::string& sub : SubDirs(dir)) KillByList(sub, signals);
  const std::string freeze = dir + "/cgroup.freeze";
  bool frozen = WriteText(freeze, "1");
  for (int round = 0; round < 20; ++round) {
    KillListed(dir, signals);
    if (Procs(dir).empty()) break;
    std::this_thread::sleep_for(5ms);
  }
  if (frozen) WriteText(freeze, "0");
}

}  // namespace

bool FindCgroup2Mount(std::string_view mountinfo, std::string* mount_point,
                      std::string* mount_root) {
  while (!mountinfo.empty()) {
    size_t nl = mountinfo.find('\n');
    std::string_view line = mountinfo.substr(0, nl);
    mountinfo = nl == std::string_view::npos ? std::string_view{}
                                             : mountinfo.substr(nl + 1);
    std::vector<std::string_view> f = base::SplitFields(line);
    auto dash = std::find(f.begin(), f.end(), std::string_view("-"));
    if (f.size() < 6 || dash == f.end() || dash + 1 == f.end()) continue;
    if (*(dash + 1) != "cgroup2") continue;
    *mount_root = base::UnescapeOctal(f[3]);
    *mount_point = base::UnescapeOctal(f[4]);
    return true;
  }
  return false;
}

bool ParseOwnCgroup(std::string_view text, std::string* path) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text =
        nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
    if (line.substr(0, 3) == "0::") {
      *path = std::string(line.substr(3));
      return !path->empty() && (*path)[0] == '/';
    }
  }
  return false;
}

std::string HostDirName(const HostDirId& id) {
  return "wsmand-" + std::to_string(id.pid_ns) + "-" + std::to_string(id.pid) +
         "-" + std::to_string(id.start_time) + "-" + std::to_string(id.seq);
}

bool ParseHostDirName(std::string_view name, HostDirId* id) {
  constexpr std::string_view kPrefix = "wsmand-";
  if (name.substr(0, kPrefix.size()) != kPrefix) return false;
  name.remove_prefix(kPrefix.size());
  const char* p = name.data();
  const char* end = name.data() + name.size();
  HostDirId got;
  auto next = [&](auto* value, bool last) {
    auto r = std::from_chars(p, end, *value);
    if (r.ec != std::errc() || r.ptr == p) return false;
    if (last) {
      p = r.ptr;
      return p == end;
    }
    if (r.ptr == end || *r.ptr != '-') return false;
    p = r.ptr + 1;
    return true;
  };
  if (!next(&got.pid_ns, false) || !next(&got.pid, false) ||
      !next(&got.start_time, false) || !next(&got.seq, true) || got.pid <= 0)
    return false;
  *id = got;
  return true;
}

uint64_t PidNamespaceId(const std::string& proc_root) {
  char buf[64];
  ssize_t n =
      ::readlink((proc_root + "/self/ns/pid").c_str(), buf, sizeof buf - 1);
  if (n <= 0) return 0;
  std::string_view link(buf, static_cast<size_t>(n));  // "pid:[4026531836]"
  size_t open = link.find('[');
  uint64_t id = 0;
  if (open == std::string_view::npos) return 0;
  std::from_chars(link.data() + open + 1, link.data() + link.size(), id);
  return id;
}

bool OpenHome(const Sources& sources, int seq, Home* out, std::string* why) {
  std::string text;
  std::string mount_point, mount_root, own;
  if (!ReadText(sources.mountinfo, &text) ||
      !FindCgroup2Mount(text, &mount_point, &mount_root)) {
    *why = "no cgroup2 file system is mounted";
    return false;
  }
  if (!ReadText(sources.self_cgroup, &text) || !ParseOwnCgroup(text, &own)) {
    *why = "this process has no cgroup v2 path in " + sources.self_cgroup;
    return false;
  }
  // Our cgroup as a directory under the mount.
  std::string rel = own;
  if (mount_root != "/") {
    if (rel.compare(0, mount_root.size(), mount_root) != 0 ||
        (rel.size() > mount_root.size() && rel[mount_root.size()] != '/')) {
      *why = "our cgroup " + own + " is outside the cgroup2 mount at " +
             mount_point;
      return false;
    }
    rel = rel.substr(mount_root.size());
  }
  if (rel == "/") rel.clear();
  const std::string ours = mount_point + rel;
  out->cgroup = own;
  const pid_t self = ::getpid();
  const bool alone = !rel.empty() && Procs(ours) == std::vector<pid_t>{self};
  out->layout = alone ? "delegated" : "shared";

  // Earlier daemons' directories that nobody owns any more.
  DIR* d = ::opendir(ours.c_str());
  if (d == nullptr) {
    *why = "cannot read " + ours + ": " + std::strerror(errno);
    return false;
  }
  const uint64_t pid_ns = PidNamespaceId(sources.proc_root);
  std::vector<std::string> stale;
  while (struct dirent* e = ::readdir(d)) {
    HostDirId id;
    if (!ParseHostDirName(e->d_name, &id)) continue;
    // Pids of another namespace say nothing here: leave those alone.
    if (pid_ns == 0 || id.pid_ns != pid_ns) continue;
    ProcStat st;
    if (ReadProcStat(sources.proc_root, id.pid, &st) &&
        st.start_time == id.start_time) {
      continue;  // its daemon still runs
    }
    stale.push_back(ours + "/" + e->d_name);
  }
  ::closedir(d);
  for (const std::string& dir : stale) KillAndRemoveTree(dir, {}, 1000ms);

  ProcStat me;
  if (!ReadProcStat(sources.proc_root, self, &me)) {
    *why = "cannot read our own " + sources.proc_root + "/self/stat";
    return false;
  }
  std::string controllers;
  ReadText(ours + "/cgroup.controllers", &controllers);
  bool pids_offered = HasWord(controllers, "pids");
  if (alone && pids_offered) {
    std::string subtree;
    ReadText(ours + "/cgroup.subtree_control", &subtree);
    if (!HasWord(subtree, "pids")) {
      // Leave the inner node: a cgroup that hands controllers to children
      // holds no process itself.
      const std::string leaf = ours + "/daemon";
      if ((::mkdir(leaf.c_str(), 0755) == 0 || errno == EEXIST) &&
          WriteText(leaf + "/cgroup.procs", "0")) {
        out->moved = true;
        if (!WriteText(ours + "/cgroup.subtree_control", "+pids")) {
          pids_offered = false;
        }
      } else {
        pids_offered = false;
      }
    }
  } else if (!alone) {
    // Shared: use only what the cgroup already hands to its children.
    std::string subtree;
    ReadText(ours + "/cgroup.subtree_control", &subtree);
    pids_offered = HasWord(subtree, "pids");
  }
  out->dir = ours + "/" + HostDirName({pid_ns, self, me.start_time, seq});
  if (!MakeDir(out->dir, why)) return false;
  out->pids =
      pids_offered && WriteText(out->dir + "/cgroup.subtree_control", "+pids");
  return true;
}

bool MakeDir(const std::string& dir, std::string* why) {
  if (::mkdir(dir.c_str(), 0755) == 0) return true;
  *why = "cannot create the cgroup " + dir + ": " + std::strerror(errno);
  return false;
}

bool RemoveDir(const std::string& dir) {
  return ::rmdir(dir.c_str()) == 0 || errno == ENOENT;
}

bool KillAndRemoveTree(const std::string& dir, const SignalSender& signals,
                       std::chrono::milliseconds wait) {
  Kill(dir, signals);
  auto until = std::chrono::steady_clock::now() + wait;
  while (Populated(dir) && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(5ms);
  }
  RemoveTree(dir);
  return ::access(dir.c_str(), F_OK) != 0;
}

base::UniqueFd OpenProcsForJoin(const std::string& dir) {
  return base::UniqueFd(
      ::open((dir + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
}

std::vector<pid_t> Procs(const std::string& dir) {
  std::vector<pid_t> pids;
  std::string text;
  if (!ReadText(dir + "/cgroup.procs", &text)) return pids;
  std::string_view rest = text;
  while (!rest.empty()) {
    size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest =
        nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
    pid_t pid = 0;
    auto [ptr, ec] =
        std::from_chars(line.data(), line.data() + line.size(), pid);
    if (ec == std::errc() && pid > 0) pids.push_back(pid);
  }
  return pids;
}

bool Populated(const std::string& dir) {
  std::string text;
  if (!ReadText(dir + "/cgroup.events", &text)) return false;
  return text.find("populated 1") != std::string::npos;
}

bool SetPidsMax(const std::string& dir, int max) {
  return WriteText(dir + "/pids.max", std::to_string(max));
}

void Kill(const std::string& dir, const SignalSender& signals) {
  if (WriteText(dir + "/cgroup.kill", "1")) return;
  if (errno == ENOENT) {
    if (::access(dir.c_str(), F_OK) != 0) return;  // the cgroup is gone
  }
  KillByList(dir, signals);
}

}  // namespace wsman::providers::shell::cgroup
