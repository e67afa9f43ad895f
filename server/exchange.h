// One request's life at the /wsman endpoint, from its head to its answer
// (envoy's ActiveStream, with its StreamInfo as the access record): the
// connection it came on (peer, TLS, client certificate, listener policy),
// who sent it once authenticated, what it asked (action, resource), how it
// was answered (status, outcome, detail) and when it started. Its one
// access line is written when the Exchange ends, whatever path ended it: a
// refusal from the head, an answer, a fault, or a client that went away
// before it could be answered (status 499, outcome client-gone).
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

namespace wsman::server {

class Exchange {
 public:
  // The status and outcome logged for an Exchange that ended unanswered
  // (the client closed or stalled before its body arrived; nginx's 499).
  static constexpr int kClientGoneStatus = 499;

  explicit Exchange(const http::ConnectionInfo& connection);
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

  // What the parsed envelope asked ("" is logged as "-").
  void Addressed(std::string_view action, std::string_view resource);

  // How it was answered; the last call wins. `detail` says why a request
  // was refused (never a secret).
  void Answered(int status, std::string_view outcome,
                std::string_view detail = {});
  bool answered() const { return answered_; }

 private:
  const http::ConnectionInfo& connection_;
  http::AccessRecord record_;
  std::optional<auth::Identity> identity_;
  bool answered_ = false;
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_EXCHANGE_H_
