#include "engine/cim/mi_faults.h"

#include <array>
#include <cstdint>
#include <limits>
#include <string>
#include <utility>

namespace wsman::engine::cim {
namespace {

using providers::MiResult;
using soap::FaultCode;
using Cat = MiErrorCategory;
namespace fd = soap::fault_detail;

// Keep in step with docs/mi-results.md. The categories are those of MI's
// reference implementation (OMI, Unix/omi_error/omierror.c,
// ErrorCategoryFromMIResult), which Windows'
// MI_Utilities_MapErrorToMiErrorCategory agrees with where PowerShell shows
// them (MI RESULT 1 NotSpecified, 2 PermissionDenied, 6 ObjectNotFound).
constexpr std::array<MiFaultMapping, 27> kTable = {{
    {MiResult::kOk,
     FaultCode::kInternalError,
     {},
     "The provider reported success where a failure was expected.",
     Cat::kNotSpecified},
    {MiResult::kFailed,
     FaultCode::kInternalError,
     {},
     "The provider failed to complete the operation.",
     Cat::kNotSpecified},
    {MiResult::kAccessDenied,
     FaultCode::kAccessDenied,
     {},
     "Access is denied.",
     Cat::kAccessDenied},
    {MiResult::kInvalidNamespace, FaultCode::kDestinationUnreachable,
     fd::kInvalidResourceURI, "The CIM namespace is not valid.",
     Cat::kMetadataError},
    {MiResult::kInvalidParameter,
     FaultCode::kInvalidParameter,
     {},
     "The parameter is incorrect.",
     Cat::kInvalidArgument},
    {MiResult::kInvalidClass, FaultCode::kDestinationUnreachable,
     fd::kInvalidResourceURI, "The CIM class does not exist.",
     Cat::kMetadataError},
    {MiResult::kNotFound,
     FaultCode::kDestinationUnreachable,
     {},
     "The service cannot find the resource identified by the resource URI "
     "and selectors.",
     Cat::kObjectNotFound},
    {MiResult::kNotSupported,
     FaultCode::kActionNotSupported,
     {},
     "The operation is not supported by the provider of this resource.",
     Cat::kNotImplemented},
    {MiResult::kClassHasChildren,
     FaultCode::kInternalError,
     {},
     "The class has subclasses.",
     Cat::kMetadataError},
    {MiResult::kClassHasInstances,
     FaultCode::kInternalError,
     {},
     "The class has instances.",
     Cat::kMetadataError},
    {MiResult::kInvalidSuperclass,
     FaultCode::kInternalError,
     {},
     "The superclass does not exist.",
     Cat::kMetadataError},
    {MiResult::kAlreadyExists,
     FaultCode::kAlreadyExists,
     {},
     "The instance already exists.",
     Cat::kResourceExists},
    {MiResult::kNoSuchProperty, FaultCode::kInvalidRepresentation,
     fd::kInvalidValues,
     "The instance has a property the class does not "
     "declare.",
     Cat::kMetadataError},
    {MiResult::kTypeMismatch, FaultCode::kInvalidRepresentation,
     fd::kInvalidValues, "A value does not have the type the class declares.",
     Cat::kInvalidType},
    {MiResult::kQueryLanguageNotSupported,
     FaultCode::kFilterDialectRequestedUnavailable,
     {},
     "The query language is not supported.",
     Cat::kNotImplemented},
    {MiResult::kInvalidQuery,
     FaultCode::kCannotProcessFilter,
     {},
     "The query is not valid.",
     Cat::kInvalidArgument},
    {MiResult::kMethodNotAvailable,
     FaultCode::kInternalError,
     {},
     "The method cannot be run now.",
     Cat::kMetadataError},
    {MiResult::kMethodNotFound,
     FaultCode::kActionNotSupported,
     {},
     "The method does not exist.",
     Cat::kMetadataError},
    {MiResult::kNamespaceNotEmpty,
     FaultCode::kInternalError,
     {},
     "The namespace is not empty.",
     Cat::kMetadataError},
    {MiResult::kInvalidEnumerationContext,
     FaultCode::kInvalidEnumerationContext,
     {},
     "The enumeration context is not valid.",
     Cat::kMetadataError},
    {MiResult::kInvalidOperationTimeout,
     FaultCode::kInvalidMessageInformationHeader, fd::kOperationTimeout,
     "The operation timeout is not valid.", Cat::kInvalidArgument},
    {MiResult::kPullHasBeenAbandoned,
     FaultCode::kInvalidEnumerationContext,
     {},
     "The enumeration was abandoned.",
     Cat::kOperationStopped},
    {MiResult::kPullCannotBeAbandoned,
     FaultCode::kUnsupportedFeature,
     {},
     "The enumeration cannot be abandoned.",
     Cat::kCloseError},
    {MiResult::kFilteredEnumerationNotSupported,
     FaultCode::kFilteringNotSupported,
     {},
     "The provider does not support filtered enumeration.",
     Cat::kNotImplemented},
    {MiResult::kContinuationOnErrorNotSupported,
     FaultCode::kUnsupportedFeature,
     {},
     "Continuation on error is not supported.",
     Cat::kNotImplemented},
    {MiResult::kServerLimitsExceeded,
     FaultCode::kQuotaLimit,
     {},
     "The server's limits were exceeded.",
     Cat::kResourceBusy},
    {MiResult::kServerIsShuttingDown,
     FaultCode::kEndpointUnavailable,
     {},
     "The server is shutting down.",
     Cat::kResourceUnavailable},
}};

}  // namespace

const MiFaultMapping& MappingFor(MiResult result) {
  for (const MiFaultMapping& m : kTable) {
    if (m.result == result) return m;
  }
  return kTable[1];  // FAILED
}

soap::CimError CimErrorFor(MiResult result, std::string_view message) {
  const MiFaultMapping& m = MappingFor(result);
  const uint32_t number = result == MiResult::kOk
                              ? static_cast<uint32_t>(MiResult::kFailed)
                              : static_cast<uint32_t>(result);
  soap::CimError e;
  e.cim_status_code = number;
  e.message = std::string(message.empty() ? m.text : message);
  // Windows' MI providers: MessageID "MI RESULT <n>" (what PowerShell shows
  // as the FullyQualifiedErrorId), error_Type "MI", error_Code <n>.
  e.message_id = "MI RESULT " + std::to_string(number);
  e.error_type_name = "MI";
  e.error_code = number;
  e.error_category = static_cast<uint16_t>(m.category);
  e.windows_error_message = std::string(m.text);
  return e;
}

namespace {

const std::string* StringOf(const providers::Instance& i,
                            std::string_view name) {
  const providers::Value* v = i.Get(name);
  return v ? v->AsString() : nullptr;
}

template <typename T>
void TakeString(const providers::Instance& i, std::string_view name, T* out) {
  const std::string* s = StringOf(i, name);
  if (s && !s->empty()) *out = *s;
}

template <typename T>
void TakeUnsigned(const providers::Instance& i, std::string_view name, T* out) {
  const providers::Value* v = i.Get(name);
  if (!v) return;
  const std::optional<uint64_t> n = v->AsUint();
  if (n && *n <= std::numeric_limits<T>::max()) *out = static_cast<T>(*n);
}

// The CIM_Error / MSFT_WmiError properties the provider set on its error
// instance, over the defaults.
void ApplyProviderError(const providers::Instance& i, soap::CimError* e) {
  TakeString(i, "Message", &e->message);
  TakeString(i, "MessageID", &e->message_id);
  TakeString(i, "OwningEntity", &e->owning_entity);
  TakeString(i, "ProbableCauseDescription", &e->probable_cause_description);
  TakeString(i, "CIMStatusCodeDescription", &e->cim_status_code_description);
  TakeUnsigned(i, "ErrorType", &e->error_type);
  TakeUnsigned(i, "PerceivedSeverity", &e->perceived_severity);
  TakeUnsigned(i, "ProbableCause", &e->probable_cause);
  TakeUnsigned(i, "error_Category", &e->error_category);
  TakeUnsigned(i, "error_Code", &e->error_code);
  TakeString(i, "error_Type", &e->error_type_name);
  TakeString(i, "error_WindowsErrorMessage", &e->windows_error_message);
}

}  // namespace

soap::Fault FaultFromMiResult(MiResult result, std::string_view message,
                              const std::optional<providers::Instance>& error) {
  const MiFaultMapping& m = MappingFor(result);
  soap::CimError cim = CimErrorFor(result, message);
  if (error) ApplyProviderError(*error, &cim);
  // The provider's message wins; else the one its error instance gives.
  std::string text(!message.empty() ? message : std::string_view(cim.message));
  text += " (";
  text += providers::MiResultName(result);
  text += ")";
  soap::Fault fault(m.fault, m.detail, text);
  fault.cim_error = std::move(cim);
  return fault;
}

}  // namespace wsman::engine::cim
