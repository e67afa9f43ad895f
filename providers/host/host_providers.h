// The built-in providers that show the Linux host through CIM classes in
// root/cimv2 (docs/classes.md): operating system, computer system,
// processors, processes (Create, Terminate, GetOwner), file systems,
// network adapters and IP endpoints, systemd services (StartService,
// StopService), and the associations CIM_RunningOS, CIM_OSProcess and
// CIM_HostedFileSystem.
#ifndef WSMAND_PROVIDERS_HOST_HOST_PROVIDERS_H_
#define WSMAND_PROVIDERS_HOST_HOST_PROVIDERS_H_

#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "providers/host/host_model.h"
#include "providers/host/services.h"
#include "providers/registry.h"

namespace wsman::providers::host {

struct HostProviderOptions {
  // Who sees every process's details besides root: user names and
  // "%group" names ([providers] administrators; process_view.h).
  std::vector<std::string> administrators;
};

class HostProvider : public Provider {
 public:
  HostProvider(std::shared_ptr<const HostModel> model,
               std::shared_ptr<ServiceManager> services, const HostClass& cls,
               std::shared_ptr<const HostProviderOptions> options);

  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override;
  void GetInstance(const CallInfo& call, const Instance& keys,
                   ContextPtr ctx) override;
  void Invoke(const CallInfo& call, const std::string& method,
              const Instance* target, const Instance& in,
              ContextPtr ctx) override;
  void AssociatorInstances(const CallInfo& call, const Instance& source,
                           const AssociationQuery& query,
                           ContextPtr ctx) override;
  void ReferenceInstances(const CallInfo& call, const Instance& source,
                          const AssociationQuery& query,
                          ContextPtr ctx) override;

 private:
  void ProcessMethod(const CallInfo& call, const std::string& method,
                     const Instance* target, const Instance& in,
                     const ContextPtr& ctx);
  void ServiceMethod(const CallInfo& call, const std::string& method,
                     const Instance* target, const ContextPtr& ctx);
  // Whom this call builds process instances for.
  ProcessViewer Viewer(const CallInfo& call) const;

  std::shared_ptr<const HostModel> model_;
  std::shared_ptr<ServiceManager> services_;
  const HostClass& cls_;
  std::shared_ptr<const HostProviderOptions> options_;
};

// Registers every host class in `namespace_name` with readers over `env`;
// the registry's error on a clash.
base::Status RegisterHostProviders(
    Registry* registry, HostEnv env,
    const std::string& namespace_name = "root/cimv2",
    HostProviderOptions options = {});

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_HOST_PROVIDERS_H_
