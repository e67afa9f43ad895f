// The http::Handler the HTTP server holds: it forwards each request head to
// the /wsman endpoint current when the head arrived. A reload that changes
// what a WsmanEndpoint fixes at construction (http.max_envelope_size,
// http.max_operations_per_user) builds a new endpoint and stores it here;
// requests already begun keep the endpoint they started on alive until
// their exchange ends.
//
// Thread rules: thread-safe (base::Snapshot); Begin runs on every worker.
#ifndef WSMAND_SERVER_ENDPOINT_SWITCH_H_
#define WSMAND_SERVER_ENDPOINT_SWITCH_H_

#include <memory>

#include "base/snapshot.h"
#include "server/http/handler.h"
#include "server/wsman_endpoint.h"

namespace wsman::server {

class EndpointSwitch : public http::Handler {
 public:
  explicit EndpointSwitch(std::shared_ptr<WsmanEndpoint> endpoint)
      : current_(std::move(endpoint)) {}

  std::shared_ptr<WsmanEndpoint> Current() const { return current_.Load(); }
  void Store(std::shared_ptr<WsmanEndpoint> endpoint) {
    current_.Store(std::move(endpoint));
  }

  std::unique_ptr<http::Exchange> Begin(const http::Request& head,
                                        const http::ConnectionInfo& connection,
                                        http::Response* response) override;

 private:
  base::Snapshot<WsmanEndpoint> current_;
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_ENDPOINT_SWITCH_H_
