// One HTTP listener: an httplib::Server whose connections are served by our
// own loop (SocketStream + WorkerPool) so that every connection gets
// TCP_NODELAY, one write per response, whole-phase read deadlines, a keep-
// alive idle limit, a connection cap, and a graceful stop.
#ifndef WSMAND_SERVER_HTTP_HTTP_SERVER_H_
#define WSMAND_SERVER_HTTP_HTTP_SERVER_H_

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "certs/client_cert.h"
#include "certs/tls_context.h"
#include "server/listen_address.h"

namespace wsman::server::http {

struct ConnectionLimits {
  int warm_threads = 16;
  int max_connections = 256;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_timeout{60};
  size_t max_body_bytes = 512000;
};

class HttpServer : public httplib::Server {
 public:
  explicit HttpServer(const ConnectionLimits& limits);

  // Binds the listening socket. Returns false with a plain reason.
  bool Bind(const ListenAddress& address, std::string* error);
  int bound_port() const { return bound_port_; }
  // Accepts and serves until Shutdown(); blocks.
  void Serve();
  // Stops accepting, lets in-flight requests finish, closes idle
  // keep-alive connections. Serve() returns once all workers are done.
  void Shutdown();

  // Makes this an HTTPS listener: every connection starts with a TLS
  // handshake (within header_timeout) using the holder's current context.
  void EnableTls(std::shared_ptr<certs::TlsContextHolder> tls) {
    tls_ = std::move(tls);
  }
  bool tls() const { return tls_ != nullptr; }

  // Called from a handler: the TLS client certificate of this connection
  // (present=false when none was sent); null on plain HTTP.
  static const certs::ClientCertInfo* CurrentClientCert();

  // Called from a handler: answer this request, then close the connection
  // (e.g. the body was refused unread).
  static void CloseAfterResponse();
  // Called when request headers are complete: the body phase begins.
  static void StartBodyPhase();

 private:
  bool process_and_close_socket(int sock) override;

  ConnectionLimits limits_;
  std::shared_ptr<certs::TlsContextHolder> tls_;
  std::atomic<bool> stopping_{false};
  int bound_port_ = 0;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_HTTP_SERVER_H_
