#include "server/config.h"

#include <unistd.h>

#include <toml++/toml.h>
#include <set>
#include <sstream>

#include "base/file_trust.h"
#include "base/log.h"
#include "certs/tls_context.h"
#include "server/listen_address.h"

namespace wsman::server {
namespace {

std::string Where(const std::string& path, const toml::source_region& src) {
  std::ostringstream out;
  out << path << ":" << src.begin.line;
  return out.str();
}

// Reads typed values from one table, remembering which keys were used so
// that unknown keys can be reported.
class TableReader {
 public:
  TableReader(const std::string& path, const toml::table& table,
              std::string_view name)
      : path_(path), table_(table), name_(name) {}

  std::optional<ConfigError> String(std::string_view key, std::string* out) {
    return Read<std::string>(key, "a string", [&](const std::string& v) {
      *out = v;
      return true;
    });
  }

  std::optional<ConfigError> Int(std::string_view key, long min, long max,
                                 long* out) {
    return Read<int64_t>(
        key, "an integer",
        [&](int64_t v) {
          if (v < min || v > max) return false;
          *out = static_cast<long>(v);
          return true;
        },
        min, max);
  }

  std::optional<ConfigError> Seconds(std::string_view key, long min, long max,
                                     std::chrono::seconds* out) {
    long v = 0;
    if (!table_.contains(key)) {
      used_.insert(std::string(key));
      return std::nullopt;
    }
    if (auto err = Int(key, min, max, &v)) return err;
    *out = std::chrono::seconds(v);
    return std::nullopt;
  }

  std::optional<ConfigError> Bool(std::string_view key, bool* out) {
    return Read<bool>(key, "true or false", [&](bool v) {
      *out = v;
      return true;
    });
  }

  std::optional<ConfigError> StringList(std::string_view key,
                                        std::vector<std::string>* out) {
    used_.insert(std::string(key));
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    const toml::array* array = node->as_array();
    if (array == nullptr) {
      return ConfigError{Where(path_, node->source()) + ": " +
                         std::string(name_) + "." + std::string(key) +
                         " must be an array of strings"};
    }
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      auto s = item.value<std::string>();
      if (!s) {
        return ConfigError{Where(path_, item.source()) + ": " +
                           std::string(name_) + "." + std::string(key) +
                           " must hold only strings"};
      }
      values.push_back(*s);
    }
    *out = std::move(values);
    return std::nullopt;
  }

  std::optional<ConfigError> RejectUnknown() const {
    for (const auto& [key, node] : table_) {
      if (!used_.count(std::string(key.str()))) {
        return ConfigError{Where(path_, node.source()) + ": unknown key " +
                           std::string(name_) + "." + std::string(key.str())};
      }
    }
    return std::nullopt;
  }

 private:
  template <typename T, typename F>
  std::optional<ConfigError> Read(std::string_view key, const char* what,
                                  F assign, long min = 0, long max = 0) {
    used_.insert(std::string(key));
    const toml::node* node = table_.get(key);
    if (node == nullptr) return std::nullopt;
    auto value = node->value_exact<T>();
    std::string full = std::string(name_) + "." + std::string(key);
    if (!value) {
      return ConfigError{Where(path_, node->source()) + ": " + full +
                         " must be " + what};
    }
    if (!assign(*value)) {
      std::ostringstream msg;
      msg << Where(path_, node->source()) << ": " << full << " must be between "
          << min << " and " << max;
      return ConfigError{msg.str()};
    }
    return std::nullopt;
  }

