#include "providers/host/services.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <map>
#include <unordered_map>

#include "base/log.h"
#include "base/strings.h"
#include "providers/host/sd_bus_util.h"

namespace wsman::providers::host {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr const char* kUnit = "org.freedesktop.systemd1.Unit";
constexpr const char* kService = "org.freedesktop.systemd1.Service";
constexpr std::string_view kSuffix = ".service";
// How long reading the units may take before the answer is given up.
constexpr std::chrono::seconds kReadBudget(10);

using Clock = std::chrono::steady_clock;

std::string UnitPath(const std::string& unit) {
  char* path = nullptr;
  if (sd_bus_path_encode("/org/freedesktop/systemd1/unit", unit.c_str(),
                         &path) < 0) {
    return {};
  }
  std::string out(path);
  std::free(path);
  return out;
}

// The first entry of ExecStart= (a(sasbttttuii)) as a command line.
std::string ReadExecStart(sd_bus_message* m) {
  if (sd_bus_message_enter_container(m, 'a', "(sasbttttuii)") <= 0 ||
      sd_bus_message_enter_container(m, 'r', "sasbttttuii") <= 0) {
    return {};
  }
  std::string path = ReadString(m);
  char** argv = nullptr;
  if (sd_bus_message_read_strv(m, &argv) < 0) return path;
  std::vector<std::string> args;
  for (char** a = argv; a && *a; ++a) {
    args.emplace_back(*a);
    std::free(*a);
  }
  std::free(argv);
  return ServiceCommandLine(path, args);
}

// What is still to be read of a unit, by where it was found.
enum class Known {
  kName,      // only its name (Get): everything
  kListed,    // loaded, from ListUnits: its service properties
  kFileOnly,  // an installed unit file systemd has not loaded: stopped,
              // its file state known
};

// Queues the reads that complete `u` at `path`.
void AddReads(CallBatch* batch, const std::string& path, ServiceUnit* u,
              Known known) {
  auto str = [](std::string* out) {
    return [out](sd_bus_message* m) { *out = ReadString(m); };
  };
  if (known == Known::kFileOnly) {
    // Pinned while this connection lasts, so the reads below find it
    // loaded (refused unless wsmand runs as root; the reads then load it
    // each time).
    batch->AddCall(kPath, kManager, "RefUnit", u->unit, [](sd_bus_message*) {});
  }
  if (known != Known::kListed) {
    batch->AddGet(path, kUnit, "Description", "s", str(&u->description));
    batch->AddGet(path, kUnit, "LoadState", "s", str(&u->load_state));
  }
  batch->AddGet(path, kService, "ExecStart", "a(sasbttttuii)",
                [u](sd_bus_message* m) { u->command_line = ReadExecStart(m); });
  batch->AddGet(path, kService, "User", "s", str(&u->user));
  if (known == Known::kFileOnly) {
    u->active_state = "inactive";
    u->sub_state = "dead";
    return;
  }
  if (known == Known::kName) {
    batch->AddGet(path, kUnit, "Id", "s", str(&u->unit));
    batch->AddGet(path, kUnit, "ActiveState", "s", str(&u->active_state));
    batch->AddGet(path, kUnit, "SubState", "s", str(&u->sub_state));
    batch->AddGet(path, kUnit, "UnitFileState", "s", str(&u->unit_file_state));
  }
  batch->AddGet(path, kUnit, "CanStop", "b", [u](sd_bus_message* m) {
    int b = 1;
    if (sd_bus_message_read_basic(m, 'b', &b) > 0) u->can_stop = b != 0;
  });
  batch->AddGet(path, kService, "MainPID", "u", [u](sd_bus_message* m) {
    sd_bus_message_read_basic(m, 'u', &u->main_pid);
  });
  batch->AddGet(path, kService, "ExecMainStatus", "i", [u](sd_bus_message* m) {
    sd_bus_message_read_basic(m, 'i', &u->exit_status);
  });
}

bool IsActive(std::string_view state) {
  return state == "active" || state == "reloading" || state == "activating";
}

// A child's report of Control: err an errno class, value the ReturnValue.
ActReport ControlInChild(const std::string& unit, bool start,
                         std::chrono::milliseconds wait) {
  BusHandle b;
  if (sd_bus_open_system(b.out()) < 0) return {ENOTCONN, 0};
  std::string before;
  {
    BusErrorHandle err;
    char* state = nullptr;
    if (sd_bus_get_property_string(b.get(), kDest, UnitPath(unit).c_str(),
                                   kUnit, "ActiveState", &err.e, &state) >= 0) {
      before = state;
      std::free(state);
    }
  }
  // Watch for the end of jobs before asking for one, so that a job that
  // ends at once is not missed.
  std::map<std::string, std::string> ended;  // job path -> result
  SlotHandle match;
  auto on_removed = [](sd_bus_message* m, void* userdata,
                       sd_bus_error*) -> int {
    uint32_t id;
    const char *job, *unit_name, *result;
    if (sd_bus_message_read(m, "uoss", &id, &job, &unit_name, &result) > 0) {
      (*static_cast<std::map<std::string, std::string>*>(userdata))[job] =
          result;
    }
    return 0;
  };
  if (sd_bus_match_signal(b.get(), match.out(), kDest, kPath, kManager,
                          "JobRemoved", on_removed, &ended) < 0) {
    return {ENOTCONN, 0};
  }
  sd_bus_call_method(b.get(), kDest, kPath, kManager, "Subscribe", nullptr,
                     nullptr, "");
  BusErrorHandle err;
  MessageHandle reply;
  int rc = sd_bus_call_method(b.get(), kDest, kPath, kManager,
                              start ? "StartUnit" : "StopUnit", &err.e,
                              reply.out(), "ss", unit.c_str(), "replace");
  if (rc < 0) {
    if (err.Is(SD_BUS_ERROR_ACCESS_DENIED) ||
        err.Is("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired")) {
      return {EACCES, 0};
    }
    if (err.Is("org.freedesktop.systemd1.NoSuchUnit")) return {ENOENT, 0};
    if (err.Is("org.freedesktop.systemd1.UnitMasked")) return {0, 14};
    if (err.Is("org.freedesktop.systemd1.OnlyByDependency")) return {0, 4};
    if (err.Is(SD_BUS_ERROR_SERVICE_UNKNOWN) || err.Is(SD_BUS_ERROR_NO_REPLY) ||
        err.Is(SD_BUS_ERROR_DISCONNECTED)) {
      return {ENOTCONN, 0};
    }
    return {0, 8};
  }
  const char* job = nullptr;
  if (sd_bus_message_read(reply.get(), "o", &job) <= 0 || !job) return {0, 8};
  std::string job_path = job;
  if (!ProcessUntil(
          b.get(), [&] { return ended.count(job_path) > 0; },
          Clock::now() + wait)) {
    return {0, 7};  // Windows: Service Request Timeout
  }
  uint32_t rv = JobResultReturnValue(ended[job_path]);
  if (rv == 0 && start && IsActive(before)) rv = 10;   // Already Running
  if (rv == 0 && !start && !IsActive(before)) rv = 5;  // Cannot Accept Control
  return {0, rv};
}

}  // namespace

