#include "server/exchange.h"

#include <utility>

#include "soap/response_writer.h"

namespace wsman::server {
namespace {

// At most `max` bytes of `text`, cut on a UTF-8 character boundary, "..."
// marking a cut.
std::string Bounded(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) {
    --end;
  }
  return std::string(text.substr(0, end)) + "...";
}

}  // namespace

Exchange::Exchange(const http::ConnectionInfo& connection,
                   metrics::Registry* metrics)
    : connection_(connection), metrics_(metrics) {
  record_.peer = connection.peer;
}

Exchange::~Exchange() {
  if (!answered_) {
    record_.status = kClientGoneStatus;
    record_.outcome = "client-gone";
  }
  record_.Log();
  if (metrics_ != nullptr) {
    metrics_->CountRequest(
        label_, record_.outcome,
        std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - record_.start));
  }
}

void Exchange::Authenticated(auth::Identity identity) {
  record_.user = identity.user;
  identity_ = std::move(identity);
}

void Exchange::Addressed(std::string_view action, std::string_view resource,
                         std::string_view label) {
  record_.action = action.empty() ? "-" : std::string(action);
  record_.resource = resource.empty() ? "-" : std::string(resource);
  label_ = metrics::kActionLabels[metrics::ActionIndex(label)];
}

void Exchange::Answered(int status, std::string_view outcome,
                        std::string_view detail) {
  answered_ = true;
  record_.status = status;
  record_.outcome = std::string(outcome);
  if (!detail.empty()) record_.detail = std::string(detail);
}

void Exchange::AnsweredFault(int status, const soap::Fault& fault,
                             std::string_view outcome) {
  const soap::FaultInfo& info = soap::Describe(fault.code);
  std::string_view name = info.subcode_local.empty() ? std::string_view("fault")
                                                     : info.subcode_local;
  Answered(status, outcome.empty() ? name : outcome);
  if (!info.subcode_local.empty()) {
    std::string_view prefix = soap::FaultPrefixFor(info.subcode_ns);
    record_.fault = prefix.empty() ? std::string(info.subcode_local)
                                   : std::string(prefix) + ":" +
                                         std::string(info.subcode_local);
  }
  // The text the client was sent: f:Message, else the s:Reason. Fault
  // messages name users, resources and limits, never a password or the
  // request body (soap/fault_catalogue.cc, the operations' messages).
  record_.message = Bounded(
      fault.message.empty() ? info.reason : std::string_view(fault.message),
      kMaxLoggedMessage);
}

}  // namespace wsman::server
