// Reading an HTTP/1.1 request head (RFC 9112 §2-§7) under limits that hold
// while the bytes arrive: HeadScanner finds the end of the head in the bytes
// buffered so far and refuses (431/414) as soon as the head grows past its
// byte or field-count limit, so no more than max_head_bytes is ever held;
// ParseHead then parses the complete head strictly (whitespace before a
// colon, obs-fold, control characters, bad lengths and transfer codings are
// errors, never guesses) and derives the body framing.
// Plain functions and a per-request scanner; no shared state.
#ifndef WSMAND_SERVER_HTTP_HEAD_PARSER_H_
#define WSMAND_SERVER_HTTP_HEAD_PARSER_H_

#include <cstddef>
#include <string_view>

#include "server/http/message.h"

namespace wsman::server::http {

struct HeadLimits {
  size_t max_head_bytes = 65536;   // request line + fields + the empty line
  size_t max_fields = 100;         // header fields
  size_t max_target_bytes = 8192;  // the request-target
};

// Why a head (or a body's framing) was refused: the status to answer and a
// short reason for the log. status == 0: no error.
struct HttpError {
  int status = 0;
  std::string_view reason;
  bool ok() const { return status == 0; }
};

class HeadScanner {
 public:
  explicit HeadScanner(const HeadLimits& limits) : limits_(limits) {}

  enum class State { kNeedMore, kComplete, kRefused };
  // `buffered` holds every byte received for this request so far (the
  // head starts at offset 0); call again with more. kComplete sets
  // head_size() (the head including its empty line); kRefused sets error().
  State Scan(std::string_view buffered);

  size_t head_size() const { return head_size_; }
  const HttpError& error() const { return error_; }

 private:
  const HeadLimits limits_;
  size_t scanned_ = 0;     // bytes looked at
  size_t line_start_ = 0;  // where the current line began
  size_t lines_ = 0;       // non-empty lines so far (request line + fields)
  size_t head_size_ = 0;
  HttpError error_;
};

// Parses a complete head as HeadScanner found it into `out` (method,
// target, path, version, fields, framing, Expect, keep-alive).
HttpError ParseHead(std::string_view head, const HeadLimits& limits,
                    Request* out);

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_HEAD_PARSER_H_
