// The contract between the HTTP server and what answers its requests (the
// /wsman endpoint): Begin sees each well-formed request head before a byte of
// its body is read and either answers at once or returns the Exchange that
// takes the body. One Exchange per request (the envoy model), used by the
// thread serving the connection only and destroyed before the answer is
// sent; a Handler is shared by every worker and must be thread-safe.
#ifndef WSMAND_SERVER_HTTP_HANDLER_H_
#define WSMAND_SERVER_HTTP_HANDLER_H_

#include <cstddef>
#include <memory>
#include <stop_token>
#include <string>
#include <string_view>

#include "certs/client_cert.h"
#include "server/http/message.h"

namespace wsman::server::http {

// What the server knows about the connection a request arrived on.
struct ConnectionInfo {
  std::string peer;  // the client's address as text
  int peer_port = 0;
  bool tls = false;
  // The TLS client certificate (present=false when none was sent); nullptr
  // on plain HTTP.
  const certs::ClientCertInfo* client_cert = nullptr;
  // Plain-HTTP listener policy: may credentials travel unencrypted here
  // ([auth] allow_unencrypted; default: loopback listeners only).
  bool allow_unencrypted = true;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  // The most body bytes this request may have (decoded).
  virtual size_t max_body() const = 0;
  // True when the request carried valid credentials (the connection then
  // ranks after unauthenticated ones when the server must shed some).
  virtual bool authenticated() const = 0;
  // The body was larger than max_body(): the answer. The connection closes.
  virtual void TooLarge(Response* response) = 0;
  // The whole request, body read: answer it. `cancel` is requested when the
  // client disconnects while the answer is being prepared (a long-poll can
  // stop waiting; nobody will read what it would have said).
  virtual void Finish(const Request& request, std::stop_token cancel,
                      Response* response) = 0;
  // The HTTP layer answered the request itself after its head was accepted
  // (a malformed chunked body): `status`, `outcome` and `detail` are that
  // answer, for the exchange's record. An Exchange destroyed without
  // TooLarge, Finish or Refused was abandoned by its client (the body never
  // came).
  virtual void Refused(int status, std::string_view outcome,
                       std::string_view detail) = 0;
};

class Handler {
 public:
  virtual ~Handler() = default;
  // A well-formed head (framing already checked). nullptr: `*response` is
  // the answer and the body is never parsed (dropped unread, or the
  // connection closes).
  virtual std::unique_ptr<Exchange> Begin(const Request& head,
                                          const ConnectionInfo& connection,
                                          Response* response) = 0;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_HANDLER_H_
