// The one error value for everything that is neither a wire fault
// (soap::Result carries a WS-Man fault) nor a provider's MI result
// (providers::MiResult, the provider contract): config loading, files,
// certificates, authentication, the shell host, the registry.
//
// A Status is ok, or a code and a message meant for a log line or an
// operator (never for a client: the engine maps codes to faults in one
// place per layer). A layer that needs a finer distinction than the code
// (the shell host's WinRS quotas, say) puts its own enum value in detail();
// 0 means none. StatusOr<T> is a T or a non-ok Status.
//
// Thread rules: plain values. Distinct objects may be used from any thread;
// one object is not synchronised (copy it to share it).
#ifndef WSMAND_BASE_STATUS_H_
#define WSMAND_BASE_STATUS_H_

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace wsman::base {

class [[nodiscard]] Status {
 public:
  enum class Code : uint8_t {
    kOk = 0,
    kInvalidArgument,     // the caller's input is wrong (a bad config value)
    kNotFound,            // the thing named does not exist
    kAlreadyExists,       // the thing to create exists
    kPermissionDenied,    // the actor may not do this
    kResourceExhausted,   // a quota or limit is reached
    kFailedPrecondition,  // the system is not in the state the call needs
    kUnavailable,         // transient: try again later
    kDeadlineExceeded,    // nothing happened before the deadline
    kCancelled,           // the caller went away or the process is stopping
    kIoError,             // the OS refused (errno in the message)
    kInternal,            // a bug or an impossible state
  };

  Status() = default;  // ok

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string message) {
    return Status(Code::kInvalidArgument, std::move(message));
  }
  static Status NotFound(std::string message) {
    return Status(Code::kNotFound, std::move(message));
  }
  static Status AlreadyExists(std::string message) {
    return Status(Code::kAlreadyExists, std::move(message));
  }
  static Status PermissionDenied(std::string message) {
    return Status(Code::kPermissionDenied, std::move(message));
  }
  static Status ResourceExhausted(std::string message) {
    return Status(Code::kResourceExhausted, std::move(message));
  }
  static Status FailedPrecondition(std::string message) {
    return Status(Code::kFailedPrecondition, std::move(message));
  }
  static Status Unavailable(std::string message) {
    return Status(Code::kUnavailable, std::move(message));
  }
  static Status DeadlineExceeded(std::string message) {
    return Status(Code::kDeadlineExceeded, std::move(message));
  }
  static Status Cancelled(std::string message) {
    return Status(Code::kCancelled, std::move(message));
  }
  static Status IoError(std::string message) {
    return Status(Code::kIoError, std::move(message));
  }
  // "<what>: <strerror(errno_value)>", with code kIoError.
  static Status FromErrno(std::string_view what, int errno_value);
  static Status Internal(std::string message) {
    return Status(Code::kInternal, std::move(message));
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }

  // A layer's own finer code (0 = none); see the header comment.
  int detail() const { return detail_; }
  Status WithDetail(int detail) && {
    detail_ = detail;
    return std::move(*this);
  }

  // "<Code>: <message>" ("OK" when ok), for logs and test failures.
  std::string ToString() const;
  static std::string_view CodeName(Code code);

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.detail_ == b.detail_ &&
           a.message_ == b.message_;
  }

 private:
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  int detail_ = 0;
  std::string message_;
};

template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit
  // `status` must not be ok: an ok StatusOr holds a value.
  StatusOr(Status status) : v_(std::move(status)) {  // NOLINT: implicit
    assert(!std::get<1>(v_).ok());
    if (std::get<1>(v_).ok()) v_ = Status::Internal("ok status without value");
  }

  bool ok() const { return v_.index() == 0; }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // Ok when a value is held.
  Status status() const& { return ok() ? Status::Ok() : std::get<1>(v_); }
  Status status() && {
    return ok() ? Status::Ok() : std::get<1>(std::move(v_));
  }
  // The error's message; "" when a value is held.
  const std::string& message() const {
    static const std::string kEmpty;
    return ok() ? kEmpty : std::get<1>(v_).message();
  }

 private:
  std::variant<T, Status> v_;
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_STATUS_H_
