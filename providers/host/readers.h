// Small readers of the host's state for the built-in CIM providers. Every
// file is read under HostEnv::root ("/" in production, a fixture tree in
// tests), and what is not a file (statvfs, getifaddrs, uname, environment,
// the local UTC offset) goes through an injectable function, so tests assert
// values exactly.
#ifndef WSMAND_PROVIDERS_HOST_READERS_H_
#define WSMAND_PROVIDERS_HOST_READERS_H_

#include <sys/types.h>

#include <cstdint>
#include <ctime>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"

namespace wsman::providers::host {

struct UnameInfo {
  std::string sysname, nodename, release, version, machine;
};

struct FsStats {
  uint64_t block_size = 0;    // f_frsize
  uint64_t blocks = 0;        // f_blocks
  uint64_t blocks_free = 0;   // f_bfree
  uint64_t blocks_avail = 0;  // f_bavail (for unprivileged users)
  bool read_only = false;
};

struct IfAddress {
  std::string interface;
  int family = 0;       // AF_INET or AF_INET6
  std::string address;  // textual
  unsigned prefix_length = 0;
};

// Where and how the readers look.
struct HostEnv {
  std::string root = "/";
  std::function<std::optional<FsStats>(const std::string& path)> statvfs;
  std::function<std::vector<IfAddress>()> ifaddrs;
  std::function<UnameInfo()> uname;
  std::function<std::optional<std::string>(const char* name)> getenv;
  // The local UTC offset in minutes at `t`.
  std::function<int(time_t t)> utc_offset_minutes;
  base::WallClock now;  // unset = the real wall clock
  // The owner of the open /proc/<pid> directory `dir_fd` (the kernel makes
  // it root while the process is not dumpable); unset = fstat(). Fixture
  // trees cannot carry owners, so tests set it.
  std::function<std::optional<uid_t>(pid_t pid, int dir_fd)> proc_owner;
  // A user's groups (getgrouplist) and a group's id (getgrnam_r), for who
  // is an administrator and who passes a hidepid mount's gid=.
  std::function<std::vector<gid_t>(const std::string& user, gid_t gid)>
      user_groups;
  std::function<std::optional<gid_t>(const std::string& group)> group_id;
  long clock_ticks = 100;  // sysconf(_SC_CLK_TCK)
  long page_size = 4096;   // sysconf(_SC_PAGESIZE)

