#include "engine/winrs/winrs_messages.h"

#include <cstdio>

#include "base/strings.h"
#include "engine/winrs/base64.h"
#include "soap/duration.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::winrs {
namespace {

using soap::Fault;
using soap::FaultCode;

// xs:boolean plus the upper-case spellings WinRM clients send.
bool ParseBool(std::string_view text, bool* out) {
  text = soap::TrimXmlSpace(text);
  if (base::EqualsIgnoreCase(text, "true") || text == "1") {
    *out = true;
    return true;
  }
  if (base::EqualsIgnoreCase(text, "false") || text == "0") {
    *out = false;
    return true;
  }
  return false;
}

Fault BadBody(std::string_view message) {
  return Fault(FaultCode::kInvalidParameter, {}, message);
}

// Every token of `text` (white-space separated) is one of `allowed`.
bool StreamsValid(std::string_view text,
                  std::initializer_list<std::string_view> allowed) {
  size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t' ||
                               text[i] == '\r' || text[i] == '\n')) {
      ++i;
    }
    size_t start = i;
    while (i < text.size() && !(text[i] == ' ' || text[i] == '\t' ||
                                text[i] == '\r' || text[i] == '\n')) {
      ++i;
    }
    if (i == start) break;
    std::string_view token = text.substr(start, i - start);
    bool ok = false;
    for (std::string_view a : allowed) ok = ok || token == a;
    if (!ok) return false;
    any = true;
  }
  return any;
}

bool HasToken(std::string_view text, std::string_view token) {
  size_t pos = 0;
  while ((pos = text.find(token, pos)) != std::string_view::npos) {
    bool start_ok = pos == 0 || text[pos - 1] == ' ' || text[pos - 1] == '\t' ||
                    text[pos - 1] == '\n' || text[pos - 1] == '\r';
    size_t end = pos + token.size();
    bool end_ok = end == text.size() || text[end] == ' ' || text[end] == '\t' ||
                  text[end] == '\n' || text[end] == '\r';
    if (start_ok && end_ok) return true;
    pos = end;
  }
  return false;
}

soap::Result<std::chrono::milliseconds> BodyDuration(const xmlNode* node,
                                                     std::string_view what) {
  std::string text = soap::TextOf(node);
  auto parsed = soap::ParseDuration(text);
  if (!parsed.ok()) {
    return BadBody("The " + std::string(what) + " value \"" + text +
                   "\" is not a valid xs:duration.");
  }
  return *parsed;
}

// Options WinRS defines; unknown ones are ignored unless MustComply.
soap::Outcome CheckOptions(const soap::Request& request, bool create) {
  for (const soap::Option& option : request.options) {
    std::string_view value = soap::TrimXmlSpace(option.value);
    bool flag;
    if (option.name == "WINRS_CODEPAGE") {
      // Output passes through unchanged: UTF-8, or the ASCII-compatible code
      // pages whose clients read ASCII output correctly.
      if (value != "65001" && value != "437" && value != "20127") {
        return Fault(FaultCode::kInvalidOptions, soap::fault_detail::kOptionSet,
                     "The WINRS_CODEPAGE option value \"" + std::string(value) +
                         "\" is not supported. wsmand passes command output "
                         "through as UTF-8 and accepts code pages 65001 "
                         "(UTF-8), 437 and 20127 (ASCII-compatible) only.");
      }
    } else if (option.name == "WINRS_NOPROFILE" ||
               option.name == "WINRS_CONSOLEMODE_STDIN" ||
               option.name == "WINRS_SKIP_CMD_SHELL") {
      if (!ParseBool(value, &flag)) {
        return Fault(FaultCode::kInvalidOptions, soap::fault_detail::kOptionSet,
                     "The " + option.name + " option value \"" +
                         std::string(value) + "\" is not TRUE or FALSE.");
      }
    } else if (option.must_comply) {
      return Fault(FaultCode::kInvalidOptions, soap::fault_detail::kOptionSet,
                   "The option " + option.name +
                       " is not supported by the Windows Remote Shell "
                       "service.");
    }
  }
  (void)create;
  return soap::Ok{};
}

}  // namespace

