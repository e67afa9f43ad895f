// Serving one HTTP/1.1 request on a connection, whatever carries its bytes:
// read the head under its limits and deadline, refuse what the server never
// accepts (431, 414, 400, 411, 415 for a Content-Encoding, 417, 501, 505),
// let the Handler accept or answer the head, send 100 Continue only once the
// head is accepted, read the body counting decoded bytes, call the Exchange,
// and write the answer. The HTTP server's workers and the fuzzer run this.
// One call per request, on the thread that owns the stream.
#ifndef WSMAND_SERVER_HTTP_SERVE_REQUEST_H_
#define WSMAND_SERVER_HTTP_SERVE_REQUEST_H_

#include <chrono>
#include <stop_token>

#include "server/http/handler.h"
#include "server/http/head_parser.h"
#include "server/http/stream.h"

namespace wsman::server::http {

struct ServeLimits {
  HeadLimits head;
  std::chrono::milliseconds header_timeout{10000};  // the whole head
  std::chrono::milliseconds body_timeout{30000};    // the whole body
  // Bodies of requests answered from their head (e.g. a 401) are read and
  // dropped up to this size to keep the connection; larger ones close it.
  size_t max_discard = 512000;
};

// How the server follows one request's life on a connection.
class ServeHooks {
 public:
  virtual ~ServeHooks() = default;
  // The request's credentials were accepted.
  virtual void Authenticated() {}
  // Brackets the Exchange's Finish: the token is requested if the peer
  // disconnects in between.
  virtual std::stop_token WatchDisconnect() { return {}; }
  virtual void EndWatch() {}
  // True once the server is stopping: answer with Connection: close.
  virtual bool Stopping() const { return false; }
};

enum class AfterRequest {
  kKeepAlive,    // the connection may carry another request
  kClose,        // close it (answered with Connection: close, or broken)
  kLingerClose,  // close after a short lingering read: the peer may still
                 // be sending a body we refused unread
};

// Serves one request whose bytes are buffered in `stream` or about to
// arrive. Returns kClose without writing anything when the peer closed (or
// went silent past the header deadline) before a complete head.
AfterRequest ServeRequest(Stream& stream, const ConnectionInfo& connection,
                          Handler& handler, const ServeLimits& limits,
                          ServeHooks& hooks);

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_SERVE_REQUEST_H_
