// The daemon's configuration: defaults, the TOML config file, and the
// command-line overrides. Every key and its default is documented in
// docs/configuration.md and packaging/wsmand.toml; config_test checks both
// against ConfigKeys(). Plain values; no shared state.
#ifndef WSMAND_SERVER_CONFIG_H_
#define WSMAND_SERVER_CONFIG_H_

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wsman::server {

struct Config {
  // [server]
  std::vector<std::string> listen = {"http://127.0.0.1:5985"};
  std::string log_level = "info";
  std::string machine_name;  // "" = the host name
  // MaxTimeoutms: the most a client's w:OperationTimeout or n:MaxTime may
  // ask for (CIM and WinRS); longer ones are clamped to it.
  std::chrono::milliseconds max_timeout{60000};
  // Who may Put winrm/config besides root: the members of this group
  // (docs/operations.md, "winrm/config"); a group that does not exist
  // leaves root alone.
  std::string admin_group = "wsman-admins";

  // [http]
  int worker_threads = 16;
  int max_connections = 1024;          // open connections, idle ones too
  int max_connections_per_peer = 128;  // from one client address; 0 = none
  size_t max_header_bytes = 65536;     // request line + header fields
  int max_header_fields = 100;
  // MaxConcurrentOperationsPerUser: requests in progress per user; 0 = none.
  int max_operations_per_user = 256;
  std::chrono::seconds header_timeout{10};  // whole request head
  std::chrono::seconds body_timeout{30};    // whole request body
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_timeout{60};  // idle between requests
  size_t max_envelope_size = 512000;            // bytes, request and response

  // [auth]
  std::string accounts_file;  // "" = none
  std::string pam = "auto";   // "auto" | "on" | "off"
  std::string pam_service = "wsmand";
  std::chrono::seconds credential_cache_ttl{60};
  int max_auth_failures = 5;  // per (address, user) in failure_window
  int max_auth_failures_per_address = 20;  // any users; 0 = no bound
  int max_auth_failures_per_user = 10;     // all addresses; 0 = no bound
  std::chrono::seconds auth_failure_window{60};
  std::chrono::seconds auth_max_backoff{60};
  int max_verifications_per_peer = 2;  // password checks in progress; 0 = any
  std::chrono::seconds verification_wait{10};        // for a verification slot
  std::chrono::seconds account_recheck_interval{5};  // PAM, cached logins
  // Basic credentials over plain http:// listeners (WinRM's
  // AllowUnencrypted); unset = allowed on loopback listeners only.
  std::optional<bool> allow_unencrypted;

  // [xml]
  int xml_max_depth = 64;
  size_t xml_max_nodes = 50000;
  size_t xml_max_attributes = 256;  // per element, namespaces included

  // [shell] WinRS quotas with WinRM's names (docs/shell.md); 0 = no limit.
  int shell_max_shells_per_user = 30;
  int shell_max_processes_per_shell = 25;
  int shell_max_concurrent_users = 10;
  std::chrono::seconds shell_idle_timeout{7200};
  long shell_max_memory_per_shell_mb = 1024;
  std::string shell_fallback_user;  // "" = none
  std::string
      shell_powershell;  // pwsh for PowerShell command lines; "" = search
  long shell_max_output_per_shell_mb = 16;  // unreceived output; 0 = any
  std::string shell_isolation = "auto";     // "auto" | "cgroup" | "session"

  // [enumeration] CIM enumeration contexts (docs/operations.md).
  std::chrono::seconds enumeration_default_expiry{600};
  std::chrono::seconds enumeration_max_expiry{3600};
  int enumeration_max_contexts_per_user = 64;
  int enumeration_queue_capacity = 1000;
  int enumeration_provider_threads = 16;

  // [providers] CIM providers (docs/providers.md).
  std::string providers_default_namespace = "root/cimv2";
  std::string providers_directory;  // "" = load no .so providers
  // Who sees every process's CommandLine and ExecutablePath (root always
  // does): user names, or "%group" for a group's members.
  std::vector<std::string> providers_administrators;
  bool providers_test_providers =
      false;                   // tests only (WSMAND_TEST_PROVIDERS=1)
  bool providers_host = true;  // the built-in host classes (docs/classes.md)

  // [tls] HTTPS listeners and client certificates (docs/https.md). Empty
  // ciphers/ciphersuites = the built-in modern lists.
  std::string tls_certificate;
  std::string tls_private_key;
  std::string tls_chain;
  std::string tls_ciphers;
  std::string tls_ciphersuites;
  std::string tls_min_version = "1.2";
  std::string tls_client_ca;
  std::string tls_client_cert_map;

  // [metrics] The Prometheus endpoint, an http:// URL on an address no
  // WS-Man listener uses (docs/configuration.md); "" = off.
  std::string metrics_listen;

  // Where the configuration came from ("" = built-in defaults only).
  std::string source_file;

  // True when PAM is the backend for this configuration: pam = "on", or
  // "auto" while running as root with no accounts file.
  bool UsePam() const;
};

// One key of the file, as ConfigKeys() lists them: its [section], its name,
// its value as TOML text ("unset" for an optional key with no value), and
// whether a SIGHUP reload applies it (the others take a restart; a reload
// that changes one logs a warning naming it).
struct ConfigKey {
  std::string_view section;
  std::string_view key;
  std::string value;
  bool reloadable = false;
};

// Every key LoadConfigFile knows, in the order it reads them, with its value
// in `config` (by default: the built-in defaults). The one table of keys:
// docs/configuration.md and packaging/wsmand.toml are tested against it.
std::vector<ConfigKey> ConfigKeys(const Config& config = Config());

// Reads `path` (TOML) over the defaults, then validates the result.
// Unknown keys, wrong types and out-of-range values are InvalidArgument,
// with a message naming the file and line (what to print).
base::Status LoadConfigFile(const std::string& path, Config* config);

// As LoadConfigFile, from `text` (what `path` holds or is about to hold;
// `path` names it in messages and becomes source_file).
base::Status LoadConfigText(const std::string& text, const std::string& path,
                            Config* config);

// Checks values that are valid TOML but not valid settings.
base::Status ValidateConfig(const Config& config);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_CONFIG_H_
