#include "server/metrics/metrics_listener.h"

#include <string>

#include "base/log.h"

namespace wsman::server::metrics {
namespace {

http::ConnectionLimits SmallLimits() {
  http::ConnectionLimits limits;
  limits.warm_threads = 1;
  limits.max_connections = 16;
  limits.max_connections_per_peer = 8;
  limits.header_timeout = std::chrono::seconds(5);
  limits.body_timeout = std::chrono::seconds(5);
  limits.write_timeout = std::chrono::seconds(10);
  limits.keep_alive_timeout = std::chrono::seconds(30);
  limits.max_body_bytes = 4096;
  limits.max_header_bytes = 16384;
  limits.max_header_fields = 50;
  return limits;
}

}  // namespace

std::unique_ptr<http::Exchange> MetricsHandler::Begin(
    const http::Request& head, const http::ConnectionInfo& connection,
    http::Response* response) {
  if (head.path != "/metrics") {
    response->status = 404;
  } else if (head.method != "GET") {
    response->status = 405;
    response->Set("Allow", "GET");
  } else {
    response->status = 200;
    response->Set("Content-Type", std::string(kContentType));
    response->body = registry_->Render();
  }
  log::Debug("metrics-scrape", {{"peer", connection.peer},
                                {"path", head.path},
                                {"status", std::to_string(response->status)}});
  return nullptr;
}

MetricsListener::MetricsListener(const Registry* registry)
    : handler_(registry), server_(SmallLimits(), &handler_) {}

MetricsListener::~MetricsListener() { Stop(); }

base::StatusOr<int> MetricsListener::Start(const ListenAddress& address) {
  if (address.tls) {
    return base::Status::InvalidArgument(
        "the metrics listener serves http:// only");
  }
  http::ListenerOptions options;
  base::StatusOr<int> port = server_.Listen(address, options);
  if (!port.ok()) return port;
  serving_ = std::thread([this] { server_.Serve(); });
  return port;
}

void MetricsListener::Stop() {
  if (!serving_.joinable()) return;
  server_.Shutdown();
  serving_.join();
}

}  // namespace wsman::server::metrics
