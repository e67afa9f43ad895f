// The dispatch table: which operation answers a parsed request, chosen by
// the request's wsa:Action (and, for Identify, its body element). Operations
// write the response envelope into a string or return a Fault.
#ifndef WSMAND_SERVER_DISPATCH_H_
#define WSMAND_SERVER_DISPATCH_H_

#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/auth/identity.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::server {

// What an operation knows about the request it answers.
struct OperationContext {
  const soap::Request& request;
  const auth::Identity* identity;  // nullptr for unauthenticated Identify
  std::string_view peer;
  std::string_view machine_name;
  // The largest response envelope allowed: the smaller of the service's
  // limit and the request's w:MaxEnvelopeSize.
  size_t max_envelope_size;
};

using Operation =
    std::function<soap::Status(const OperationContext&, std::string* out)>;

class Dispatcher {
 public:
  // Answers requests whose wsa:Action is `action`.
  void Register(std::string action, Operation operation);
  // The wsmid:Identify operation (requests may carry no Action at all).
  void RegisterIdentify(Operation operation);

  // True when the request is an Identify request.
  static bool IsIdentify(const soap::Request& request);

  soap::Status Dispatch(const OperationContext& context,
                        std::string* out) const;

 private:
  std::unordered_map<std::string, Operation> by_action_;
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
