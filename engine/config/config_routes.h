// The winrm/config operations ([MS-WSMV] 3.1.4.2): Get of
// http://schemas.microsoft.com/wbem/wsman/1/config and of its sub-resources
// (config/service, config/winrs, config/client, config/service/auth, ...),
// Put on them, and Enumerate / Pull / Release of config/listener. What the
// values are, who may change them and how a change is applied and kept is
// the ConfigHost's (server/winrm_config_store.h); this engine only reads
// requests and writes Windows-shaped answers.
//
// Thread rules: the routes are called from any worker at once; ConfigHost
// implementations must be thread-safe.
#ifndef WSMAND_ENGINE_CONFIG_CONFIG_ROUTES_H_
#define WSMAND_ENGINE_CONFIG_CONFIG_ROUTES_H_

#include <chrono>
#include <memory>
#include <vector>

#include "base/status.h"
#include "engine/config/config_tree.h"
#include "engine/operation.h"
#include "providers/identity.h"

namespace wsman::engine::config {

class ConfigHost {
 public:
  virtual ~ConfigHost() = default;
  // The cfg:Config tree with the running values.
  virtual Node Current() const = 0;
  // One cfg:Listener tree per listener, in the configured order.
  virtual std::vector<Node> Listeners() const = 0;
  // Applies and keeps `changes` for `who` (none: only the permission is
  // checked). PermissionDenied:
  // not an administrator; FailedPrecondition: a setting that changes only
  // on restart, or wsmand runs without a config file; InvalidArgument: a
  // read-only element or a value out of range; IoError: the file could not
  // be written (nothing changed).
  virtual base::Status Put(const providers::Identity& who,
                           const std::vector<Change>& changes) = 0;
};

struct ConfigEngineOptions {
  // Listener enumeration contexts: how long an unused one lives and how
  // many one user may hold (the oldest is dropped beyond it).
  std::chrono::seconds context_expiry{60};
  size_t max_contexts_per_user = 16;
};

std::vector<Route> ConfigRoutes(std::shared_ptr<ConfigHost> host,
                                ConfigEngineOptions options = {});

}  // namespace wsman::engine::config

#endif  // WSMAND_ENGINE_CONFIG_CONFIG_ROUTES_H_