std::string ServiceState(const ServiceUnit& u) {
  if (u.active_state == "active" || u.active_state == "reloading") {
    return "Running";
  }
  if (u.active_state == "activating") return "Start Pending";
  if (u.active_state == "deactivating") return "Stop Pending";
  return "Stopped";
}

std::string ServiceStartMode(const ServiceUnit& u) {
  const std::string& s = u.unit_file_state;
  if (s == "enabled" || s == "enabled-runtime") return "Auto";
  if (s == "disabled" || s == "masked" || s == "masked-runtime" ||
      u.load_state == "masked") {
    return "Disabled";
  }
  return "Manual";
}

std::string ServiceStatus(const ServiceUnit& u) {
  if (u.active_state == "failed") return "Degraded";
  if (u.load_state == "error" || u.load_state == "bad-setting") {
    return "Error";
  }
  if (u.load_state == "loaded" || u.load_state == "masked") return "OK";
  return "Unknown";
}

Instance ServiceInstance(const HostClass& cls, const std::string& ns,
                         const std::string& host_name, const ServiceUnit& u) {
  std::string name = u.unit;
  if (name.ends_with(kSuffix)) name.resize(name.size() - kSuffix.size());
  Instance i(cls.name, ns);
  i.Set(
      "SystemCreationClassName",
      Value::String(cls.win32 ? "Win32_ComputerSystem" : "CIM_ComputerSystem"));
  i.Set("SystemName", Value::String(host_name));
  i.Set("CreationClassName", Value::String(cls.name));
  i.Set("Name", Value::String(name));
  std::string caption = u.description.empty() ? name : u.description;
  i.Set("Caption", Value::String(caption));
  i.Set("Description", Value::String(caption));
  i.Set("DisplayName", Value::String(caption));
  std::string state = ServiceState(u);
  bool running = state == "Running";
  i.Set("State", Value::String(state));
  i.Set("Started", Value::Boolean(running));
  i.Set("StartMode", Value::String(ServiceStartMode(u)));
  i.Set("Status", Value::String(ServiceStatus(u)));
  i.Set("ProcessId", Value::Uint32(u.main_pid));
  i.Set("PathName", u.command_line.empty() ? Value::Null(CimType::kString)
                                           : Value::String(u.command_line));
  i.Set("StartName", Value::String(u.user.empty() ? "root" : u.user));
  i.Set("ServiceType", Value::String("Own Process"));
  i.Set("ExitCode", Value::Uint32(static_cast<uint32_t>(u.exit_status)));
  i.Set("AcceptStop", Value::Boolean(running && u.can_stop));
  i.Set("AcceptPause", Value::Boolean(false));
  // CIM EnabledState: 2 Enabled, 3 Disabled, 10 Starting, 4 Shutting Down.
  uint16_t enabled = running                    ? 2
                     : state == "Start Pending" ? 10
                     : state == "Stop Pending"  ? 4
                                                : 3;
  i.Set("EnabledState", Value::Uint16(enabled));
  return Shape(i, *cls.decl);
}

