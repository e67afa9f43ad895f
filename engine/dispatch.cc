#include "engine/dispatch.h"

#include <array>

#include "soap/actions.h"
#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::engine {
namespace {

// Actions DSP0226 defines for resources. A request with one of them whose
// resource nobody serves is answered DestinationUnreachable (the resource is
// the problem); any other unserved action is ActionNotSupported.
bool IsResourceAction(std::string_view a) {
  namespace action = soap::action;
  static constexpr std::array kKnown = {
      action::kGet,          action::kPut,         action::kCreate,
      action::kDelete,       action::kEnumerate,   action::kPull,
      action::kRelease,      action::kRenew,       action::kGetStatus,
      action::kSubscribe,    action::kUnsubscribe, action::kEventingRenew,
      action::kShellCommand, action::kShellSend,   action::kShellReceive,
      action::kShellSignal};
  for (std::string_view known : kKnown) {
    if (a == known) return true;
  }
  return false;
}

}  // namespace

void Dispatcher::Add(std::vector<Route> routes) {
  for (Route& route : routes) {
    if (route.serves) {
      by_matcher_.push_back(
          {std::move(route.serves), std::move(route.operation)});
    } else if (route.resource_uri.empty()) {
      by_action_[std::move(route.action)] = std::move(route.operation);
    } else {
      by_action_and_resource_[route.action + '\n' + route.resource_uri] =
          std::move(route.operation);
    }
  }
}

void Dispatcher::RegisterIdentify(Operation operation) {
  identify_ = std::move(operation);
}

bool Dispatcher::IsIdentify(const soap::Request& request) {
  return soap::IsElement(request.body, soap::ns::kIdentity, "Identify");
}

soap::Outcome Dispatcher::Dispatch(const OperationContext& context,
                                   std::string* out) const {
  const soap::Request& request = context.request;
  if (IsIdentify(request) && identify_) return identify_(context, out);
  if (!by_action_and_resource_.empty()) {
    auto exact = by_action_and_resource_.find(request.action + '\n' +
                                              request.resource_uri);
    if (exact != by_action_and_resource_.end()) {
      return exact->second(context, out);
    }
  }
  auto it = by_action_.find(request.action);
  if (it != by_action_.end()) return it->second(context, out);
  for (const Matched& m : by_matcher_) {
    if (m.serves(request.resource_uri)) return m.operation(context, out);
  }
  return Unanswered(request);
}

soap::Fault Unanswered(const soap::Request& request) {
  if (IsResourceAction(request.action) ||
      (!request.resource_uri.empty() &&
       request.action.rfind(request.resource_uri + "/", 0) == 0)) {
    // A known operation (or a method invocation) on a resource that no
    // provider serves. Windows answers ERROR_WSMAN_INVALID_RESOURCE_URI
    // (2150858811) here, not the catalogue's RESOURCE_NOT_FOUND (pypsrp
    // #192, pywinrm #273 show it); DSP0226 14.6 names the detail.
    soap::Fault fault(soap::FaultCode::kDestinationUnreachable,
                      soap::fault_detail::kInvalidResourceURI,
                      "The WS-Management service cannot process the request "
                      "because the resource URI \"" +
                          request.resource_uri + "\" is not served here.");
    fault.wsman_code = soap::wsman_code::kInvalidResourceUri;
    return fault;
  }
  return soap::Fault(
      soap::FaultCode::kActionNotSupported, {},
      "The action \"" + request.action + "\" is not supported by the service.");
}

}  // namespace wsman::engine
