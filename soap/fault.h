// The fault catalogue: every SOAP fault wsmand can answer, as data.
//
// A Fault names one catalogue entry (FaultCode) plus optional specifics: a
// wsman:FaultDetail URI, a message for the client and a Windows error code
// override, and optionally a CIM error instance (CimError) for faults that end
// a CIM operation. FaultInfo (see Describe) carries the fixed parts: SOAP
// Code and Subcode, the wsa:Action of the fault message, the Reason text, the
// default FaultDetail, the MS-WSMV WSManFault code and the HTTP status.
// Plain data: no thread rules beyond those of the standard containers.
#ifndef WSMAND_SOAP_FAULT_H_
#define WSMAND_SOAP_FAULT_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace wsman::soap {

enum class FaultCode {
  // SOAP 1.2
  kVersionMismatch,
  kMustUnderstand,
  // WS-Addressing (as profiled by DSP0226)
  kActionNotSupported,
  kDestinationUnreachable,
  kEndpointUnavailable,
  kInvalidMessageInformationHeader,
  kMessageInformationHeaderRequired,
  // WS-Management (DSP0226)
  kAccessDenied,
  kAlreadyExists,
  kCannotProcessFilter,
  kConcurrency,
  kDeliveryRefused,
  kEncodingLimit,
  kEventDeliverToUnusable,
  kFragmentDialectNotSupported,
  kInternalError,
  kInvalidBookmark,
  kInvalidOptions,
  kInvalidParameter,
  kInvalidSelectors,
  kMetadataRedirect,
  kNoAck,
  kQuotaLimit,
  kSchemaValidationError,
  kTimedOut,
  kUnsupportedFeature,
  // WS-Transfer
  kInvalidRepresentation,
  // WS-Enumeration
  kCannotProcessEnumerationFilter,  // wsen:CannotProcessFilter
  kFilterDialectRequestedUnavailable,
  kFilteringNotSupported,
  kInvalidEnumerationContext,
  kInvalidExpirationTime,
  kEnumerationTimedOut,  // wsen:TimedOut
  kUnableToRenew,
  kUnsupportedExpirationType,
  // WS-Eventing
  kDeliveryModeRequestedUnavailable,
  kEventSourceUnableToProcess,
  kEventingFilteringNotSupported,
  kEventingFilteringRequestedUnavailable,
  kEventingInvalidExpirationTime,
  kEventingUnsupportedExpirationType,
  kInvalidMessage,
  kUnableToRenewSubscription,
  // Microsoft WinRS / MS-WSMV specific faults that still use a w: subcode
  // but carry their own WSManFault code are expressed with kInternalError,
  // kInvalidParameter, ... plus a wsman_code override.
  kCount  // not a fault; number of entries
};

// wsman:FaultDetail URIs defined by DSP0226.
namespace fault_detail {
#define WSMAND_FD(name)                       \
  inline constexpr std::string_view k##name = \
      "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/" #name
WSMAND_FD(AmbiguousSelectors);
WSMAND_FD(DuplicateSelectors);
WSMAND_FD(InsufficientSelectors);
WSMAND_FD(InvalidValue);
WSMAND_FD(TypeMismatch);
WSMAND_FD(UnexpectedSelectors);
WSMAND_FD(InvalidName);
WSMAND_FD(NotSupported);
WSMAND_FD(InvalidResourceURI);
WSMAND_FD(CharacterSet);
WSMAND_FD(MaxEnvelopeSize);
WSMAND_FD(MinimumEnvelopeLimit);
WSMAND_FD(ServiceEnvelopeLimit);
WSMAND_FD(SelectorLimit);
WSMAND_FD(OptionLimit);
WSMAND_FD(UnreportableSuccess);
WSMAND_FD(EncodingType);
WSMAND_FD(OperationTimeout);
WSMAND_FD(Locale);
WSMAND_FD(AddressingMode);
WSMAND_FD(AuthorizationMode);
WSMAND_FD(ExpirationTime);
WSMAND_FD(EnumerationMode);
WSMAND_FD(FilteringRequired);
WSMAND_FD(MaxElements);
WSMAND_FD(MaxTime);
WSMAND_FD(MaxEnvelopePolicy);
WSMAND_FD(OptionSet);
WSMAND_FD(FragmentLevelAccess);
WSMAND_FD(InvalidValues);
WSMAND_FD(MissingValues);
WSMAND_FD(InvalidNamespace);
WSMAND_FD(InvalidFragment);
WSMAND_FD(Timeout);
#undef WSMAND_FD
}  // namespace fault_detail

