// One request's life at the /wsman endpoint, from its head to its answer
// (envoy's ActiveStream, with its StreamInfo as the access record): the
// connection it came on (peer, TLS, client certificate, listener policy),
// who sent it once authenticated, what it asked (action, resource), how it
// was answered (status, outcome, detail) and when it started. Its one
// access line is written when the Exchange ends, whatever path ended it: a
// refusal from the head, an answer, a fault, or a client that went away
// before it could be answered (status 499, outcome client-gone). A fault
// answer's line carries the fault's subcode and message (AnsweredFault),
// which clients such as pywinrm do not show. With a metrics Registry, the
// ending Exchange is also counted there (action label, outcome, duration).
//
// Thread rules: owned by the worker serving the request; not shared. The
// ConnectionInfo it is made from (and its client certificate) must outlive
// it: the connection outlives each of its requests.
#ifndef WSMAND_SERVER_EXCHANGE_H_
#define WSMAND_SERVER_EXCHANGE_H_

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/auth/identity_for_user.h"
#include "server/http/access_log.h"
#include "server/http/handler.h"
#include "server/metrics/registry.h"
#include "soap/fault.h"

namespace wsman::server {

class Exchange {
 public:
  // The status and outcome logged for an Exchange that ended unanswered
  // (the client closed or stalled before its body arrived; nginx's 499).
  static constexpr int kClientGoneStatus = 499;

  // The most bytes of a fault's message the access line carries.
  static constexpr size_t kMaxLoggedMessage = 512;

  // `metrics` (may be null) must outlive the Exchange.
  explicit Exchange(const http::ConnectionInfo& connection,
                    metrics::Registry* metrics = nullptr);
  ~Exchange();  // writes the access line
  Exchange(const Exchange&) = delete;
  Exchange& operator=(const Exchange&) = delete;

  const http::ConnectionInfo& connection() const { return connection_; }
  const std::string& peer() const { return record_.peer; }
  std::chrono::steady_clock::time_point start() const { return record_.start; }

  // The credentials were accepted: the user is logged.
  void Authenticated(auth::Identity identity);
  // nullptr until Authenticated (an anonymous Identify stays so).
  const auth::Identity* identity() const {
    return identity_ ? &*identity_ : nullptr;
  }

  // What the parsed envelope asked ("" is logged as "-"), and its short
  // name for the metrics (metrics::ActionLabel; "none" until then).
  void Addressed(std::string_view action, std::string_view resource,
                 std::string_view label = "other");

  // How it was answered; the last call wins. `detail` says why a request
  // was refused (never a secret).
  void Answered(int status, std::string_view outcome,
                std::string_view detail = {});
  // Answered with `fault`: the outcome is its subcode's local name (or
  // `outcome` when given), and the line adds fault=<prefix:subcode> and
  // message="<f:Message, else s:Reason>" (at most kMaxLoggedMessage bytes).
  void AnsweredFault(int status, const soap::Fault& fault,
                     std::string_view outcome = {});
  bool answered() const { return answered_; }

 private:
  const http::ConnectionInfo& connection_;
  metrics::Registry* const metrics_;
  std::string_view label_ = "none";  // one of metrics::kActionLabels
  http::AccessRecord record_;
  std::optional<auth::Identity> identity_;
  bool answered_ = false;
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_EXCHANGE_H_
