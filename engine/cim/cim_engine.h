// The CIM operation engine: WS-Transfer Get/Put/Create/Delete, method
// invocation, and WS-Enumeration Enumerate/Pull/Release/Renew/GetStatus
// over the providers in a Registry. CimRoutes() puts it in the dispatch
// table: the context operations (Pull/Release/Renew/GetStatus) by action,
// everything else through a resource matcher over the registry, since its
// resource URIs are known only at run time. A request that turns out not
// to be CIM's is answered as dispatch answers what nobody serves
// (engine::Unanswered).
#ifndef WSMAND_ENGINE_CIM_CIM_ENGINE_H_
#define WSMAND_ENGINE_CIM_CIM_ENGINE_H_

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/cim/cim_xml.h"
#include "engine/cim/enumeration.h"
#include "engine/operation.h"
#include "providers/registry.h"

namespace wsman::engine::cim {

// Filter dialects.
inline constexpr std::string_view kWqlDialect =
    "http://schemas.microsoft.com/wbem/wsman/1/WQL";
inline constexpr std::string_view kSelectorDialect =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter";
inline constexpr std::string_view kAssociationDialect =
    "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter";

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

  // True when `resource_uri` names a registered class, the class-schema
  // URIs or the all-classes URI "*".
  bool Serves(std::string_view resource_uri) const;
  // Answers a request whose resource URI Serves() accepted.
  soap::Status Handle(const OperationContext& context, std::string* out);
  // Pull, Release, Renew and GetStatus.
  soap::Status ContextOperation(const OperationContext& context,
                                std::string* out);

  EnumerationManager& enumerations() { return enumerations_; }
  const providers::Registry& registry() const { return *registry_; }
  // Cancels every enumeration and waits briefly for provider threads.
  void Shutdown();

 private:
  struct Target;
  soap::Status Get(const OperationContext& c, const Target& t,
                   std::string* out);
  soap::Status Put(const OperationContext& c, const Target& t,
                   std::string* out);
  soap::Status Create(const OperationContext& c, const Target& t,
                      std::string* out);
  soap::Status Delete(const OperationContext& c, const Target& t,
                      std::string* out);
  soap::Status Invoke(const OperationContext& c, const Target& t,
                      std::string_view method, std::string* out);
  soap::Status Enumerate(const OperationContext& c, const Target& t,
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
  ClassResolver resolver_;
  EnumerationManager enumerations_;
};

// The engine's entries for the dispatch table.
std::vector<Route> CimRoutes(std::shared_ptr<CimEngine> engine);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CIM_ENGINE_H_
