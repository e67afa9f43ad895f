#include "server/exchange.h"

#include <utility>

namespace wsman::server {

Exchange::Exchange(const http::ConnectionInfo& connection)
    : connection_(connection) {
  record_.peer = connection.peer;
}

Exchange::~Exchange() {
  if (!answered_) {
    record_.status = kClientGoneStatus;
    record_.outcome = "client-gone";
  }
  record_.Log();
}

void Exchange::Authenticated(auth::Identity identity) {
  record_.user = identity.user;
  identity_ = std::move(identity);
}

void Exchange::Addressed(std::string_view action, std::string_view resource) {
  record_.action = action.empty() ? "-" : std::string(action);
  record_.resource = resource.empty() ? "-" : std::string(resource);
}

void Exchange::Answered(int status, std::string_view outcome,
                        std::string_view detail) {
  answered_ = true;
  record_.status = status;
  record_.outcome = std::string(outcome);
  if (!detail.empty()) record_.detail = std::string(detail);
}

}  // namespace wsman::server
