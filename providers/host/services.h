// Services from systemd over D-Bus (sd-bus): the units of type service, and
// starting/stopping one through org.freedesktop.systemd1.Manager
// StartUnit/StopUnit with the rights of the authenticated user.
#ifndef WSMAND_PROVIDERS_HOST_SERVICES_H_
#define WSMAND_PROVIDERS_HOST_SERVICES_H_

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "providers/host/host_model.h"
#include "providers/host/run_as.h"
#include "providers/result.h"

namespace wsman::providers::host {

struct ServiceUnit {
  std::string unit;  // "ssh.service"
  std::string description;
  std::string load_state;       // "loaded", "not-found", ...
  std::string active_state;     // "active", "inactive", "failed", ...
  std::string sub_state;        // "running", "dead", "exited", ...
  std::string unit_file_state;  // "enabled", "disabled", "static", ...
  uint32_t main_pid = 0;
};

// Windows' view of a unit: State ("Running", "Stopped", "Start Pending",
// "Stop Pending"), Started, StartMode ("Auto", "Manual", "Disabled"),
// Status ("OK", "Degraded", "Unknown").
std::string ServiceState(const ServiceUnit& u);
std::string ServiceStartMode(const ServiceUnit& u);
std::string ServiceStatus(const ServiceUnit& u);
// The instance of `cls` (CIM_Service or Win32_Service) for `u`; Name is the
// unit name without ".service".
Instance ServiceInstance(const HostClass& cls, const std::string& ns,
                         const std::string& host_name, const ServiceUnit& u);

class ServiceManager {
 public:
  // The service units, or nullopt with `why` when systemd cannot be reached
  // over the system bus (logged once: the class then has no instances).
  std::optional<std::vector<ServiceUnit>> List(std::string* why);
  // Starts or stops "<name>.service" as `who`. kOk with `return_value` (0
  // on success, 8 when systemd refused for another reason, with `message`);
  // kAccessDenied when the user may not; kNotFound for no such unit or no
  // systemd.
  MiResult Control(const ActAs& who, const std::string& name, bool start,
                   uint32_t* return_value, std::string* message);
  // Logs `why` the first time only.
  void LogUnavailableOnce(const std::string& why);

 private:
  std::atomic<bool> logged_{false};
};

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_SERVICES_H_