std::string ServiceUnitName(std::string_view name) {
  std::string unit(name);
  if (!unit.ends_with(kSuffix)) unit += kSuffix;
  return unit;
}

std::string ServiceCommandLine(const std::string& path,
                               const std::vector<std::string>& argv) {
  std::string out;
  for (size_t k = 0; k < std::max<size_t>(argv.size(), 1); ++k) {
    const std::string& arg = k == 0 ? path : argv[k];
    if (k > 0) out += ' ';
    if (!arg.empty() && arg.find_first_of(" \t\"") == std::string::npos) {
      out += arg;
      continue;
    }
    out += '"';
    for (char c : arg) {
      if (c == '"' || c == '\\') out += '\\';
      out += c;
    }
    out += '"';
  }
  return out;
}

uint32_t JobResultReturnValue(std::string_view result) {
  if (result == "done" || result == "skipped") return 0;
  if (result == "timeout") return 7;      // Service Request Timeout
  if (result == "dependency") return 13;  // Service Dependency Failure
  if (result == "unsupported") return 1;  // Not Supported
  return 8;  // Unknown Failure: failed, canceled, assert, once, ...
}

void ServiceManager::LogUnavailableOnce(const std::string& why) {
  if (!logged_.exchange(true)) {
    log::Info("host-services",
              {{"detail", "no services: systemd is not reachable over D-Bus"},
               {"reason", why}});
  }
}

bool ServiceManager::OpenSystemBus(BusHandle* bus, std::string* why) {
  int r = sd_bus_open_system(bus->out());
  if (r >= 0) return true;
  *why = std::string("cannot connect to the system bus: ") + std::strerror(-r);
  LogUnavailableOnce(*why);
  return false;
}

