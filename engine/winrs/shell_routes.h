// The WinRS operations on http://schemas.microsoft.com/wbem/wsman/1/windows/
// shell/cmd: Create, Command, Send, Receive, Signal, Delete, served by a
// providers::shell::ShellHost.
#ifndef WSMAND_ENGINE_WINRS_SHELL_ROUTES_H_
#define WSMAND_ENGINE_WINRS_SHELL_ROUTES_H_

#include <chrono>
#include <memory>
#include <vector>

#include "engine/operation.h"
#include "providers/shell/shell_host.h"

namespace wsman::engine::winrs {

struct ShellEngineOptions {
  // Receive and Send wait this long when the request has no
  // w:OperationTimeout, and never longer than max_operation_timeout.
  std::chrono::milliseconds default_operation_timeout{60000};
  std::chrono::milliseconds max_operation_timeout{std::chrono::minutes(10)};
};

// How long a Receive may wait for `timeout`: a tenth less, so that the
// TimedOut answer reaches clients whose HTTP timeout equals their
// OperationTimeout (Go winrm) before they give up.
std::chrono::milliseconds ReceiveWait(std::chrono::milliseconds timeout);

std::vector<Route> ShellRoutes(
    std::shared_ptr<providers::shell::ShellHost> host,
    ShellEngineOptions options = {});

}  // namespace wsman::engine::winrs

#endif  // WSMAND_ENGINE_WINRS_SHELL_ROUTES_H_
