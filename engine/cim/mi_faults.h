// The one table from MI result codes to WS-Management faults (documented in
// docs/mi-results.md). Providers speak MiResult; the engine turns a non-OK
// PostResult into the fault here, once.
#ifndef WSMAND_ENGINE_CIM_MI_FAULTS_H_
#define WSMAND_ENGINE_CIM_MI_FAULTS_H_

#include <string_view>

#include "providers/result.h"
#include "soap/fault.h"

namespace wsman::engine::cim {

struct MiFaultMapping {
  providers::MiResult result;
  soap::FaultCode fault;
  std::string_view detail;  // wsman:FaultDetail URI, "" = catalogue default
  std::string_view text;    // default message when the provider gave none
};

// The mapping of `result` (kOk maps to kInternalError: OK is not a fault).
const MiFaultMapping& MappingFor(providers::MiResult result);

// The fault for a provider's PostResult(result, ..., message).
soap::Fault FaultFromMiResult(providers::MiResult result,
                              std::string_view message = {});

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_MI_FAULTS_H_
