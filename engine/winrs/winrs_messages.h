// The WS-Man side of WinRS (MS-WSMV 3.1.4.1.x): reading rsp:Shell,
// rsp:CommandLine, rsp:Send, rsp:Receive and rsp:Signal out of a request,
// writing the responses in Windows' shape, and mapping the shell host's
// errors to the faults Windows answers.
#ifndef WSMAND_ENGINE_WINRS_WINRS_MESSAGES_H_
#define WSMAND_ENGINE_WINRS_WINRS_MESSAGES_H_

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "providers/shell/shell_types.h"
#include "soap/actions.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::engine::winrs {

namespace ps = providers::shell;

inline constexpr std::string_view kCmdResourceUri =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd";
inline constexpr std::string_view kCommandStateDone =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
    "Done";
inline constexpr std::string_view kCommandStateRunning =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/"
    "Running";

namespace action {
using soap::action::kCreateResponse;
using soap::action::kDeleteResponse;
inline constexpr std::string_view kCommandResponse =
    soap::action::kShellCommandResponse;
inline constexpr std::string_view kSendResponse =
    soap::action::kShellSendResponse;
inline constexpr std::string_view kReceiveResponse =
    soap::action::kShellReceiveResponse;
inline constexpr std::string_view kSignalResponse =
    soap::action::kShellSignalResponse;
}  // namespace action

// Create: the rsp:Shell body and the Create OptionSet.
soap::Result<ps::ShellSpec> ParseCreate(const soap::Request& request);

// Command: rsp:CommandLine and WINRS_SKIP_CMD_SHELL.
soap::Result<ps::CommandSpec> ParseCommand(const soap::Request& request);

struct SendInput {
  std::string command_id;
  std::string data;  // decoded
  bool end = false;
};
soap::Result<SendInput> ParseSend(const soap::Request& request);

struct ReceiveInput {
  std::string command_id;
  bool want_stdout = true;
  bool want_stderr = true;
};
soap::Result<ReceiveInput> ParseReceive(const soap::Request& request);

struct SignalInput {
  std::string command_id;
  ps::SignalCode code = ps::SignalCode::kTerminate;
};
soap::Result<SignalInput> ParseSignal(const soap::Request& request);

// The ShellId selector's value, or the fault Windows answers without one.
soap::Result<std::string> ShellIdOf(const soap::Request& request);

// Raw output bytes a ReceiveResponse may carry so that the whole envelope
// stays within `max_envelope_size` (base64 grows 4/3; the rest of the
// envelope is bounded and accounted for).
size_t ReceiveBudget(size_t max_envelope_size, std::string_view relates_to);

// The response bodies.
void WriteCreateResponse(const ps::ShellInfo& info, std::string_view address,
                         std::string_view relates_to, std::string* out);
void WriteCommandResponse(std::string_view command_id,
                          std::string_view relates_to, std::string* out);
void WriteReceiveResponse(const ps::ReceiveResult& result,
                          std::string_view command_id,
                          std::string_view relates_to, std::string* out);
void WriteEmptyResponse(std::string_view action, std::string_view body_element,
                        std::string_view relates_to, std::string* out);

// xs:duration as Windows writes them: "PT7200.000S" and "P0DT0H0M0S".

// The fault for a shell host error (its Errc, ErrcOf(error)) on this shell /
// command: the one place the host's codes become WS-Man faults.
soap::Fault FaultFor(const base::Status& error, std::string_view shell_id,
                     std::string_view command_id);

}  // namespace wsman::engine::winrs

#endif  // WSMAND_ENGINE_WINRS_WINRS_MESSAGES_H_
