// Every wsa:Action URI wsmand knows, requests and responses, in one place:
// WS-Transfer, WS-Enumeration and WS-Eventing as DSP0226 profiles them, and
// the Windows Remote Shell actions of [MS-WSMV] 3.1.4.1. A response action
// is its request's URI plus "Response" (DSP0226 5.4.2, written by
// ResponseAction). Constants only: safe from any thread.
#ifndef WSMAND_SOAP_ACTIONS_H_
#define WSMAND_SOAP_ACTIONS_H_

#include <string>
#include <string_view>

namespace wsman::soap::action {

// WS-Transfer (DSP0226 7).
inline constexpr std::string_view kGet =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
inline constexpr std::string_view kPut =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Put";
inline constexpr std::string_view kCreate =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create";
inline constexpr std::string_view kDelete =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete";
inline constexpr std::string_view kGetResponse =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/GetResponse";
inline constexpr std::string_view kCreateResponse =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse";
inline constexpr std::string_view kDeleteResponse =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse";

// WS-Enumeration (DSP0226 8).
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

// WS-Eventing (DSP0226 10): recognised, not served.
inline constexpr std::string_view kSubscribe =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/Subscribe";
inline constexpr std::string_view kUnsubscribe =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/Unsubscribe";
// WS-Eventing's Renew (not WS-Enumeration's kRenew).
inline constexpr std::string_view kEventingRenew =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/Renew";

// Windows Remote Shell ([MS-WSMV] 3.1.4.1).
inline constexpr std::string_view kShellCommand =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command";
inline constexpr std::string_view kShellSend =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send";
inline constexpr std::string_view kShellReceive =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive";
inline constexpr std::string_view kShellSignal =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal";
inline constexpr std::string_view kShellCommandResponse =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse";
inline constexpr std::string_view kShellSendResponse =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse";
inline constexpr std::string_view kShellReceiveResponse =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse";
inline constexpr std::string_view kShellSignalResponse =
    "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse";

// The response action of a request action (DSP0226 5.4.2).
inline std::string ResponseAction(std::string_view request_action) {
  return std::string(request_action) + "Response";
}

}  // namespace wsman::soap::action

#endif  // WSMAND_SOAP_ACTIONS_H_
