#include "engine/winrs/shell_routes.h"

#include <string>

#include "engine/winrs/winrs_messages.h"
#include "soap/actions.h"
#include "soap/namespaces.h"

namespace wsman::engine::winrs {
namespace {

using providers::shell::ShellHost;

using soap::action::kCreate;
using soap::action::kDelete;
constexpr std::string_view kCommand = soap::action::kShellCommand;
constexpr std::string_view kSend = soap::action::kShellSend;
constexpr std::string_view kReceive = soap::action::kShellReceive;
constexpr std::string_view kSignal = soap::action::kShellSignal;

soap::Fault NotAuthenticated() {
  return soap::Fault(soap::FaultCode::kAccessDenied, {},
                     "The Windows Remote Shell needs an authenticated user.");
}

struct Ops {
  std::shared_ptr<ShellHost> host;
  ShellEngineOptions options;

  base::MonotonicTime Deadline(const soap::Request& request,
                               bool receive) const {
    std::chrono::milliseconds timeout =
        request.operation_timeout.value_or(options.default_operation_timeout);
    if (timeout > options.max_operation_timeout) {
      timeout = options.max_operation_timeout;
    }
    return std::chrono::steady_clock::now() +
           (receive ? ReceiveWait(timeout) : timeout);
  }

  soap::Outcome Create(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto spec = ParseCreate(c.request);
    if (!spec.ok()) return spec.fault();
    spec->owner = c.identity->user;
    spec->client_ip = std::string(c.peer);
    providers::shell::ShellInfo info;
    auto err = host->Create(*c.identity, *spec, &info);
    if (!err.ok()) return FaultFor(err, {}, {});
    std::string_view address =
        c.request.to.empty() ? soap::ns::kAnonymous : c.request.to;
    WriteCreateResponse(info, address, c.request.message_id, out);
    return soap::Ok{};
  }

  soap::Outcome Command(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto shell_id = ShellIdOf(c.request);
    if (!shell_id.ok()) return shell_id.fault();
    auto spec = ParseCommand(c.request);
    if (!spec.ok()) return spec.fault();
    std::string command_id;
    auto err =
        host->RunCommand(c.identity->user, *shell_id, *spec, &command_id);
    if (!err.ok()) return FaultFor(err, *shell_id, {});
    WriteCommandResponse(command_id, c.request.message_id, out);
    return soap::Ok{};
  }

  soap::Outcome Send(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto shell_id = ShellIdOf(c.request);
    if (!shell_id.ok()) return shell_id.fault();
    auto input = ParseSend(c.request);
    if (!input.ok()) return input.fault();
    auto err =
        host->Send(c.identity->user, *shell_id, input->command_id, input->data,
                   input->end, Deadline(c.request, false), c.cancel);
    if (!err.ok()) return FaultFor(err, *shell_id, input->command_id);
    WriteEmptyResponse(action::kSendResponse, "rsp:SendResponse",
                       c.request.message_id, out);
    return soap::Ok{};
  }

  soap::Outcome Receive(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto shell_id = ShellIdOf(c.request);
    if (!shell_id.ok()) return shell_id.fault();
    auto input = ParseReceive(c.request);
    if (!input.ok()) return input.fault();
    providers::shell::ReceiveResult result;
    size_t budget = ReceiveBudget(c.max_envelope_size, c.request.message_id);
    auto err = host->Receive(c.identity->user, *shell_id, input->command_id,
                             input->want_stdout, input->want_stderr, budget,
                             Deadline(c.request, true), &result, c.cancel);
    if (!err.ok()) return FaultFor(err, *shell_id, input->command_id);
    WriteReceiveResponse(result, input->command_id, c.request.message_id, out);
    return soap::Ok{};
  }

  soap::Outcome Signal(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto shell_id = ShellIdOf(c.request);
    if (!shell_id.ok()) return shell_id.fault();
    auto input = ParseSignal(c.request);
    if (!input.ok()) return input.fault();
    auto err = host->Signal(c.identity->user, *shell_id, input->command_id,
                            input->code);
    if (!err.ok()) return FaultFor(err, *shell_id, input->command_id);
    WriteEmptyResponse(action::kSignalResponse, "rsp:SignalResponse",
                       c.request.message_id, out);
    return soap::Ok{};
  }

  soap::Outcome Delete(const OperationContext& c, std::string* out) const {
    if (c.identity == nullptr) return NotAuthenticated();
    auto shell_id = ShellIdOf(c.request);
    if (!shell_id.ok()) return shell_id.fault();
    auto err = host->Delete(c.identity->user, *shell_id);
    if (!err.ok()) return FaultFor(err, *shell_id, {});
    WriteEmptyResponse(action::kDeleteResponse, {}, c.request.message_id, out);
    return soap::Ok{};
  }
};

}  // namespace

std::chrono::milliseconds ReceiveWait(std::chrono::milliseconds timeout) {
  return timeout - timeout / 10;
}

std::vector<Route> ShellRoutes(std::shared_ptr<ShellHost> host,
                               ShellEngineOptions options) {
  auto ops = std::make_shared<const Ops>(Ops{std::move(host), options});
  std::string uri(kCmdResourceUri);
  auto bind = [&](soap::Outcome (Ops::*fn)(const OperationContext&,
                                           std::string*) const) {
    return [ops, fn](const OperationContext& c, std::string* out) {
      return ((*ops).*fn)(c, out);
    };
  };
  std::vector<Route> routes;
  routes.push_back({std::string(kCreate), uri, bind(&Ops::Create)});
  routes.push_back({std::string(kCommand), uri, bind(&Ops::Command)});
  routes.push_back({std::string(kSend), uri, bind(&Ops::Send)});
  routes.push_back({std::string(kReceive), uri, bind(&Ops::Receive)});
  routes.push_back({std::string(kSignal), uri, bind(&Ops::Signal)});
  routes.push_back({std::string(kDelete), uri, bind(&Ops::Delete)});
  return routes;
}

}  // namespace wsman::engine::winrs
