#include "engine/cim/mi_faults.h"

#include <array>
#include <string>

namespace wsman::engine::cim {
namespace {

using providers::MiResult;
using soap::FaultCode;
namespace fd = soap::fault_detail;

// Keep in step with docs/mi-results.md.
constexpr std::array<MiFaultMapping, 27> kTable = {{
    {MiResult::kOk,
     FaultCode::kInternalError,
     {},
     "The provider reported success where a failure was expected."},
    {MiResult::kFailed,
     FaultCode::kInternalError,
     {},
     "The provider failed to complete the operation."},
    {MiResult::kAccessDenied,
     FaultCode::kAccessDenied,
     {},
     "Access is denied."},
    {MiResult::kInvalidNamespace, FaultCode::kDestinationUnreachable,
     fd::kInvalidResourceURI, "The CIM namespace is not valid."},
    {MiResult::kInvalidParameter,
     FaultCode::kInvalidParameter,
     {},
     "The parameter is incorrect."},
    {MiResult::kInvalidClass, FaultCode::kDestinationUnreachable,
     fd::kInvalidResourceURI, "The CIM class does not exist."},
    {MiResult::kNotFound,
     FaultCode::kDestinationUnreachable,
     {},
     "The service cannot find the resource identified by the resource URI "
     "and selectors."},
    {MiResult::kNotSupported,
     FaultCode::kActionNotSupported,
     {},
     "The operation is not supported by the provider of this resource."},
    {MiResult::kClassHasChildren,
     FaultCode::kInternalError,
     {},
     "The class has subclasses."},
    {MiResult::kClassHasInstances,
     FaultCode::kInternalError,
     {},
     "The class has instances."},
    {MiResult::kInvalidSuperclass,
     FaultCode::kInternalError,
     {},
     "The superclass does not exist."},
    {MiResult::kAlreadyExists,
     FaultCode::kAlreadyExists,
     {},
     "The instance already exists."},
    {MiResult::kNoSuchProperty, FaultCode::kInvalidRepresentation,
     fd::kInvalidValues,
     "The instance has a property the class does not "
     "declare."},
    {MiResult::kTypeMismatch, FaultCode::kInvalidRepresentation,
     fd::kInvalidValues, "A value does not have the type the class declares."},
    {MiResult::kQueryLanguageNotSupported,
     FaultCode::kFilterDialectRequestedUnavailable,
     {},
     "The query language is not supported."},
    {MiResult::kInvalidQuery,
     FaultCode::kCannotProcessFilter,
     {},
     "The query is not valid."},
    {MiResult::kMethodNotAvailable,
     FaultCode::kInternalError,
     {},
     "The method cannot be run now."},
    {MiResult::kMethodNotFound,
     FaultCode::kActionNotSupported,
     {},
     "The method does not exist."},
    {MiResult::kNamespaceNotEmpty,
     FaultCode::kInternalError,
     {},
     "The namespace is not empty."},
    {MiResult::kInvalidEnumerationContext,
     FaultCode::kInvalidEnumerationContext,
     {},
     "The enumeration context is not valid."},
    {MiResult::kInvalidOperationTimeout,
     FaultCode::kInvalidMessageInformationHeader, fd::kOperationTimeout,
     "The operation timeout is not valid."},
    {MiResult::kPullHasBeenAbandoned,
     FaultCode::kInvalidEnumerationContext,
     {},
     "The enumeration was abandoned."},
    {MiResult::kPullCannotBeAbandoned,
     FaultCode::kUnsupportedFeature,
     {},
     "The enumeration cannot be abandoned."},
    {MiResult::kFilteredEnumerationNotSupported,
     FaultCode::kFilteringNotSupported,
     {},
     "The provider does not support filtered enumeration."},
    {MiResult::kContinuationOnErrorNotSupported,
     FaultCode::kUnsupportedFeature,
     {},
     "Continuation on error is not supported."},
    {MiResult::kServerLimitsExceeded,
     FaultCode::kQuotaLimit,
     {},
     "The server's limits were exceeded."},
    {MiResult::kServerIsShuttingDown,
     FaultCode::kEndpointUnavailable,
     {},
     "The server is shutting down."},
}};

}  // namespace

const MiFaultMapping& MappingFor(MiResult result) {
  for (const MiFaultMapping& m : kTable) {
    if (m.result == result) return m;
  }
  return kTable[1];  // FAILED
}

soap::Fault FaultFromMiResult(MiResult result, std::string_view message) {
  const MiFaultMapping& m = MappingFor(result);
  std::string text(message.empty() ? m.text : message);
  text += " (";
  text += providers::MiResultName(result);
  text += ")";
  return soap::Fault(m.fault, m.detail, text);
}

}  // namespace wsman::engine::cim
