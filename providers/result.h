// MI result codes (the MI_Result list of Windows Management Infrastructure's
// MI.h, same numeric values). Providers end every request with one of them
// through Context::PostResult; the engine maps each to one WS-Management
// fault (engine/cim/mi_faults.h, docs/mi-results.md).
#ifndef WSMAND_PROVIDERS_RESULT_H_
#define WSMAND_PROVIDERS_RESULT_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace wsman::providers {

enum class MiResult : uint32_t {
  kOk = 0,
  kFailed = 1,
  kAccessDenied = 2,
  kInvalidNamespace = 3,
  kInvalidParameter = 4,
  kInvalidClass = 5,
  kNotFound = 6,
  kNotSupported = 7,
  kClassHasChildren = 8,
  kClassHasInstances = 9,
  kInvalidSuperclass = 10,
  kAlreadyExists = 11,
  kNoSuchProperty = 12,
  kTypeMismatch = 13,
  kQueryLanguageNotSupported = 14,
  kInvalidQuery = 15,
  kMethodNotAvailable = 16,
  kMethodNotFound = 17,
  kNamespaceNotEmpty = 20,
  kInvalidEnumerationContext = 21,
  kInvalidOperationTimeout = 22,
  kPullHasBeenAbandoned = 23,
  kPullCannotBeAbandoned = 24,
  kFilteredEnumerationNotSupported = 25,
  kContinuationOnErrorNotSupported = 26,
  kServerLimitsExceeded = 27,
  kServerIsShuttingDown = 28,
};

// Every MiResult, in numeric order.
inline constexpr std::array<MiResult, 27> kAllMiResults = {
    MiResult::kOk,
    MiResult::kFailed,
    MiResult::kAccessDenied,
    MiResult::kInvalidNamespace,
    MiResult::kInvalidParameter,
    MiResult::kInvalidClass,
    MiResult::kNotFound,
    MiResult::kNotSupported,
    MiResult::kClassHasChildren,
    MiResult::kClassHasInstances,
    MiResult::kInvalidSuperclass,
    MiResult::kAlreadyExists,
    MiResult::kNoSuchProperty,
    MiResult::kTypeMismatch,
    MiResult::kQueryLanguageNotSupported,
    MiResult::kInvalidQuery,
    MiResult::kMethodNotAvailable,
    MiResult::kMethodNotFound,
    MiResult::kNamespaceNotEmpty,
    MiResult::kInvalidEnumerationContext,
    MiResult::kInvalidOperationTimeout,
    MiResult::kPullHasBeenAbandoned,
    MiResult::kPullCannotBeAbandoned,
    MiResult::kFilteredEnumerationNotSupported,
    MiResult::kContinuationOnErrorNotSupported,
    MiResult::kServerLimitsExceeded,
    MiResult::kServerIsShuttingDown,
};

// "MI_RESULT_NOT_FOUND" etc.
std::string_view MiResultName(MiResult result);
// The MiResult with this numeric value, if MI defines one.
std::optional<MiResult> MiResultFromInt(uint32_t value);

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_RESULT_H_
