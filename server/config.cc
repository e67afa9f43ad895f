#include "server/config.h"

#include <unistd.h>

#include <toml++/toml.h>
#include <set>
#include <variant>

#include "base/file_trust.h"
#include "base/log.h"
#include "certs/tls_context.h"
#include "server/http/listen_address.h"

namespace wsman::server {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Where a key's value lives in Config.
using Field =
    std::variant<int Config::*, size_t Config::*, long Config::*,
                 seconds Config::*, milliseconds Config::*,
                 std::string Config::*, std::vector<std::string> Config::*,
                 bool Config::*, std::optional<bool> Config::*>;

// One key of the file: its section and name, where it goes, and what it
// accepts (integers: min..max; strings: one of `choices`, "|"-separated,
// when set).
struct KeySpec {
  std::string_view section;
  std::string_view key;
  Field field;
  long min = 0;
  long max = 0;
  std::string_view choices = {};
};

constexpr long kDay = 86400;

// Every key the file may hold, in the order they are read (and documented).
// docs/configuration.md and packaging/wsmand.toml are tested against it
// (tests/unit/config_test.cc); a key added here shows up in that test.
const KeySpec kKeys[] = {
    {"server", "listen", &Config::listen},
    {"server", "log_level", &Config::log_level},
    {"server", "machine_name", &Config::machine_name},
    {"server", "max_timeout_ms", &Config::max_timeout, 500, 1000 * kDay},
    {"server", "admin_group", &Config::admin_group},

    {"http", "worker_threads", &Config::worker_threads, 1, 4096},
    {"http", "max_connections", &Config::max_connections, 1, 1000000},
    {"http", "max_connections_per_peer", &Config::max_connections_per_peer, 0,
     1000000},
    {"http", "max_header_bytes", &Config::max_header_bytes, 1024, 1024 * 1024},
    {"http", "max_operations_per_user", &Config::max_operations_per_user, 0,
     1000000},
    {"http", "max_header_fields", &Config::max_header_fields, 8, 10000},
    {"http", "header_timeout", &Config::header_timeout, 1, 3600},
    {"http", "body_timeout", &Config::body_timeout, 1, 3600},
    {"http", "write_timeout", &Config::write_timeout, 1, 3600},
    {"http", "keep_alive_timeout", &Config::keep_alive_timeout, 1, 3600},
    {"http", "max_envelope_size", &Config::max_envelope_size, 8192,
     64L * 1024 * 1024},

    {"auth", "accounts_file", &Config::accounts_file},
    {"auth", "pam", &Config::pam, 0, 0, "auto|on|off"},
    {"auth", "pam_service", &Config::pam_service},
    {"auth", "credential_cache_ttl", &Config::credential_cache_ttl, 0, 3600},
    {"auth", "max_failures", &Config::max_auth_failures, 1, 1000},
    {"auth", "max_failures_per_address", &Config::max_auth_failures_per_address,
     0, 100000},
    {"auth", "max_failures_per_user", &Config::max_auth_failures_per_user, 0,
     100000},
    {"auth", "failure_window", &Config::auth_failure_window, 1, kDay},
    {"auth", "max_backoff", &Config::auth_max_backoff, 1, kDay},
    {"auth", "max_verifications_per_peer", &Config::max_verifications_per_peer,
     0, 1024},
    {"auth", "verification_wait", &Config::verification_wait, 1, 300},
    {"auth", "account_recheck_interval", &Config::account_recheck_interval, 1,
     3600},
    {"auth", "allow_unencrypted", &Config::allow_unencrypted},

    {"xml", "max_depth", &Config::xml_max_depth, 8, 256},
    {"xml", "max_nodes", &Config::xml_max_nodes, 100, 10000000},
    {"xml", "max_attributes", &Config::xml_max_attributes, 16, 100000},

    {"shell", "max_shells_per_user", &Config::shell_max_shells_per_user, 0,
     1000000},
    {"shell", "max_processes_per_shell", &Config::shell_max_processes_per_shell,
     0, 1000000},
    {"shell", "max_concurrent_users", &Config::shell_max_concurrent_users, 0,
     1000000},
    {"shell", "idle_timeout", &Config::shell_idle_timeout, 0, 365 * kDay},
    {"shell", "max_memory_per_shell_mb", &Config::shell_max_memory_per_shell_mb,
     0, 1L << 30},
    {"shell", "fallback_user", &Config::shell_fallback_user},
    {"shell", "powershell", &Config::shell_powershell},
    {"shell", "max_output_per_shell_mb", &Config::shell_max_output_per_shell_mb,
     0, 1L << 20},
    {"shell", "isolation", &Config::shell_isolation, 0, 0,
     "auto|cgroup|session"},

    {"enumeration", "default_expiry", &Config::enumeration_default_expiry, 1,
     kDay},
    {"enumeration", "max_expiry", &Config::enumeration_max_expiry, 1, kDay},
    {"enumeration", "max_contexts_per_user",
     &Config::enumeration_max_contexts_per_user, 1, 100000},
    {"enumeration", "queue_capacity", &Config::enumeration_queue_capacity, 1,
     1000000},
    {"enumeration", "provider_threads", &Config::enumeration_provider_threads,
     1, 4096},

    {"providers", "default_namespace", &Config::providers_default_namespace},
    {"providers", "directory", &Config::providers_directory},
    {"providers", "administrators", &Config::providers_administrators},
    {"providers", "test_providers", &Config::providers_test_providers},
    {"providers", "host", &Config::providers_host},

    {"tls", "certificate", &Config::tls_certificate},
    {"tls", "private_key", &Config::tls_private_key},
    {"tls", "chain", &Config::tls_chain},
    {"tls", "ciphers", &Config::tls_ciphers},
    {"tls", "ciphersuites", &Config::tls_ciphersuites},
    {"tls", "min_version", &Config::tls_min_version},
    {"tls", "client_ca", &Config::tls_client_ca},
    {"tls", "client_cert_map", &Config::tls_client_cert_map},

    {"metrics", "listen", &Config::metrics_listen},
};

// What a SIGHUP reload (and a winrm/config Put) applies to the running
// service (server/daemon.cc): the log level and admin group, the envelope
// size and MaxConcurrentOperationsPerUser (a new /wsman endpoint for new
// requests), the authenticator ([auth], except allow_unencrypted, which
// each plain-HTTP listener fixes when it starts), the XML parse limits
// ([xml], per request) and the TLS context ([tls] files and ciphers; the
// certificate map's path is fixed at start).
bool Reloadable(std::string_view section, std::string_view key) {
  if (section == "server") return key == "log_level" || key == "admin_group";
  if (section == "http") {
    return key == "max_envelope_size" || key == "max_operations_per_user";
  }
  if (section == "xml") return true;
  if (section == "auth") return key != "allow_unencrypted";
  if (section == "tls") return key != "client_cert_map";
  return false;
}

std::string Where(const std::string& path, const toml::source_region& src) {
  return path + ":" + std::to_string(src.begin.line);
}

// `"a", "b" or "c"` from "a|b|c".
std::string ChoiceList(std::string_view choices) {
  std::vector<std::string_view> items;
  for (size_t bar; (bar = choices.find('|')) != std::string_view::npos;) {
    items.push_back(choices.substr(0, bar));
    choices.remove_prefix(bar + 1);
  }
  items.push_back(choices);
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += i + 1 == items.size() ? " or " : ", ";
    out += "\"" + std::string(items[i]) + "\"";
  }
  return out;
}

