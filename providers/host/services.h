// Services from systemd over D-Bus (sd-bus): every unit of type service
// systemd knows (the loaded ones and the installed unit files), and
// starting/stopping one through org.freedesktop.systemd1.Manager
// StartUnit/StopUnit with the rights of the authenticated user, waiting for
// systemd's job to end as Windows' StartService waits for the service.
#ifndef WSMAND_PROVIDERS_HOST_SERVICES_H_
#define WSMAND_PROVIDERS_HOST_SERVICES_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/mutex.h"
#include "providers/host/host_model.h"
#include "providers/host/run_as.h"
#include "providers/host/sd_bus_util.h"
#include "providers/result.h"

namespace wsman::providers::host {

struct ServiceUnit {
  std::string unit;  // "ssh.service"
  std::string description;
  std::string load_state;       // "loaded", "masked", "error", ...
  std::string active_state;     // "active", "inactive", "failed", ...
  std::string sub_state;        // "running", "dead", "exited", ...
  std::string unit_file_state;  // "enabled", "disabled", "static", ...
  uint32_t main_pid = 0;
  std::string command_line;  // the first ExecStart=, as a command line
  std::string user;          // User=; "" runs as root
  int32_t exit_status = 0;   // ExecMainStatus
  bool can_stop = true;
};

// Windows' view of a unit: State ("Running", "Stopped", "Start Pending",
// "Stop Pending"), StartMode ("Auto", "Manual", "Disabled"), Status ("OK",
// "Degraded", "Error", "Unknown").
std::string ServiceState(const ServiceUnit& u);
std::string ServiceStartMode(const ServiceUnit& u);
std::string ServiceStatus(const ServiceUnit& u);
// The instance of `cls` (CIM_Service or Win32_Service) for `u`; Name is the
// unit name without ".service".
Instance ServiceInstance(const HostClass& cls, const std::string& ns,
                         const std::string& host_name, const ServiceUnit& u);

// "ssh" -> "ssh.service"; "ssh.service" stays.
std::string ServiceUnitName(std::string_view name);
// An ExecStart= entry (path and argv) as one command line: argv with the
// path in place of argv[0], arguments with blanks or quotes in quotes.
std::string ServiceCommandLine(const std::string& path,
                               const std::vector<std::string>& argv);
// Win32_Service StartService/StopService ReturnValue for systemd's job
// result ("done", "failed", "timeout", "dependency", ...).
uint32_t JobResultReturnValue(std::string_view result);

class ServiceManager {
 public:
  // Every service unit: the loaded ones and the installed unit files
  // (template and alias files left out, and units systemd only knows as
  // missing). nullopt with `why` when systemd cannot be reached over the
  // system bus (logged once: the class then has no instances).
  std::optional<std::vector<ServiceUnit>> List(std::string* why);
  // The service `name` ("ssh" or "ssh.service"; case ignored when exactly
  // one unit matches that way): nullopt when there is no such unit or
  // systemd cannot be reached.
  std::optional<ServiceUnit> Find(const std::string& name, std::string* why);
  // Starts or stops the service `name` as `who` and waits up to `wait` for
  // systemd's job to end. kOk with Windows' `return_value` (0 done, 5 stop
  // of a stopped service, 10 start of a running one, 14 masked, 7 job
  // still running after `wait`, 13 a dependency failed, 8 failed, with
  // `message`); kAccessDenied when the user may not; kNotFound for no such
  // unit or no systemd.
  MiResult Control(const ActAs& who, const std::string& name, bool start,
                   std::chrono::milliseconds wait, uint32_t* return_value,
                   std::string* message);
  // Logs `why` the first time only.
  void LogUnavailableOnce(const std::string& why);

 private:
  // The installed service unit files (name, state: "enabled", ...).
  // systemd takes most of a second for a few hundred of them, so they are
  // kept until systemd reloads its units (as `systemctl enable`, `disable`
  // and `mask` make it do) or for kUnitFilesMaxAge at most.
  struct UnitFiles {
    uint64_t load_finished = 0;  // systemd's start: the first load
    uint64_t reloaded = 0;       // its last daemon-reload
    std::chrono::steady_clock::time_point read_at;
    std::vector<std::pair<std::string, std::string>> files;
  };
  static constexpr std::chrono::seconds kUnitFilesMaxAge{60};
  // Connects to the system bus; false with `why` (logged once) when it
  // cannot.
  bool OpenSystemBus(BusHandle* bus, std::string* why);
  std::shared_ptr<const UnitFiles> ServiceUnitFiles(sd_bus* bus);

  std::atomic<bool> logged_{false};
  base::Mutex files_mu_;
  std::shared_ptr<const UnitFiles> files_ GUARDED_BY(files_mu_);
};

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_SERVICES_H_
