// The Stream over a connected socket: every wait honours the current phase's
// whole deadline (a peer dribbling bytes cannot hold a worker past the header
// or body timeout) and the server's stop, and a response's writes are
// coalesced into one send() (flushed before any read and at the end of a
// request). With an SSL object the same stream carries TLS: the handshake
// runs under a deadline and each flush is one SSL_write. The socket is
// non-blocking. Used by one thread at a time (the connection's worker).
#ifndef WSMAND_SERVER_HTTP_SOCKET_STREAM_H_
#define WSMAND_SERVER_HTTP_SOCKET_STREAM_H_

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <string>
#include <string_view>

#include "server/http/stream.h"

namespace wsman::server::http {

class SocketStream : public Stream {
 public:
  // `ssl` (optional, not owned) must already be bound to `fd`. The socket
  // is made non-blocking; `fd` is not owned either.
  SocketStream(int fd, std::chrono::milliseconds write_timeout,
               const std::atomic<bool>* stopping, SSL* ssl = nullptr);

  // TLS only: runs the server handshake until `deadline` (or the server
  // stops). False with a short reason on failure.
  bool Handshake(Clock::time_point deadline, std::string* reason);
  // TLS only: sends close_notify (best effort, never blocks).
  void CloseNotify();
  SSL* ssl() const { return ssl_; }

  // True when bytes of a next request are already here (read ahead into
  // the buffer, or decrypted and pending inside TLS).
  bool HasPendingInput() const;

  bool Write(std::string_view data) override;
  // Sends everything buffered. False when the peer is gone.
  bool Flush() override;
  // Gives buffer memory back while the connection idles.
  void ReleaseBuffers();

  int fd() const { return fd_; }

 protected:
  bool ReadMore(std::string* buffer, Clock::time_point deadline) override;

 private:
  enum class Io { kData, kWantRead, kWantWrite, kClosed, kError };
  // One non-blocking read or write on the socket or through TLS.
  Io RawRead(char* buf, size_t size, size_t* n);
  Io RawWrite(const char* buf, size_t size, size_t* n);

  int fd_;
  SSL* ssl_ = nullptr;
  std::chrono::milliseconds write_timeout_;
  const std::atomic<bool>* stopping_;
  std::string out_;
  bool failed_ = false;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_SOCKET_STREAM_H_