bool IsChoice(std::string_view choices, std::string_view value) {
  for (;;) {
    size_t bar = choices.find('|');
    if (choices.substr(0, bar) == value) return true;
    if (bar == std::string_view::npos) return false;
    choices.remove_prefix(bar + 1);
  }
}

// Reads the value of one key from its node into `config`.
class KeyReader {
 public:
  KeyReader(const std::string& path, const KeySpec& spec,
            const toml::node& node, Config* config)
      : path_(path), spec_(spec), node_(node), config_(config) {}

  base::Status Read() { return std::visit(*this, spec_.field); }

  base::Status operator()(int Config::*f) {
    return Int([&](long v) { config_->*f = static_cast<int>(v); });
  }
  base::Status operator()(size_t Config::*f) {
    return Int([&](long v) { config_->*f = static_cast<size_t>(v); });
  }
  base::Status operator()(long Config::*f) {
    return Int([&](long v) { config_->*f = v; });
  }
  base::Status operator()(seconds Config::*f) {
    return Int([&](long v) { config_->*f = seconds(v); });
  }
  base::Status operator()(milliseconds Config::*f) {
    return Int([&](long v) { config_->*f = milliseconds(v); });
  }
  base::Status operator()(std::string Config::*f) {
    auto value = node_.value_exact<std::string>();
    if (!value) return MustBe(node_, "a string");
    if (!spec_.choices.empty() && !IsChoice(spec_.choices, *value)) {
      return MustBe(node_, ChoiceList(spec_.choices));
    }
    config_->*f = *value;
    return base::Status::Ok();
  }
  base::Status operator()(bool Config::*f) {
    auto value = node_.value_exact<bool>();
    if (!value) return MustBe(node_, "true or false");
    config_->*f = *value;
    return base::Status::Ok();
  }
  base::Status operator()(std::optional<bool> Config::*f) {
    auto value = node_.value_exact<bool>();
    if (!value) return MustBe(node_, "true or false");
    config_->*f = *value;
    return base::Status::Ok();
  }
  base::Status operator()(std::vector<std::string> Config::*f) {
    const toml::array* array = node_.as_array();
    if (array == nullptr) return MustBe(node_, "an array of strings");
    std::vector<std::string> values;
    for (const toml::node& item : *array) {
      auto s = item.value_exact<std::string>();
      if (!s)
        return MustBe(item, "made of strings only", " must hold only strings");
      values.push_back(*s);
    }
    config_->*f = std::move(values);
    return base::Status::Ok();
  }

