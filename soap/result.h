// Result<T>: a value or a Fault. Errors cross layer boundaries as values,
// never as exceptions.
#ifndef WSMAND_SOAP_RESULT_H_
#define WSMAND_SOAP_RESULT_H_

#include <utility>
#include <variant>

#include "soap/fault.h"

namespace wsman::soap {

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT: implicit
  Result(Fault fault) : v_(std::move(fault)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Fault& fault() const& { return std::get<1>(v_); }
  Fault&& fault() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Fault> v_;
};

// The outcome of an operation that yields nothing but success or a Fault
// for the client. (base::Status is the error value of everything that does
// not answer a client; this one carries a WS-Man fault.)
struct Ok {};
using Outcome = Result<Ok>;

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_RESULT_H_
