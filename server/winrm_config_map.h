// wsmand's settings under WinRM's names: the cfg:Config tree a Get of
// winrm/config answers ([MS-WSMV] 3.1.4.2; the element order of Windows'
// own answer), built from the running Config and the facts only the
// running service knows (bound listeners, TLS certificate), and the way back
// from a Put's changed elements to config-file edits. The table of names
// and keys is docs/operations.md's ("winrm/config").
//
// Thread rules: pure functions of their input; any thread.
#ifndef WSMAND_SERVER_WINRM_CONFIG_MAP_H_
#define WSMAND_SERVER_WINRM_CONFIG_MAP_H_

#include <string>
#include <vector>

#include "base/status.h"
#include "engine/config/config_tree.h"
#include "server/config.h"
#include "server/config_file_edit.h"

namespace wsman::server {

struct ListenerFacts {
  bool tls = false;
  std::string host;  // as configured: "0.0.0.0", "::", "127.0.0.1"
  int port = 0;      // the bound port
  std::string certificate_thumbprint;  // https: SHA-1, upper-case hex
  std::string certificate_subject;     // https: e.g. "CN=host"
};

// What the running service adds to its Config.
struct ServiceFacts {
  std::vector<ListenerFacts> listeners;
  bool basic_over_http = false;      // some http:// listener accepts Basic
  bool client_certificates = false;  // [tls] client_ca and a map
};

engine::config::Node WinrmConfigTree(const Config& config,
                                     const ServiceFacts& facts);

// One cfg:Listener tree per listener.
std::vector<engine::config::Node> WinrmListeners(const ServiceFacts& facts);

// The config-file edits a Put's changes make. InvalidArgument for an
// element wsmand fixes or derives (read only) or a value that is no
// number; FailedPrecondition for one whose key changes only on restart
// (the message names the key).
base::StatusOr<std::vector<ConfigEdit>> EditsForChanges(
    const std::vector<engine::config::Change>& changes);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_WINRM_CONFIG_MAP_H_
