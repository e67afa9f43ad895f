// Error values for the auth module: Status (ok or a message) and StatusOr<T>
// (a value or a message). Nothing in server/auth throws across its API.
#ifndef WSMAND_SERVER_AUTH_STATUS_H_
#define WSMAND_SERVER_AUTH_STATUS_H_

#include <string>
#include <utility>
#include <variant>

namespace wsman::auth {

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok
  static Status Ok() { return Status(); }
  static Status Error(std::string message) {
    Status s;
    s.ok_ = false;
    s.message_ = std::move(message);
    return s;
  }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const std::string& message() const { return message_; }

 private:
  bool ok_ = true;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}       // NOLINT: implicit
  StatusOr(Status error) : v_(std::move(error)) {}  // NOLINT: must be !ok()

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  const std::string& message() const {
    static const std::string kEmpty;
    return ok() ? kEmpty : std::get<1>(v_).message();
  }
  Status status() const { return ok() ? Status::Ok() : std::get<1>(v_); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_STATUS_H_
