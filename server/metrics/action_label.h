// The short action names that label requests in the metrics (Get, Put,
// Enumerate, Pull, Command, Receive, Identify, ...): a fixed list, so the
// label's cardinality is bounded whatever clients send. A CIM method call
// (its action is the resource URI plus the method name, DSP0226 9) is
// "Invoke"; any other action is "other"; a request whose envelope was never
// parsed (refused from its head, or malformed) is "none".
// Pure functions; no state.
#ifndef WSMAND_SERVER_METRICS_ACTION_LABEL_H_
#define WSMAND_SERVER_METRICS_ACTION_LABEL_H_

#include <array>
#include <cstddef>
#include <string_view>

#include "soap/request.h"

namespace wsman::server::metrics {

inline constexpr std::array<std::string_view, 20> kActionLabels = {
    "none",      "other",     "Identify",    "Get",
    "Put",       "Create",    "Delete",      "Invoke",
    "Enumerate", "Pull",      "Release",     "Renew",
    "GetStatus", "Subscribe", "Unsubscribe", "SubscriptionRenew",
    "Command",   "Send",      "Receive",     "Signal"};
inline constexpr size_t kActionCount = kActionLabels.size();

// The label of a parsed request.
std::string_view ActionLabel(const soap::Request& request);

// The index of `label` in kActionLabels ("other"'s for an unknown one).
size_t ActionIndex(std::string_view label);

}  // namespace wsman::server::metrics

#endif  // WSMAND_SERVER_METRICS_ACTION_LABEL_H_