std::optional<std::vector<ServiceUnit>> ServiceManager::List(std::string* why) {
  auto unavailable = [&](std::string reason) {
    *why = std::move(reason);
    LogUnavailableOnce(*why);
    return std::nullopt;
  };
  BusHandle b;
  if (!OpenSystemBus(&b, why)) return std::nullopt;
  // The loaded units.
  BusErrorHandle err;
  MessageHandle reply;
  int r =
      sd_bus_call_method(b.get(), kDest, kPath, kManager, "ListUnitsByPatterns",
                         &err.e, reply.out(), "asas", 0, 1, "*.service");
  if (r < 0) return unavailable("ListUnitsByPatterns failed: " + err.Text(r));
  if (sd_bus_message_enter_container(reply.get(), 'a', "(ssssssouso)") < 0) {
    return unavailable("ListUnitsByPatterns answered an unexpected type");
  }
  std::vector<ServiceUnit> units;
  std::vector<std::string> paths;
  std::vector<Known> known;
  std::unordered_map<std::string, size_t> index;
  for (;;) {
    const char *name, *desc, *load, *active, *sub, *following, *path;
    uint32_t job_id;
    const char *job_type, *job_path;
    if (sd_bus_message_read(reply.get(), "(ssssssouso)", &name, &desc, &load,
                            &active, &sub, &following, &path, &job_id,
                            &job_type, &job_path) <= 0) {
      break;
    }
    if (std::strcmp(load, "not-found") == 0) continue;
    ServiceUnit u;
    u.unit = name;
    u.description = desc;
    u.load_state = load;
    u.active_state = active;
    u.sub_state = sub;
    index[u.unit] = units.size();
    units.push_back(std::move(u));
    paths.emplace_back(path);
    known.push_back(Known::kListed);
  }
  // The installed unit files: their states, and the services not loaded.
  std::shared_ptr<const UnitFiles> files = ServiceUnitFiles(b.get());
  for (const auto& [name, state] : files->files) {
    auto it = index.find(name);
    if (it != index.end()) {
      units[it->second].unit_file_state = state;
      continue;
    }
    ServiceUnit u;
    u.unit = name;
    u.unit_file_state = state;
    index[name] = units.size();
    units.push_back(std::move(u));
    paths.push_back(UnitPath(name));
    known.push_back(Known::kFileOnly);
  }
  // Everything else, read together.
  CallBatch batch(b.get(), kDest);
  for (size_t k = 0; k < units.size(); ++k) {
    AddReads(&batch, paths[k], &units[k], known[k]);
  }
  if (!batch.Run(Clock::now() + kReadBudget)) {
    return unavailable("reading the service units failed or took too long");
  }
  std::vector<ServiceUnit> out;
  out.reserve(units.size());
  for (ServiceUnit& u : units) {
    if (u.load_state.empty() || u.load_state == "not-found") continue;
    out.push_back(std::move(u));
  }
  // By name, as Windows lists services (without the suffix, which would
  // put "a-b.service" before "a.service"; ignoring case).
  auto key = [](const ServiceUnit& u) {
    return base::AsciiLowered(
        std::string_view(u.unit).substr(0, u.unit.size() - kSuffix.size()));
  };
  std::sort(out.begin(), out.end(),
            [&](const ServiceUnit& a, const ServiceUnit& b) {
              return key(a) < key(b);
            });
  return out;
}

