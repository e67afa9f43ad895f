// The running service: listeners, authenticator, dispatcher and the signal
// loop (SIGTERM/SIGINT: drain and stop; SIGHUP: reload config and accounts).
#ifndef WSMAND_SERVER_DAEMON_H_
#define WSMAND_SERVER_DAEMON_H_

#include <functional>
#include <string>

#include "server/config.h"

namespace wsman::server {

// Runs until SIGTERM or SIGINT. Returns the process exit code: 0 after a
// clean stop, 1 when the service cannot start (e.g. a port in use).
// `config_path` is re-read on SIGHUP ("" = none); `overrides` re-applies the
// command-line flags after each reload.
int RunDaemon(Config config, const std::string& config_path,
              const std::function<void(Config*)>& overrides);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_DAEMON_H_