 private:
  base::Status MustBe(const toml::node& at, std::string_view what,
                      std::string_view phrase = {}) const {
    std::string full =
        std::string(spec_.section) + "." + std::string(spec_.key);
    return base::Status::InvalidArgument(
        Where(path_, at.source()) + ": " + full +
        (phrase.empty() ? " must be " + std::string(what)
                        : std::string(phrase)));
  }

  template <typename Assign>
  base::Status Int(Assign assign) {
    auto value = node_.value_exact<int64_t>();
    if (!value) return MustBe(node_, "an integer");
    if (*value < spec_.min || *value > spec_.max) {
      return MustBe(node_, "between " + std::to_string(spec_.min) + " and " +
                               std::to_string(spec_.max));
    }
    assign(static_cast<long>(*value));
    return base::Status::Ok();
  }

  const std::string& path_;
  const KeySpec& spec_;
  const toml::node& node_;
  Config* config_;
};

// Reads one [section]: every known key present, in table order, then the
// first unknown key is an error.
base::Status ReadSection(const std::string& path, std::string_view section,
                         const toml::table& table, Config* config) {
  std::set<std::string_view> known;
  for (const KeySpec& spec : kKeys) {
    if (spec.section != section) continue;
    known.insert(spec.key);
    const toml::node* node = table.get(spec.key);
    if (node == nullptr) continue;
    base::Status s = KeyReader(path, spec, *node, config).Read();
    if (!s.ok()) return s;
  }
  for (const auto& [key, node] : table) {
    if (!known.count(key.str())) {
      return base::Status::InvalidArgument(
          Where(path, node.source()) + ": unknown key " + std::string(section) +
          "." + std::string(key.str()));
    }
  }
  return base::Status::Ok();
}

bool IsSection(std::string_view name) {
  for (const KeySpec& spec : kKeys) {
    if (spec.section == name) return true;
  }
  return false;
}

std::string Quoted(const std::string& s) { return "\"" + s + "\""; }

// A value as TOML text ("unset" for an optional without one).
std::string ValueText(const Config& config, const Field& field) {
  struct Visitor {
    const Config& c;
    std::string operator()(int Config::*f) { return std::to_string(c.*f); }
    std::string operator()(size_t Config::*f) { return std::to_string(c.*f); }
    std::string operator()(long Config::*f) { return std::to_string(c.*f); }
    std::string operator()(seconds Config::*f) {
      return std::to_string((c.*f).count());
    }
    std::string operator()(milliseconds Config::*f) {
      return std::to_string((c.*f).count());
    }
    std::string operator()(std::string Config::*f) { return Quoted(c.*f); }
    std::string operator()(bool Config::*f) { return c.*f ? "true" : "false"; }
    std::string operator()(std::optional<bool> Config::*f) {
      if (!(c.*f)) return "unset";
      return *(c.*f) ? "true" : "false";
    }
    std::string operator()(std::vector<std::string> Config::*f) {
      std::string out = "[";
      for (const std::string& s : c.*f) {
        if (out.size() > 1) out += ", ";
        out += Quoted(s);
      }
      return out + "]";
    }
  };
  return std::visit(Visitor{config}, field);
}

}  // namespace

