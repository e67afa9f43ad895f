#include "server/exchange.h"

#include <utility>

#include "soap/namespaces.h"

namespace wsman::server {
namespace {

// The prefix wsmand's fault envelopes give a subcode's namespace, so the
// log reads as the wire does ("w:AccessDenied", "a:ActionNotSupported").
std::string_view SubcodePrefix(std::string_view ns) {
  if (ns == soap::ns::kWsman) return "w:";
  if (ns == soap::ns::kAddressing) return "a:";
  if (ns == soap::ns::kEnumeration) return "n:";
  if (ns == soap::ns::kEventing) return "e:";
  if (ns == soap::ns::kTransfer) return "x:";
  if (ns == soap::ns::kSoap12) return "s:";
  if (ns == soap::ns::kMsWsman) return "p:";
  return "";
}

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
    record_.fault = std::string(SubcodePrefix(info.subcode_ns)) +
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
