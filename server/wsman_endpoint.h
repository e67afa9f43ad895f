// The /wsman and /wsman-anon endpoints as an http::Handler: from the request
// head alone, the path, method and Content-Type rules, the envelope size
// limit on a declared length, and authentication (client certificate or
// Basic, refused over unencrypted HTTP where the listener does not allow
// it) — so nothing of an unauthenticated body is read except an anonymous
// Identify; then, per request, charset decoding, envelope parsing, dispatch,
// the response (or fault) in the request's charset. Each request is one
// server::Exchange (server/exchange.h), which writes its access log line.
// Thread-safe: every worker calls Begin; the authenticator, certificate
// map, parse limits, envelope size and per-user quota are swapped
// atomically on SIGHUP or a winrm/config Put (each request keeps what was
// current when its head arrived).
#ifndef WSMAND_SERVER_WSMAN_ENDPOINT_H_
#define WSMAND_SERVER_WSMAN_ENDPOINT_H_

#include <atomic>
#include <memory>
#include <string>

#include "base/snapshot.h"
#include "certs/client_cert_map.h"
#include "engine/dispatch.h"
#include "server/auth/authenticator.h"
#include "server/exchange.h"
#include "server/http/handler.h"
#include "server/metrics/registry.h"
#include "server/operation_quota.h"
#include "soap/envelope_parser.h"

namespace wsman::server {

using engine::Dispatcher;
using engine::OperationContext;

struct EndpointSettings {
  std::string machine_name;
  // At start; SetLimits replaces both.
  size_t max_envelope_size = 512000;
  // MaxConcurrentOperationsPerUser ([MS-WSMV] 3.1.4.1.19); 0 = no limit.
  size_t max_operations_per_user = 256;
  soap::ParseLimits parse_limits;  // at start; SetParseLimits replaces them
  // Where requests and refused logins are counted (null: nowhere).
  std::shared_ptr<metrics::Registry> metrics;
};

class WsmanEndpoint : public http::Handler {
 public:
  WsmanEndpoint(EndpointSettings settings, const Dispatcher* dispatcher,
                std::shared_ptr<auth::Authenticator> authenticator);

  // Swaps in a new authenticator (SIGHUP with changed [auth] settings);
  // requests in flight finish with the one they started with.
  void SetAuthenticator(std::shared_ptr<auth::Authenticator> authenticator);

  // Enables client-certificate logins on HTTPS listeners with this map
  // (null: disabled). See docs/https.md.
  void SetCertificateMap(std::shared_ptr<certs::ClientCertMapSource> map);

  // Swaps in new XML parse limits (SIGHUP with changed [xml] settings);
  // each request parses with the limits current when its head arrived.
  void SetParseLimits(const soap::ParseLimits& limits);
  // Swaps in a new service envelope size (MaxEnvelopeSizekb) and per-user
  // operation quota (MaxConcurrentOperationsPerUser) for requests whose
  // head arrives from now on; requests in flight keep their slots.
  void SetLimits(size_t max_envelope_size, size_t max_operations_per_user);

  std::unique_ptr<http::Exchange> Begin(const http::Request& head,
                                        const http::ConnectionInfo& connection,
                                        http::Response* response) override;

 private:
  class PendingRequest;

  // Client certificate or Basic login from the head; on refusal `*response`
  // is the 401 and `exchange` records why.
  bool Authenticate(const http::Request& head, Exchange& exchange,
                    http::Response* response) const;

  EndpointSettings settings_;  // max_envelope_size: see the atomic below
  std::atomic<size_t> max_envelope_size_;
  const Dispatcher* dispatcher_;
  OperationQuota quota_;
  base::Snapshot<auth::Authenticator> authenticator_;
  base::Snapshot<certs::ClientCertMapSource> cert_map_;
  base::Snapshot<const soap::ParseLimits> parse_limits_;
};

}  // namespace wsman::server

#endif  // WSMAND_SERVER_WSMAN_ENDPOINT_H_
