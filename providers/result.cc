#include "providers/result.h"

namespace wsman::providers {

std::string_view MiResultName(MiResult result) {
  switch (result) {
    case MiResult::kOk:
      return "MI_RESULT_OK";
    case MiResult::kFailed:
      return "MI_RESULT_FAILED";
    case MiResult::kAccessDenied:
      return "MI_RESULT_ACCESS_DENIED";
    case MiResult::kInvalidNamespace:
      return "MI_RESULT_INVALID_NAMESPACE";
    case MiResult::kInvalidParameter:
      return "MI_RESULT_INVALID_PARAMETER";
    case MiResult::kInvalidClass:
      return "MI_RESULT_INVALID_CLASS";
    case MiResult::kNotFound:
      return "MI_RESULT_NOT_FOUND";
    case MiResult::kNotSupported:
      return "MI_RESULT_NOT_SUPPORTED";
    case MiResult::kClassHasChildren:
      return "MI_RESULT_CLASS_HAS_CHILDREN";
    case MiResult::kClassHasInstances:
      return "MI_RESULT_CLASS_HAS_INSTANCES";
    case MiResult::kInvalidSuperclass:
      return "MI_RESULT_INVALID_SUPERCLASS";
    case MiResult::kAlreadyExists:
      return "MI_RESULT_ALREADY_EXISTS";
    case MiResult::kNoSuchProperty:
      return "MI_RESULT_NO_SUCH_PROPERTY";
    case MiResult::kTypeMismatch:
      return "MI_RESULT_TYPE_MISMATCH";
    case MiResult::kQueryLanguageNotSupported:
      return "MI_RESULT_QUERY_LANGUAGE_NOT_SUPPORTED";
    case MiResult::kInvalidQuery:
      return "MI_RESULT_INVALID_QUERY";
    case MiResult::kMethodNotAvailable:
      return "MI_RESULT_METHOD_NOT_AVAILABLE";
    case MiResult::kMethodNotFound:
      return "MI_RESULT_METHOD_NOT_FOUND";
    case MiResult::kNamespaceNotEmpty:
      return "MI_RESULT_NAMESPACE_NOT_EMPTY";
    case MiResult::kInvalidEnumerationContext:
      return "MI_RESULT_INVALID_ENUMERATION_CONTEXT";
    case MiResult::kInvalidOperationTimeout:
      return "MI_RESULT_INVALID_OPERATION_TIMEOUT";
    case MiResult::kPullHasBeenAbandoned:
      return "MI_RESULT_PULL_HAS_BEEN_ABANDONED";
    case MiResult::kPullCannotBeAbandoned:
      return "MI_RESULT_PULL_CANNOT_BE_ABANDONED";
    case MiResult::kFilteredEnumerationNotSupported:
      return "MI_RESULT_FILTERED_ENUMERATION_NOT_SUPPORTED";
    case MiResult::kContinuationOnErrorNotSupported:
      return "MI_RESULT_CONTINUATION_ON_ERROR_NOT_SUPPORTED";
    case MiResult::kServerLimitsExceeded:
      return "MI_RESULT_SERVER_LIMITS_EXCEEDED";
    case MiResult::kServerIsShuttingDown:
      return "MI_RESULT_SERVER_IS_SHUTTING_DOWN";
  }
  return "MI_RESULT_UNKNOWN";
}

std::optional<MiResult> MiResultFromInt(uint32_t value) {
  for (MiResult r : kAllMiResults) {
    if (static_cast<uint32_t>(r) == value) return r;
  }
  return std::nullopt;
}

}  // namespace wsman::providers
