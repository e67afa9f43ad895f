// Shared by the CIM engine's operation files (cim_engine.cc, transfer.cc,
// invoke.cc, enumerate.cc) and nothing else: the resolved target of a
// request, the provider call every non-enumeration operation makes
// (RunProviderCall), and the faults they answer alike. Not part of the engine's
// interface.
//
// Thread rules: functions of their arguments; RunProviderCall blocks the
// calling (worker) thread until the provider answers, the deadline passes
// or the client leaves.
#ifndef WSMAND_ENGINE_CIM_ENGINE_INTERNAL_H_
#define WSMAND_ENGINE_CIM_ENGINE_INTERNAL_H_

#include <chrono>
#include <functional>
#include <optional>
#include <stop_token>
#include <string>
#include <string_view>

#include "engine/cim/cim_engine.h"
#include "providers/context.h"
#include "providers/registry.h"
#include "soap/result.h"

namespace wsman::engine::cim {

// What a request addresses once resolved against the registry.
struct CimEngine::Target {
  std::string ns;
  std::string class_name;
  std::string uri;  // the request's resource URI
  // The request URI's family: answers name classes in it, and EPRs carry
  // __cimnamespace only in the selector families (a WMI URI holds the
  // namespace in its path).
  UriFamily family = UriFamily::kDmtf;
  const ClassResolver* resolver = nullptr;  // the family's; set by Handle
  const providers::ClassRegistration* reg = nullptr;

  // The provider's view of the call: identity, namespace, class, options.
  providers::CallInfo Call(const OperationContext& c) const;
};

soap::Fault TimedOut();
// EncodingLimit: the response would exceed `limit` bytes.
soap::Fault TooBig(size_t limit);
// xs:duration "PT<s>.<ms>S".
// The a:Address of EPRs in responses: the request's wsa:To, or anonymous.
std::string AddressOf(const soap::Request& r);

// Runs one non-enumeration provider call (Get, Put, Create, Delete, Invoke:
// a 64-instance queue that never blocks the provider) and waits for its
// result until `deadline`, or until nobody waits any more (`cancel`: the
// client disconnected); either way the provider is then cancelled. The
// first instance the provider posted (nullopt: none) or the fault its
// MiResult maps to.
soap::Result<std::optional<providers::Instance>> RunProviderCall(
    const providers::ClassRegistration& reg, std::string_view operation,
    std::chrono::steady_clock::time_point deadline, std::stop_token cancel,
    const std::function<void(providers::ContextPtr)>& call);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_ENGINE_INTERNAL_H_