  // The real host: root "/", the real system calls.
  static HostEnv Real();
  // `path` ("/proc/meminfo") under the root.
  std::string Path(std::string_view path) const;
};

// Whole file (nullopt when unreadable); ReadLine: first line, trimmed.
std::optional<std::string> ReadFile(const std::string& path);
std::optional<std::string> ReadFirstLine(const std::string& path);

// /etc/os-release (falling back to /usr/lib/os-release): KEY -> unquoted
// value.
std::map<std::string, std::string> ReadOsRelease(const HostEnv& env);

// /proc/meminfo: field -> kB value (e.g. "MemTotal" -> 16314336).
std::map<std::string, uint64_t> ReadMemInfo(const HostEnv& env);

// Seconds since boot (/proc/uptime, first field) and the boot time
// (/proc/stat btime, seconds since the epoch).
std::optional<double> ReadUptime(const HostEnv& env);
std::optional<time_t> ReadBootTime(const HostEnv& env);

struct LoadAvg {
  double one = 0, five = 0, fifteen = 0;
  unsigned running = 0, total = 0;
};
std::optional<LoadAvg> ReadLoadAvg(const HostEnv& env);

// One physical processor (socket) of /proc/cpuinfo.
struct CpuSocket {
  unsigned physical_id = 0;
  std::string vendor;  // vendor_id
  std::string model_name;
  double mhz = 0;
  // The highest clock: cpufreq's cpuinfo_max_freq of the socket's first
  // logical processor, else the nominal "@ 2.10GHz" of the model name; 0
  // when neither says.
  uint32_t max_mhz = 0;
  unsigned first_cpu = 0;  // "processor" number of its first entry
  unsigned cores = 0;      // distinct core ids (or "cpu cores")
  unsigned logical = 0;    // "processor" entries
  std::string family, model, stepping;
  bool long_mode = false;  // flags has "lm"
};
std::vector<CpuSocket> ReadCpuInfo(const HostEnv& env);
// Number of "processor" entries.
unsigned CountLogicalCpus(const HostEnv& env);

struct ProcessInfo {
  pid_t pid = 0;
  pid_t ppid = 0;
  std::string name;  // status Name (comm)
  char state = '?';
  uint64_t utime = 0, stime = 0;  // clock ticks
  int64_t priority = 0, nice = 0;
  uint64_t threads = 0;
  uint64_t start_ticks = 0;  // starttime, ticks after boot
  uint64_t vsize = 0;        // bytes
  uint64_t rss_pages = 0;
  uid_t uid = 0;                    // real uid (status Uid)
  gid_t gid = 0;                    // real gid (status Gid)
  uid_t euid = 0, suid = 0;         // effective and saved (status Uid)
  gid_t egid = 0, sgid = 0;         // (status Gid)
  std::optional<uid_t> proc_owner;  // owner of /proc/<pid> (HostEnv)
  uint64_t vm_peak_kb = 0, vm_hwm_kb = 0;
  std::string cmdline;  // NULs as spaces; "" for kernel threads or unread
  std::optional<std::string> exe;
  int session = 0;
};
// Which of a process's private fields to read (cmdline, exe), decided from
// the other fields of the same process (its credentials and owner).
struct ProcessDetails {
  bool command_line = true;
  bool executable_path = true;
};
using ProcessDetailsFilter = std::function<ProcessDetails(const ProcessInfo&)>;
// The numeric entries of /proc (process_reader.cc, as ReadProcess).
std::vector<pid_t> ListPids(const HostEnv& env);
// nullopt when the process is gone (or unreadable). Every file is read
// through one open /proc/<pid> directory, so that `details` decides about
// the process whose details are read, even if the pid is reused meanwhile.
// No filter: every field.
std::optional<ProcessInfo> ReadProcess(
    const HostEnv& env, pid_t pid, const ProcessDetailsFilter& details = {});

// The hidepid= and gid= options of the /proc mount (proc(5)): 0 off,
// 1 noaccess, 2 invisible, 4 ptraceable.
struct ProcMountOptions {
  int hidepid = 0;
  std::optional<gid_t> gid;
};
ProcMountOptions ReadProcMountOptions(const HostEnv& env);

struct Mount {
  std::string mount_point;
  std::string fs_type;
  std::string source;
  std::string options;        // per-mount options ("rw,relatime")
  std::string super_options;  // of the file system ("rw,hidepid=2")
  unsigned major = 0, minor = 0;
};
// /proc/self/mountinfo, escapes (\040) decoded, later mounts on the same
// point replacing earlier ones.
std::vector<Mount> ReadMounts(const HostEnv& env);
// Pseudo file systems that are no disks (proc, sysfs, cgroup2, ...).
bool IsPseudoFs(std::string_view fs_type);

struct NetInterface {
  std::string name;
  unsigned index = 0;
  std::string mac;  // "aa:bb:cc:dd:ee:ff" as in sysfs ("" when none)
  std::optional<uint32_t> mtu;
  std::optional<int64_t> speed_mbps;  // null when unreadable or negative
  std::string operstate;              // "up", "down", "unknown"
  unsigned type = 0;                  // ARPHRD_* (1 = Ethernet, 772 = lo)
  bool physical = false;              // has a device link
};
std::vector<NetInterface> ReadInterfaces(const HostEnv& env);

struct Dmi {
  std::optional<std::string> vendor;   // sys_vendor
  std::optional<std::string> product;  // product_name
};
Dmi ReadDmi(const HostEnv& env);

// /proc/sys/kernel/hostname (else uname nodename), and the DNS domain:
// /proc/sys/kernel/domainname unless "(none)", else what follows the first
// dot of the host name, else "".
std::string ReadHostName(const HostEnv& env);
std::string ReadDomainName(const HostEnv& env);

// /etc/timezone, else the zone the /etc/localtime link points at
// (".../zoneinfo/Europe/Paris" -> "Europe/Paris"), else "UTC".
std::string ReadTimeZone(const HostEnv& env);
// LC_ALL, else LANG, else "C".
std::string ReadLocale(const HostEnv& env);

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_READERS_H_