soap::Result<ps::ShellSpec> ParseCreate(const soap::Request& request) {
  const xmlNode* shell = request.body;
  if (!soap::IsElement(shell, soap::ns::kShell, "Shell")) {
    return Fault(FaultCode::kSchemaValidationError, {},
                 "The Create request for the Windows Remote Shell must carry "
                 "an rsp:Shell element in its body.");
  }
  soap::Outcome options = CheckOptions(request, true);
  if (!options.ok()) return options.fault();
  ps::ShellSpec spec;
  for (const xmlNode* child = soap::FirstChildElement(shell); child;
       child = soap::NextElement(child)) {
    if (soap::NamespaceOf(child) != soap::ns::kShell) continue;
    std::string_view name = soap::LocalName(child);
    if (name == "InputStreams") {
      spec.input_streams = std::string(soap::TrimXmlSpace(soap::TextOf(child)));
      if (!StreamsValid(spec.input_streams, {"stdin"})) {
        return BadBody("InputStreams must name stdin only, not \"" +
                       spec.input_streams + "\".");
      }
    } else if (name == "OutputStreams") {
      spec.output_streams =
          std::string(soap::TrimXmlSpace(soap::TextOf(child)));
      if (!StreamsValid(spec.output_streams, {"stdout", "stderr"})) {
        return BadBody("OutputStreams must name stdout and/or stderr, not \"" +
                       spec.output_streams + "\".");
      }
    } else if (name == "Environment") {
      for (const xmlNode* var =
               soap::FirstChildElement(child, soap::ns::kShell, "Variable");
           var; var = soap::NextElement(var)) {
        if (!soap::IsElement(var, soap::ns::kShell, "Variable")) continue;
        std::string var_name;
        if (!soap::GetAttrAnyNs(var, "Name", &var_name) || var_name.empty() ||
            var_name.find('=') != std::string::npos ||
            var_name.find('\0') != std::string::npos) {
          return BadBody(
              "Every rsp:Environment/rsp:Variable needs a Name without '='.");
        }
        std::string value = soap::TextOf(var);
        if (value.find('\0') != std::string::npos) {
          return BadBody("An environment variable value contains NUL.");
        }
        spec.environment.emplace_back(std::move(var_name), std::move(value));
      }
    } else if (name == "WorkingDirectory") {
      spec.working_directory =
          std::string(soap::TrimXmlSpace(soap::TextOf(child)));
    } else if (name == "IdleTimeOut") {
      auto d = BodyDuration(child, "IdleTimeOut");
      if (!d.ok()) return d.fault();
      spec.idle_timeout = *d;
    } else if (name == "Lifetime") {
      auto d = BodyDuration(child, "Lifetime");
      if (!d.ok()) return d.fault();
      spec.lifetime = *d;
    }
  }
  return spec;
}

soap::Result<ps::CommandSpec> ParseCommand(const soap::Request& request) {
  const xmlNode* line = request.body;
  if (!soap::IsElement(line, soap::ns::kShell, "CommandLine")) {
    return Fault(FaultCode::kSchemaValidationError, {},
                 "The Command request must carry an rsp:CommandLine element "
                 "in its body.");
  }
  soap::Outcome options = CheckOptions(request, false);
  if (!options.ok()) return options.fault();
  ps::CommandSpec spec;
  if (const soap::Option* skip = request.FindOption("WINRS_SKIP_CMD_SHELL")) {
    ParseBool(skip->value, &spec.skip_shell);
  }
  const xmlNode* command =
      soap::FirstChildElement(line, soap::ns::kShell, "Command");
  std::string program =
      command ? std::string(soap::TrimXmlSpace(soap::TextOf(command))) : "";
  if (program.empty()) {
    return BadBody("The rsp:CommandLine has no rsp:Command.");
  }
  spec.command_line = program;
  spec.argv.push_back(program);
  for (const xmlNode* arg = soap::FirstChildElement(line); arg;
       arg = soap::NextElement(arg)) {
    if (!soap::IsElement(arg, soap::ns::kShell, "Arguments")) continue;
    std::string text(soap::TrimXmlSpace(soap::TextOf(arg)));
    spec.command_line += ' ';
    spec.command_line += text;
    spec.argv.push_back(std::move(text));
  }
  return spec;
}

