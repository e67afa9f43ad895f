// The HTTP/1.1 server: every listening socket (http:// and https://), one
// poller thread that accepts connections and holds every connection that is
// waiting for bytes (fresh, or idle between requests) without a thread of
// its own, and a worker pool that serves a connection while it has a request
// (TLS handshake, head, body, the Handler, the answer) and hands it back to
// the poller afterwards. Admission and shedding follow ConnectionTable (a
// total and a per-peer cap; never-authenticated and idle connections go
// first). While a request is answered the poller watches its socket, and a
// client that disconnects cancels the request's stop token, so a long-poll
// ends at once.
//
// Threads: Serve() runs the poller on the caller's thread; workers come and
// go (WorkerPool); Shutdown() may be called from any thread. mu_ guards the
// table and every epoll_ctl on a connection's descriptor.
#ifndef WSMAND_SERVER_HTTP_HTTP_SERVER_H_
#define WSMAND_SERVER_HTTP_HTTP_SERVER_H_

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "base/unique_fd.h"
#include "certs/tls_context.h"
#include "server/http/connection_table.h"
#include "server/http/handler.h"
#include "server/http/listen_address.h"
#include "server/http/serve_request.h"
#include "server/http/worker_pool.h"

namespace wsman::server::http {

struct ConnectionLimits {
  int warm_threads = 16;
  int max_connections = 1024;               // open connections, idle ones too
  int max_connections_per_peer = 128;       // 0 = no per-peer cap
  std::chrono::seconds header_timeout{10};  // TLS handshake + whole head
  std::chrono::seconds body_timeout{30};    // whole body
  std::chrono::seconds write_timeout{30};
  std::chrono::seconds keep_alive_timeout{60};  // idle between requests
  size_t max_body_bytes = 512000;   // largest body dropped to keep a connection
  size_t max_header_bytes = 65536;  // request line + header fields
  size_t max_header_fields = 100;
};

struct ListenerOptions {
  // https:// when set: every connection starts with a TLS handshake using
  // the holder's current context.
  std::shared_ptr<certs::TlsContextHolder> tls;
  // Plain HTTP only: may credentials travel unencrypted on this listener.
  bool allow_unencrypted = true;
};

class HttpServer {
 public:
  // `handler` must outlive the server.
  HttpServer(const ConnectionLimits& limits, Handler* handler);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and listens (before Serve). Returns the bound port (the
  // ephemeral one for port 0), or an IoError with a plain reason.
  base::StatusOr<int> Listen(const ListenAddress& address,
                             const ListenerOptions& options);
  // Accepts and serves until Shutdown(); returns once every worker is done.
  void Serve();
  // Stops accepting, closes waiting connections at once, lets requests in
  // progress finish (answered with Connection: close). Any thread.
  void Shutdown() EXCLUDES(mu_);

  // For tests and diagnostics.
  size_t connection_count() const EXCLUDES(mu_);

 private:
  struct Listener;
  struct Connection;
  class Hooks;

  void AcceptFrom(Listener& listener) EXCLUDES(mu_);
  void OnConnectionEvent(uint64_t id, uint32_t events) EXCLUDES(mu_);
  void CloseExpired() EXCLUDES(mu_);
  void CloseAllWaiting() EXCLUDES(mu_);
  void Dispatch(std::shared_ptr<Connection> conn) EXCLUDES(mu_);
  void RunConnection(const std::shared_ptr<Connection>& conn) EXCLUDES(mu_);
  // Back to the poller, or closed when the server stops.
  void ParkOrClose(const std::shared_ptr<Connection>& conn) EXCLUDES(mu_);
  // Removes `id` from the table (and epoll); the caller drops the object
  // once mu_ is released (that closes the descriptor).
  std::shared_ptr<Connection> Forget(uint64_t id) REQUIRES(mu_);
  void Wake();

  const ConnectionLimits limits_;
  const ServeLimits serve_limits_;
  Handler* const handler_;
  std::vector<std::unique_ptr<Listener>> listeners_;
  base::UniqueFd epoll_;
  base::UniqueFd wake_;  // eventfd: Shutdown() wakes the poller
  std::atomic<bool> stopping_{false};
  std::atomic<uint64_t> next_id_{1};
  WorkerPool pool_;

  // Guards the table, the connection map, each connection's watch state,
  // and every epoll_ctl on a connection's descriptor (so no descriptor is
  // re-armed after it was closed and its number reused).
  mutable base::Mutex mu_;
  ConnectionTable table_ GUARDED_BY(mu_);
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_
      GUARDED_BY(mu_);
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_HTTP_SERVER_H_