std::shared_ptr<const ServiceManager::UnitFiles>
ServiceManager::ServiceUnitFiles(sd_bus* bus) {
  auto fresh = std::make_shared<UnitFiles>();
  BusErrorHandle e1, e2;
  sd_bus_get_property_trivial(bus, kDest, kPath, kManager,
                              "UnitsLoadFinishTimestampMonotonic", &e1.e, 't',
                              &fresh->load_finished);
  sd_bus_get_property_trivial(bus, kDest, kPath, kManager,
                              "UnitsLoadTimestampMonotonic", &e2.e, 't',
                              &fresh->reloaded);
  fresh->read_at = Clock::now();
  {
    base::MutexLock lock(&files_mu_);
    if (files_ && files_->load_finished == fresh->load_finished &&
        files_->reloaded == fresh->reloaded &&
        fresh->read_at - files_->read_at < kUnitFilesMaxAge) {
      return files_;
    }
  }
  BusErrorHandle err;
  MessageHandle reply;
  if (sd_bus_call_method(bus, kDest, kPath, kManager, "ListUnitFilesByPatterns",
                         &err.e, reply.out(), "asas", 0, 1, "*.service") >= 0 &&
      sd_bus_message_enter_container(reply.get(), 'a', "(ss)") >= 0) {
    const char *file, *state;
    while (sd_bus_message_read(reply.get(), "(ss)", &file, &state) > 0) {
      std::string_view name(file);
      name.remove_prefix(std::min(name.size(), name.rfind('/') + 1));
      if (name.find("@.") != std::string_view::npos) continue;  // a template
      if (std::strcmp(state, "alias") == 0) continue;
      fresh->files.emplace_back(name, state);
    }
  } else {
    return fresh;  // not kept: the next enumeration asks again
  }
  base::MutexLock lock(&files_mu_);
  files_ = fresh;
  return fresh;
}

std::optional<ServiceUnit> ServiceManager::Find(const std::string& name,
                                                std::string* why) {
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  BusHandle b;
  if (!OpenSystemBus(&b, why)) return std::nullopt;
  ServiceUnit u;
  CallBatch batch(b.get(), kDest);
  AddReads(&batch, UnitPath(ServiceUnitName(name)), &u, Known::kName);
  if (!batch.Run(Clock::now() + kReadBudget)) {
    *why = "reading the service unit failed or took too long";
    return std::nullopt;
  }
  // An alias loads the unit it names: only the unit's own name finds it,
  // as in the enumeration.
  if (u.load_state.empty() || u.load_state == "not-found" ||
      u.unit != ServiceUnitName(name)) {
    // Windows' service names ignore case (selector values compare
    // case-insensitively, [MS-WSMV] 3.1.4.1.2); systemd's do not. The unit
    // whose name matches ignoring case, when exactly one does.
    std::string want = ServiceUnitName(name);
    std::optional<ServiceUnit> found;
    auto all = List(why);
    if (!all) return std::nullopt;
    for (ServiceUnit& unit : *all) {
      if (!base::EqualsIgnoreCase(unit.unit, want)) continue;
      if (found) return std::nullopt;  // ambiguous
      found = std::move(unit);
    }
    return found;
  }
  return u;
}

MiResult ServiceManager::Control(const ActAs& who, const std::string& name,
                                 bool start, std::chrono::milliseconds wait,
                                 uint32_t* return_value, std::string* message) {
  std::string unit = ServiceUnitName(name);
  ActReport r = RunAs(
      who, [&]() { return ControlInChild(unit, start, wait); },
      wait + std::chrono::seconds(5));
  const char* verb = start ? "start" : "stop";
  switch (r.err) {
    case 0:
      *return_value = static_cast<uint32_t>(r.value);
      if (*return_value != 0) {
        log::Info("host-service-control",
                  {{"unit", unit},
                   {"action", verb},
                   {"user", who.user},
                   {"return_value", std::to_string(*return_value)}});
      }
      return MiResult::kOk;
    case EACCES:
    case EPERM:
      *message = "The user \"" + who.user + "\" may not " + verb +
                 " the service " + name + ".";
      return MiResult::kAccessDenied;
    case ENOENT:
      *message = "There is no service " + name + ".";
      return MiResult::kNotFound;
    case ENOTCONN:
      *message = "systemd is not reachable over D-Bus.";
      return MiResult::kNotFound;
    case ETIMEDOUT:
      *return_value = 7;  // Service Request Timeout
      return MiResult::kOk;
    default:
      *return_value = 8;  // Unknown Failure
      *message = std::string("systemd refused: ") + std::strerror(r.err);
      return MiResult::kOk;
  }
}

}  // namespace wsman::providers::host
