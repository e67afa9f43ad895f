#include "server/http/socket_stream.h"

#include <fcntl.h>
#include <openssl/err.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace wsman::server::http {
namespace {

constexpr size_t kReadChunk = 16 * 1024;
constexpr size_t kWriteCoalesceLimit = 256 * 1024;
constexpr auto kStopPollSlice = std::chrono::milliseconds(200);

// poll() for `events` until `until`; false on timeout or error.
bool PollUntil(int fd, short events, SocketStream::Clock::time_point until,
               const std::atomic<bool>* stopping) {
  for (;;) {
    auto now = SocketStream::Clock::now();
    if (now >= until) return false;
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(until - now);
    if (stopping != nullptr) left = std::min(left, kStopPollSlice);
    pollfd p{fd, events, 0};
    int rc = ::poll(&p, 1, static_cast<int>(left.count()) + 1);
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) return false;
    if (rc > 0) return (p.revents & (events | POLLHUP | POLLERR)) != 0;
    if (stopping != nullptr && stopping->load()) return false;
  }
}

}  // namespace

SocketStream::SocketStream(int fd, std::chrono::milliseconds write_timeout,
                           const std::atomic<bool>* stopping, SSL* ssl)
    : fd_(fd), ssl_(ssl), write_timeout_(write_timeout), stopping_(stopping) {
  // Every wait goes through PollUntil and its deadline.
  int flags = ::fcntl(fd, F_GETFL, 0);
  if (flags >= 0) ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

bool SocketStream::Handshake(Clock::time_point deadline, std::string* reason) {
  if (ssl_ == nullptr) return true;
  for (;;) {
    ERR_clear_error();
    int rc = SSL_accept(ssl_);
    if (rc == 1) return true;
    int err = SSL_get_error(ssl_, rc);
    short events = err == SSL_ERROR_WANT_READ    ? POLLIN
                   : err == SSL_ERROR_WANT_WRITE ? POLLOUT
                                                 : 0;
    if (events != 0) {
      if (PollUntil(fd_, events, deadline, stopping_)) continue;
      *reason =
          Clock::now() >= deadline ? "handshake timeout" : "server stopping";
      failed_ = true;
      return false;
    }
    unsigned long code = ERR_peek_error();
    if (code != 0) {
      const char* why = ERR_reason_error_string(code);
      *reason = why != nullptr ? why : "TLS error";
    } else if (err == SSL_ERROR_SYSCALL || err == SSL_ERROR_ZERO_RETURN) {
      *reason = "peer closed the connection";
    } else {
      *reason = "TLS error " + std::to_string(err);
    }
    ERR_clear_error();
    failed_ = true;
    return false;
  }
}

void SocketStream::CloseNotify() {
  if (ssl_ == nullptr || failed_) return;
  ERR_clear_error();
  SSL_shutdown(ssl_);
  ERR_clear_error();
}

SocketStream::Io SocketStream::RawRead(char* buf, size_t size, size_t* n) {
  *n = 0;
  if (ssl_ == nullptr) {
    for (;;) {
      ssize_t r = ::recv(fd_, buf, size, MSG_DONTWAIT);
      if (r > 0) {
        *n = static_cast<size_t>(r);
        return Io::kData;
      }
      if (r == 0) return Io::kClosed;
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Io::kWantRead;
      return Io::kError;
    }
  }
  ERR_clear_error();
  if (SSL_read_ex(ssl_, buf, size, n) == 1) return Io::kData;
  int err = SSL_get_error(ssl_, 0);
  ERR_clear_error();
  switch (err) {
    case SSL_ERROR_WANT_READ:
      return Io::kWantRead;
    case SSL_ERROR_WANT_WRITE:
      return Io::kWantWrite;
    case SSL_ERROR_ZERO_RETURN:
      return Io::kClosed;
    default:
      return Io::kError;
  }
}

SocketStream::Io SocketStream::RawWrite(const char* buf, size_t size,
                                        size_t* n) {
  *n = 0;
  if (ssl_ == nullptr) {
    for (;;) {
      ssize_t r = ::send(fd_, buf, size, MSG_NOSIGNAL | MSG_DONTWAIT);
      if (r >= 0) {
        *n = static_cast<size_t>(r);
        return Io::kData;
      }
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Io::kWantWrite;
      return Io::kError;
    }
  }
  // Partial writes are off: this returns once all of `buf` is in TLS
  // records, or asks to be called again with the same arguments.
  ERR_clear_error();
  if (SSL_write_ex(ssl_, buf, size, n) == 1) return Io::kData;
  int err = SSL_get_error(ssl_, 0);
  ERR_clear_error();
  if (err == SSL_ERROR_WANT_WRITE) return Io::kWantWrite;
  if (err == SSL_ERROR_WANT_READ) return Io::kWantRead;
  return Io::kError;
}

bool SocketStream::HasPendingInput() const {
  if (!buffered().empty()) return true;
  return ssl_ != nullptr && SSL_pending(ssl_) > 0;
}

bool SocketStream::ReadMore(std::string* buffer, Clock::time_point deadline) {
  if (failed_ || !Flush()) return false;
  size_t old = buffer->size();
  buffer->resize(old + kReadChunk);
  for (;;) {
    size_t n = 0;
    Io io = RawRead(buffer->data() + old, kReadChunk, &n);
    if (io == Io::kData) {
      buffer->resize(old + n);
      return true;
    }
    // A request in progress finishes even while the server stops: only its
    // deadline ends the wait.
    if ((io == Io::kWantRead && PollUntil(fd_, POLLIN, deadline, nullptr)) ||
        (io == Io::kWantWrite && PollUntil(fd_, POLLOUT, deadline, nullptr))) {
      continue;
    }
    break;
  }
  buffer->resize(old);
  return false;
}

bool SocketStream::Write(std::string_view data) {
  if (failed_) return false;
  out_.append(data);
  if (out_.size() >= kWriteCoalesceLimit) return Flush();
  return true;
}

void SocketStream::ReleaseBuffers() {
  ReleaseReadBuffer();
  if (out_.empty()) std::string().swap(out_);
}

bool SocketStream::Flush() {
  size_t sent = 0;
  auto until = Clock::now() + write_timeout_;
  while (!failed_ && sent < out_.size()) {
    size_t n = 0;
    Io io = RawWrite(out_.data() + sent, out_.size() - sent, &n);
    if (io == Io::kData) {
      sent += n;
      continue;
    }
    if ((io == Io::kWantWrite && PollUntil(fd_, POLLOUT, until, nullptr)) ||
        (io == Io::kWantRead && PollUntil(fd_, POLLIN, until, nullptr))) {
      continue;
    }
    failed_ = true;
  }
  out_.clear();
  return !failed_;
}

}  // namespace wsman::server::http