soap::Result<SendInput> ParseSend(const soap::Request& request) {
  const xmlNode* send = request.body;
  if (!soap::IsElement(send, soap::ns::kShell, "Send")) {
    return Fault(FaultCode::kSchemaValidationError, {},
                 "The Send request must carry an rsp:Send element.");
  }
  SendInput input;
  bool any = false;
  for (const xmlNode* stream =
           soap::FirstChildElement(send, soap::ns::kShell, "Stream");
       stream; stream = soap::NextElement(stream)) {
    if (!soap::IsElement(stream, soap::ns::kShell, "Stream")) continue;
    std::string name, command_id, end;
    soap::GetAttrAnyNs(stream, "Name", &name);
    if (name != "stdin") {
      return BadBody(
          "rsp:Send carries the input stream \"stdin\" only, not \"" + name +
          "\".");
    }
    if (!soap::GetAttrAnyNs(stream, "CommandId", &command_id) ||
        command_id.empty()) {
      return BadBody("rsp:Send/rsp:Stream needs a CommandId.");
    }
    if (any && command_id != input.command_id) {
      return BadBody("One rsp:Send may address one command only.");
    }
    input.command_id = command_id;
    std::string decoded;
    if (!Base64Decode(soap::TextOf(stream), &decoded)) {
      return BadBody("The rsp:Stream content is not valid base64.");
    }
    input.data += decoded;
    bool is_end = false;
    if (soap::GetAttrAnyNs(stream, "End", &end) && !ParseBool(end, &is_end)) {
      return BadBody("rsp:Stream/@End must be true or false.");
    }
    input.end = input.end || is_end;
    any = true;
  }
  if (!any) return BadBody("rsp:Send carries no rsp:Stream.");
  return input;
}

soap::Result<ReceiveInput> ParseReceive(const soap::Request& request) {
  const xmlNode* receive = request.body;
  if (!soap::IsElement(receive, soap::ns::kShell, "Receive")) {
    return Fault(FaultCode::kSchemaValidationError, {},
                 "The Receive request must carry an rsp:Receive element.");
  }
  const xmlNode* desired =
      soap::FirstChildElement(receive, soap::ns::kShell, "DesiredStream");
  ReceiveInput input;
  if (desired == nullptr ||
      !soap::GetAttrAnyNs(desired, "CommandId", &input.command_id) ||
      input.command_id.empty()) {
    return BadBody(
        "rsp:Receive needs an rsp:DesiredStream with a CommandId attribute.");
  }
  std::string streams(soap::TrimXmlSpace(soap::TextOf(desired)));
  if (!streams.empty()) {
    if (!StreamsValid(streams, {"stdout", "stderr"})) {
      return BadBody("rsp:DesiredStream names unknown streams: \"" + streams +
                     "\".");
    }
    input.want_stdout = HasToken(streams, "stdout");
    input.want_stderr = HasToken(streams, "stderr");
  }
  return input;
}

soap::Result<SignalInput> ParseSignal(const soap::Request& request) {
  const xmlNode* signal = request.body;
  if (!soap::IsElement(signal, soap::ns::kShell, "Signal")) {
    return Fault(FaultCode::kSchemaValidationError, {},
                 "The Signal request must carry an rsp:Signal element.");
  }
  SignalInput input;
  if (!soap::GetAttrAnyNs(signal, "CommandId", &input.command_id) ||
      input.command_id.empty()) {
    return BadBody("rsp:Signal needs a CommandId attribute.");
  }
  const xmlNode* code =
      soap::FirstChildElement(signal, soap::ns::kShell, "Code");
  std::string uri =
      code ? std::string(soap::TrimXmlSpace(soap::TextOf(code))) : "";
  auto ends_with = [&](std::string_view suffix) {
    return uri.size() >= suffix.size() &&
           uri.compare(uri.size() - suffix.size(), suffix.size(), suffix) == 0;
  };
  if (ends_with("/signal/terminate")) {
    input.code = ps::SignalCode::kTerminate;
  } else if (ends_with("/signal/ctrl_c") || ends_with("/signal/crtl_c")) {
    input.code = ps::SignalCode::kCtrlC;
  } else if (ends_with("/signal/ctrl_break")) {
    input.code = ps::SignalCode::kCtrlBreak;
  } else {
    return BadBody("The signal code \"" + uri +
                   "\" is not one of terminate, ctrl_c, ctrl_break.");
  }
  return input;
}

