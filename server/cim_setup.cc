#include "server/cim_setup.h"

#include <algorithm>
#include <cstdlib>
#include <string>

#include "base/log.h"
#include "providers/host/host_providers.h"
#include "providers/linked_providers.h"
#include "providers/loader.h"
#include "providers/registry.h"

namespace wsman::server {
namespace {

bool TestProvidersWanted(const Config& config) {
  const char* env = std::getenv("WSMAND_TEST_PROVIDERS");
  return config.providers_test_providers ||
         (env != nullptr && std::string(env) == "1");
}

}  // namespace

std::shared_ptr<engine::cim::CimEngine> MakeCimEngine(const Config& config) {
  auto registry =
      std::make_shared<providers::Registry>(config.providers_default_namespace);
  providers::host::HostProviderOptions host_options;
  host_options.administrators = config.providers_administrators;
  if (config.providers_host) {
    base::Status s = providers::host::RegisterHostProviders(
        registry.get(), providers::host::HostEnv::Real(), "root/cimv2",
        std::move(host_options));
    if (!s.ok()) {
      log::Error("startup", {{"error", s.message()}});
      return nullptr;
    }
  }
  if (TestProvidersWanted(config)) {
    // Only wsmand-testing links them (providers/linked_providers.h).
    providers::RegisterProvidersFn test_providers =
        providers::LinkedTestProviders();
    if (test_providers == nullptr) {
      log::Warn("providers", {{"detail",
                               "test_providers ignored: this binary has "
                               "none (they are in wsmand-testing)"}});
    } else if (base::Status s = test_providers(registry.get()); !s.ok()) {
      log::Error("startup", {{"error", s.message()}});
      return nullptr;
    } else {
      log::Warn("providers",
                {{"detail", "test providers registered; for tests only"}});
    }
  }
  if (!config.providers_directory.empty()) {
    providers::LoadReport report = providers::LoadProviderDirectory(
        config.providers_directory, registry.get());
    log::Info("providers", {{"directory", config.providers_directory},
                            {"loaded", std::to_string(report.modules_loaded)},
                            {"refused", std::to_string(report.modules_refused)},
                            {"classes", std::to_string(report.classes)}});
  }
  engine::cim::CimEngineSettings settings;
  settings.max_operation_timeout = config.max_timeout;
  settings.default_operation_timeout =
      std::min(settings.default_operation_timeout, config.max_timeout);
  settings.enumeration.default_expiry = std::min(
      config.enumeration_default_expiry, config.enumeration_max_expiry);
  settings.enumeration.max_expiry = config.enumeration_max_expiry;
  settings.enumeration.max_contexts_per_user =
      static_cast<size_t>(config.enumeration_max_contexts_per_user);
  settings.enumeration.queue_capacity =
      static_cast<size_t>(config.enumeration_queue_capacity);
  settings.enumeration.provider_threads =
      static_cast<size_t>(config.enumeration_provider_threads);
  return std::make_shared<engine::cim::CimEngine>(registry, settings);
}

void InstallCimEngine(engine::Dispatcher* dispatcher,
                      std::shared_ptr<engine::cim::CimEngine> engine) {
  dispatcher->Add(engine::cim::CimRoutes(std::move(engine)));
}

}  // namespace wsman::server
