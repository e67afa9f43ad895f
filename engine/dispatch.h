// The dispatch table: the one place that decides which operation answers a
// parsed request, chosen by its wsa:Action and w:ResourceURI (and, for
// Identify, its body element). Every engine contributes Routes (shell:
// exact action + resource; CIM: action-only enumeration routes and a
// resource matcher over its registry); a request no route takes is answered
// here, DestinationUnreachable or ActionNotSupported (DSP0226 14.6).
//
// Thread rules: built once at start-up (Add, RegisterIdentify), then only
// read: Dispatch is safe from any number of threads at once.
#ifndef WSMAND_ENGINE_DISPATCH_H_
#define WSMAND_ENGINE_DISPATCH_H_

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "engine/operation.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::engine {

class Dispatcher {
 public:
  // Installs routes contributed by an engine (see Route for the shapes).
  void Add(std::vector<Route> routes);
  // The wsmid:Identify operation (requests may carry no Action at all).
  void RegisterIdentify(Operation operation);

  // True when the request is an Identify request.
  static bool IsIdentify(const soap::Request& request);

  // Identify, then the exact (action, resource) route, then the action-only
  // route, then the first resource matcher that accepts the URI; otherwise
  // Unanswered(request).
  soap::Outcome Dispatch(const OperationContext& context,
                         std::string* out) const;

 private:
  struct Matched {
    ResourceMatcher serves;
    Operation operation;
  };
  std::unordered_map<std::string, Operation> by_action_;
  // Keyed by action + '\n' + resource URI.
  std::unordered_map<std::string, Operation> by_action_and_resource_;
  std::vector<Matched> by_matcher_;
  Operation identify_;
};

// The answer to a request no operation serves: DestinationUnreachable
// (InvalidResourceURI) for an action DSP0226 defines on resources, or a
// method invocation <resourceURI>/<Method>, since the resource is the
// problem; ActionNotSupported for any other action. Operations that find
// the request is not theirs after all answer this too.
soap::Fault Unanswered(const soap::Request& request);

}  // namespace wsman::engine

#endif  // WSMAND_ENGINE_DISPATCH_H_
