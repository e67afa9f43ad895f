// The CIM operation engine: WS-Transfer Get/Put/Create/Delete, method
// invocation, and WS-Enumeration Enumerate/Pull/Release/Renew/GetStatus
// over the providers in a Registry. CimRoutes() puts it in the dispatch
// table: the context operations (Pull/Release/Renew/GetStatus) by action,
// everything else through a resource matcher over the registry, since its
// resource URIs are known only at run time. A request that turns out not
// to be CIM's is answered as dispatch answers what nobody serves
// (engine::Unanswered). The operations live one concept a file: typed
// requests (cim_requests), WS-Transfer (transfer.cc), Invoke (invoke.cc),
// WS-Enumeration (enumerate.cc), item batching (batch), contexts and the
// provider pool (enumeration).
//
// Thread rules: Handle and ContextOperation run on many connection workers
// at once. The registry is read-only; the EnumerationManager is
// thread-safe; nothing else is mutable after construction.
#ifndef WSMAND_ENGINE_CIM_CIM_ENGINE_H_
#define WSMAND_ENGINE_CIM_CIM_ENGINE_H_

#include <chrono>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cim/cim_requests.h"
#include "engine/cim/cim_xml.h"
#include "engine/cim/enumeration.h"
#include "engine/cim/resource_uri.h"
#include "engine/operation.h"
#include "providers/registry.h"
#include "soap/response_writer.h"
#include "soap/xml_writer.h"

namespace wsman::engine::cim {

struct CimEngineSettings {
  EnumerationSettings enumeration;
  // When the request has no OperationTimeout (and a Pull no MaxTime).
  std::chrono::milliseconds default_operation_timeout{std::chrono::seconds(60)};
  // The most any client-supplied w:OperationTimeout or n:MaxTime may ask
  // for (WinRM's MaxTimeoutms, [server] max_timeout_ms): longer ones are
  // clamped to it, and so is the default.
  std::chrono::milliseconds max_operation_timeout{std::chrono::seconds(60)};
  // Items in an optimized EnumerateResponse when w:MaxElements is absent.
  uint32_t default_max_elements = 1;
};

class CimEngine {
 public:
  CimEngine(std::shared_ptr<const providers::Registry> registry,
            CimEngineSettings settings);
  ~CimEngine();

  // True when `resource_uri` names a registered class (in any of the three
  // URI families, or by a registered extra URI), the class-schema URIs or
  // an all-classes URI "*".
  bool Serves(std::string_view resource_uri) const;
  // Answers a request whose resource URI Serves() accepted.
  soap::Outcome Handle(const OperationContext& context, std::string* out);
  // Pull, Release, Renew and GetStatus.
  soap::Outcome ContextOperation(const OperationContext& context,
                                 std::string* out);

  EnumerationManager& enumerations() { return enumerations_; }
  const providers::Registry& registry() const { return *registry_; }
  // Cancels every enumeration and waits briefly for provider threads.
  void Shutdown();

 private:
  struct Target;
  soap::Outcome Get(const OperationContext& c, const Target& t,
                    std::string* out);
  soap::Outcome Put(const OperationContext& c, const Target& t,
                    std::string* out);
  soap::Outcome Create(const OperationContext& c, const Target& t,
                       std::string* out);
  soap::Outcome Delete(const OperationContext& c, const Target& t,
                       std::string* out);
  soap::Outcome Invoke(const OperationContext& c, const Target& t,
                       std::string_view method, std::string* out);
  // The skeleton of Get/Put/Create/Delete/Invoke (transfer.cc): one
  // provider call, then the response envelope with the body `write_body`
  // writes from what the provider posted (nullopt: nothing), and the
  // envelope-size check. A fault from `write_body` is the answer.
  using BodyWriter = std::function<soap::Outcome(
      std::optional<providers::Instance> posted, soap::XmlWriter& xml)>;
  soap::Outcome Transfer(const OperationContext& c, const Target& t,
                         std::string_view operation,
                         const std::function<void(const providers::CallInfo&,
                                                  providers::ContextPtr)>& call,
                         std::initializer_list<soap::NamespaceDecl> namespaces,
                         const BodyWriter& write_body, std::string* out);
  // How an instance of `t` is written: its class URI, its family's resolver.
  WriteOptions InstanceOptions(const Target& t) const;
  // The class and family a resource URI names: a registered extra URI (as
  // DMTF family), else the three families' forms; nullopt otherwise.
  std::optional<ResourceUri> ResolveUri(std::string_view uri) const;
  // The URI naming `class_name` of namespace `ns` in answers of `family`:
  // a registered extra URI, else the DMTF form; the WMI form for the WMI
  // family (requests in that family get answers in it, [MS-WSMV]
  // 3.1.4.1.1).
  std::string UriFor(UriFamily family, std::string_view ns,
                     std::string_view class_name) const;
  // The resolver writing references in `family`'s URIs.
  const ClassResolver& ResolverFor(UriFamily family) const {
    return family == UriFamily::kWmi ? wmi_resolver_ : resolver_;
  }
  // enumerate.cc
  soap::Outcome Enumerate(const OperationContext& c, const Target& t,
                          std::string* out);
  soap::Outcome Release(const OperationContext& c, EnumerationContext& ec,
                        std::string* out);
  soap::Outcome RenewOrGetStatus(const OperationContext& c,
                                 EnumerationContext& ec, std::string* out);
  soap::Outcome Pull(const OperationContext& c,
                     const std::shared_ptr<EnumerationContext>& ec,
                     std::string* out);
  // The request's w:OperationTimeout (or the configured default), clamped
  // to max_operation_timeout.
  std::chrono::milliseconds OperationTimeout(
      const soap::Request& request) const;
  // When a synchronous provider call must have finished: now plus
  // OperationTimeout(request), without overflow.
  std::chrono::steady_clock::time_point CallDeadline(
      const soap::Request& request) const;

  std::shared_ptr<const providers::Registry> registry_;
  CimEngineSettings settings_;
  ClassResolver resolver_;      // DMTF URIs, __cimnamespace in EPRs
  ClassResolver wmi_resolver_;  // WMI plugin URIs, namespace in the URI
  EnumerationManager enumerations_;
};

// The engine's entries for the dispatch table.
std::vector<Route> CimRoutes(std::shared_ptr<CimEngine> engine);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CIM_ENGINE_H_
