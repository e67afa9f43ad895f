// Reading a request body as its head frames it (Content-Length or chunked,
// RFC 9112 §6-§7), counting the decoded bytes as they arrive and stopping at
// the limit: nothing beyond `limit` bytes is ever buffered, whatever the
// framing claims. No content coding is ever undone here (the endpoint refuses
// Content-Encoding before the body is read). Plain function; per request.
#ifndef WSMAND_SERVER_HTTP_BODY_READER_H_
#define WSMAND_SERVER_HTTP_BODY_READER_H_

#include <cstddef>
#include <string>

#include "server/http/head_parser.h"
#include "server/http/message.h"
#include "server/http/stream.h"

namespace wsman::server::http {

enum class BodyResult {
  kOk,
  kTooLarge,    // more than `limit` decoded bytes (or a length saying so)
  kMalformed,   // bad chunk framing: answer 400
  kIncomplete,  // the peer closed, or the body deadline passed
};

// Reads the body `head` declares from `stream` into `*body` (nullptr: read
// and drop it). Chunk-size lines and trailer fields are bounded by
// `trailer_limits` (trailers are read and ignored).
BodyResult ReadBody(Stream& stream, const Request& head, size_t limit,
                    const HeadLimits& trailer_limits, std::string* body);

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_BODY_READER_H_
