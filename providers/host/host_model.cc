#include "providers/host/host_model.h"

#include "providers/host/host_hierarchy.h"

#include <sys/socket.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <ctime>

namespace wsman::providers::host {
namespace {

using T = CimType;

// One property of a family: absent (0), a property (1) or a key (2) in the
// DMTF class and in the Win32 class.
struct P {
  const char* name;
  CimType type;
  uint8_t cim;
  uint8_t win;
  bool array = false;
};

constexpr uint8_t kNo = 0, kYes = 1, kKey = 2;

const P kOsProps[] = {
    {"CSCreationClassName", T::kString, kKey, kYes},
    {"CSName", T::kString, kKey, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"Name", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"Manufacturer", T::kString, kNo, kYes},
    {"OSType", T::kUint16, kYes, kYes},
    {"OtherTypeDescription", T::kString, kYes, kYes},
    {"Version", T::kString, kYes, kYes},
    {"BuildNumber", T::kString, kNo, kYes},
    {"OSArchitecture", T::kString, kNo, kYes},
    {"LastBootUpTime", T::kDatetime, kYes, kYes},
    {"LocalDateTime", T::kDatetime, kYes, kYes},
    {"CurrentTimeZone", T::kSint16, kYes, kYes},
    {"TimeZone", T::kString, kYes, kYes},
    {"Locale", T::kString, kNo, kYes},
    {"NumberOfProcesses", T::kUint32, kYes, kYes},
    {"NumberOfLicensedUsers", T::kUint32, kYes, kYes},
    {"TotalVisibleMemorySize", T::kUint64, kYes, kYes},
    {"FreePhysicalMemory", T::kUint64, kYes, kYes},
    {"TotalVirtualMemorySize", T::kUint64, kYes, kYes},
    {"FreeVirtualMemory", T::kUint64, kYes, kYes},
    {"TotalSwapSpaceSize", T::kUint64, kYes, kYes},
    {"SizeStoredInPagingFiles", T::kUint64, kNo, kYes},
    {"FreeSpaceInPagingFiles", T::kUint64, kNo, kYes},
    {"Status", T::kString, kYes, kYes},
};

const P kCsProps[] = {
    {"CreationClassName", T::kString, kKey, kYes},
    {"Name", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"DNSHostName", T::kString, kNo, kYes},
    {"Domain", T::kString, kNo, kYes},
    {"PartOfDomain", T::kBoolean, kNo, kYes},
    {"Workgroup", T::kString, kNo, kYes},
    {"Manufacturer", T::kString, kNo, kYes},
    {"Model", T::kString, kNo, kYes},
    {"SystemType", T::kString, kNo, kYes},
    {"TotalPhysicalMemory", T::kUint64, kNo, kYes},
    {"NumberOfProcessors", T::kUint32, kNo, kYes},
    {"NumberOfLogicalProcessors", T::kUint32, kNo, kYes},
    {"NameFormat", T::kString, kYes, kNo},
    {"Dedicated", T::kUint16, kYes, kNo, true},
    {"Status", T::kString, kYes, kYes},
};

const P kCpuProps[] = {
    {"SystemCreationClassName", T::kString, kKey, kYes},
    {"SystemName", T::kString, kKey, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"DeviceID", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"Name", T::kString, kYes, kYes},
    {"Manufacturer", T::kString, kNo, kYes},
    {"Architecture", T::kUint16, kNo, kYes},
    {"AddressWidth", T::kUint16, kNo, kYes},
    {"DataWidth", T::kUint16, kYes, kYes},
    {"NumberOfCores", T::kUint32, kNo, kYes},
    {"NumberOfLogicalProcessors", T::kUint32, kNo, kYes},
    {"CurrentClockSpeed", T::kUint32, kYes, kYes},
    {"MaxClockSpeed", T::kUint32, kYes, kYes},
    {"LoadPercentage", T::kUint16, kYes, kYes},
    {"Status", T::kString, kYes, kYes},
};

const P kProcProps[] = {
    {"CSCreationClassName", T::kString, kKey, kYes},
    {"CSName", T::kString, kKey, kYes},
    {"OSCreationClassName", T::kString, kKey, kYes},
    {"OSName", T::kString, kKey, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"Handle", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"Name", T::kString, kYes, kYes},
    {"ProcessId", T::kUint32, kYes, kYes},
    {"ParentProcessId", T::kUint32, kYes, kYes},
    {"CommandLine", T::kString, kYes, kYes},
    {"ExecutablePath", T::kString, kYes, kYes},
    {"CreationDate", T::kDatetime, kYes, kYes},
    {"ExecutionState", T::kUint16, kYes, kYes},
    {"Priority", T::kUint32, kYes, kYes},
    {"ThreadCount", T::kUint32, kYes, kYes},
    {"WorkingSetSize", T::kUint64, kYes, kYes},
    {"PeakWorkingSetSize", T::kUint32, kNo, kYes},
    {"VirtualSize", T::kUint64, kYes, kYes},
    {"PeakVirtualSize", T::kUint64, kNo, kYes},
    {"KernelModeTime", T::kUint64, kYes, kYes},
    {"UserModeTime", T::kUint64, kYes, kYes},
    {"SessionId", T::kUint32, kNo, kYes},
};

const P kFsProps[] = {
    {"CSCreationClassName", T::kString, kKey, kYes},
    {"CSName", T::kString, kKey, kNo},
    {"SystemName", T::kString, kNo, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"Name", T::kString, kKey, kYes},
    {"DeviceID", T::kString, kNo, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"Root", T::kString, kYes, kNo},
    {"FileSystemType", T::kString, kYes, kNo},
    {"FileSystem", T::kString, kNo, kYes},
    {"VolumeName", T::kString, kNo, kYes},
    {"ProviderName", T::kString, kNo, kYes},
    {"DriveType", T::kUint32, kNo, kYes},
    {"FileSystemSize", T::kUint64, kYes, kNo},
    {"AvailableSpace", T::kUint64, kYes, kNo},
    {"Size", T::kUint64, kNo, kYes},
    {"FreeSpace", T::kUint64, kNo, kYes},
    {"BlockSize", T::kUint64, kYes, kYes},
    {"ReadOnly", T::kBoolean, kYes, kNo},
    {"Access", T::kUint16, kNo, kYes},
};

const P kNicProps[] = {
    {"SystemCreationClassName", T::kString, kKey, kYes},
    {"SystemName", T::kString, kKey, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"DeviceID", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"Name", T::kString, kYes, kYes},
    {"NetConnectionID", T::kString, kNo, kYes},
    {"Index", T::kUint32, kNo, kYes},
    {"InterfaceIndex", T::kUint32, kNo, kYes},
    {"MACAddress", T::kString, kNo, kYes},
    {"PermanentAddress", T::kString, kYes, kNo},
    {"NetworkAddresses", T::kString, kYes, kNo, true},
    {"Speed", T::kUint64, kYes, kYes},
    {"ActiveMaximumTransmissionUnit", T::kUint64, kYes, kNo},
    {"AdapterType", T::kString, kNo, kYes},
    {"PhysicalAdapter", T::kBoolean, kNo, kYes},
    {"NetEnabled", T::kBoolean, kNo, kYes},
    {"NetConnectionStatus", T::kUint16, kNo, kYes},
    {"EnabledState", T::kUint16, kYes, kNo},
    {"LinkTechnology", T::kUint16, kYes, kNo},
};

const P kIpProps[] = {
    {"SystemCreationClassName", T::kString, kKey, kNo},
    {"SystemName", T::kString, kKey, kNo},
    {"CreationClassName", T::kString, kKey, kNo},
    {"Name", T::kString, kKey, kNo},
    {"Index", T::kUint32, kNo, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"SettingID", T::kString, kNo, kYes},
    {"InterfaceIndex", T::kUint32, kNo, kYes},
    {"MACAddress", T::kString, kNo, kYes},
    {"IPEnabled", T::kBoolean, kNo, kYes},
    {"IPAddress", T::kString, kNo, kYes, true},
    {"IPSubnet", T::kString, kNo, kYes, true},
    {"MTU", T::kUint32, kNo, kYes},
    {"DNSHostName", T::kString, kNo, kYes},
    {"DNSDomain", T::kString, kNo, kYes},
    {"IPv4Address", T::kString, kYes, kNo},
    {"SubnetMask", T::kString, kYes, kNo},
    {"IPv6Address", T::kString, kYes, kNo},
    {"PrefixLength", T::kUint8, kYes, kNo},
    {"ProtocolIFType", T::kUint16, kYes, kNo},
    {"EnabledState", T::kUint16, kYes, kNo},
};

const P kServiceProps[] = {
    {"SystemCreationClassName", T::kString, kKey, kYes},
    {"SystemName", T::kString, kKey, kYes},
    {"CreationClassName", T::kString, kKey, kYes},
    {"Name", T::kString, kKey, kKey},
    {"Caption", T::kString, kYes, kYes},
    {"Description", T::kString, kYes, kYes},
    {"DisplayName", T::kString, kNo, kYes},
    {"State", T::kString, kNo, kYes},
    {"Started", T::kBoolean, kYes, kYes},
    {"StartMode", T::kString, kYes, kYes},
    {"Status", T::kString, kYes, kYes},
    {"ProcessId", T::kUint32, kNo, kYes},
    {"PathName", T::kString, kNo, kYes},
    {"StartName", T::kString, kNo, kYes},
    {"ServiceType", T::kString, kNo, kYes},
    {"ExitCode", T::kUint32, kNo, kYes},
    {"AcceptStop", T::kBoolean, kNo, kYes},
    {"AcceptPause", T::kBoolean, kNo, kYes},
    {"EnabledState", T::kUint16, kYes, kNo},
};

template <size_t N>
std::shared_ptr<ClassDecl> Decl(std::string name, const P (&props)[N],
                                bool win32) {
  auto d = std::make_shared<ClassDecl>();
  d->name = std::move(name);
  for (const P& p : props) {
    uint8_t k = win32 ? p.win : p.cim;
    if (k == kNo) continue;
    d->properties.push_back({p.name, p.type, p.array, k == kKey, {}});
  }
  return d;
}

ParamDecl In(std::string name, CimType t) {
  return {std::move(name), t, false, true, false, {}};
}
ParamDecl Out(std::string name, CimType t) {
  return {std::move(name), t, false, false, true, {}};
}

void AddProcessMethods(ClassDecl* d) {
  MethodDecl create;
  create.name = "Create";
  create.is_static = true;
  create.params = {In("CommandLine", T::kString),
                   In("CurrentDirectory", T::kString),
                   Out("ProcessId", T::kUint32)};
  MethodDecl terminate;
  terminate.name = "Terminate";
  terminate.params = {In("Reason", T::kUint32)};
  MethodDecl owner;
  owner.name = "GetOwner";
  owner.params = {Out("User", T::kString), Out("Domain", T::kString)};
  d->methods = {create, terminate, owner};
}

void AddServiceMethods(ClassDecl* d) {
  MethodDecl start;
  start.name = "StartService";
  MethodDecl stop;
  stop.name = "StopService";
  d->methods = {start, stop};
}

std::shared_ptr<ClassDecl> AssocDecl(std::string name, std::string left_role,
                                     std::string left_class,
                                     std::string right_role,
                                     std::string right_class) {
  auto d = std::make_shared<ClassDecl>();
  d->name = std::move(name);
  d->properties.push_back({std::move(left_role), T::kReference, false, true,
                           std::move(left_class)});
  d->properties.push_back({std::move(right_role), T::kReference, false, true,
                           std::move(right_class)});
  return d;
}

struct Catalogue {
  std::vector<HostClass> classes;
  std::vector<std::shared_ptr<const ClassDecl>> bases;
};

// The superclasses (and the bases nobody serves) come from
// host_hierarchy.cc.
Catalogue BuildClasses() {
  Catalogue out;
  std::vector<std::shared_ptr<ClassDecl>> decls;
  auto add = [&](const char* name, Family f, bool win32,
                 std::shared_ptr<ClassDecl> d) {
    decls.push_back(d);
    out.classes.push_back({name, f, win32, std::move(d)});
  };
  auto pair = [&](Family f, const char* cim, const char* win,
                  const auto& props) {
    auto c = Decl(cim, props, false);
    auto w = Decl(win, props, true);
    if (f == Family::kProcess) {
      AddProcessMethods(c.get());
      AddProcessMethods(w.get());
    } else if (f == Family::kService) {
      AddServiceMethods(c.get());
      AddServiceMethods(w.get());
    }
    add(cim, f, false, c);
    add(win, f, true, w);
  };
  pair(Family::kOperatingSystem, "CIM_OperatingSystem", "Win32_OperatingSystem",
       kOsProps);
  pair(Family::kComputerSystem, "CIM_ComputerSystem", "Win32_ComputerSystem",
       kCsProps);
  pair(Family::kProcessor, "CIM_Processor", "Win32_Processor", kCpuProps);
  pair(Family::kProcess, "CIM_Process", "Win32_Process", kProcProps);
  pair(Family::kFileSystem, "CIM_FileSystem", "Win32_LogicalDisk", kFsProps);
  pair(Family::kNetworkAdapter, "CIM_EthernetPort", "Win32_NetworkAdapter",
       kNicProps);
  pair(Family::kIpEndpoint, "CIM_IPProtocolEndpoint",
       "Win32_NetworkAdapterConfiguration", kIpProps);
  pair(Family::kService, "CIM_Service", "Win32_Service", kServiceProps);
  add("CIM_RunningOS", Family::kAssociation, false,
      AssocDecl("CIM_RunningOS", "Antecedent", "CIM_OperatingSystem",
                "Dependent", "CIM_ComputerSystem"));
  add("CIM_OSProcess", Family::kAssociation, false,
      AssocDecl("CIM_OSProcess", "GroupComponent", "CIM_OperatingSystem",
                "PartComponent", "CIM_Process"));
  add("CIM_HostedFileSystem", Family::kAssociation, false,
      AssocDecl("CIM_HostedFileSystem", "GroupComponent", "CIM_ComputerSystem",
                "PartComponent", "CIM_FileSystem"));
  out.bases = LinkHostHierarchy(decls);
  return out;
}

const Catalogue& TheCatalogue() {
  static const Catalogue catalogue = BuildClasses();
  return catalogue;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string StripColons(const std::string& mac) {
  std::string out;
  for (char c : mac) {
    if (c != ':') out += c;
  }
  return Upper(out);
}

std::string Ipv4Mask(unsigned prefix) {
  uint32_t m = prefix == 0 ? 0 : ~uint32_t{0} << (32 - std::min(prefix, 32u));
  return std::to_string(m >> 24) + "." + std::to_string((m >> 16) & 255) + "." +
         std::to_string((m >> 8) & 255) + "." + std::to_string(m & 255);
}

Value Str(std::string s) { return Value::String(std::move(s)); }
Value OptStr(const std::optional<std::string>& s) {
  return s ? Value::String(*s) : Value::Null(T::kString);
}

// "Windows" uint16 Architecture of uname's machine.
uint16_t Architecture(const std::string& machine) {
  if (machine == "x86_64") return 9;
  if (machine == "aarch64" || machine == "arm64") return 12;
  if (machine.size() == 4 && machine[0] == 'i' && machine.substr(2) == "86") {
    return 0;
  }
  if (machine.rfind("arm", 0) == 0) return 5;
  if (machine == "ia64") return 6;
  return 0xFFFF;
}

bool Is64Bit(const std::string& machine) {
  return machine.find("64") != std::string::npos;
}

// Windows' DriveType of a file system.
uint32_t DriveType(const Mount& m) {
  static constexpr std::string_view kNetwork[] = {
      "nfs", "nfs4",       "cifs", "smb3",     "smbfs",
      "9p",  "fuse.sshfs", "ceph", "glusterfs"};
  for (std::string_view n : kNetwork) {
    if (m.fs_type == n) return 4;
  }
  if (m.fs_type == "tmpfs" || m.fs_type == "ramfs") return 6;
  if (m.fs_type == "iso9660" || m.fs_type == "udf") return 5;
  return 3;
}

}  // namespace

const std::vector<HostClass>& HostClasses() { return TheCatalogue().classes; }

const std::vector<std::shared_ptr<const ClassDecl>>& HostBaseClasses() {
  return TheCatalogue().bases;
}

const HostClass* FindHostClass(std::string_view name) {
  for (const HostClass& c : HostClasses()) {
    if (NameEquals(c.name, name)) return &c;
  }
  return nullptr;
}

Datetime LocalTimestamp(time_t t, int utc_offset_minutes) {
  time_t local = t + static_cast<time_t>(utc_offset_minutes) * 60;
  struct tm tm;
  ::gmtime_r(&local, &tm);
  return Datetime::Timestamp(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                             tm.tm_hour, tm.tm_min, tm.tm_sec, 0,
                             utc_offset_minutes);
}

Instance Shape(const Instance& full, const ClassDecl& decl) {
  Instance out(decl.name, full.namespace_name());
  for (const PropertyDecl& p : decl.properties) {
    const Value* v = full.Get(p.name);
    out.Set(p.name, v ? *v : Value::Null(p.type, p.is_array), p.key);
  }
  return out;
}

bool MatchesKeys(const Instance& candidate, const Instance& keys) {
  for (const Property& k : keys.properties()) {
    const Value* v = candidate.Get(k.name);
    if (!v) return false;
    if (v->is_null() != k.value.is_null()) return false;
    if (v->is_null()) continue;
    if (v->is_array() || k.value.is_array()) return false;
    if (v->type() == T::kReference || k.value.type() == T::kReference) {
      InstancePtr a = v->AsInstance(), b = k.value.AsInstance();
      if (!a || !b || !MatchesKeys(*a, *b)) return false;
      continue;
    }
    std::string a = ScalarToText(v->type(), v->scalar());
    std::string b = ScalarToText(k.value.type(), k.value.scalar());
    if (v->type() == T::kString || k.value.type() == T::kString) {
      if (!NameEquals(a, b)) return false;
    } else if (a != b) {
      return false;
    }
  }
  return true;
}

HostModel::HostModel(HostEnv env) : env_(std::move(env)) {}

HostFacts HostModel::Facts() const {
  HostFacts f;
  f.host_name = ReadHostName(env_);
  f.domain = ReadDomainName(env_);
  auto os = ReadOsRelease(env_);
  f.os_name = os.count("PRETTY_NAME")
                  ? os["PRETTY_NAME"]
                  : (os.count("NAME") ? os["NAME"] : std::string("Linux"));
  f.boot_time = ReadBootTime(env_);
  return f;
}

Instance HostModel::OperatingSystem(const HostClass& cls, const std::string& ns,
                                    const HostFacts& f) const {
  auto os = ReadOsRelease(env_);
  auto mem = ReadMemInfo(env_);
  UnameInfo u = env_.uname ? env_.uname() : UnameInfo{};
  time_t now = std::chrono::system_clock::to_time_t(
      env_.now ? env_.now() : std::chrono::system_clock::now());
  int offset = env_.utc_offset_minutes ? env_.utc_offset_minutes(now) : 0;
  Instance i(cls.name, ns);
  i.Set("CSCreationClassName",
        Str(cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem"));
  i.Set("CSName", Str(f.host_name));
  i.Set("CreationClassName", Str(cls.name));
  i.Set("Name", Str(f.os_name));
  i.Set("Caption", Str(f.os_name));
  i.Set("Description", Str(u.sysname + " " + u.release + " " + u.version));
  i.Set("Manufacturer", Str(os.count("NAME") ? os["NAME"] : u.sysname));
  i.Set("OSType", Value::Uint16(36));  // LINUX (CIM_OperatingSystem.OSType)
  i.Set("OtherTypeDescription", Str(u.sysname));
  i.Set("Version", os.count("VERSION_ID") ? Str(os["VERSION_ID"])
                                          : Value::Null(T::kString));
  i.Set("BuildNumber", Str(u.release));
  i.Set("OSArchitecture", Str(Is64Bit(u.machine) ? "64-bit" : "32-bit"));
  if (f.boot_time) {
    i.Set("LastBootUpTime",
          Value::DateTime(LocalTimestamp(
              *f.boot_time, env_.utc_offset_minutes
                                ? env_.utc_offset_minutes(*f.boot_time)
                                : 0)));
  }
  i.Set("LocalDateTime", Value::DateTime(LocalTimestamp(now, offset)));
  i.Set("CurrentTimeZone", Value::Sint16(static_cast<int16_t>(offset)));
  i.Set("TimeZone", Str(ReadTimeZone(env_)));
  i.Set("Locale", Str(ReadLocale(env_)));
  i.Set("NumberOfProcesses",
        Value::Uint32(static_cast<uint32_t>(ListPids(env_).size())));
  i.Set("NumberOfLicensedUsers", Value::Uint32(0));
  auto kb = [&](const char* k) -> std::optional<uint64_t> {
    auto it = mem.find(k);
    if (it == mem.end()) return std::nullopt;
    return it->second;
  };
  auto u64 = [](std::optional<uint64_t> v) {
    return v ? Value::Uint64(*v) : Value::Null(T::kUint64);
  };
  auto total = kb("MemTotal");
  auto avail = kb("MemAvailable") ? kb("MemAvailable") : kb("MemFree");
  auto swap_total = kb("SwapTotal").value_or(0);
  auto swap_free = kb("SwapFree").value_or(0);
  i.Set("TotalVisibleMemorySize", u64(total));
  i.Set("FreePhysicalMemory", u64(avail));
  i.Set(
      "TotalVirtualMemorySize",
      u64(total ? std::optional<uint64_t>(*total + swap_total) : std::nullopt));
  i.Set(
      "FreeVirtualMemory",
      u64(avail ? std::optional<uint64_t>(*avail + swap_free) : std::nullopt));
  i.Set("TotalSwapSpaceSize", Value::Uint64(swap_total));
  i.Set("SizeStoredInPagingFiles", Value::Uint64(swap_total));
  i.Set("FreeSpaceInPagingFiles", Value::Uint64(swap_free));
  i.Set("Status", Str("OK"));
  return Shape(i, *cls.decl);
}

Instance HostModel::ComputerSystem(const HostClass& cls, const std::string& ns,
                                   const HostFacts& f) const {
  auto mem = ReadMemInfo(env_);
  auto cpus = ReadCpuInfo(env_);
  Dmi dmi = ReadDmi(env_);
  UnameInfo u = env_.uname ? env_.uname() : UnameInfo{};
  unsigned logical = 0;
  for (const CpuSocket& s : cpus) logical += s.logical;
  Instance i(cls.name, ns);
  i.Set("CreationClassName", Str(cls.name));
  i.Set("Name", Str(f.host_name));
  i.Set("Caption", Str(f.host_name));
  i.Set("Description", Str("AT/AT COMPATIBLE"));
  i.Set("DNSHostName", Str(f.host_name.substr(0, f.host_name.find('.'))));
  i.Set("Domain", Str(f.domain.empty() ? "WORKGROUP" : f.domain));
  i.Set("PartOfDomain", Value::Boolean(false));
  i.Set("Workgroup",
        f.domain.empty() ? Str("WORKGROUP") : Value::Null(T::kString));
  i.Set("Manufacturer", OptStr(dmi.vendor));
  i.Set("Model", OptStr(dmi.product));
  std::string type = u.machine == "x86_64"    ? "x64-based PC"
                     : u.machine == "aarch64" ? "ARM64-based PC"
                                              : u.machine + "-based PC";
  i.Set("SystemType", Str(type));
  if (auto it = mem.find("MemTotal"); it != mem.end()) {
    i.Set("TotalPhysicalMemory", Value::Uint64(it->second * 1024));
  }
  i.Set("NumberOfProcessors",
        Value::Uint32(static_cast<uint32_t>(cpus.size())));
  i.Set("NumberOfLogicalProcessors", Value::Uint32(logical));
  i.Set("NameFormat", Str("IP"));
  i.Set("Dedicated", Value::Array(T::kUint16, {Scalar(uint64_t{0})}));
  i.Set("Status", Str("OK"));
  return Shape(i, *cls.decl);
}

std::vector<Instance> HostModel::Processors(const HostClass& cls,
                                            const std::string& ns,
                                            const HostFacts& f) const {
  std::vector<Instance> out;
  auto sockets = ReadCpuInfo(env_);
  unsigned logical_total = 0;
  for (const CpuSocket& s : sockets) logical_total += s.logical;
  auto load = ReadLoadAvg(env_);
  UnameInfo u = env_.uname ? env_.uname() : UnameInfo{};
  for (const CpuSocket& s : sockets) {
    Instance i(cls.name, ns);
    std::string id = "CPU" + std::to_string(s.physical_id);
    i.Set("SystemCreationClassName",
          Str(cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem"));
    i.Set("SystemName", Str(f.host_name));
    i.Set("CreationClassName", Str(cls.name));
    i.Set("DeviceID", Str(id));
    std::string desc =
        "Family " + s.family + " Model " + s.model + " Stepping " + s.stepping;
    i.Set("Caption", Str(desc));
    i.Set("Description", Str(desc));
    i.Set("Name", Str(s.model_name));
    i.Set("Manufacturer", Str(s.vendor));
    i.Set("Architecture", Value::Uint16(Architecture(u.machine)));
    uint16_t width = (s.long_mode || Is64Bit(u.machine)) ? 64 : 32;
    i.Set("AddressWidth", Value::Uint16(width));
    i.Set("DataWidth", Value::Uint16(width));
    i.Set("NumberOfCores", Value::Uint32(s.cores));
    i.Set("NumberOfLogicalProcessors", Value::Uint32(s.logical));
    i.Set("CurrentClockSpeed",
          Value::Uint32(static_cast<uint32_t>(std::lround(s.mhz))));
    i.Set("MaxClockSpeed",
          s.max_mhz ? Value::Uint32(s.max_mhz) : Value::Null(T::kUint32));
    if (load && logical_total > 0) {
      // The one-minute load average per logical processor, in percent.
      double pct = load->one * 100.0 / logical_total;
      i.Set("LoadPercentage", Value::Uint16(static_cast<uint16_t>(std::min(
                                  100.0, std::max(0.0, std::round(pct))))));
    }
    i.Set("Status", Str("OK"));
    out.push_back(Shape(i, *cls.decl));
  }
  return out;
}

std::optional<Instance> HostModel::Process(const HostClass& cls,
                                           const std::string& ns,
                                           const HostFacts& f, pid_t pid,
                                           const ProcessViewer& viewer) const {
  ProcessVisibility seen;
  auto p = ReadProcess(env_, pid, [&](const ProcessInfo& basic) {
    seen = VisibilityOf(basic, viewer);
    return ProcessDetails{seen.command_line, seen.executable_path};
  });
  if (!p || !seen.listed) return std::nullopt;
  Instance i(cls.name, ns);
  std::string cs = cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem";
  std::string os = cls.win32 ? "Win32_OperatingSystem" : "CIM_OperatingSystem";
  i.Set("CSCreationClassName", Str(cs));
  i.Set("CSName", Str(f.host_name));
  i.Set("OSCreationClassName", Str(os));
  i.Set("OSName", Str(f.os_name));
  i.Set("CreationClassName", Str(cls.name));
  i.Set("Handle", Str(std::to_string(pid)));
  i.Set("Caption", Str(p->name));
  i.Set("Description", Str(p->name));
  i.Set("Name", Str(p->name));
  i.Set("ProcessId", Value::Uint32(static_cast<uint32_t>(pid)));
  i.Set("ParentProcessId", Value::Uint32(static_cast<uint32_t>(p->ppid)));
  // Null also when the viewer may not see them (not read at all then).
  i.Set("CommandLine", seen.command_line && !p->cmdline.empty()
                           ? Str(p->cmdline)
                           : Value::Null(T::kString));
  i.Set("ExecutablePath",
        seen.executable_path ? OptStr(p->exe) : Value::Null(T::kString));
  long hz = env_.clock_ticks > 0 ? env_.clock_ticks : 100;
  if (f.boot_time) {
    time_t start = *f.boot_time + static_cast<time_t>(p->start_ticks / hz);
    Datetime d = LocalTimestamp(
        start, env_.utc_offset_minutes ? env_.utc_offset_minutes(start) : 0);
    d.microseconds =
        static_cast<uint32_t>((p->start_ticks % hz) * 1000000 / hz);
    i.Set("CreationDate", Value::DateTime(d));
  }
  // CIM_Process.ExecutionState: 3 Ready, 6 Suspended Blocked, 7 Terminated,
  // 8 Stopped, 1 Other.
  uint16_t state = 1;
  switch (p->state) {
    case 'R':
      state = 3;
      break;
    case 'S':
    case 'I':
      state = 6;
      break;
    case 'D':
      state = 4;
      break;
    case 'T':
    case 't':
      state = 8;
      break;
    case 'Z':
    case 'X':
      state = 7;
      break;
    default:
      break;
  }
  i.Set("ExecutionState", Value::Uint16(state));
  i.Set(
      "Priority",
      Value::Uint32(static_cast<uint32_t>(std::max<int64_t>(0, p->priority))));
  i.Set("ThreadCount", Value::Uint32(static_cast<uint32_t>(p->threads)));
  i.Set("WorkingSetSize",
        Value::Uint64(p->rss_pages * static_cast<uint64_t>(env_.page_size)));
  i.Set("PeakWorkingSetSize",
        Value::Uint32(static_cast<uint32_t>(p->vm_hwm_kb)));
  i.Set("VirtualSize", Value::Uint64(p->vsize));
  i.Set("PeakVirtualSize", Value::Uint64(p->vm_peak_kb * 1024));
  // 100-nanosecond units, as Windows.
  i.Set("KernelModeTime",
        Value::Uint64(p->stime * (10000000ull / static_cast<uint64_t>(hz))));
  i.Set("UserModeTime",
        Value::Uint64(p->utime * (10000000ull / static_cast<uint64_t>(hz))));
  i.Set("SessionId", Value::Uint32(static_cast<uint32_t>(p->session)));
  return Shape(i, *cls.decl);
}

void HostModel::ForEachProcess(
    const HostClass& cls, const std::string& ns, const HostFacts& f,
    const ProcessViewer& viewer,
    const std::function<bool(Instance)>& post) const {
  for (pid_t pid : ListPids(env_)) {
    auto i = Process(cls, ns, f, pid, viewer);
    if (i && !post(std::move(*i))) return;
  }
}

std::vector<Instance> HostModel::FileSystems(const HostClass& cls,
                                             const std::string& ns,
                                             const HostFacts& f) const {
  std::vector<Instance> out;
  for (const Mount& m : ReadMounts(env_)) {
    if (IsPseudoFs(m.fs_type)) continue;
    std::optional<FsStats> st;
    if (env_.statvfs) st = env_.statvfs(env_.Path(m.mount_point));
    if (!st) continue;
    Instance i(cls.name, ns);
    i.Set("CSCreationClassName",
          Str(cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem"));
    i.Set("CSName", Str(f.host_name));
    i.Set("SystemName", Str(f.host_name));
    i.Set("CreationClassName", Str(cls.name));
    i.Set("Name", Str(m.mount_point));
    i.Set("DeviceID", Str(m.mount_point));
    i.Set("Caption", Str(m.mount_point));
    uint32_t drive = DriveType(m);
    i.Set("Description", Str(drive == 4   ? "Network Connection"
                             : drive == 6 ? "RAM Disk"
                             : drive == 5 ? "CD-ROM Disc"
                                          : "Local Fixed Disk"));
    i.Set("Root", Str(m.mount_point));
    i.Set("FileSystemType", Str(m.fs_type));
    i.Set("FileSystem", Str(m.fs_type));
    i.Set("VolumeName", Str(m.source));
    i.Set("ProviderName", drive == 4 ? Str(m.source) : Value::Null(T::kString));
    i.Set("DriveType", Value::Uint32(drive));
    uint64_t size = st->blocks * st->block_size;
    uint64_t avail = st->blocks_avail * st->block_size;
    i.Set("FileSystemSize", Value::Uint64(size));
    i.Set("AvailableSpace", Value::Uint64(avail));
    i.Set("Size", Value::Uint64(size));
    i.Set("FreeSpace", Value::Uint64(avail));
    i.Set("BlockSize", Value::Uint64(st->block_size));
    bool ro = st->read_only || m.options.rfind("ro", 0) == 0;
    i.Set("ReadOnly", Value::Boolean(ro));
    i.Set("Access", Value::Uint16(ro ? 1 : 3));
    out.push_back(Shape(i, *cls.decl));
  }
  return out;
}

std::vector<Instance> HostModel::NetworkAdapters(const HostClass& cls,
                                                 const std::string& ns,
                                                 const HostFacts& f) const {
  std::vector<Instance> out;
  std::vector<IfAddress> addrs =
      env_.ifaddrs ? env_.ifaddrs() : std::vector<IfAddress>{};
  for (const NetInterface& n : ReadInterfaces(env_)) {
    Instance i(cls.name, ns);
    i.Set("SystemCreationClassName",
          Str(cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem"));
    i.Set("SystemName", Str(f.host_name));
    i.Set("CreationClassName", Str(cls.name));
    i.Set("DeviceID", Str(cls.win32 ? std::to_string(n.index) : n.name));
    i.Set("Caption", Str(n.name));
    i.Set("Description", Str(n.name));
    i.Set("Name", Str(n.name));
    i.Set("NetConnectionID", Str(n.name));
    i.Set("Index", Value::Uint32(n.index));
    i.Set("InterfaceIndex", Value::Uint32(n.index));
    bool has_mac = !n.mac.empty() && n.mac != "00:00:00:00:00:00";
    i.Set("MACAddress", has_mac ? Str(Upper(n.mac)) : Value::Null(T::kString));
    i.Set("PermanentAddress",
          has_mac ? Str(StripColons(n.mac)) : Value::Null(T::kString));
    std::vector<Scalar> net;
    if (has_mac) {
      net.emplace_back(std::in_place_type<std::string>, StripColons(n.mac));
    }
    i.Set("NetworkAddresses", Value::Array(T::kString, std::move(net)));
    i.Set("Speed",
          n.speed_mbps
              ? Value::Uint64(static_cast<uint64_t>(*n.speed_mbps) * 1000000ull)
              : Value::Null(T::kUint64));
    i.Set("ActiveMaximumTransmissionUnit",
          n.mtu ? Value::Uint64(*n.mtu) : Value::Null(T::kUint64));
    i.Set("AdapterType",
          n.type == 1 ? Str("Ethernet 802.3") : Value::Null(T::kString));
    i.Set("PhysicalAdapter", Value::Boolean(n.physical));
    bool up = n.operstate == "up" ||
              (n.operstate == "unknown" &&
               std::any_of(addrs.begin(), addrs.end(), [&](const IfAddress& a) {
                 return a.interface == n.name;
               }));
    i.Set("NetEnabled", Value::Boolean(up));
    // Windows: 2 Connected, 7 Media disconnected, 0 Disconnected.
    i.Set("NetConnectionStatus", Value::Uint16(up                      ? 2
                                               : n.operstate == "down" ? 7
                                                                       : 0));
    i.Set("EnabledState", Value::Uint16(up ? 2 : 3));
    i.Set("LinkTechnology", Value::Uint16(n.type == 1 ? 2 : 1));
    out.push_back(Shape(i, *cls.decl));
  }
  return out;
}

std::vector<Instance> HostModel::IpEndpoints(const HostClass& cls,
                                             const std::string& ns,
                                             const HostFacts& f) const {
  std::vector<Instance> out;
  std::vector<IfAddress> addrs =
      env_.ifaddrs ? env_.ifaddrs() : std::vector<IfAddress>{};
  auto interfaces = ReadInterfaces(env_);
  if (cls.win32) {
    for (const NetInterface& n : interfaces) {
      Instance i(cls.name, ns);
      i.Set("Index", Value::Uint32(n.index));
      i.Set("Caption", Str("[" + std::to_string(n.index) + "] " + n.name));
      i.Set("Description", Str(n.name));
      i.Set("SettingID", Str(n.name));
      i.Set("InterfaceIndex", Value::Uint32(n.index));
      bool has_mac = !n.mac.empty() && n.mac != "00:00:00:00:00:00";
      i.Set("MACAddress",
            has_mac ? Str(Upper(n.mac)) : Value::Null(T::kString));
      std::vector<Scalar> ips, subnets;
      for (int family : {AF_INET, AF_INET6}) {
        for (const IfAddress& a : addrs) {
          if (a.interface != n.name || a.family != family) continue;
          std::string subnet = family == AF_INET
                                   ? Ipv4Mask(a.prefix_length)
                                   : std::to_string(a.prefix_length);
          ips.emplace_back(std::in_place_type<std::string>, a.address);
          subnets.emplace_back(std::in_place_type<std::string>,
                               std::move(subnet));
        }
      }
      bool enabled = !ips.empty();
      i.Set("IPEnabled", Value::Boolean(enabled));
      i.Set("IPAddress", enabled ? Value::Array(T::kString, std::move(ips))
                                 : Value::Null(T::kString, true));
      i.Set("IPSubnet", enabled ? Value::Array(T::kString, std::move(subnets))
                                : Value::Null(T::kString, true));
      i.Set("MTU", n.mtu ? Value::Uint32(*n.mtu) : Value::Null(T::kUint32));
      i.Set("DNSHostName", Str(f.host_name.substr(0, f.host_name.find('.'))));
      i.Set("DNSDomain",
            f.domain.empty() ? Value::Null(T::kString) : Str(f.domain));
      out.push_back(Shape(i, *cls.decl));
    }
    return out;
  }
  for (const NetInterface& n : interfaces) {
    for (int family : {AF_INET, AF_INET6}) {
      for (const IfAddress& a : addrs) {
        if (a.interface != n.name || a.family != family) continue;
        bool v4 = family == AF_INET;
        Instance i(cls.name, ns);
        i.Set("SystemCreationClassName", Str("CIM_ComputerSystem"));
        i.Set("SystemName", Str(f.host_name));
        i.Set("CreationClassName", Str(cls.name));
        std::string name =
            std::string(v4 ? "IPv4_" : "IPv6_") + n.name + "_" + a.address;
        i.Set("Name", Str(name));
        i.Set("Caption", Str(name));
        i.Set("Description", Str(n.name));
        i.Set("IPv4Address", v4 ? Str(a.address) : Value::Null(T::kString));
        i.Set("SubnetMask",
              v4 ? Str(Ipv4Mask(a.prefix_length)) : Value::Null(T::kString));
        i.Set("IPv6Address", v4 ? Value::Null(T::kString) : Str(a.address));
        i.Set("PrefixLength",
              Value::Uint8(static_cast<uint8_t>(a.prefix_length)));
        i.Set("ProtocolIFType", Value::Uint16(v4 ? 4096 : 4097));
        i.Set("EnabledState", Value::Uint16(2));
        out.push_back(Shape(i, *cls.decl));
      }
    }
  }
  return out;
}

void HostModel::ForEach(const HostClass& cls, const std::string& ns,
                        const ProcessViewer& viewer,
                        const std::function<bool(Instance)>& post) const {
  HostFacts f = Facts();
  auto all = [&](std::vector<Instance> v) {
    for (Instance& i : v) {
      if (!post(std::move(i))) return;
    }
  };
  switch (cls.family) {
    case Family::kOperatingSystem:
      post(OperatingSystem(cls, ns, f));
      break;
    case Family::kComputerSystem:
      post(ComputerSystem(cls, ns, f));
      break;
    case Family::kProcessor:
      all(Processors(cls, ns, f));
      break;
    case Family::kProcess:
      ForEachProcess(cls, ns, f, viewer, post);
      break;
    case Family::kFileSystem:
      all(FileSystems(cls, ns, f));
      break;
    case Family::kNetworkAdapter:
      all(NetworkAdapters(cls, ns, f));
      break;
    case Family::kIpEndpoint:
      all(IpEndpoints(cls, ns, f));
      break;
    case Family::kService:
    case Family::kAssociation:
      break;
  }
}

// ------------------------------------------------------------ associations

namespace {

struct AssocSpec {
  const char* name;
  const char* left_role;
  Family left;
  const char* right_role;
  Family right;
};
constexpr AssocSpec kAssocs[] = {
    {"CIM_RunningOS", "Antecedent", Family::kOperatingSystem, "Dependent",
     Family::kComputerSystem},
    {"CIM_OSProcess", "GroupComponent", Family::kOperatingSystem,
     "PartComponent", Family::kProcess},
    {"CIM_HostedFileSystem", "GroupComponent", Family::kComputerSystem,
     "PartComponent", Family::kFileSystem},
};

const HostClass& ClassOf(Family f, bool win32) {
  for (const HostClass& c : HostClasses()) {
    if (c.family == f && c.win32 == win32) return c;
  }
  return HostClasses().front();
}

Value Ref(const Instance& i) {
  return Value::Reference(std::make_shared<const Instance>(i.KeysOnly()));
}

// True when `result` (of class `cls`) passes ResultClassName: its own
// class, a class it derives from, or the DMTF class of its family.
bool ClassMatches(std::string_view wanted, const HostClass& cls) {
  if (wanted.empty()) return true;
  for (const ClassDecl* d = cls.decl.get(); d; d = d->parent.get()) {
    if (NameEquals(wanted, d->name)) return true;
  }
  return cls.win32 && NameEquals(wanted, ClassOf(cls.family, false).name);
}

}  // namespace

void HostModel::Associations(const std::string& ns, const Instance& source,
                             const AssociationQuery& q, bool associators,
                             const ProcessViewer& viewer,
                             const std::function<bool(Instance)>& post) const {
  const HostClass* src = FindHostClass(source.class_name());
  if (!src || src->family == Family::kAssociation) return;
  HostFacts f = Facts();
  // The source must exist.
  std::optional<Instance> source_full;
  if (src->family == Family::kProcess) {
    const Value* h = source.Get("Handle");
    const std::string* text = h ? h->AsString() : nullptr;
    if (!text) return;
    char* end = nullptr;
    long pid = std::strtol(text->c_str(), &end, 10);
    if (*end != '\0' || pid <= 0) return;
    source_full = Process(*src, ns, f, static_cast<pid_t>(pid), viewer);
  } else {
    ForEach(*src, ns, viewer, [&](Instance i) {
      if (MatchesKeys(i, source)) {
        source_full = std::move(i);
        return false;
      }
      return true;
    });
  }
  if (!source_full || !MatchesKeys(*source_full, source)) return;

  for (const AssocSpec& a : kAssocs) {
    if (!q.assoc_class.empty() && !NameEquals(q.assoc_class, a.name)) continue;
    for (int side = 0; side < 2; ++side) {
      Family mine = side == 0 ? a.left : a.right;
      Family other = side == 0 ? a.right : a.left;
      const char* my_role = side == 0 ? a.left_role : a.right_role;
      const char* other_role = side == 0 ? a.right_role : a.left_role;
      if (mine != src->family) continue;
      if (!q.role.empty() && !NameEquals(q.role, my_role)) continue;
      if (associators && !q.result_role.empty() &&
          !NameEquals(q.result_role, other_role)) {
        continue;
      }
      const HostClass& other_cls = ClassOf(other, src->win32);
      const HostClass& assoc_cls = *FindHostClass(a.name);
      if (!associators && !q.result_class.empty() &&
          !NameEquals(q.result_class, a.name)) {
        continue;
      }
      if (associators && !ClassMatches(q.result_class, other_cls)) continue;
      bool go_on = true;
      ForEach(other_cls, ns, viewer, [&](Instance o) {
        if (associators) {
          go_on = post(std::move(o));
          return go_on;
        }
        Instance link(assoc_cls.name, ns);
        link.SetKey(my_role, Ref(*source_full));
        link.SetKey(other_role, Ref(o));
        go_on = post(Shape(link, *assoc_cls.decl));
        return go_on;
      });
      if (!go_on) return;
    }
  }
}

void HostModel::AssociationInstances(
    const HostClass& cls, const std::string& ns, const ProcessViewer& viewer,
    const std::function<bool(Instance)>& post) const {
  for (const AssocSpec& a : kAssocs) {
    if (!NameEquals(a.name, cls.name)) continue;
    std::vector<Instance> left;
    ForEach(ClassOf(a.left, false), ns, viewer, [&](Instance i) {
      left.push_back(std::move(i));
      return true;
    });
    bool go_on = true;
    ForEach(ClassOf(a.right, false), ns, viewer, [&](Instance r) {
      for (const Instance& l : left) {
        Instance link(cls.name, ns);
        link.SetKey(a.left_role, Ref(l));
        link.SetKey(a.right_role, Ref(r));
        if (!post(Shape(link, *cls.decl))) {
          go_on = false;
          break;
        }
      }
      return go_on;
    });
  }
}

}  // namespace wsman::providers::host
