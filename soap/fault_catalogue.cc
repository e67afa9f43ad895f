// The table behind Describe(): one row per FaultCode, in enum order.
//
// Sources:
//  - SOAP Code, Subcode and Action: DSP0226 (WS-Management 1.x master fault
//    table), WS-Addressing 2004/08, WS-Enumeration/WS-Eventing/WS-Transfer
//    2004, SOAP 1.2 part 1 section 5.4; checked against the Windows responses
//    in shared/vectors/windows.
//  - Reason texts: the message text Windows WinRM sends for the same fault
//    (the wsman error message table), where Windows has one; our own wording
//    otherwise. TimedOut keeps Windows' wording exactly: Go winrm looks for
//    the word "OperationTimeout" to decide that a Receive should be retried.
//  - WSManFault Code: the decimal Windows error. "verified" = seen in a
//    recorded Windows response; "winrm" = the ERROR_WSMAN_* constant Windows
//    documents for this subcode; "assumed" = no constant found, closest one
//    chosen (see docs/faults.md).
#include <array>
#include <cstddef>

#include "soap/fault.h"

namespace wsman::soap {
namespace {

constexpr std::string_view kW =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";
constexpr std::string_view kA =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing";
constexpr std::string_view kN =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration";
constexpr std::string_view kE =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing";
constexpr std::string_view kX =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer";

constexpr std::string_view kWsmanFault =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault";
constexpr std::string_view kAddressingFault =
    "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault";
constexpr std::string_view kEnumerationFault =
    "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault";
constexpr std::string_view kEventingFault =
    "http://schemas.xmlsoap.org/ws/2004/08/eventing/fault";
constexpr std::string_view kTransferFault =
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/fault";

constexpr SoapCodeValue kSender = SoapCodeValue::kSender;
constexpr SoapCodeValue kReceiver = SoapCodeValue::kReceiver;

using FC = FaultCode;

constexpr std::array<FaultInfo, static_cast<size_t>(FaultCode::kCount)>
    kCatalogue = {{
        // ---- SOAP 1.2 --------------------------------------------------
        {FC::kVersionMismatch, SoapCodeValue::kVersionMismatch, "", "",
         kAddressingFault,
         "The WS-Management service does not support the SOAP version "
         "specified in the request.",
         "", 2150858765u /* winrm 0x8033800D */, 500},
        {FC::kMustUnderstand, SoapCodeValue::kMustUnderstand, "", "",
         kAddressingFault,
         "The WS-Management service cannot process a SOAP header in the "
         "request that is marked as mustUnderstand by the client. This could "
         "be caused by the use of a version of the protocol which is not "
         "supported, or may be an incompatibility between the client and "
         "server implementations.",
         "", 2150858768u /* winrm 0x80338010 */, 500},

        // ---- WS-Addressing ---------------------------------------------
        {FC::kActionNotSupported, kSender, kA, "ActionNotSupported",
         kAddressingFault,
         "The WS-Management service does not support the action specified "
         "in the request.",
         "", 2150858771u /* winrm 0x80338013 */, 500},
        // Windows answers a missing instance / unknown resource this way
        // (reason = ERROR_WSMAN_RESOURCE_NOT_FOUND's text, seen in a recorded
        // Windows fault). An unknown resource URI passes detail
        // InvalidResourceURI and wsman_code::kInvalidResourceUri (2150858811,
        // 0x8033803B; engine::Unanswered).
        {FC::kDestinationUnreachable, kSender, kA, "DestinationUnreachable",
         kAddressingFault,
         "The WS-Management service cannot process the request. The service "
         "cannot find the resource identified by the resource URI and "
         "selectors.",
         "", 2150858752u /* winrm 0x80338000 */, 500},
        {FC::kEndpointUnavailable, kReceiver, kA, "EndpointUnavailable",
         kAddressingFault,
         "The WS-Management service cannot process the request because the "
         "resource is offline. Retry the request later when the resource is "
         "online.",
         "", 2150858772u /* winrm 0x80338014 */, 500},
        {FC::kInvalidMessageInformationHeader, kSender, kA,
         "InvalidMessageInformationHeader", kAddressingFault,
         "The WS-Management service cannot process the request. The request "
         "contains one or more invalid SOAP headers.",
         "", 2150858767u /* verified 0x8033800F */, 500},
        {FC::kMessageInformationHeaderRequired, kSender, kA,
         "MessageInformationHeaderRequired", kAddressingFault,
         "The WS-Management service cannot process the request. The request "
         "does not have all the expected SOAP headers.",
         "", 2150858769u /* winrm 0x80338011 */, 500},

        // ---- WS-Management ---------------------------------------------
        {FC::kAccessDenied, kSender, kW, "AccessDenied", kWsmanFault,
         "Access is denied.", "", 5u /* Win32 ERROR_ACCESS_DENIED */, 500},
        {FC::kAlreadyExists, kSender, kW, "AlreadyExists", kWsmanFault,
         "The WS-Management service cannot create the resource because it "
         "already exists.",
         "", 2150858803u /* winrm 0x80338033 */, 500},
        {FC::kCannotProcessFilter, kSender, kW, "CannotProcessFilter",
         kWsmanFault,
         "The data source could not process the filter. The filter might be "
         "missing, invalid or too complex to process.",
         "", 2150859042u /* winrm 0x80338122 */, 500},
        {FC::kConcurrency, kSender, kW, "Concurrency", kWsmanFault,
         "The WS-Management service cannot complete the WS-Addressing Action "
         "URI in the request because the resource was already in use.",
         "", 2150858802u /* winrm 0x80338032 */, 500},
        {FC::kDeliveryRefused, kReceiver, kW, "DeliveryRefused", kWsmanFault,
         "The WS-Management service cannot complete the request because the "
         "receiver does not accept the delivery of events.",
         "", 2150858804u /* winrm 0x80338034 */, 500},
        {FC::kEncodingLimit, kSender, kW, "EncodingLimit", kWsmanFault,
         "The WS-Management service cannot process the request because the "
         "encoding of the request exceeds an internal encoding limit.",
         "", 2150858805u /* winrm 0x80338035 */, 500},
        {FC::kEventDeliverToUnusable, kSender, kW, "EventDeliverToUnusable",
         kWsmanFault,
         "The event source cannot deliver events to the address given in "
         "the subscription.",
         "", 2150858807u /* assumed: ERROR_WSMAN_INCOMPATIBLE_EPR */, 500},
        {FC::kFragmentDialectNotSupported, kSender, kW,
         "FragmentDialectNotSupported", kWsmanFault,
         "The fragment path dialect is not supported for this resource.", "",
         2150858896u /* winrm 0x80338090 */, 500},
        {FC::kInternalError, kReceiver, kW, "InternalError", kWsmanFault,
         "The WS-Management service cannot complete the request because of "
         "an internal error.",
         "", 1359u /* assumed: Win32 ERROR_INTERNAL_ERROR */, 500},
        {FC::kInvalidBookmark, kSender, kW, "InvalidBookmark", kWsmanFault,
         "The bookmark in the subscription is invalid. The bookmark may be "
         "expired or corrupted.",
         "", 2150858808u /* winrm 0x80338038 */, 500},
        {FC::kInvalidOptions, kSender, kW, "InvalidOptions", kWsmanFault,
         "The WS-Management service cannot process the request because one or "
         "more options are not valid.",
         "", 2150858809u /* winrm 0x80338039 */, 500},
        {FC::kInvalidParameter, kSender, kW, "InvalidParameter", kWsmanFault,
         "The WS-Management service cannot process the request because a "
         "parameter for the operation is not valid.",
         "", 2150858810u /* winrm 0x8033803A */, 500},
        // Windows sends ERROR_WSMAN_UNEXPECTED_SELECTORS with the
        // UnexpectedSelectors detail for an unknown ShellId/CommandId
        // (vectors winrs_bad_cmd_id, psrp_is_alive_invalid_selectors).
        {FC::kInvalidSelectors, kSender, kW, "InvalidSelectors", kWsmanFault,
         "The WS-Management service cannot process the request because the "
         "request contained invalid selectors for the resource.",
         fault_detail::kUnexpectedSelectors,
         2150858843u /* verified 0x8033805B */, 500},
        {FC::kMetadataRedirect, kSender, kW, "MetadataRedirect", kWsmanFault,
         "The requested metadata is not available at the current address.", "",
         2150858814u /* winrm 0x8033803E */, 500},
        {FC::kNoAck, kSender, kW, "NoAck", kWsmanFault,
         "The receiver of the event did not acknowledge the event delivery.",
         "", 2150858800u /* winrm 0x80338030 */, 500},
        {FC::kQuotaLimit, kSender, kW, "QuotaLimit", kWsmanFault,
         "The WS-Management service is busy servicing other requests. Retry "
         "later.",
         "", 2150858815u /* winrm 0x8033803F */, 500},
        {FC::kSchemaValidationError, kSender, kW, "SchemaValidationError",
         kWsmanFault,
         "The SOAP XML in the message does not match the corresponding XML "
         "schema definition. Change the XML and retry.",
         "", 2150858817u /* winrm 0x80338041 */, 500},
        {FC::kTimedOut, kReceiver, kW, "TimedOut", kWsmanFault,
         "The WS-Management service cannot complete the operation within the "
         "time specified in OperationTimeout.",
         "", 2150858793u /* verified 0x80338029 */, 500},
        {FC::kUnsupportedFeature, kSender, kW, "UnsupportedFeature",
         kWsmanFault,
         "The WS-Management service does not support the specified feature. "
         "Remove the unsupported feature from the request and retry.",
         "", 2150858818u /* winrm 0x80338042 */, 500},

        // ---- WS-Transfer -----------------------------------------------
        {FC::kInvalidRepresentation, kSender, kX, "InvalidRepresentation",
         kTransferFault,
         "The WS-Management service cannot identify the format of the object "
         "passed to a Put or Create method.",
         "", 2150858773u /* winrm 0x80338015 */, 500},

        // ---- WS-Enumeration --------------------------------------------
        {FC::kCannotProcessEnumerationFilter, kSender, kN,
         "CannotProcessFilter", kEnumerationFault,
         "The data source could not process the filter. The filter might be "
         "missing or it might be invalid.",
         "", 2150858778u /* winrm 0x8033801A */, 500},
        {FC::kFilterDialectRequestedUnavailable, kSender, kN,
         "FilterDialectRequestedUnavailable", kEnumerationFault,
         "The filter dialect (the type associated with the filter) was not "
         "supported for this resource.",
         "", 2150858777u /* winrm 0x80338019 */, 500},
        {FC::kFilteringNotSupported, kSender, kN, "FilteringNotSupported",
         kEnumerationFault,
         "The data source does not support filtering. Remove the filter from "
         "the request and try the request again.",
         "", 2150858776u /* winrm 0x80338018 */, 500},
        {FC::kInvalidEnumerationContext, kReceiver, kN,
         "InvalidEnumerationContext", kEnumerationFault,
         "The WS-Enumeration context in the enumeration is not valid. "
         "Enumeration may have been completed or canceled.",
         "", 2150858779u /* winrm 0x8033801B */, 500},
        {FC::kInvalidExpirationTime, kSender, kN, "InvalidExpirationTime",
         kEnumerationFault,
         "The expiration time passed to the WS-Management Enumerate method is "
         "not valid.",
         "", 2150858774u /* winrm 0x80338016 */, 500},
        {FC::kEnumerationTimedOut, kReceiver, kN, "TimedOut", kEnumerationFault,
         "The pull operation did not get any data in the MaxTime duration. "
         "But the enumeration is still valid.",
         "", 2150858780u /* winrm 0x8033801C */, 500},
        {FC::kUnableToRenew, kReceiver, kN, "UnableToRenew", kEnumerationFault,
         "The WS-Management service cannot renew the enumeration. Start a new "
         "enumeration.",
         "", 2150858781u /* winrm 0x8033801D */, 500},
        {FC::kUnsupportedExpirationType, kSender, kN,
         "UnsupportedExpirationType", kEnumerationFault,
         "The expiration time specified for enumeration was invalid. Specify "
         "the expiration time as a duration.",
         "", 2150859036u /* winrm 0x8033811C */, 500},

        // ---- WS-Eventing -----------------------------------------------
        {FC::kDeliveryModeRequestedUnavailable, kSender, kE,
         "DeliveryModeRequestedUnavailable", kEventingFault,
         "The WS-Management service does not support the delivery mode for "
         "the specified resource.",
         "", 2150858782u /* winrm 0x8033801E */, 500},
        {FC::kEventSourceUnableToProcess, kReceiver, kE,
         "EventSourceUnableToProcess", kEventingFault,
         "The event source cannot process the subscription.", "",
         2150858787u /* winrm 0x80338023 */, 500},
        {FC::kEventingFilteringNotSupported, kSender, kE,
         "FilteringNotSupported", kEventingFault,
         "The event source does not support filtering. Remove the filter from "
         "the request and try the request again.",
         "", 2150858785u /* winrm 0x80338021 */, 500},
        {FC::kEventingFilteringRequestedUnavailable, kSender, kE,
         "FilteringRequestedUnavailable", kEventingFault,
         "The event source cannot process the specified filter.", "",
         2150858786u /* winrm 0x80338022 */, 500},
        {FC::kEventingInvalidExpirationTime, kSender, kE,
         "InvalidExpirationTime", kEventingFault,
         "The expiration time of the subscription is invalid.", "",
         2150858783u /* winrm 0x8033801F */, 500},
        {FC::kEventingUnsupportedExpirationType, kSender, kE,
         "UnsupportedExpirationType", kEventingFault,
         "The expiration time specified for subscription was invalid. Specify "
         "the expiration time as a duration.",
         "", 2150858784u /* winrm 0x80338020 */, 500},
        {FC::kInvalidMessage, kSender, kE, "InvalidMessage", kEventingFault,
         "The WS-Management service cannot complete the WS-Eventing request "
         "because the request had some unknown or invalid content and could "
         "not be processed.",
         "", 2150858789u /* winrm 0x80338025 */, 500},
        {FC::kUnableToRenewSubscription, kReceiver, kE, "UnableToRenew",
         kEventingFault,
         "The WS-Management service cannot renew the event subscription. "
         "Create a new subscription.",
         "", 2150858788u /* winrm 0x80338024 */, 500},
    }};

// Row i describes FaultCode i: the table is complete and in enum order.
constexpr bool CatalogueIsOrdered() {
  for (size_t i = 0; i < kCatalogue.size(); ++i) {
    if (static_cast<size_t>(kCatalogue[i].code) != i) return false;
    if (kCatalogue[i].reason.empty() || kCatalogue[i].action.empty()) {
      return false;
    }
  }
  return true;
}
static_assert(CatalogueIsOrdered(),
              "fault catalogue rows must follow FaultCode order, one each");

}  // namespace

const FaultInfo& Describe(FaultCode code) {
  const auto i = static_cast<size_t>(code);
  if (i >= kCatalogue.size()) {
    return kCatalogue[static_cast<size_t>(FaultCode::kInternalError)];
  }
  return kCatalogue[i];
}

}  // namespace wsman::soap