soap::Result<std::string> ShellIdOf(const soap::Request& request) {
  const soap::Selector* selector = request.FindSelector("ShellId");
  if (selector == nullptr || selector->value.empty()) {
    return Fault(FaultCode::kInvalidSelectors,
                 soap::fault_detail::kInsufficientSelectors,
                 "The WS-Management service cannot process the request "
                 "because the ShellId selector is missing.");
  }
  return std::string(soap::TrimXmlSpace(selector->value));
}

size_t ReceiveBudget(size_t max_envelope_size, std::string_view relates_to) {
  // Envelope, header, ReceiveResponse, up to four rsp:Stream elements and
  // the CommandState with its ExitCode: well under 2 KiB plus the echoed
  // MessageID; keep a margin.
  size_t overhead = 2048 + relates_to.size();
  if (max_envelope_size <= overhead + 64) return 48;
  return Base64RawFit(max_envelope_size - overhead);
}

void WriteCreateResponse(const ps::ShellInfo& info, std::string_view address,
                         std::string_view relates_to, std::string* out) {
  soap::ResponseWriter w(out);
  w.StartEnvelope(action::kCreateResponse, relates_to,
                  {{"x", soap::ns::kTransfer}, {"rsp", soap::ns::kShell}});
  w.StartBody();
  soap::XmlWriter& x = w.xml();
  x.Open("x:ResourceCreated");
  x.Element("a:Address", address);
  x.Open("a:ReferenceParameters");
  x.Element("w:ResourceURI", kCmdResourceUri);
  x.Open("w:SelectorSet");
  x.Open("w:Selector").Attr("Name", "ShellId").Text(info.id).Close();
  x.Close();  // SelectorSet
  x.Close();  // ReferenceParameters
  x.Close();  // ResourceCreated
  x.Open("rsp:Shell").Xmlns("rsp", soap::ns::kShell);
  x.Element("rsp:ShellId", info.id);
  x.Element("rsp:ResourceUri", kCmdResourceUri);
  x.Element("rsp:Owner", info.owner);
  x.Element("rsp:ClientIP", info.client_ip);
  x.Element("rsp:IdleTimeOut", soap::FormatSecondsDuration(info.idle_timeout));
  x.Element("rsp:InputStreams", info.input_streams);
  x.Element("rsp:OutputStreams", info.output_streams);
  x.Element("rsp:State", "Connected");
  x.Element("rsp:ShellRunTime", soap::FormatDayTimeDuration(info.run_time));
  x.Element("rsp:ShellInactivity",
            soap::FormatDayTimeDuration(info.inactivity));
  x.Close();
  w.Finish();
}

void WriteCommandResponse(std::string_view command_id,
                          std::string_view relates_to, std::string* out) {
  soap::ResponseWriter w(out);
  w.StartEnvelope(action::kCommandResponse, relates_to,
                  {{"x", soap::ns::kTransfer}, {"rsp", soap::ns::kShell}});
  w.StartBody();
  w.xml().Open("rsp:CommandResponse");
  w.xml().Element("rsp:CommandId", command_id);
  w.xml().Close();
  w.Finish();
}