  const std::string& path_;
  const toml::table& table_;
  std::string_view name_;
  std::set<std::string> used_;
};

#define WSMAND_TRY(expr)                 \
  do {                                   \
    if (auto err_ = (expr)) return err_; \
  } while (0)

std::optional<ConfigError> ReadServer(const std::string& path,
                                      const toml::table& t, Config* c) {
  TableReader r(path, t, "server");
  WSMAND_TRY(r.StringList("listen", &c->listen));
  WSMAND_TRY(r.String("log_level", &c->log_level));
  WSMAND_TRY(r.String("machine_name", &c->machine_name));
  if (t.contains("max_timeout_ms")) {
    long v = 0;
    WSMAND_TRY(r.Int("max_timeout_ms", 500, 86400000, &v));
    c->max_timeout = std::chrono::milliseconds(v);
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadHttp(const std::string& path,
                                    const toml::table& t, Config* c) {
  TableReader r(path, t, "http");
  long v = 0;
  if (t.contains("worker_threads")) {
    WSMAND_TRY(r.Int("worker_threads", 1, 4096, &v));
    c->worker_threads = static_cast<int>(v);
  }
  if (t.contains("max_connections")) {
    WSMAND_TRY(r.Int("max_connections", 1, 1000000, &v));
    c->max_connections = static_cast<int>(v);
  }
  if (t.contains("max_connections_per_peer")) {
    WSMAND_TRY(r.Int("max_connections_per_peer", 0, 1000000, &v));
    c->max_connections_per_peer = static_cast<int>(v);
  }
  if (t.contains("max_header_bytes")) {
    WSMAND_TRY(r.Int("max_header_bytes", 1024, 1024 * 1024, &v));
    c->max_header_bytes = static_cast<size_t>(v);
  }
  if (t.contains("max_operations_per_user")) {
    WSMAND_TRY(r.Int("max_operations_per_user", 0, 1000000, &v));
    c->max_operations_per_user = static_cast<int>(v);
  }
  if (t.contains("max_header_fields")) {
    WSMAND_TRY(r.Int("max_header_fields", 8, 10000, &v));
    c->max_header_fields = static_cast<int>(v);
  }
  WSMAND_TRY(r.Seconds("header_timeout", 1, 3600, &c->header_timeout));
  WSMAND_TRY(r.Seconds("body_timeout", 1, 3600, &c->body_timeout));
  WSMAND_TRY(r.Seconds("write_timeout", 1, 3600, &c->write_timeout));
  WSMAND_TRY(r.Seconds("keep_alive_timeout", 1, 3600, &c->keep_alive_timeout));
  if (t.contains("max_envelope_size")) {
    WSMAND_TRY(r.Int("max_envelope_size", 8192, 64L * 1024 * 1024, &v));
    c->max_envelope_size = static_cast<size_t>(v);
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadAuth(const std::string& path,
                                    const toml::table& t, Config* c) {
  TableReader r(path, t, "auth");
  long v = 0;
  WSMAND_TRY(r.String("accounts_file", &c->accounts_file));
  WSMAND_TRY(r.String("pam", &c->pam));
  if (c->pam != "auto" && c->pam != "on" && c->pam != "off") {
    return ConfigError{Where(path, t.get("pam")->source()) +
                       ": auth.pam must be \"auto\", \"on\" or \"off\""};
  }
  WSMAND_TRY(r.String("pam_service", &c->pam_service));
  WSMAND_TRY(
      r.Seconds("credential_cache_ttl", 0, 3600, &c->credential_cache_ttl));
  if (t.contains("max_failures")) {
    WSMAND_TRY(r.Int("max_failures", 1, 1000, &v));
    c->max_auth_failures = static_cast<int>(v);
  }
  if (t.contains("max_failures_per_address")) {
    WSMAND_TRY(r.Int("max_failures_per_address", 0, 100000, &v));
    c->max_auth_failures_per_address = static_cast<int>(v);
  }
  if (t.contains("max_failures_per_user")) {
    WSMAND_TRY(r.Int("max_failures_per_user", 0, 100000, &v));
    c->max_auth_failures_per_user = static_cast<int>(v);
  }
  WSMAND_TRY(r.Seconds("failure_window", 1, 86400, &c->auth_failure_window));
  WSMAND_TRY(r.Seconds("max_backoff", 1, 86400, &c->auth_max_backoff));
  if (t.contains("max_verifications_per_peer")) {
    WSMAND_TRY(r.Int("max_verifications_per_peer", 0, 1024, &v));
    c->max_verifications_per_peer = static_cast<int>(v);
  }
  WSMAND_TRY(r.Seconds("verification_wait", 1, 300, &c->verification_wait));
  WSMAND_TRY(r.Seconds("account_recheck_interval", 1, 3600,
                       &c->account_recheck_interval));
  if (t.contains("allow_unencrypted")) {
    bool allow = false;
    WSMAND_TRY(r.Bool("allow_unencrypted", &allow));
    c->allow_unencrypted = allow;
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadXml(const std::string& path,
                                   const toml::table& t, Config* c) {
  TableReader r(path, t, "xml");
  long v = 0;
  if (t.contains("max_depth")) {
    WSMAND_TRY(r.Int("max_depth", 8, 256, &v));
    c->xml_max_depth = static_cast<int>(v);
  }
  if (t.contains("max_nodes")) {
    WSMAND_TRY(r.Int("max_nodes", 100, 10000000, &v));
    c->xml_max_nodes = static_cast<size_t>(v);
  }
  if (t.contains("max_attributes")) {
    WSMAND_TRY(r.Int("max_attributes", 16, 100000, &v));
    c->xml_max_attributes = static_cast<size_t>(v);
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadShell(const std::string& path,
                                     const toml::table& t, Config* c) {
  TableReader r(path, t, "shell");
  long v = 0;
  if (t.contains("max_shells_per_user")) {
    WSMAND_TRY(r.Int("max_shells_per_user", 0, 1000000, &v));
    c->shell_max_shells_per_user = static_cast<int>(v);
  }
  if (t.contains("max_processes_per_shell")) {
    WSMAND_TRY(r.Int("max_processes_per_shell", 0, 1000000, &v));
    c->shell_max_processes_per_shell = static_cast<int>(v);
  }
  if (t.contains("max_concurrent_users")) {
    WSMAND_TRY(r.Int("max_concurrent_users", 0, 1000000, &v));
    c->shell_max_concurrent_users = static_cast<int>(v);
  }
  WSMAND_TRY(
      r.Seconds("idle_timeout", 0, 365L * 86400, &c->shell_idle_timeout));
  if (t.contains("max_memory_per_shell_mb")) {
    WSMAND_TRY(r.Int("max_memory_per_shell_mb", 0, 1L << 30, &v));
    c->shell_max_memory_per_shell_mb = v;
  }
  WSMAND_TRY(r.String("fallback_user", &c->shell_fallback_user));
  if (t.contains("max_output_per_shell_mb")) {
    WSMAND_TRY(r.Int("max_output_per_shell_mb", 0, 1L << 20, &v));
    c->shell_max_output_per_shell_mb = v;
  }
  WSMAND_TRY(r.String("isolation", &c->shell_isolation));
  if (c->shell_isolation != "auto" && c->shell_isolation != "cgroup" &&
      c->shell_isolation != "session") {
    return ConfigError{Where(path, t.get("isolation")->source()) +
                       ": shell.isolation must be \"auto\", \"cgroup\" or "
                       "\"session\""};
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadEnumeration(const std::string& path,
                                           const toml::table& t, Config* c) {
  TableReader r(path, t, "enumeration");
  long v = 0;
  WSMAND_TRY(
      r.Seconds("default_expiry", 1, 86400, &c->enumeration_default_expiry));
  WSMAND_TRY(r.Seconds("max_expiry", 1, 86400, &c->enumeration_max_expiry));
  if (t.contains("max_contexts_per_user")) {
    WSMAND_TRY(r.Int("max_contexts_per_user", 1, 100000, &v));
    c->enumeration_max_contexts_per_user = static_cast<int>(v);
  }
  if (t.contains("queue_capacity")) {
    WSMAND_TRY(r.Int("queue_capacity", 1, 1000000, &v));
    c->enumeration_queue_capacity = static_cast<int>(v);
  }
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadProviders(const std::string& path,
                                         const toml::table& t, Config* c) {
  TableReader r(path, t, "providers");
  WSMAND_TRY(r.String("default_namespace", &c->providers_default_namespace));
  WSMAND_TRY(r.String("directory", &c->providers_directory));
  WSMAND_TRY(r.StringList("administrators", &c->providers_administrators));
  WSMAND_TRY(r.Bool("test_providers", &c->providers_test_providers));
  WSMAND_TRY(r.Bool("host", &c->providers_host));
  return r.RejectUnknown();
}

std::optional<ConfigError> ReadTls(const std::string& path,
                                   const toml::table& t, Config* c) {
  TableReader r(path, t, "tls");
  WSMAND_TRY(r.String("certificate", &c->tls_certificate));
  WSMAND_TRY(r.String("private_key", &c->tls_private_key));
  WSMAND_TRY(r.String("chain", &c->tls_chain));
  WSMAND_TRY(r.String("ciphers", &c->tls_ciphers));
  WSMAND_TRY(r.String("ciphersuites", &c->tls_ciphersuites));
  WSMAND_TRY(r.String("min_version", &c->tls_min_version));
  WSMAND_TRY(r.String("client_ca", &c->tls_client_ca));
  WSMAND_TRY(r.String("client_cert_map", &c->tls_client_cert_map));
  return r.RejectUnknown();
}

}  // namespace

bool Config::UsePam() const {
  if (pam == "on") return true;
  if (pam == "off") return false;
  return accounts_file.empty() && ::geteuid() == 0;
}

std::optional<ConfigError> LoadConfigFile(const std::string& path,
                                          Config* config) {
  // The config names the accounts file, keys and provider directory: it is
  // read only after the ownership checks of base/file_trust.h.
  std::string text, error;
  if (!base::ReadTrustedFile(path, &text, &error)) return ConfigError{error};
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << path << ":" << e.source().begin.line << ": " << e.description();
    return ConfigError{msg.str()};
  }
  for (const auto& [key, node] : root) {
    const toml::table* table = node.as_table();
    std::string name(key.str());
    if (table == nullptr) {
      return ConfigError{Where(path, node.source()) + ": " + name +
                         " must be a table ([" + name + "])"};
    }
    std::optional<ConfigError> err;
    if (name == "server") {
      err = ReadServer(path, *table, config);
    } else if (name == "http") {
      err = ReadHttp(path, *table, config);
    } else if (name == "auth") {
      err = ReadAuth(path, *table, config);
    } else if (name == "xml") {
      err = ReadXml(path, *table, config);
    } else if (name == "enumeration") {
      err = ReadEnumeration(path, *table, config);
    } else if (name == "providers") {
      err = ReadProviders(path, *table, config);
    } else if (name == "tls") {
      err = ReadTls(path, *table, config);
    } else if (name == "shell") {
      err = ReadShell(path, *table, config);
    } else {
      err = ConfigError{Where(path, node.source()) + ": unknown table [" +
                        name + "]"};
    }
    if (err) return err;
  }
  config->source_file = path;
  return ValidateConfig(*config);
}

std::optional<ConfigError> ValidateConfig(const Config& config) {
  std::string where =
      config.source_file.empty() ? "command line" : config.source_file;
  if (!log::ParseLevel(config.log_level)) {
    return ConfigError{where +
                       ": log level must be debug, info, warn or "
                       "error, not \"" +
                       config.log_level + "\""};
  }
  if (config.listen.empty()) {
    return ConfigError{where + ": no listen address"};
  }
  bool any_https = false;
  for (const std::string& url : config.listen) {
    auto parsed = ParseListenUrl(url);
    if (!parsed.ok) {
      return ConfigError{where + ": listen address \"" + url +
                         "\": " + parsed.error};
    }
    any_https = any_https || parsed.tls;
  }
  int tls_version = 0;
  std::string tls_error;
  if (!certs::ParseTlsVersion(config.tls_min_version, &tls_version,
                              &tls_error)) {
    return ConfigError{where + ": tls.min_version: " + tls_error};
  }
  if (any_https &&
      (config.tls_certificate.empty() || config.tls_private_key.empty())) {
    return ConfigError{where +
                       ": https listeners need tls.certificate and "
                       "tls.private_key (--tls-cert, --tls-key; `wsmand cert "
                       "create` makes them)"};
  }
  if (config.tls_client_cert_map.empty() != config.tls_client_ca.empty()) {
    return ConfigError{where +
                       ": client certificate authentication needs both "
                       "tls.client_ca and tls.client_cert_map"};
  }
  return std::nullopt;
}

}  // namespace wsman::server
