#include "server/winrm_config_map.h"

#include <charconv>
#include <string_view>

namespace wsman::server {
namespace {

using engine::config::Node;

// Windows' "no limit" values.
constexpr std::string_view kUint32Max = "4294967295";
constexpr std::string_view kInt32Max = "2147483647";

enum class Unit {
  kSame,         // the key's value as it is
  kBytesAsKb,    // bytes in the file, KB on the wire
  kSecondsAsMs,  // seconds in the file, milliseconds on the wire
};

// One element that is a wsmand key. `unlimited`: what 0 (= no limit) is
// shown as, "" when 0 is not special.
struct Mapped {
  std::string_view path;
  std::string_view section;
  std::string_view key;
  Unit unit = Unit::kSame;
  std::string_view unlimited = {};
};

const Mapped kMapped[] = {
    {"MaxEnvelopeSizekb", "http", "max_envelope_size", Unit::kBytesAsKb},
    {"MaxTimeoutms", "server", "max_timeout_ms"},
    {"MaxProviderRequests", "enumeration", "provider_threads"},
    {"Service/MaxConcurrentOperationsPerUser", "http",
     "max_operations_per_user", Unit::kSame, kUint32Max},
    {"Service/EnumerationTimeoutms", "enumeration", "default_expiry",
     Unit::kSecondsAsMs},
    {"Service/MaxConnections", "http", "max_connections"},
    {"Service/MaxPacketRetrievalTimeSeconds", "http", "body_timeout"},
    {"Service/AllowUnencrypted", "auth", "allow_unencrypted"},
    {"Winrs/IdleTimeout", "shell", "idle_timeout", Unit::kSecondsAsMs},
    {"Winrs/MaxConcurrentUsers", "shell", "max_concurrent_users", Unit::kSame,
     kInt32Max},
    {"Winrs/MaxProcessesPerShell", "shell", "max_processes_per_shell",
     Unit::kSame, kInt32Max},
    {"Winrs/MaxMemoryPerShellMB", "shell", "max_memory_per_shell_mb",
     Unit::kSame, kInt32Max},
    {"Winrs/MaxShellsPerUser", "shell", "max_shells_per_user", Unit::kSame,
     kInt32Max},
};

const ConfigKey* KeyOf(const std::vector<ConfigKey>& keys,
                       std::string_view section, std::string_view key) {
  for (const ConfigKey& k : keys) {
    if (k.section == section && k.key == key) return &k;
  }
  return nullptr;
}

// The element's text for a numeric key.
std::string Shown(const std::vector<ConfigKey>& keys, std::string_view path) {
  for (const Mapped& m : kMapped) {
    if (m.path != path) continue;
    const ConfigKey* k = KeyOf(keys, m.section, m.key);
    if (k == nullptr) return {};
    long v = 0;
    std::from_chars(k->value.data(), k->value.data() + k->value.size(), v);
    if (v == 0 && !m.unlimited.empty()) return std::string(m.unlimited);
    switch (m.unit) {
      case Unit::kBytesAsKb:
        return std::to_string(v / 1024);
      case Unit::kSecondsAsMs:
        return std::to_string(v * 1000);
      case Unit::kSame:
        return k->value;
    }
  }
  return {};
}

const char* Bool(bool b) { return b ? "true" : "false"; }

Node Container(std::string name, std::vector<Node> children) {
  return Node{std::move(name), {}, std::move(children)};
}

Node DefaultPorts() {
  return Container("DefaultPorts",
                   {Node::Leaf("HTTP", "5985"), Node::Leaf("HTTPS", "5986")});
}

// A Put value back in the file's unit, as TOML text.
base::StatusOr<std::string> FileValue(const Mapped& m,
                                      const std::string& value) {
  if (m.section == "auth") {  // allow_unencrypted
    if (value == "true" || value == "false") return value;
    return base::Status::InvalidArgument(std::string(m.path) +
                                         " must be true or false");
  }
  if (!m.unlimited.empty() && value == m.unlimited) return std::string("0");
  long v = 0;
  auto [end, ec] =
      std::from_chars(value.data(), value.data() + value.size(), v);
  if (ec != std::errc() || end != value.data() + value.size() || v < 0) {
    return base::Status::InvalidArgument(std::string(m.path) +
                                         " must be a non-negative integer, "
                                         "not \"" +
                                         value + "\"");
  }
  switch (m.unit) {
    case Unit::kBytesAsKb:
      if (v > (64L << 10)) {
        return base::Status::InvalidArgument(std::string(m.path) +
                                             " must be between 8 and 65536");
      }
      return std::to_string(v * 1024);
    case Unit::kSecondsAsMs:
      if (v % 1000 != 0) {
        return base::Status::InvalidArgument(
            std::string(m.path) +
            " must be whole seconds (a multiple of 1000)");
      }
      return std::to_string(v / 1000);
    case Unit::kSame:
      break;
  }
  return value;
}

}  // namespace

Node WinrmConfigTree(const Config& config, const ServiceFacts& facts) {
  const std::vector<ConfigKey> keys = ConfigKeys(config);
  auto shown = [&](std::string_view path) {
    return Node::Leaf(std::string(path.substr(path.rfind('/') + 1)),
                      Shown(keys, path));
  };
  const bool basic = config.UsePam() || !config.accounts_file.empty();
  // wsmand is no WinRM client: the Client section keeps Windows' shape with
  // fixed values (docs/operations.md).
  Node client = Container(
      "Client",
      {Node::Leaf("NetworkDelayms", "5000"), Node::Leaf("URLPrefix", "wsman"),
       Node::Leaf("AllowUnencrypted", "false"),
       Container(
           "Auth",
           {Node::Leaf("Basic", "false"), Node::Leaf("Digest", "false"),
            Node::Leaf("Kerberos", "false"), Node::Leaf("Negotiate", "false"),
            Node::Leaf("Certificate", "false"),
            Node::Leaf("CredSSP", "false")}),
       DefaultPorts(), Node::Leaf("TrustedHosts", "")});
  // No RootSDDL: who may log in is the accounts file or PAM, and what a
  // user may do is their Unix rights (docs/operations.md).
  Node service = Container(
      "Service",
      {Node::Leaf("MaxConcurrentOperations", std::string(kUint32Max)),
       shown("Service/MaxConcurrentOperationsPerUser"),
       shown("Service/EnumerationTimeoutms"), shown("Service/MaxConnections"),
       shown("Service/MaxPacketRetrievalTimeSeconds"),
       Node::Leaf("AllowUnencrypted", Bool(facts.basic_over_http)),
       Container(
           "Auth",
           {Node::Leaf("Basic", Bool(basic)), Node::Leaf("Kerberos", "false"),
            Node::Leaf("Negotiate", "false"),
            Node::Leaf("Certificate", Bool(facts.client_certificates)),
            Node::Leaf("CredSSP", "false")}),
       DefaultPorts(), Node::Leaf("IPv4Filter", "*"),
       Node::Leaf("IPv6Filter", "*"), Node::Leaf("AllowRemoteAccess", "true")});
  Node winrs = Container(
      "Winrs",
      {Node::Leaf("AllowRemoteShellAccess", "true"), shown("Winrs/IdleTimeout"),
       shown("Winrs/MaxConcurrentUsers"),
       Node::Leaf("MaxShellRunTime", std::string(kInt32Max)),
       shown("Winrs/MaxProcessesPerShell"), shown("Winrs/MaxMemoryPerShellMB"),
       shown("Winrs/MaxShellsPerUser")});
  // MaxBatchItems: wsmand bounds a batch by the envelope size only.
  return Container("Config",
                   {shown("MaxEnvelopeSizekb"), shown("MaxTimeoutms"),
                    Node::Leaf("MaxBatchItems", std::string(kUint32Max)),
                    shown("MaxProviderRequests"), std::move(client),
                    std::move(service), std::move(winrs)});
}

std::vector<Node> WinrmListeners(const ServiceFacts& facts) {
  std::vector<Node> out;
  for (const ListenerFacts& l : facts.listeners) {
    const bool any = l.host == "0.0.0.0" || l.host == "::";
    std::string hostname;
    if (l.tls && l.certificate_subject.rfind("CN=", 0) == 0) {
      hostname = l.certificate_subject.substr(3);
      hostname = hostname.substr(0, hostname.find(','));
    }
    out.push_back(Container(
        "Listener",
        {Node::Leaf("Address", any ? "*" : l.host),
         Node::Leaf("Transport", l.tls ? "HTTPS" : "HTTP"),
         Node::Leaf("Port", std::to_string(l.port)),
         Node::Leaf("Hostname", hostname), Node::Leaf("Enabled", "true"),
         Node::Leaf("URLPrefix", "wsman"),
         Node::Leaf("CertificateThumbprint",
                    l.tls ? l.certificate_thumbprint : ""),
         Node::Leaf("ListeningOn", l.host)}));
  }
  return out;
}

base::StatusOr<std::vector<ConfigEdit>> EditsForChanges(
    const std::vector<engine::config::Change>& changes) {
  const std::vector<ConfigKey> keys = ConfigKeys();
  std::vector<ConfigEdit> edits;
  for (const engine::config::Change& change : changes) {
    const Mapped* mapped = nullptr;
    for (const Mapped& m : kMapped) {
      if (m.path == change.path) mapped = &m;
    }
    if (mapped == nullptr) {
      return base::Status::InvalidArgument(
          change.path +
          " is fixed or derived in wsmand and cannot be set (see "
          "docs/operations.md, winrm/config)");
    }
    const std::string key =
        std::string(mapped->section) + "." + std::string(mapped->key);
    const ConfigKey* k = KeyOf(keys, mapped->section, mapped->key);
    if (k == nullptr || !k->reloadable) {
      return base::Status::FailedPrecondition(
          change.path + " (" + key +
          ") changes only when wsmand restarts: set it in the config file "
          "and restart the service");
    }
    base::StatusOr<std::string> value = FileValue(*mapped, change.value);
    if (!value.ok()) return value.status();
    edits.push_back(
        {std::string(mapped->section), std::string(mapped->key), *value});
  }
  return edits;
}

}  // namespace wsman::server