void WriteReceiveResponse(const ps::ReceiveResult& result,
                          std::string_view command_id,
                          std::string_view relates_to, std::string* out) {
  soap::ResponseWriter w(out);
  w.StartEnvelope(action::kReceiveResponse, relates_to,
                  {{"rsp", soap::ns::kShell}});
  w.StartBody();
  soap::XmlWriter& x = w.xml();
  x.Open("rsp:ReceiveResponse");
  std::string encoded;
  for (const ps::StreamChunk& chunk : result.chunks) {
    x.Open("rsp:Stream")
        .Attr("Name", chunk.stream == ps::kStdout ? "stdout" : "stderr")
        .Attr("CommandId", command_id);
    if (chunk.end) x.Attr("End", "true");
    if (!chunk.data.empty()) {
      encoded.clear();
      AppendBase64(chunk.data, &encoded);
      x.Raw(encoded);  // base64 needs no escaping
    }
    x.Close();
  }
  x.Open("rsp:CommandState")
      .Attr("CommandId", command_id)
      .Attr("State", result.done ? kCommandStateDone : kCommandStateRunning);
  if (result.done) x.Element("rsp:ExitCode", std::to_string(result.exit_code));
  x.Close();
  x.Close();
  w.Finish();
}

void WriteEmptyResponse(std::string_view action, std::string_view body_element,
                        std::string_view relates_to, std::string* out) {
  soap::ResponseWriter w(out);
  if (body_element.empty()) {
    w.StartEnvelope(action, relates_to);
  } else {
    w.StartEnvelope(action, relates_to,
                    {{"x", soap::ns::kTransfer}, {"rsp", soap::ns::kShell}});
  }
  w.StartBody();
  if (!body_element.empty()) w.xml().Open(body_element).Close();
  w.Finish();
}

soap::Fault FaultFor(const base::Status& error, std::string_view shell_id,
                     std::string_view command_id) {
  switch (ps::ErrcOf(error)) {
    case ps::Errc::kOk:
      break;
    case ps::Errc::kShellNotFound:
      return Fault(
          FaultCode::kInvalidSelectors,
          soap::fault_detail::kUnexpectedSelectors,
          "The request for the Windows Remote Shell with ShellId " +
              std::string(shell_id) +
              " failed because the shell was not found on the server. "
              "Possible causes are: the specified ShellId is incorrect or the "
              "shell no longer exists on the server. Provide the correct "
              "ShellId or create a new shell and retry the operation.");
    case ps::Errc::kCommandNotFound:
      return Fault(FaultCode::kInvalidSelectors,
                   soap::fault_detail::kUnexpectedSelectors,
                   "The Windows Remote Shell received a request to perform an "
                   "operation on a command identifier that does not exist. "
                   "Either the command has completed execution or the client "
                   "specified an invalid command identifier.");
    case ps::Errc::kAccessDenied:
      return Fault(FaultCode::kAccessDenied, {}, error.message());
    case ps::Errc::kMaxShellsPerUser: {
      Fault f(FaultCode::kQuotaLimit, {}, error.message());
      f.wsman_code = 2150859173u;  // assumed: ERROR_WSMAN_QUOTA_MAX_SHELLS
      return f;
    }
    case ps::Errc::kMaxConcurrentUsers:
    case ps::Errc::kMaxProcessesPerShell:
    case ps::Errc::kMaxOutputPerShell:
      return Fault(FaultCode::kQuotaLimit, {}, error.message());
    case ps::Errc::kInvalidArgument:
    case ps::Errc::kStdinClosed:
      return Fault(FaultCode::kInvalidParameter, {}, error.message());
    case ps::Errc::kTimedOut:
      // The catalogue reason names OperationTimeout, which Go winrm's retry
      // test looks for; the WSManFault code 2150858793 is pywinrm's.
      return Fault(FaultCode::kTimedOut);
    case ps::Errc::kSpawnFailed:
      return Fault(FaultCode::kInternalError, {}, error.message());
    case ps::Errc::kShuttingDown:
      return Fault(FaultCode::kInternalError, {}, "The service is stopping.");
  }
  (void)command_id;
  return Fault(FaultCode::kInternalError, {}, error.message());
}

}  // namespace wsman::engine::winrs
