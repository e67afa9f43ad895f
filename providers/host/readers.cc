#include "providers/host/readers.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <set>

#include "base/file_util.h"
#include "base/strings.h"
#include "base/unique_fd.h"
#include "base/user.h"
#include "providers/host/reader_util.h"

namespace wsman::providers::host {
namespace {

using reader_util::ReadFd;
using reader_util::ReadLinkAt;
using reader_util::ToI64;
using reader_util::ToU64;

std::vector<std::string> ListDir(const std::string& path) {
  std::vector<std::string> out;
  DIR* d = ::opendir(path.c_str());
  if (!d) return out;
  while (struct dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    out.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(out.begin(), out.end());
  return out;
}

unsigned PrefixFromMask(const sockaddr* mask) {
  if (!mask) return 0;
  unsigned n = 0;
  if (mask->sa_family == AF_INET) {
    uint32_t m =
        ntohl(reinterpret_cast<const sockaddr_in*>(mask)->sin_addr.s_addr);
    n = static_cast<unsigned>(std::popcount(m));
  } else if (mask->sa_family == AF_INET6) {
    const auto* a = reinterpret_cast<const sockaddr_in6*>(mask);
    for (uint8_t byte : a->sin6_addr.s6_addr) n += std::popcount(byte);
  }
  return n;
}

}  // namespace

std::optional<std::string> ReadFile(const std::string& path) {
  return ReadFd(base::UniqueFd(::open(path.c_str(), O_RDONLY | O_CLOEXEC)));
}

std::optional<std::string> ReadFirstLine(const std::string& path) {
  auto text = ReadFile(path);
  if (!text) return std::nullopt;
  size_t nl = text->find('\n');
  return std::string(base::Trim(std::string_view(*text).substr(0, nl)));
}

HostEnv HostEnv::Real() {
  HostEnv env;
  env.root = "/";
  env.statvfs = [](const std::string& path) -> std::optional<FsStats> {
    struct statvfs s;
    if (::statvfs(path.c_str(), &s) != 0) return std::nullopt;
    FsStats f;
    f.block_size = s.f_frsize ? s.f_frsize : s.f_bsize;
    f.blocks = s.f_blocks;
    f.blocks_free = s.f_bfree;
    f.blocks_avail = s.f_bavail;
    f.read_only = (s.f_flag & ST_RDONLY) != 0;
    return f;
  };
  env.ifaddrs = [] {
    std::vector<IfAddress> out;
    struct ifaddrs* list = nullptr;
    if (::getifaddrs(&list) != 0) return out;
    for (struct ifaddrs* i = list; i; i = i->ifa_next) {
      if (!i->ifa_addr) continue;
      int family = i->ifa_addr->sa_family;
      if (family != AF_INET && family != AF_INET6) continue;
      char text[INET6_ADDRSTRLEN] = {};
      const void* a =
          family == AF_INET
              ? static_cast<const void*>(
                    &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr)
              : static_cast<const void*>(
                    &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr);
      if (!::inet_ntop(family, a, text, sizeof text)) continue;
      out.push_back(
          {i->ifa_name, family, text, PrefixFromMask(i->ifa_netmask)});
    }
    ::freeifaddrs(list);
    return out;
  };
  env.uname = [] {
    struct utsname u;
    UnameInfo info;
    if (::uname(&u) == 0) {
      info = {u.sysname, u.nodename, u.release, u.version, u.machine};
    }
    return info;
  };
  env.getenv = [](const char* name) -> std::optional<std::string> {
    const char* v = ::getenv(name);
    if (!v) return std::nullopt;
    return std::string(v);
  };
  env.utc_offset_minutes = [](time_t t) {
    struct tm tm;
    if (!::localtime_r(&t, &tm)) return 0;
    return static_cast<int>(tm.tm_gmtoff / 60);
  };
  env.now = base::RealWallClock();
  env.user_groups = [](const std::string& user, gid_t gid) {
    return base::GroupsOf(user, gid);
  };
  env.group_id = [](const std::string& name) { return base::GroupId(name); };
  env.clock_ticks = ::sysconf(_SC_CLK_TCK);
  env.page_size = ::sysconf(_SC_PAGESIZE);
  return env;
}

std::string HostEnv::Path(std::string_view path) const {
  std::string out = root;
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (path.empty() || path[0] != '/') out += '/';
  out += path;
  return out;
}

std::map<std::string, std::string> ReadOsRelease(const HostEnv& env) {
  std::map<std::string, std::string> out;
  auto text = ReadFile(env.Path("/etc/os-release"));
  if (!text) text = ReadFile(env.Path("/usr/lib/os-release"));
  if (!text) return out;
  for (std::string_view line : base::SplitLines(*text)) {
    line = base::Trim(line);
    if (line.empty() || line[0] == '#') continue;
    size_t eq = line.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key(base::Trim(line.substr(0, eq)));
    std::string_view v = base::Trim(line.substr(eq + 1));
    std::string value;
    if (!v.empty() && (v[0] == '"' || v[0] == '\'')) {
      char q = v[0];
      for (size_t i = 1; i < v.size() && v[i] != q; ++i) {
        if (v[i] == '\\' && q == '"' && i + 1 < v.size()) ++i;
        value += v[i];
      }
    } else {
      value = std::string(v);
    }
    out[key] = value;
  }
  return out;
}

std::map<std::string, uint64_t> ReadMemInfo(const HostEnv& env) {
  std::map<std::string, uint64_t> out;
  auto text = ReadFile(env.Path("/proc/meminfo"));
  if (!text) return out;
  for (std::string_view line : base::SplitLines(*text)) {
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    auto f = base::SplitFields(line.substr(colon + 1));
    if (f.empty()) continue;
    out[std::string(line.substr(0, colon))] = ToU64(f[0]);
  }
  return out;
}

std::optional<double> ReadUptime(const HostEnv& env) {
  auto line = ReadFirstLine(env.Path("/proc/uptime"));
  if (!line) return std::nullopt;
  auto f = base::SplitFields(*line);
  if (f.empty()) return std::nullopt;
  return std::strtod(std::string(f[0]).c_str(), nullptr);
}

std::optional<time_t> ReadBootTime(const HostEnv& env) {
  auto text = ReadFile(env.Path("/proc/stat"));
  if (!text) return std::nullopt;
  for (std::string_view line : base::SplitLines(*text)) {
    auto f = base::SplitFields(line);
    if (f.size() >= 2 && f[0] == "btime") {
      return static_cast<time_t>(ToI64(f[1]));
    }
  }
  return std::nullopt;
}

std::optional<LoadAvg> ReadLoadAvg(const HostEnv& env) {
  auto line = ReadFirstLine(env.Path("/proc/loadavg"));
  if (!line) return std::nullopt;
  auto f = base::SplitFields(*line);
  if (f.size() < 4) return std::nullopt;
  LoadAvg l;
  l.one = std::strtod(std::string(f[0]).c_str(), nullptr);
  l.five = std::strtod(std::string(f[1]).c_str(), nullptr);
  l.fifteen = std::strtod(std::string(f[2]).c_str(), nullptr);
  size_t slash = f[3].find('/');
  if (slash != std::string_view::npos) {
    l.running = static_cast<unsigned>(ToU64(f[3].substr(0, slash)));
    l.total = static_cast<unsigned>(ToU64(f[3].substr(slash + 1)));
  }
  return l;
}

// cpufreq's maximum (kHz) for logical processor `cpu`, else the nominal
// clock in a model name such as "... CPU @ 2.10GHz"; 0 when neither says.
uint32_t MaxClockMhz(const HostEnv& env, unsigned cpu,
                     const std::string& model_name) {
  auto khz = ReadFirstLine(env.Path("/sys/devices/system/cpu/cpu" +
                                    std::to_string(cpu) +
                                    "/cpufreq/cpuinfo_max_freq"));
  if (khz && ToU64(*khz) > 0) {
    return static_cast<uint32_t>(ToU64(*khz) / 1000);
  }
  size_t at = model_name.rfind('@');
  if (at == std::string::npos) return 0;
  char* end = nullptr;
  double ghz = std::strtod(model_name.c_str() + at + 1, &end);
  if (ghz <= 0 || std::string_view(end).substr(0, 3) != "GHz") return 0;
  return static_cast<uint32_t>(std::lround(ghz * 1000));
}

std::vector<CpuSocket> ReadCpuInfo(const HostEnv& env) {
  std::vector<CpuSocket> sockets;
  auto text = ReadFile(env.Path("/proc/cpuinfo"));
  if (!text) return sockets;
  // One block per logical processor, separated by blank lines.
  std::map<unsigned, CpuSocket> by_id;
  std::map<unsigned, std::set<std::string>> core_ids;
  std::map<std::string, std::string> block;
  auto flush = [&] {
    if (block.find("processor") == block.end()) {
      block.clear();
      return;
    }
    unsigned id = 0;
    if (auto it = block.find("physical id"); it != block.end()) {
      id = static_cast<unsigned>(ToU64(it->second));
    }
    CpuSocket& s = by_id[id];
    s.physical_id = id;
    ++s.logical;
    if (s.logical == 1) {
      s.first_cpu = static_cast<unsigned>(ToU64(block["processor"]));
      s.vendor = block["vendor_id"];
      s.model_name = block["model name"];
      s.mhz = std::strtod(block["cpu MHz"].c_str(), nullptr);
      s.family = block["cpu family"];
      s.model = block["model"];
      s.stepping = block["stepping"];
      std::string flags = " " + block["flags"] + " ";
      s.long_mode = flags.find(" lm ") != std::string::npos;
      if (block.count("cpu cores")) {
        s.cores = static_cast<unsigned>(ToU64(block["cpu cores"]));
      }
    }
    if (auto it = block.find("core id"); it != block.end()) {
      core_ids[id].insert(it->second);
    }
    block.clear();
  };
  for (std::string_view line : base::SplitLines(*text)) {
    if (base::Trim(line).empty()) {
      flush();
      continue;
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    block[std::string(base::Trim(line.substr(0, colon)))] =
        std::string(base::Trim(line.substr(colon + 1)));
  }
  flush();
  for (auto& [id, s] : by_id) {
    s.max_mhz = MaxClockMhz(env, s.first_cpu, s.model_name);
    if (s.cores == 0) {
      s.cores = core_ids[id].empty()
                    ? s.logical
                    : static_cast<unsigned>(core_ids[id].size());
    }
    sockets.push_back(s);
  }
  return sockets;
}

unsigned CountLogicalCpus(const HostEnv& env) {
  unsigned n = 0;
  for (const CpuSocket& s : ReadCpuInfo(env)) n += s.logical;
  return n;
}

ProcMountOptions ReadProcMountOptions(const HostEnv& env) {
  ProcMountOptions out;
  for (const Mount& m : ReadMounts(env)) {
    if (m.mount_point != "/proc") continue;
    out = {};  // the last mount on /proc is the one in effect
    if (m.fs_type != "proc") continue;
    std::string_view opts = m.super_options;
    while (!opts.empty()) {
      size_t comma = opts.find(',');
      std::string_view o = opts.substr(0, comma);
      opts = comma == std::string_view::npos ? std::string_view()
                                             : opts.substr(comma + 1);
      if (o.starts_with("hidepid=")) {
        std::string_view v = o.substr(8);
        if (v == "1" || v == "noaccess") out.hidepid = 1;
        if (v == "2" || v == "invisible") out.hidepid = 2;
        if (v == "4" || v == "ptraceable") out.hidepid = 4;
      } else if (o.starts_with("gid=")) {
        out.gid = static_cast<gid_t>(ToU64(o.substr(4)));
      }
    }
  }
  return out;
}

std::vector<Mount> ReadMounts(const HostEnv& env) {
  std::vector<Mount> out;
  auto text = ReadFile(env.Path("/proc/self/mountinfo"));
  if (!text) return out;
  for (std::string_view line : base::SplitLines(*text)) {
    auto f = base::SplitFields(line);
    // id parent major:minor root mountpoint options [optional...] - fstype
    // source superoptions
    size_t dash = 0;
    for (size_t i = 6; i < f.size(); ++i) {
      if (f[i] == "-") {
        dash = i;
        break;
      }
    }
    if (dash == 0 || dash + 1 >= f.size()) continue;
    Mount m;
    std::string_view mm = f[2];
    size_t colon = mm.find(':');
    if (colon != std::string_view::npos) {
      m.major = static_cast<unsigned>(ToU64(mm.substr(0, colon)));
      m.minor = static_cast<unsigned>(ToU64(mm.substr(colon + 1)));
    }
    m.mount_point = base::UnescapeOctal(f[4]);
    m.options = std::string(f[5]);
    m.fs_type = std::string(f[dash + 1]);
    m.source =
        dash + 2 < f.size() ? base::UnescapeOctal(f[dash + 2]) : std::string();
    if (dash + 3 < f.size()) m.super_options = std::string(f[dash + 3]);
    auto same = std::find_if(out.begin(), out.end(), [&](const Mount& o) {
      return o.mount_point == m.mount_point;
    });
    if (same != out.end()) out.erase(same);
    out.push_back(std::move(m));
  }
  return out;
}

bool IsPseudoFs(std::string_view t) {
  static constexpr std::string_view kPseudo[] = {
      "proc",        "sysfs",   "cgroup",     "cgroup2",    "devpts",
      "mqueue",      "debugfs", "tracefs",    "securityfs", "pstore",
      "bpf",         "autofs",  "configfs",   "fusectl",    "hugetlbfs",
      "binfmt_misc", "nsfs",    "rpc_pipefs", "efivarfs",   "selinuxfs",
      "devtmpfs"};
  return std::find(std::begin(kPseudo), std::end(kPseudo), t) !=
         std::end(kPseudo);
}

std::vector<NetInterface> ReadInterfaces(const HostEnv& env) {
  std::vector<NetInterface> out;
  std::string base = env.Path("/sys/class/net");
  for (const std::string& name : ListDir(base)) {
    std::string dir = base + "/" + name;
    NetInterface n;
    n.name = name;
    auto index = ReadFirstLine(dir + "/ifindex");
    if (!index) continue;  // not an interface
    n.index = static_cast<unsigned>(ToU64(*index));
    n.mac = ReadFirstLine(dir + "/address").value_or("");
    if (auto mtu = ReadFirstLine(dir + "/mtu"); mtu && !mtu->empty()) {
      n.mtu = static_cast<uint32_t>(ToU64(*mtu));
    }
    if (auto speed = ReadFirstLine(dir + "/speed"); speed && !speed->empty()) {
      int64_t s = ToI64(*speed);
      if (s >= 0) n.speed_mbps = s;
    }
    n.operstate = ReadFirstLine(dir + "/operstate").value_or("unknown");
    n.type = static_cast<unsigned>(
        ToU64(ReadFirstLine(dir + "/type").value_or("0")));
    struct stat st;
    n.physical = ::lstat((dir + "/device").c_str(), &st) == 0;
    out.push_back(std::move(n));
  }
  std::sort(out.begin(), out.end(),
            [](const NetInterface& a, const NetInterface& b) {
              return a.index < b.index;
            });
  return out;
}

Dmi ReadDmi(const HostEnv& env) {
  Dmi d;
  d.vendor = ReadFirstLine(env.Path("/sys/class/dmi/id/sys_vendor"));
  d.product = ReadFirstLine(env.Path("/sys/class/dmi/id/product_name"));
  if (d.vendor && d.vendor->empty()) d.vendor.reset();
  if (d.product && d.product->empty()) d.product.reset();
  return d;
}

std::string ReadHostName(const HostEnv& env) {
  auto h = ReadFirstLine(env.Path("/proc/sys/kernel/hostname"));
  if (h && !h->empty()) return *h;
  return env.uname ? env.uname().nodename : std::string();
}

std::string ReadDomainName(const HostEnv& env) {
  auto d = ReadFirstLine(env.Path("/proc/sys/kernel/domainname"));
  if (d && !d->empty() && *d != "(none)") return *d;
  std::string host = ReadHostName(env);
  size_t dot = host.find('.');
  if (dot != std::string::npos) return host.substr(dot + 1);
  return {};
}

std::string ReadTimeZone(const HostEnv& env) {
  auto tz = ReadFirstLine(env.Path("/etc/timezone"));
  if (tz && !tz->empty()) return *tz;
  if (auto link = ReadLinkAt(AT_FDCWD, env.Path("/etc/localtime").c_str())) {
    size_t at = link->find("zoneinfo/");
    if (at != std::string::npos) return link->substr(at + 9);
  }
  return "UTC";
}

std::string ReadLocale(const HostEnv& env) {
  if (env.getenv) {
    for (const char* name : {"LC_ALL", "LANG"}) {
      auto v = env.getenv(name);
      if (v && !v->empty()) return *v;
    }
  }
  return "C";
}

}  // namespace wsman::providers::host
