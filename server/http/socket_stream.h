// An httplib::Stream over a connected socket that enforces whole-phase
// deadlines (a peer dribbling bytes cannot hold a worker past the header or
// body timeout), buffers reads, and coalesces a response's writes into one
// send() where it can (flushed before any read and at the end of a request).
// With an SSL object the same stream carries TLS: the socket is non-blocking,
// the handshake runs under a deadline, and each flush is one SSL_write.
#ifndef WSMAND_SERVER_HTTP_SOCKET_STREAM_H_
#define WSMAND_SERVER_HTTP_SOCKET_STREAM_H_

#include <httplib.h>
#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <string>

namespace wsman::server::http {

class SocketStream : public httplib::Stream {
 public:
  using Clock = std::chrono::steady_clock;

  // `ssl` (optional, not owned) must already be bound to `fd`; the socket
  // is then made non-blocking.
  SocketStream(int fd, std::chrono::milliseconds write_timeout,
               const std::atomic<bool>* stopping, SSL* ssl = nullptr);

  // TLS only: runs the server handshake until `deadline` (or the server
  // stops). False with a short reason on failure.
  bool Handshake(Clock::time_point deadline, std::string* reason);
  // TLS only: sends close_notify (best effort, never blocks).
  void CloseNotify();
  SSL* ssl() const { return ssl_; }

  // Waits until request bytes are available, up to `timeout`, returning
  // early (false) when the server stops or the peer closes.
  bool WaitForRequest(std::chrono::milliseconds timeout);
  // Reads after this instant fail (the current phase's deadline).
  void SetReadDeadline(Clock::time_point deadline) { deadline_ = deadline; }
  // Sends everything buffered. False when the peer is gone.
  bool Flush();

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  int socket() const override { return fd_; }

  const std::string& peer() const { return remote_ip_; }

 private:
  enum class Io { kData, kWantRead, kWantWrite, kClosed, kError };
  // One non-blocking read or write on the socket or through TLS.
  Io RawRead(char* buf, size_t size, size_t* n);
  Io RawWrite(const char* buf, size_t size, size_t* n);
  // Reads one chunk into the input buffer, waiting until `until`.
  bool FillBufferUntil(Clock::time_point until,
                       const std::atomic<bool>* stopping);
  bool FillBuffer();

  int fd_;
  SSL* ssl_ = nullptr;
  std::chrono::milliseconds write_timeout_;
  const std::atomic<bool>* stopping_;
  Clock::time_point deadline_ = Clock::time_point::max();
  std::string in_;
  size_t in_pos_ = 0;
  std::string out_;
  bool failed_ = false;
  std::string remote_ip_;
  int remote_port_ = 0;
  std::string local_ip_;
  int local_port_ = 0;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_SOCKET_STREAM_H_