// Windows error codes a Fault passes as its wsman_code override.
namespace wsman_code {
// ERROR_WSMAN_INVALID_RESOURCE_URI (0x8033803B): what Windows answers, with
// a:DestinationUnreachable and faultDetail/InvalidResourceURI, for a resource
// URI no plugin serves.
inline constexpr uint32_t kInvalidResourceUri = 2150858811u;
}  // namespace wsman_code

enum class SoapCodeValue {
  kSender,
  kReceiver,
  kVersionMismatch,
  kMustUnderstand
};

// The fixed parts of a catalogue entry.
struct FaultInfo {
  FaultCode code;
  SoapCodeValue soap_code;          // s:Code/s:Value
  std::string_view subcode_ns;      // s:Subcode/s:Value namespace (may be "")
  std::string_view subcode_local;   // e.g. "InvalidSelectors"
  std::string_view action;          // wsa:Action of the fault message
  std::string_view reason;          // s:Reason/s:Text (en-US)
  std::string_view default_detail;  // wsman:FaultDetail URI or ""
  uint32_t wsman_code;              // MS-WSMV WSManFault/@Code (Windows error)
  int http_status;                  // 500 unless Windows answers otherwise
};

// Looks up the catalogue entry for `code`. Total over FaultCode (kCount
// excluded); the table lives in fault_catalogue.cc.
const FaultInfo& Describe(FaultCode code);

// The CIM error of a failed CIM operation, written into s:Detail beside
// f:WSManFault as the MSFT_WmiError instance Windows sends (class
// MSFT_WmiError : CIM_Error, DSP0227 7 instance representation, b:IsCIM_Error
// per DSP0227/MS-WSMV) and as the OMI_Error instance the OMI MI client reads
// to recover the MI result (docs/faults.md, "CIM error detail"). The soap
// layer knows nothing of providers: the engine fills this in.
struct CimError {
  // CIM_Error.CIMStatusCode: the DMTF CIM status (DSP0200), which is the MI
  // result number.
  uint32_t cim_status_code = 1;
  std::string message;     // CIM_Error.Message
  std::string message_id;  // CIM_Error.MessageID, e.g. "MI RESULT 6"
  // The properties Windows leaves nil unless a provider sets them ("" =
  // xsi:nil).
  std::string cim_status_code_description;
  std::string owning_entity;
  std::string probable_cause_description;
  uint16_t error_type = 0;          // CIM_Error.ErrorType (0 = Unknown)
  uint16_t perceived_severity = 0;  // CIM_Error.PerceivedSeverity
  uint16_t probable_cause = 0;      // CIM_Error.ProbableCause
  // MSFT_WmiError's own properties.
  uint32_t error_code = 0;      // error_Code, read as error_type_name says
  uint16_t error_category = 0;  // error_Category (MI_ErrorCategory)
  std::string error_type_name;  // error_Type: "MI", "HRESULT", "WIN32"
  std::string windows_error_message;  // error_WindowsErrorMessage
};

// One fault to answer: a catalogue entry plus what this occurrence adds.
struct Fault {
  FaultCode code = FaultCode::kInternalError;
  std::string detail;       // wsman:FaultDetail URI; "" = catalogue default
  std::string message;      // f:Message / extra text; "" = catalogue reason
  uint32_t wsman_code = 0;  // 0 = catalogue default
  // For kMustUnderstand: the qualified name of the header not understood.
  std::string not_understood_ns;
  std::string not_understood_local;
  // The CIM error instance of a failed CIM operation (none otherwise).
  std::optional<CimError> cim_error;

  Fault() = default;
  explicit Fault(FaultCode c, std::string_view detail_uri = {},
                 std::string_view msg = {})
      : code(c), detail(detail_uri), message(msg) {}
};

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_FAULT_H_
