// The Prometheus endpoint ([metrics] listen, off by default): GET /metrics
// on a listener of its own, answered from a Registry in the text format
// 0.0.4. Unauthenticated, like most exporters, so the config puts it on
// loopback by default and refuses it on a WS-Man listener's address
// (docs/security.md). It is the project's own HTTP server (server/http/)
// with a second Handler and small limits: one warm worker, a few
// connections; it shares nothing with the WS-Man listeners but the
// Registry.
//
// Threads: Start() runs the server's poller on a thread of its own (the
// "metrics poller" in docs/architecture.md); its workers come and go.
// Stop() (also run by the destructor) joins them. Start and Stop from one
// thread (the daemon's main thread).
#ifndef WSMAND_SERVER_METRICS_METRICS_LISTENER_H_
#define WSMAND_SERVER_METRICS_METRICS_LISTENER_H_

#include <memory>
#include <thread>

#include "base/status.h"
#include "server/http/handler.h"
#include "server/http/http_server.h"
#include "server/http/listen_address.h"
#include "server/metrics/registry.h"

namespace wsman::server::metrics {

// GET /metrics → 200 with Render(); another path 404, another
// method 405. Every request is answered from its head.
class MetricsHandler : public http::Handler {
 public:
  // `registry` must outlive the handler.
  explicit MetricsHandler(const Registry* registry) : registry_(registry) {}
  std::unique_ptr<http::Exchange> Begin(const http::Request& head,
                                        const http::ConnectionInfo& connection,
                                        http::Response* response) override;

 private:
  const Registry* registry_;
};

inline constexpr std::string_view kContentType =
    "text/plain; version=0.0.4; charset=utf-8";

class MetricsListener {
 public:
  // `registry` must outlive the listener.
  explicit MetricsListener(const Registry* registry);
  ~MetricsListener();
  MetricsListener(const MetricsListener&) = delete;
  MetricsListener& operator=(const MetricsListener&) = delete;

  // Binds `address` (http:// only) and starts serving; the bound port.
  base::StatusOr<int> Start(const ListenAddress& address);
  void Stop();

 private:
  MetricsHandler handler_;
  http::HttpServer server_;
  std::thread serving_;
};

}  // namespace wsman::server::metrics

#endif  // WSMAND_SERVER_METRICS_METRICS_LISTENER_H_
