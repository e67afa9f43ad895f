// `wsmand config check [--config FILE]`: validates a configuration as the
// daemon would load it, without starting it — the file itself (trusted-file
// rules, TOML, keys, values), then each file it names: the accounts file,
// the TLS certificate, key, chain and client CA, the client certificate map
// and the provider directory and its modules, each read (or opened) under
// the same ownership and mode checks (docs/security.md, "Trusted files")
// and parsed. Every problem is one line on `err`; nothing is written and no
// socket is opened.
//
// Thread rules: none (the CLI's main thread).
#ifndef WSMAND_SERVER_CONFIG_CHECK_H_
#define WSMAND_SERVER_CONFIG_CHECK_H_

#include <ostream>
#include <string>
#include <vector>

#include "certs/tls_context.h"
#include "server/config.h"

namespace wsman::server {

// The [tls] settings as certs/ takes them (the daemon's start-up and
// reload, and the check).
certs::TlsSettings TlsSettingsFrom(const Config& config);

// The problems of `config` (already loaded and validated) that only reading
// the files it names shows; one message each, none when it is fine.
// Warnings (what the daemon would start with but log) go to `warnings`.
std::vector<std::string> CheckNamedFiles(const Config& config,
                                         std::vector<std::string>* warnings);

// Loads `path` ("" = the built-in defaults) and checks it and its files.
// Prints "<path>: OK" on `out` and returns 0 when the daemon would start
// with it; otherwise one "wsmand: ..." line per problem on `err` and
// returns 2, the daemon's exit code for a bad configuration.
int RunConfigCheck(const std::string& path, std::ostream& out,
                   std::ostream& err);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_CONFIG_CHECK_H_
