#include "server/http/socket_stream.h"

#include <arpa/inet.h>
#include <netinet/in.h>
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

void AddressOf(const sockaddr_storage& addr, std::string* ip, int* port) {
  char buf[INET6_ADDRSTRLEN] = {0};
  if (addr.ss_family == AF_INET6) {
    const auto* a6 = reinterpret_cast<const sockaddr_in6*>(&addr);
    if (IN6_IS_ADDR_V4MAPPED(&a6->sin6_addr)) {
      inet_ntop(AF_INET, &a6->sin6_addr.s6_addr[12], buf, sizeof buf);
    } else {
      inet_ntop(AF_INET6, &a6->sin6_addr, buf, sizeof buf);
    }
    *port = ntohs(a6->sin6_port);
  } else if (addr.ss_family == AF_INET) {
    const auto* a4 = reinterpret_cast<const sockaddr_in*>(&addr);
    inet_ntop(AF_INET, &a4->sin_addr, buf, sizeof buf);
    *port = ntohs(a4->sin_port);
  }
  *ip = buf;
}

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
                           const std::atomic<bool>* stopping)
    : fd_(fd), write_timeout_(write_timeout), stopping_(stopping) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &remote_ip_, &remote_port_);
  }
  len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    AddressOf(addr, &local_ip_, &local_port_);
  }
}

bool SocketStream::WaitForRequest(std::chrono::milliseconds timeout) {
  if (in_pos_ < in_.size()) return true;  // pipelined bytes already here
  if (!Flush()) return false;
  auto until = Clock::now() + timeout;
  while (PollUntil(fd_, POLLIN, until, stopping_)) {
    // Readable: either data or EOF. Peek to tell them apart.
    char c;
    ssize_t n = ::recv(fd_, &c, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n > 0) return true;
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
    return false;
  }
  return false;
}

bool SocketStream::FillBuffer() {
  if (failed_ || !Flush()) return false;
  if (!PollUntil(fd_, POLLIN, deadline_, nullptr)) return false;
  in_.resize(kReadChunk);
  in_pos_ = 0;
  for (;;) {
    ssize_t n = ::recv(fd_, in_.data(), in_.size(), MSG_DONTWAIT);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      if (!PollUntil(fd_, POLLIN, deadline_, nullptr)) break;
      continue;
    }
    if (n <= 0) break;
    in_.resize(static_cast<size_t>(n));
    return true;
  }
  in_.clear();
  return false;
}

bool SocketStream::is_readable() const {
  if (in_pos_ < in_.size()) return true;
  pollfd p{fd_, POLLIN, 0};
  return ::poll(&p, 1, 0) > 0;
}

bool SocketStream::is_writable() const { return !failed_; }

ssize_t SocketStream::read(char* ptr, size_t size) {
  if (in_pos_ >= in_.size() && !FillBuffer()) return -1;
  size_t n = std::min(size, in_.size() - in_pos_);
  std::memcpy(ptr, in_.data() + in_pos_, n);
  in_pos_ += n;
  return static_cast<ssize_t>(n);
}

ssize_t SocketStream::write(const char* ptr, size_t size) {
  if (failed_) return -1;
  out_.append(ptr, size);
  if (out_.size() >= kWriteCoalesceLimit && !Flush()) return -1;
  return static_cast<ssize_t>(size);
}

bool SocketStream::Flush() {
  size_t sent = 0;
  auto until = Clock::now() + write_timeout_;
  while (!failed_ && sent < out_.size()) {
    ssize_t n = ::send(fd_, out_.data() + sent, out_.size() - sent,
                       MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) &&
        PollUntil(fd_, POLLOUT, until, nullptr)) {
      continue;
    }
    failed_ = true;
  }
  out_.clear();
  return !failed_;
}

void SocketStream::get_remote_ip_and_port(std::string& ip, int& port) const {
  ip = remote_ip_;
  port = remote_port_;
}

void SocketStream::get_local_ip_and_port(std::string& ip, int& port) const {
  ip = local_ip_;
  port = local_port_;
}

}  // namespace wsman::server::http
