// The /wsman and /wsman-anon HTTP endpoints: method, path and Content-Type
// rules, the body limit, authentication, charset decoding, envelope parsing,
// dispatch, the response (or fault) in the request's charset, and one access
// log line per request.
#ifndef WSMAND_SERVER_WSMAN_ENDPOINT_H_
#define WSMAND_SERVER_WSMAN_ENDPOINT_H_

#include <httplib.h>

#include <atomic>
#include <memory>
#include <string>

#include "certs/client_cert_map.h"
#include "server/auth/authenticator.h"
#include "server/dispatch.h"
#include "soap/envelope_parser.h"

namespace wsman::server {

struct EndpointSettings {
  std::string machine_name;
  size_t max_envelope_size = 512000;
  soap::ParseLimits parse_limits;
};

class WsmanEndpoint {
 public:
  WsmanEndpoint(EndpointSettings settings, const Dispatcher* dispatcher,
                std::shared_ptr<auth::Authenticator> authenticator);

  // Swaps in a new authenticator (SIGHUP with changed [auth] settings);
  // requests in flight finish with the one they started with.
  void SetAuthenticator(std::shared_ptr<auth::Authenticator> authenticator);

  // Enables client-certificate logins on HTTPS listeners with this map
  // (null: disabled). See docs/https.md.
  void SetCertificateMap(std::shared_ptr<certs::ClientCertMapSource> map);

  // Installs the routes and hooks on an HTTP server.
  void Install(httplib::Server* server);

 private:
  // Checks that need only the request head; answers early when one fails.
  httplib::Server::HandlerResponse BeforeBody(const httplib::Request& req,
                                              httplib::Response& res);
  void Handle(const httplib::Request& req, httplib::Response& res,
              bool anonymous_path);

  EndpointSettings settings_;
  const Dispatcher* dispatcher_;
  std::atomic<std::shared_ptr<auth::Authenticator>> authenticator_;
  std::atomic<std::shared_ptr<certs::ClientCertMapSource>> cert_map_;
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_WSMAN_ENDPOINT_H_
