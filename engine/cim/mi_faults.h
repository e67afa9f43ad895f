// The one table from MI result codes to WS-Management faults (documented in
// docs/mi-results.md). Providers speak MiResult; the engine turns a non-OK
// PostResult into the fault here, once: the SOAP fault of the table plus the
// CIM error instance (soap::CimError) Windows carries in s:Detail.
// Stateless and thread-safe (constant tables).
#ifndef WSMAND_ENGINE_CIM_MI_FAULTS_H_
#define WSMAND_ENGINE_CIM_MI_FAULTS_H_

#include <cstdint>
#include <optional>
#include <string_view>

#include "providers/instance.h"
#include "providers/result.h"
#include "soap/fault.h"

namespace wsman::engine::cim {

// MI_ErrorCategory (MI.h), the same numbers as PowerShell's ErrorCategory:
// what a CimException's CategoryInfo shows. The values this table uses.
enum class MiErrorCategory : uint16_t {
  kNotSpecified = 0,
  kCloseError = 2,
  kInvalidArgument = 5,
  kInvalidType = 9,
  kMetadataError = 10,
  kNotImplemented = 11,
  kObjectNotFound = 13,
  kOperationStopped = 14,
  kAccessDenied = 18,  // PowerShell: PermissionDenied
  kResourceBusy = 19,
  kResourceExists = 20,
  kResourceUnavailable = 21,
};

struct MiFaultMapping {
  providers::MiResult result;
  soap::FaultCode fault;
  std::string_view detail;   // wsman:FaultDetail URI, "" = catalogue default
  std::string_view text;     // default message when the provider gave none
  MiErrorCategory category;  // the CIM error's error_Category
};

// The mapping of `result` (kOk maps to kInternalError: OK is not a fault).
const MiFaultMapping& MappingFor(providers::MiResult result);

// The CIM error Windows sends for an MI provider's `result`: CIMStatusCode
// = the MI result number (DSP0200's CIM status codes are the same), MessageID
// "MI RESULT <n>", error_Type "MI", error_Code <n>, error_Category from the
// table, Message = `message` (or the table's text). kOk is reported as
// MI_RESULT_FAILED (an OK result is not an error).
soap::CimError CimErrorFor(providers::MiResult result,
                           std::string_view message = {});

// The fault for a provider's PostResult(result, error, message): the table's
// fault, f:Message = message (or the table's text) + " (MI_RESULT_...)", and
// the CIM error. A provider's `error` instance (a CIM_Error or subclass, as
// MI_Context_PostCimError gives) supplies the CIM_Error properties it sets
// (Message, MessageID, OwningEntity, PerceivedSeverity, ProbableCause,
// ProbableCauseDescription, CIMStatusCodeDescription, ErrorType, and
// MSFT_WmiError's error_*); CIMStatusCode always follows `result`.
soap::Fault FaultFromMiResult(
    providers::MiResult result, std::string_view message = {},
    const std::optional<providers::Instance>& error = std::nullopt);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_MI_FAULTS_H_
