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
    std::function<soap::Outcome(const OperationContext&, std::string* out)>;

// Which resource URIs a route serves when they are known only at run time
// (the CIM engine's classes come from the provider registry).
using ResourceMatcher = std::function<bool(std::string_view resource_uri)>;

// One entry of the dispatch table, contributed by an engine. Exactly one of
// three shapes:
//  - action and resource_uri: that action addressed to exactly that URI;
//  - action only (resource_uri ""): that action whatever the resource;
//  - serves set (action and resource_uri ""): every action addressed to a
//    URI the matcher accepts, e.g. method invocations <resourceURI>/<Method>.
struct Route {
  std::string action;
  std::string resource_uri;
  Operation operation;
  ResourceMatcher serves = {};
};

}  // namespace wsman::engine

#endif  // WSMAND_ENGINE_OPERATION_H_
