// Helpers for the certificate tests: base::Status / StatusOr results read
// as the (ok, message) pair the assertions check.
#ifndef WSMAND_TESTS_UNIT_CERT_TEST_UTIL_H_
#define WSMAND_TESTS_UNIT_CERT_TEST_UTIL_H_

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace wsman::certs::testing {

// status.ok(); its message in *error (when given).
inline bool Ok(const base::Status& status, std::string* error) {
  if (error != nullptr) *error = status.message();
  return status.ok();
}

// The value, or T() with the message in *error (when given).
template <typename T>
T Value(base::StatusOr<T> result, std::string* error) {
  if (!result.ok()) {
    if (error != nullptr) *error = result.message();
    return T();
  }
  return std::move(*result);
}

// The value into *out; false with the message in *error.
template <typename T>
bool Into(base::StatusOr<T> result, T* out, std::string* error) {
  if (!result.ok()) return Ok(result.status(), error);
  *out = std::move(*result);
  return true;
}

}  // namespace wsman::certs::testing

#endif  // WSMAND_TESTS_UNIT_CERT_TEST_UTIL_H_
