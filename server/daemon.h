// The running service: listeners, authenticator, dispatcher and the signal
// loop (SIGTERM/SIGINT: drain and stop; SIGHUP: reload config and accounts).
#ifndef WSMAND_SERVER_DAEMON_H_
#define WSMAND_SERVER_DAEMON_H_

#include <functional>
#include <string>

#include "server/config.h"

namespace wsman::server {

// Runs until SIGTERM or SIGINT. Returns the process exit code (wsmand.8's
// EXIT STATUS): 0 after a clean stop; 1 when a listener cannot be bound
// (e.g. a port in use); 2 when the configuration cannot be set up (the
// authenticator, the TLS context, the client certificate map, the shell
// isolation or the CIM providers). `config_path` is re-read on SIGHUP
// ("" = none); `overrides` re-applies the command-line flags after each
// reload, which applies log_level, [auth], [xml] and [tls] and logs a
// warning naming each other changed key (they take a restart;
// ConfigKey::reloadable).
int RunDaemon(Config config, const std::string& config_path,
              const std::function<void(Config*)>& overrides);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_DAEMON_H_
