// The dispatch table: which operation answers a parsed request, chosen by
// the request's wsa:Action (and, for Identify, its body element). Operations
// write the response envelope into a string or return a Fault.
#ifndef WSMAND_SERVER_DISPATCH_H_
#define WSMAND_SERVER_DISPATCH_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/operation.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::server {

using engine::Operation;
using engine::OperationContext;

class Dispatcher {
 public:
  // Answers requests whose wsa:Action is `action`, whatever their resource.
  void Register(std::string action, Operation operation);
  // Answers requests with this wsa:Action addressed to exactly this
  // w:ResourceURI; takes precedence over Register().
  void RegisterForResource(std::string action, std::string resource_uri,
                           Operation operation);
  // Answers every request addressed to `resource_uri` that no exact
  // (action, resource) entry took, e.g. method invocations
  // `<resourceURI>/<Method>`; takes precedence over Register().
  void RegisterResource(std::string resource_uri, Operation operation);
  // Answers what nothing else took, before the ActionNotSupported /
  // DestinationUnreachable answer (e.g. the CIM engine, which knows its
  // resource URIs only at run time). Returns nullopt to decline.
  using Fallback = std::function<std::optional<soap::Status>(
      const OperationContext&, std::string* out)>;
  void SetFallback(Fallback fallback);
  // Installs routes contributed by an engine.
  void Add(std::vector<engine::Route> routes);
  // The wsmid:Identify operation (requests may carry no Action at all).
  void RegisterIdentify(Operation operation);

  // True when the request is an Identify request.
  static bool IsIdentify(const soap::Request& request);

  soap::Status Dispatch(const OperationContext& context,
                        std::string* out) const;

 private:
  std::unordered_map<std::string, Operation> by_action_;
  // Keyed by action + '\n' + resource URI.
  std::unordered_map<std::string, Operation> by_action_and_resource_;
  std::unordered_map<std::string, Operation> by_resource_;
  Fallback fallback_;
  Operation identify_;
};

// Actions of DSP0226 (WS-Transfer, WS-Enumeration, WS-Eventing, WS-Man).
namespace action {
inline constexpr std::string_view kGet =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
inline constexpr std::string_view kPut =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Put";
inline constexpr std::string_view kCreate =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create";
inline constexpr std::string_view kDelete =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete";
inline constexpr std::string_view kEnumerate =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate";
inline constexpr std::string_view kPull =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull";
inline constexpr std::string_view kRelease =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release";
inline constexpr std::string_view kRenew =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Renew";
inline constexpr std::string_view kGetStatus =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/GetStatus";
inline constexpr std::string_view kSubscribe =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe";
inline constexpr std::string_view kUnsubscribe =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/Unsubscribe";
inline constexpr std::string_view kShellCommand =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command";
inline constexpr std::string_view kShellSend =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send";
inline constexpr std::string_view kShellReceive =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive";
inline constexpr std::string_view kShellSignal =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal";
}  // namespace action

}  // namespace wsman::server

#endif  // WSMAND_SERVER_DISPATCH_H_
