#include "server/daemon.h"

#include <signal.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <memory>
#include <thread>
#include <vector>

#include "base/log.h"
#include "base/metrics.h"
#include "certs/client_cert_map.h"
#include "certs/tls_context.h"
#include "engine/config/config_routes.h"
#include "engine/dispatch.h"
#include "engine/identify.h"
#include "engine/winrs/shell_routes.h"
#include "providers/shell/shell_host.h"
#include "server/auth/authenticator.h"
#include "server/cim_setup.h"
#include "server/config_check.h"
#include "server/http/http_server.h"
#include "server/http/listen_address.h"
#include "server/metrics/metrics_listener.h"
#include "server/version.h"
#include "server/winrm_config_store.h"
#include "server/wsman_endpoint.h"

namespace wsman::server {
namespace {

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

std::string KernelRelease() {
  struct utsname u;
  if (::uname(&u) != 0) return "0.0";
  return u.release;
}

auth::Authenticator::Options AuthOptionsFrom(const Config& config) {
  auth::Authenticator::Options options;
  options.accounts_file = config.accounts_file;
  options.use_pam = config.UsePam();
  options.pam_service = config.pam_service;
  options.cache_ttl = config.credential_cache_ttl;
  options.max_failures = config.max_auth_failures;
  options.max_failures_per_address = config.max_auth_failures_per_address;
  options.max_failures_per_user = config.max_auth_failures_per_user;
  options.failure_window = config.auth_failure_window;
  options.max_backoff = config.auth_max_backoff;
  options.max_verifications_per_peer = config.max_verifications_per_peer;
  options.verification_wait = config.verification_wait;
  options.account_recheck_interval = config.account_recheck_interval;
  return options;
}

http::ConnectionLimits LimitsFrom(const Config& config) {
  http::ConnectionLimits limits;
  limits.warm_threads = config.worker_threads;
  limits.max_connections = config.max_connections;
  limits.max_connections_per_peer = config.max_connections_per_peer;
  limits.max_header_bytes = config.max_header_bytes;
  limits.max_header_fields = static_cast<size_t>(config.max_header_fields);
  limits.header_timeout = config.header_timeout;
  limits.body_timeout = config.body_timeout;
  limits.write_timeout = config.write_timeout;
  limits.keep_alive_timeout = config.keep_alive_timeout;
  limits.max_body_bytes = config.max_envelope_size;
  return limits;
}

providers::shell::HostOptions ShellHostOptionsFrom(const Config& config) {
  providers::shell::HostOptions options =
      providers::shell::DefaultHostOptions();
  options.quotas.max_shells_per_user = config.shell_max_shells_per_user;
  options.quotas.max_processes_per_shell = config.shell_max_processes_per_shell;
  options.quotas.max_concurrent_users = config.shell_max_concurrent_users;
  options.quotas.idle_timeout = config.shell_idle_timeout;
  options.quotas.max_memory_per_shell_mb = config.shell_max_memory_per_shell_mb;
  options.fallback_user = config.shell_fallback_user;
  options.powershell = config.shell_powershell;
  options.quotas.max_output_per_shell =
      static_cast<size_t>(config.shell_max_output_per_shell_mb) << 20;
  providers::shell::ParseIsolation(config.shell_isolation,
                                   &options.jobs.isolation);
  return options;
}

// Builds the TLS context from the [tls] settings and swaps it in; on error
// the running one (if any) stays. `event` names the log line.
bool LoadTlsContext(certs::TlsContextHolder* holder, const Config& config,
                    std::string_view event,
                    certs::ServerCertificateInfo* loaded_info = nullptr) {
  certs::TlsSettings tls = TlsSettingsFrom(config);
  certs::ServerCertificateInfo info;
  if (base::Status loaded = holder->Load(tls, &info); !loaded.ok()) {
    log::Error(event, {{"error", loaded.message()},
                       {"detail", holder->Get() ? "keeping the running "
                                                  "certificate"
                                                : "cannot serve https"}});
    return false;
  }
  if (loaded_info != nullptr) *loaded_info = info;
  log::Info("tls-certificate", {{"subject", info.subject},
                                {"thumbprint", info.thumbprint},
                                {"not_after", info.not_after}});
  if (info.expired) {
    log::Warn("tls-certificate",
              {{"detail",
                "the server certificate has expired; clients "
                "will refuse it (wsmand cert create --force)"}});
  }
  return true;
}

// Loads the client certificate map; a missing file is an empty map (it is
// picked up once `wsmand cert map add` creates it), a broken one an error.
bool LoadCertMap(certs::ClientCertMapSource* map, std::string_view event) {
  base::Status reloaded = map->Reload();
  if (reloaded.ok()) return true;
  if (::access(map->path().c_str(), F_OK) != 0) {
    log::Warn(event,
              {{"detail", "no client certificate map yet: " + map->path()}});
    return true;
  }
  log::Error(event, {{"error", reloaded.message()}});
  return false;
}

// A reload applies log_level, admin_group, the endpoint's envelope size and
// per-user quota, [auth] (but allow_unencrypted, fixed per listener), [xml]
// and the [tls] files; every other key is built into the
// running service. One warning per such key the file changed, each reload,
// until a restart applies it.
void WarnRestartOnly(const Config& running, const Config& fresh) {
  std::vector<ConfigKey> was = ConfigKeys(running);
  std::vector<ConfigKey> now = ConfigKeys(fresh);
  for (size_t i = 0; i < was.size(); ++i) {
    if (was[i].reloadable || was[i].value == now[i].value) continue;
    std::string key =
        std::string(was[i].section) + "." + std::string(was[i].key);
    log::Warn("reload",
              {{"key", key},
               {"detail", key == "server.listen"
                              ? "listen addresses change only on restart"
                              : "changed, not applied until restart"}});
  }
}

// Every open connection holds a descriptor (and a shell command three): the
// soft limit (often 1024) is raised to the hard one.
void RaiseDescriptorLimit(const Config& config) {
  struct rlimit rl {};
  if (::getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur >= rl.rlim_max) {
    return;
  }
  rl.rlim_cur = rl.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur < static_cast<rlim_t>(config.max_connections) + 256) {
    log::Warn("startup", {{"detail", "the descriptor limit (RLIMIT_NOFILE " +
                                         std::to_string(rl.rlim_cur) +
                                         ") is below http.max_connections"}});
  }
}

EndpointSettings EndpointSettingsFrom(const Config& config,
                                      const std::string& machine) {
  EndpointSettings settings;
  settings.machine_name = machine;
  settings.max_envelope_size = config.max_envelope_size;
  settings.max_operations_per_user =
      static_cast<size_t>(config.max_operations_per_user);
  settings.parse_limits.max_bytes = config.max_envelope_size;
  settings.parse_limits.max_depth = config.xml_max_depth;
  settings.parse_limits.max_nodes = config.xml_max_nodes;
  settings.parse_limits.max_attributes = config.xml_max_attributes;
  return settings;
}

// The gauges a scrape reads; every object named outlives the metrics
// listener (RunDaemon stops it first).
void AddGauges(metrics::Registry* registry, const http::HttpServer* server,
               const providers::shell::ShellHost* shells,
               engine::cim::CimEngine* cim) {
  registry->AddGauge(
      "wsmand_open_connections", "Open connections on the WS-Man listeners.",
      [server] { return static_cast<double>(server->connection_count()); });
  registry->AddGauge("wsmand_shells", "Open WinRS shells.", [shells] {
    return static_cast<double>(shells->shell_count());
  });
  registry->AddGauge(
      "wsmand_commands", "WinRS commands whose process is running.", [] {
        return static_cast<double>(base::metrics::CommandsRunning().Value());
      });
  registry->AddGauge(
      "wsmand_enumeration_contexts", "Open WS-Enumeration contexts.",
      [cim] { return static_cast<double>(cim->enumerations().OpenCount()); });
  registry->AddGauge("wsmand_subscriptions",
                     "Active WS-Eventing subscriptions (no eventing yet).",
                     [] { return 0.0; });
  registry->AddGauge("wsmand_resident_memory_bytes",
                     "Resident memory of the daemon (VmRSS).",
                     [] { return metrics::ResidentMemoryBytes(); });
}

}  // namespace

