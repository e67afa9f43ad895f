#include "server/metrics/action_label.h"

#include <utility>

#include "engine/dispatch.h"
#include "soap/actions.h"

namespace wsman::server::metrics {
namespace {

// Action URI → label; the eventing Renew is told apart from WS-Enumeration's.
constexpr std::pair<std::string_view, std::string_view> kByUri[] = {
    {soap::action::kGet, "Get"},
    {soap::action::kPut, "Put"},
    {soap::action::kCreate, "Create"},
    {soap::action::kDelete, "Delete"},
    {soap::action::kEnumerate, "Enumerate"},
    {soap::action::kPull, "Pull"},
    {soap::action::kRelease, "Release"},
    {soap::action::kRenew, "Renew"},
    {soap::action::kGetStatus, "GetStatus"},
    {soap::action::kSubscribe, "Subscribe"},
    {soap::action::kUnsubscribe, "Unsubscribe"},
    {soap::action::kEventingRenew, "SubscriptionRenew"},
    {soap::action::kShellCommand, "Command"},
    {soap::action::kShellSend, "Send"},
    {soap::action::kShellReceive, "Receive"},
    {soap::action::kShellSignal, "Signal"},
};

}  // namespace

std::string_view ActionLabel(const soap::Request& request) {
  if (engine::Dispatcher::IsIdentify(request)) return "Identify";
  for (const auto& [uri, label] : kByUri) {
    if (request.action == uri) return label;
  }
  // DSP0226 9: a custom action is the resource URI, '/', the method.
  const std::string& action = request.action;
  const std::string& resource = request.resource_uri;
  if (!resource.empty() && action.size() > resource.size() + 1 &&
      action.compare(0, resource.size(), resource) == 0 &&
      action[resource.size()] == '/') {
    return "Invoke";
  }
  return "other";
}

size_t ActionIndex(std::string_view label) {
  for (size_t i = 0; i < kActionLabels.size(); ++i) {
    if (kActionLabels[i] == label) return i;
  }
  return 1;  // "other"
}

}  // namespace wsman::server::metrics
