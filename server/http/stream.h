// A connection's bytes as the request reader sees them: a read buffer that
// is filled on demand under the current phase's read deadline, consumed as
// the head and body are parsed, and buffered writes flushed as one send.
// SocketStream is the real one (plain TCP or TLS); tests and the fuzzer use
// an in-memory one. One thread uses a stream at a time.
#ifndef WSMAND_SERVER_HTTP_STREAM_H_
#define WSMAND_SERVER_HTTP_STREAM_H_

#include <chrono>
#include <string>
#include <string_view>

namespace wsman::server::http {

class Stream {
 public:
  using Clock = std::chrono::steady_clock;
  virtual ~Stream() = default;

  // Reads more bytes into the buffer, waiting until the read deadline.
  // False on end of stream, an error, the deadline, or a server stop.
  bool Fill();
  // The bytes received and not yet consumed.
  std::string_view buffered() const {
    return std::string_view(in_).substr(pos_);
  }
  void Consume(size_t n) {
    pos_ += n < in_.size() - pos_ ? n : in_.size() - pos_;
  }
  // Reads after this instant fail (the current phase's deadline).
  void SetReadDeadline(Clock::time_point deadline) { deadline_ = deadline; }
  // Gives the read buffer's memory back (between requests, when empty).
  void ReleaseReadBuffer();

  // Queues `data`; Flush sends what is queued. False once the peer is gone.
  virtual bool Write(std::string_view data) = 0;
  virtual bool Flush() = 0;

 protected:
  // Appends at least one byte read from the connection to `*buffer`,
  // waiting until `deadline`; false on end of stream, error or deadline.
  virtual bool ReadMore(std::string* buffer, Clock::time_point deadline) = 0;

 private:
  std::string in_;
  size_t pos_ = 0;
  Clock::time_point deadline_ = Clock::time_point::max();
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_STREAM_H_