bool Config::UsePam() const {
  if (pam == "on") return true;
  if (pam == "off") return false;
  return accounts_file.empty() && ::geteuid() == 0;
}

std::vector<ConfigKey> ConfigKeys(const Config& config) {
  std::vector<ConfigKey> keys;
  for (const KeySpec& spec : kKeys) {
    keys.push_back({spec.section, spec.key, ValueText(config, spec.field),
                    Reloadable(spec.section, spec.key)});
  }
  return keys;
}

base::Status LoadConfigFile(const std::string& path, Config* config) {
  // The config names the accounts file, keys and provider directory: it is
  // read only after the ownership checks of base/file_trust.h.
  base::StatusOr<std::string> text = base::ReadTrustedFile(path);
  if (!text.ok()) return base::Status::IoError(text.message());
  return LoadConfigText(*text, path, config);
}

base::Status LoadConfigText(const std::string& text, const std::string& path,
                            Config* config) {
  toml::table root;
  try {
    root = toml::parse(text, path);
  } catch (const toml::parse_error& e) {
    return base::Status::InvalidArgument(path + ":" +
                                         std::to_string(e.source().begin.line) +
                                         ": " + std::string(e.description()));
  }
  for (const auto& [key, node] : root) {
    const toml::table* table = node.as_table();
    std::string name(key.str());
    if (table == nullptr) {
      return base::Status::InvalidArgument(Where(path, node.source()) + ": " +
                                           name + " must be a table ([" + name +
                                           "])");
    }
    if (!IsSection(name)) {
      return base::Status::InvalidArgument(Where(path, node.source()) +
                                           ": unknown table [" + name + "]");
    }
    if (base::Status s = ReadSection(path, name, *table, config); !s.ok()) {
      return s;
    }
  }
  config->source_file = path;
  return ValidateConfig(*config);
}

base::Status ValidateConfig(const Config& config) {
  std::string where =
      config.source_file.empty() ? "command line" : config.source_file;
  auto invalid = [&](const std::string& what) {
    return base::Status::InvalidArgument(where + ": " + what);
  };
  if (!log::ParseLevel(config.log_level)) {
    return invalid("log level must be debug, info, warn or error, not \"" +
                   config.log_level + "\"");
  }
  if (config.listen.empty()) return invalid("no listen address");
  bool any_https = false;
  for (const std::string& url : config.listen) {
    auto parsed = ParseListenUrl(url);
    if (!parsed.ok) {
      return invalid("listen address \"" + url + "\": " + parsed.error);
    }
    any_https = any_https || parsed.tls;
  }
  if (base::StatusOr<int> version =
          certs::ParseTlsVersion(config.tls_min_version);
      !version.ok()) {
    return invalid("tls.min_version: " + version.status().message());
  }
  if (any_https &&
      (config.tls_certificate.empty() || config.tls_private_key.empty())) {
    return invalid(
        "https listeners need tls.certificate and tls.private_key "
        "(--tls-cert, --tls-key; `wsmand cert create` makes them)");
  }
  if (config.tls_client_cert_map.empty() != config.tls_client_ca.empty()) {
    return invalid(
        "client certificate authentication needs both tls.client_ca and "
        "tls.client_cert_map");
  }
  if (!config.metrics_listen.empty()) {
    // Unauthenticated: never on a WS-Man listener (docs/security.md).
    ListenAddress metrics = ParseListenUrl(config.metrics_listen);
    if (!metrics.ok || metrics.tls) {
      return invalid("metrics.listen \"" + config.metrics_listen + "\": " +
                     (metrics.ok ? "must be an http:// URL" : metrics.error));
    }
    for (const std::string& url : config.listen) {
      ListenAddress wsman = ParseListenUrl(url);
      if (metrics.port != 0 && wsman.port == metrics.port &&
          (wsman.host == metrics.host || wsman.host == "0.0.0.0" ||
           wsman.host == "::" || metrics.host == "0.0.0.0" ||
           metrics.host == "::")) {
        return invalid("metrics.listen \"" + config.metrics_listen +
                       "\" is the address of the WS-Man listener " + url +
                       "; the metrics endpoint needs an address of its own");
      }
    }
  }
  return base::Status::Ok();
}

}  // namespace wsman::server
