// The contract between dispatch and the operations that answer requests:
// what an operation is told about its request (OperationContext) and what it
// returns (a response envelope written into a string, or a Fault).
#ifndef WSMAND_ENGINE_OPERATION_H_
#define WSMAND_ENGINE_OPERATION_H_

#include <functional>
#include <stop_token>
#include <string>
#include <string_view>

#include "providers/identity.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::engine {

struct OperationContext {
  const soap::Request& request;
  const providers::Identity* identity;  // nullptr: unauthenticated Identify
  std::string_view peer;
  std::string_view machine_name;
  // The largest response envelope allowed: the smaller of the service's
  // limit and the request's w:MaxEnvelopeSize.
  size_t max_envelope_size;
  // Requested when nobody waits for the answer any more (the client
  // disconnected, or the server is stopping): a long-poll (Receive, Pull)
  // stops waiting and answers as if its timeout had passed, taking nothing.
  std::stop_token cancel = {};
};

using Operation =
    std::function<soap::Status(const OperationContext&, std::string* out)>;

// One entry of a dispatch table contributed by an engine: an action, and
// optionally the resource URI it is limited to ("" = any resource).
struct Route {
  std::string action;
  std::string resource_uri;
  Operation operation;
};

}  // namespace wsman::engine

#endif  // WSMAND_ENGINE_OPERATION_H_