int RunDaemon(Config config, const std::string& config_path,
              const std::function<void(Config*)>& overrides) {
  log::SetLevel(*log::ParseLevel(config.log_level));
  // Signals are taken synchronously by this thread only.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  ::signal(SIGPIPE, SIG_IGN);

  std::string machine =
      config.machine_name.empty() ? HostName() : config.machine_name;
  if (!config.UsePam() && config.accounts_file.empty()) {
    log::Warn("auth", {{"detail",
                        "no accounts file and PAM is off: nobody can log in; "
                        "use --accounts FILE (see `wsmand user add`)"}});
  }
  auto created = auth::Authenticator::Create(AuthOptionsFrom(config));
  if (!created.ok()) {
    log::Error("startup", {{"error", created.message()}});
    return 2;
  }
  std::shared_ptr<auth::Authenticator> authenticator =
      std::move(created.value());

  std::vector<ListenAddress> addresses;
  bool any_http = false, any_https = false;
  for (const std::string& url : config.listen) {
    ListenAddress address = ParseListenUrl(url);
    any_http = any_http || !address.tls;
    any_https = any_https || address.tls;
    addresses.push_back(address);
  }

  // HTTPS: one TLS context shared by the https listeners (swapped on
  // SIGHUP) and, with [tls] client_ca, the client certificate map.
  std::shared_ptr<certs::TlsContextHolder> tls;
  std::shared_ptr<certs::ClientCertMapSource> cert_map;
  certs::ServerCertificateInfo certificate;
  if (any_https) {
    tls = std::make_shared<certs::TlsContextHolder>();
    if (!LoadTlsContext(tls.get(), config, "startup", &certificate)) return 2;
    if (!config.tls_client_cert_map.empty()) {
      cert_map = std::make_shared<certs::ClientCertMapSource>(
          config.tls_client_cert_map);
      if (!LoadCertMap(cert_map.get(), "startup")) return 2;
    }
  }

  // WinRM's AllowUnencrypted, per plain-HTTP listener: passwords in clear
  // text only where nobody else can listen (loopback), unless configured.
  auto allows_unencrypted = [&](const ListenAddress& address) {
    return config.allow_unencrypted.value_or(address.IsLoopback());
  };
  bool any_http_basic = false;
  for (const ListenAddress& address : addresses) {
    if (address.tls || !allows_unencrypted(address)) continue;
    any_http_basic = true;
    if (!address.IsLoopback()) {
      log::Warn("insecure-listener",
                {{"url", address.ToUrl()},
                 {"detail",
                  "Basic passwords are accepted in clear text on a "
                  "non-loopback http:// listener ([auth] allow_unencrypted "
                  "= true); prefer https://"}});
    }
  }

  engine::IdentifyInfo identify;
  identify.kernel_release = KernelRelease();
  if (any_http_basic) {
    identify.security_profiles.push_back(
        "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic");
  }
  if (any_https) {
    identify.security_profiles.push_back(
        "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/basic");
  }
  if (cert_map) {
    identify.security_profiles.push_back(
        "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual");
  }
  engine::Dispatcher dispatcher;
  dispatcher.RegisterIdentify(engine::MakeIdentifyOperation(identify));
  auto shell_host = std::make_shared<providers::shell::ShellHost>(
      ShellHostOptionsFrom(config));
  if (!shell_host->isolation_error().empty()) {
    log::Error("shell-isolation", {{"error", shell_host->isolation_error()}});
    return 2;
  }
  log::Info("shell-isolation",
            {{"mode", providers::shell::IsolationName(shell_host->isolation())},
             {"detail", shell_host->isolation_description()}});
  engine::winrs::ShellEngineOptions shell_options;
  // One MaxTimeoutms for WinRS and CIM ([server] max_timeout_ms).
  shell_options.max_operation_timeout = config.max_timeout;
  shell_options.default_operation_timeout =
      std::min(shell_options.default_operation_timeout, config.max_timeout);
  dispatcher.Add(engine::winrs::ShellRoutes(shell_host, shell_options));
  // winrm/config ([MS-WSMV] 3.1.4.2) before the CIM engine's resource
  // matcher; the store learns the bound listeners below, before serving.
  ServiceFacts facts;
  facts.basic_over_http = any_http_basic;
  facts.client_certificates = cert_map != nullptr;
  std::vector<ListenerFacts>& listener_facts = facts.listeners;
  std::shared_ptr<engine::cim::CimEngine> cim = MakeCimEngine(config);
  if (!cim) return 2;

  // [metrics]: counted only when the endpoint is on.
  std::shared_ptr<metrics::Registry> registry;
  if (!config.metrics_listen.empty()) {
    registry = std::make_shared<metrics::Registry>();
  }
  EndpointSettings endpoint_settings = EndpointSettingsFrom(config, machine);
  endpoint_settings.metrics = registry;
  WsmanEndpoint endpoint(std::move(endpoint_settings), &dispatcher,
                         authenticator);
  endpoint.SetCertificateMap(cert_map);

  RaiseDescriptorLimit(config);
  http::HttpServer server(LimitsFrom(config), &endpoint);
  for (const ListenAddress& address : addresses) {
    http::ListenerOptions options;
    if (address.tls) options.tls = tls;
    options.allow_unencrypted = address.tls || allows_unencrypted(address);
    base::StatusOr<int> port = server.Listen(address, options);
    if (!port.ok()) {
      log::Error("startup", {{"error", port.message()}});
      return 1;
    }
    ListenAddress bound = address;
    bound.port = *port;
    log::Info("listening", {{"url", bound.ToUrl() + "/wsman"}});
    ListenerFacts listener;
    listener.tls = address.tls;
    listener.host = address.host;
    listener.port = *port;
    if (address.tls) {
      listener.certificate_thumbprint = certificate.thumbprint;
      listener.certificate_subject = certificate.subject;
    }
    listener_facts.push_back(listener);
  }
  std::unique_ptr<metrics::MetricsListener> metrics_listener;
  if (registry) {
    AddGauges(registry.get(), &server, shell_host.get(), cim.get());
    metrics_listener =
        std::make_unique<metrics::MetricsListener>(registry.get());
    ListenAddress address = ParseListenUrl(config.metrics_listen);
    base::StatusOr<int> port = metrics_listener->Start(address);
    if (!port.ok()) {
      log::Error("startup", {{"error", "metrics: " + port.message()}});
      return 1;
    }
    address.port = *port;
    log::Info("metrics-listening", {{"url", address.ToUrl() + "/metrics"}});
  }
  auto store =
      std::make_shared<WinrmConfigStore>(config, config_path, overrides, facts);
  dispatcher.Add(engine::config::ConfigRoutes(store));
  InstallCimEngine(&dispatcher, cim);
  // What the service was built with: keys a reload cannot apply are
  // compared with it.
  const Config started = config;
  // What SIGHUP and a winrm/config Put apply, one at a time (the store's
  // lock); `fresh` is loaded and validated.
  store->SetApplier([&](const Config& fresh) -> base::Status {
    // A new authenticator re-reads the accounts file and starts with an
    // empty credential cache; a bad file keeps the running one (and
    // everything else of the running config).
    auto reloaded = auth::Authenticator::Create(AuthOptionsFrom(fresh));
    if (!reloaded.ok()) {
      return base::Status::InvalidArgument(reloaded.message() +
                                           " (keeping the running accounts)");
    }
    log::SetLevel(*log::ParseLevel(fresh.log_level));
    WarnRestartOnly(started, fresh);
    authenticator = std::move(reloaded.value());
    // For requests whose head arrives from now on; requests in flight
    // finish with what they started with.
    EndpointSettings settings = EndpointSettingsFrom(fresh, machine);
    endpoint.SetParseLimits(settings.parse_limits);  // [xml]
    endpoint.SetLimits(settings.max_envelope_size,
                       settings.max_operations_per_user);
    endpoint.SetAuthenticator(authenticator);
    // New certificate and key (a bad one is logged, the old one kept);
    // connections in progress keep the context they started with.
    if (tls) LoadTlsContext(tls.get(), fresh, "reload");
    if (cert_map) LoadCertMap(cert_map.get(), "reload");
    config = fresh;
    log::Info("reloaded",
              {{"config", config_path.empty() ? "-" : config_path}});
    return base::Status::Ok();
  });
  // Logged before the serving thread starts: from then on `config` belongs
  // to the applier (a winrm/config Put runs it on a worker thread), and
  // this thread reads it no more.
  log::Info("started", {{"version", WSMAND_VERSION},
                        {"machine", machine},
                        {"auth", config.UsePam() ? "pam" : "accounts-file"}});
  std::thread serving([&server] { server.Serve(); });

  for (;;) {
    int sig = 0;
    if (sigwait(&signals, &sig) != 0) continue;
    if (sig == SIGHUP) {
      if (base::Status reloaded = store->Reload(); !reloaded.ok()) {
        log::Error("reload", {{"error", reloaded.message()},
                              {"detail", "keeping the running config"}});
      }
      continue;
    }
    log::Info("stopping", {{"signal", sig == SIGTERM ? "SIGTERM" : "SIGINT"}});
    break;
  }
  if (metrics_listener) metrics_listener->Stop();  // its gauges read the rest
  shell_host->Shutdown();  // ends commands, wakes Receive long-polls
  server.Shutdown();
  serving.join();
  cim->Shutdown();  // cancels enumerations, waits for provider threads
  log::Info("stopped");
  return 0;
}

}  // namespace wsman::server
