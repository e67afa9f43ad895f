#include "providers/host/services.h"

#include <systemd/sd-bus.h>

#include <cerrno>
#include <cstring>

#include "providers/log.h"

namespace wsman::providers::host {
namespace {

constexpr const char* kDest = "org.freedesktop.systemd1";
constexpr const char* kPath = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";
constexpr std::string_view kSuffix = ".service";

struct Bus {
  sd_bus* bus = nullptr;
  ~Bus() {
    if (bus) sd_bus_flush_close_unref(bus);
  }
};

struct BusError {
  sd_bus_error e = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&e); }
};

struct Message {
  sd_bus_message* m = nullptr;
  ~Message() {
    if (m) sd_bus_message_unref(m);
  }
};

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
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
  if (s == "enabled" || s == "enabled-runtime" || s == "alias") return "Auto";
  if (s == "disabled" || s == "masked" || s == "masked-runtime") {
    return "Disabled";
  }
  return "Manual";
}

std::string ServiceStatus(const ServiceUnit& u) {
  if (u.active_state == "failed") return "Degraded";
  if (u.load_state != "loaded") return "Unknown";
  return "OK";
}

Instance ServiceInstance(const HostClass& cls, const std::string& ns,
                         const std::string& host_name, const ServiceUnit& u) {
  std::string name = u.unit;
  if (EndsWith(name, kSuffix)) name.resize(name.size() - kSuffix.size());
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
  i.Set("State", Value::String(state));
  i.Set("Started", Value::Boolean(state == "Running"));
  i.Set("StartMode", Value::String(ServiceStartMode(u)));
  i.Set("Status", Value::String(ServiceStatus(u)));
  i.Set("ProcessId", Value::Uint32(u.main_pid));
  // CIM EnabledState: 2 Enabled, 3 Disabled, 10 Starting, 4 Shutting Down.
  uint16_t enabled = state == "Running"         ? 2
                     : state == "Start Pending" ? 10
                     : state == "Stop Pending"  ? 4
                                                : 3;
  i.Set("EnabledState", Value::Uint16(enabled));
  return Shape(i, *cls.decl);
}

void ServiceManager::LogUnavailableOnce(const std::string& why) {
  if (!logged_.exchange(true)) {
    Log(LogLevel::kInfo, "host-services",
        {{"detail", "no services: systemd is not reachable over D-Bus"},
         {"reason", why}});
  }
}

std::optional<std::vector<ServiceUnit>> ServiceManager::List(std::string* why) {
  Bus b;
  int r = sd_bus_open_system(&b.bus);
  if (r < 0) {
    *why =
        std::string("cannot connect to the system bus: ") + std::strerror(-r);
    LogUnavailableOnce(*why);
    return std::nullopt;
  }
  BusError err;
  Message reply;
  r = sd_bus_call_method(b.bus, kDest, kPath, kManager, "ListUnits", &err.e,
                         &reply.m, "");
  if (r < 0) {
    *why = std::string("ListUnits failed: ") +
           (err.e.message ? err.e.message : std::strerror(-r));
    LogUnavailableOnce(*why);
    return std::nullopt;
  }
  std::vector<ServiceUnit> units;
  r = sd_bus_message_enter_container(reply.m, SD_BUS_TYPE_ARRAY,
                                     "(ssssssouso)");
  if (r < 0) {
    *why = "ListUnits answered an unexpected type";
    LogUnavailableOnce(*why);
    return std::nullopt;
  }
  std::vector<std::string> paths;
  for (;;) {
    const char *name, *desc, *load, *active, *sub, *following, *path;
    uint32_t job_id;
    const char *job_type, *job_path;
    r = sd_bus_message_read(reply.m, "(ssssssouso)", &name, &desc, &load,
                            &active, &sub, &following, &path, &job_id,
                            &job_type, &job_path);
    if (r <= 0) break;
    if (!EndsWith(name, kSuffix)) continue;
    ServiceUnit u;
    u.unit = name;
    u.description = desc;
    u.load_state = load;
    u.active_state = active;
    u.sub_state = sub;
    units.push_back(std::move(u));
    paths.emplace_back(path);
  }
  for (size_t k = 0; k < units.size(); ++k) {
    ServiceUnit& u = units[k];
    BusError e1;
    Message m;
    if (sd_bus_call_method(b.bus, kDest, kPath, kManager, "GetUnitFileState",
                           &e1.e, &m.m, "s", u.unit.c_str()) >= 0) {
      const char* state = nullptr;
      if (sd_bus_message_read(m.m, "s", &state) >= 0 && state) {
        u.unit_file_state = state;
      }
    }
    BusError e2;
    uint32_t pid = 0;
    if (sd_bus_get_property_trivial(b.bus, kDest, paths[k].c_str(),
                                    "org.freedesktop.systemd1.Service",
                                    "MainPID", &e2.e, 'u', &pid) >= 0) {
      u.main_pid = pid;
    }
  }
  return units;
}

MiResult ServiceManager::Control(const ActAs& who, const std::string& name,
                                 bool start, uint32_t* return_value,
                                 std::string* message) {
  std::string unit = name;
  if (!EndsWith(unit, kSuffix)) unit += kSuffix;
  // Error classes reported by the child as errno values.
  ActReport r = RunAs(who, [&]() -> ActReport {
    Bus b;
    int rc = sd_bus_open_system(&b.bus);
    if (rc < 0) return {ENOTCONN, 0};
    BusError err;
    Message reply;
    rc = sd_bus_call_method(b.bus, kDest, kPath, kManager,
                            start ? "StartUnit" : "StopUnit", &err.e, &reply.m,
                            "ss", unit.c_str(), "replace");
    if (rc >= 0) return {0, 0};
    if (sd_bus_error_has_name(&err.e, SD_BUS_ERROR_ACCESS_DENIED) ||
        sd_bus_error_has_name(
            &err.e,
            "org.freedesktop.DBus.Error.InteractiveAuthorizationRequired")) {
      return {EACCES, 0};
    }
    if (sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.NoSuchUnit") ||
        sd_bus_error_has_name(&err.e, "org.freedesktop.systemd1.LoadFailed")) {
      return {ENOENT, 0};
    }
    if (sd_bus_error_has_name(&err.e, SD_BUS_ERROR_SERVICE_UNKNOWN)) {
      return {ENOTCONN, 0};
    }
    return {EIO, 0};
  });
  switch (r.err) {
    case 0:
      *return_value = 0;
      return MiResult::kOk;
    case EACCES:
    case EPERM:
      *message = "The user may not " + std::string(start ? "start" : "stop") +
                 " the service " + name + ".";
      return MiResult::kAccessDenied;
    case ENOENT:
      *message = "There is no service " + name + ".";
      return MiResult::kNotFound;
    case ENOTCONN:
      *message = "systemd is not reachable over D-Bus.";
      return MiResult::kNotFound;
    default:
      *return_value = 8;  // Windows: Unknown Failure
      *message = std::string("systemd refused: ") + std::strerror(r.err);
      return MiResult::kOk;
  }
}

}  // namespace wsman::providers::host
