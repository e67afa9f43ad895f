#include "server/wsman_endpoint.h"

#include <cctype>
#include <chrono>

#include "base/log.h"
#include "certs/cert_auth.h"
#include "server/auth/basic_credentials.h"
#include "server/content_type.h"
#include "server/endpoint_path.h"
#include "server/exchange.h"
#include "soap/charset.h"
#include "soap/response_writer.h"

namespace wsman::server {
namespace {

constexpr const char* kChallenge = "Basic realm=\"WSMAN\"";

// The EncodingLimit fault for a body over the service's envelope size
// ([MS-WSMV] 3.1.4.1.20: refused before it is processed); returns it for
// the access line.
soap::Fault WriteTooLarge(size_t max_envelope_size,
                          std::string_view machine_name, http::Response* res) {
  soap::Fault fault(soap::FaultCode::kEncodingLimit,
                    soap::fault_detail::kServiceEnvelopeLimit,
                    "The request is larger than the service's maximum "
                    "envelope size (" +
                        std::to_string(max_envelope_size) + " bytes).");
  res->status = soap::HttpStatusOf(fault);
  res->Set("Content-Type", SoapContentType(soap::Charset::kUtf8));
  res->body = soap::RenderFault(fault, "", machine_name);
  return fault;
}

// The scheme an Authorization header names, for the debug log: its first
// token if it is a short run of letters, else "other" ("none" when absent).
// Never anything after the scheme.
std::string_view AuthScheme(std::string_view authorization) {
  if (authorization.empty()) return "none";
  size_t end = authorization.find(' ');
  std::string_view scheme = authorization.substr(0, end);
  if (scheme.size() > 16) return "other";
  for (char c : scheme) {
    if (!std::isalpha(static_cast<unsigned char>(c))) return "other";
  }
  return scheme;
}

}  // namespace

// One request whose head was accepted: it reads the body and answers,
// through the Exchange that records it.
class WsmanEndpoint::PendingRequest : public http::Exchange {
 public:
  PendingRequest(const WsmanEndpoint* endpoint,
                 std::unique_ptr<server::Exchange> exchange, bool anonymous,
                 OperationQuota::Slot slot, size_t max_envelope_size)
      : endpoint_(endpoint),
        parse_limits_(endpoint->parse_limits_.Load()),
        max_envelope_size_(max_envelope_size),
        exchange_(std::move(exchange)),
        anonymous_(anonymous),
        slot_(std::move(slot)) {}

  size_t max_body() const override { return max_envelope_size_; }
  bool authenticated() const override { return !anonymous_; }

  void TooLarge(http::Response* res) override {
    exchange_->AnsweredFault(
        res->status, WriteTooLarge(max_envelope_size_,
                                   endpoint_->settings_.machine_name, res));
  }

  void Refused(int status, std::string_view outcome,
               std::string_view detail) override {
    exchange_->Answered(status, outcome, detail);
  }

  void Finish(const http::Request& req, std::stop_token cancel,
              http::Response* res) override;

 private:
  // Decodes, parses and dispatches the body; the answer's envelope (UTF-8)
  // goes to `response`, and `res->status` is set. False when the answer was
  // written already (an anonymous request other than Identify).
  bool Answer(const http::Request& req, std::stop_token cancel,
              soap::Charset* charset, std::string* response,
              http::Response* res);

  const WsmanEndpoint* endpoint_;
  const std::shared_ptr<const soap::ParseLimits> parse_limits_;
  // The service's envelope size when the head arrived.
  const size_t max_envelope_size_;
  std::unique_ptr<server::Exchange> exchange_;
  const bool anonymous_;
  OperationQuota::Slot slot_;  // held until the answer is written
};

WsmanEndpoint::WsmanEndpoint(EndpointSettings settings,
                             const Dispatcher* dispatcher,
                             std::shared_ptr<auth::Authenticator> authenticator)
    : settings_(std::move(settings)),
      max_envelope_size_(settings_.max_envelope_size),
      dispatcher_(dispatcher),
      quota_(settings_.max_operations_per_user),
      authenticator_(std::move(authenticator)),
      parse_limits_(
          std::make_shared<const soap::ParseLimits>(settings_.parse_limits)) {}

void WsmanEndpoint::SetAuthenticator(
    std::shared_ptr<auth::Authenticator> authenticator) {
  authenticator_.Store(std::move(authenticator));
}

void WsmanEndpoint::SetCertificateMap(
    std::shared_ptr<certs::ClientCertMapSource> map) {
  cert_map_.Store(std::move(map));
}

void WsmanEndpoint::SetParseLimits(const soap::ParseLimits& limits) {
  parse_limits_.Store(std::make_shared<const soap::ParseLimits>(limits));
}

void WsmanEndpoint::SetLimits(size_t max_envelope_size,
                              size_t max_operations_per_user) {
  max_envelope_size_.store(max_envelope_size, std::memory_order_relaxed);
  quota_.set_max_per_user(max_operations_per_user);
}

std::unique_ptr<http::Exchange> WsmanEndpoint::Begin(
    const http::Request& head, const http::ConnectionInfo& connection,
    http::Response* res) {
  auto exchange =
      std::make_unique<Exchange>(connection, settings_.metrics.get());
  // A refusal from the head: the exchange ends on return, logging it.
  auto refuse = [&](int status, std::string_view outcome,
                    std::string_view detail = {}) {
    res->status = status;
    exchange->Answered(status, outcome, detail);
    return nullptr;
  };
  const EndpointPath endpoint = ClassifyPath(head.path);
  if (endpoint == EndpointPath::kNone) return refuse(404, "not-found");
  const bool anonymous_path = endpoint == EndpointPath::kAnonymous;
  // One value for the whole request, whatever a reload does meanwhile.
  const size_t max_envelope_size =
      max_envelope_size_.load(std::memory_order_relaxed);
  if (head.method != "POST") {
    res->Set("Allow", "POST");
    return refuse(405, "method-not-allowed");
  }
  if (!SoapCharsetOf(head.Get("Content-Type"))) {
    return refuse(415, "unsupported-media-type");
  }
  // A declared length over the limit is refused before anything else,
  // authentication included.
  if (head.framing == http::Framing::kLength &&
      head.content_length > max_envelope_size) {
    soap::Fault fault =
        WriteTooLarge(max_envelope_size, settings_.machine_name, res);
    res->close = true;
    exchange->AnsweredFault(res->status, fault);
    return nullptr;
  }

  // Authentication, from the head: nothing of an unauthenticated body is
  // read, except an Identify on the anonymous path.
  const bool anonymous =
      anonymous_path || head.Get("WSMANIDENTIFY") == "unauthenticated";
  OperationQuota::Slot slot;
  if (!anonymous) {
    if (!Authenticate(head, *exchange, res)) return nullptr;
    slot = quota_.Begin(exchange->identity()->user);
    if (!slot) {
      // [MS-WSMV] 3.1.4.1.19: beyond MaxConcurrentOperationsPerUser the
      // request is refused with wsman:InternalError; the user's long-polls
      // cannot take every worker.
      soap::Fault fault(
          soap::FaultCode::kInternalError, {},
          "The WS-Management service cannot process the request. This user "
          "is allowed a maximum number of " +
              std::to_string(quota_.max_per_user()) +
              " concurrent operations (MaxConcurrentOperationsPerUser), which "
              "has been exceeded. Close existing operations for this user, or "
              "raise the quota for this user.");
      res->Set("Content-Type", SoapContentType(soap::Charset::kUtf8));
      res->body = soap::RenderFault(fault, "", settings_.machine_name);
      res->status = soap::HttpStatusOf(fault);
      exchange->AnsweredFault(res->status, fault, "max-operations-per-user");
      return nullptr;
    }
  }
  return std::make_unique<PendingRequest>(this, std::move(exchange), anonymous,
                                          std::move(slot), max_envelope_size);
}

bool WsmanEndpoint::Authenticate(const http::Request& head, Exchange& exchange,
                                 http::Response* res) const {
  const http::ConnectionInfo& connection = exchange.connection();
  std::string_view authorization = head.Get("Authorization");
  auto refuse = [&](std::string_view outcome, std::string_view detail) {
    res->status = 401;
    res->Set("WWW-Authenticate", kChallenge);
    exchange.Answered(401, outcome, detail);
    if (settings_.metrics) settings_.metrics->CountAuthFailure(outcome);
    log::Debug("auth", {{"peer", connection.peer},
                        {"scheme", AuthScheme(authorization)},
                        {"outcome", outcome}});
    return false;
  };
  // A client certificate login (HTTPS, docs/https.md) or Basic. Every
  // refusal is a 401, as WinRM answers an unusable certificate.
  std::shared_ptr<certs::ClientCertMapSource> cert_map = cert_map_.Load();
  certs::CertLogin cert_login = certs::TryCertificateLogin(
      authorization, connection.client_cert, cert_map.get());
  auth::AuthResult auth_result;
  if (cert_login.outcome == certs::CertLogin::kOk) {
    auth_result.outcome = auth::AuthResult::kOk;
    auth_result.identity = auth::IdentityForUser(cert_login.user);
  } else if (cert_login.outcome == certs::CertLogin::kNotAttempted) {
    if (!connection.tls && !connection.allow_unencrypted &&
        auth::HasBasicScheme(authorization)) {
      // WinRM's AllowUnencrypted=false: a password in clear text is
      // refused (401, as Windows answers) and never checked.
      return refuse("unencrypted-refused",
                    "Basic credentials over unencrypted HTTP are refused on "
                    "this listener; use https:// or set [auth] "
                    "allow_unencrypted");
    }
    auth_result =
        authenticator_.Load()->Authenticate(authorization, connection.peer);
  }
  if (auth_result.outcome != auth::AuthResult::kOk) {
    return refuse(
        cert_login.outcome != certs::CertLogin::kNotAttempted
            ? certs::CertLoginOutcomeName(cert_login.outcome)
        : auth_result.outcome == auth::AuthResult::kMissing   ? "no-credentials"
        : auth_result.outcome == auth::AuthResult::kThrottled ? "throttled"
                                                              : "denied",
        cert_login.detail);
  }
  log::Debug("auth", {{"peer", connection.peer},
                      {"scheme", cert_login.outcome == certs::CertLogin::kOk
                                     ? std::string_view("certificate")
                                     : AuthScheme(authorization)},
                      {"user", auth_result.identity.user},
                      {"outcome", "ok"}});
  exchange.Authenticated(std::move(auth_result.identity));
  return true;
}

void WsmanEndpoint::PendingRequest::Finish(const http::Request& req,
                                           std::stop_token cancel,
                                           http::Response* res) {
  soap::Charset charset = soap::Charset::kUtf8;
  std::string response;
  if (!Answer(req, std::move(cancel), &charset, &response, res)) return;
  res->Set("Content-Type", SoapContentType(charset));
  if (charset == soap::Charset::kUtf8) {
    res->body = std::move(response);
  } else {
    res->body = soap::EncodeFromUtf8(response, charset);
  }
}

bool WsmanEndpoint::PendingRequest::Answer(const http::Request& req,
                                           std::stop_token cancel,
                                           soap::Charset* charset,
                                           std::string* response,
                                           http::Response* res) {
  const EndpointSettings& settings = endpoint_->settings_;
  soap::Charset declared =
      SoapCharsetOf(req.Get("Content-Type")).value_or(soap::Charset::kUtf8);
  *charset = declared;
  std::string message_id;
  auto answer_fault = [&](const soap::Fault& fault) {
    *response = soap::RenderFault(fault, message_id, settings.machine_name);
    res->status = soap::HttpStatusOf(fault);
    exchange_->AnsweredFault(res->status, fault);
    return true;
  };

  soap::Result<std::string> utf8 =
      soap::DecodeToUtf8(req.body, declared, charset);
  if (!utf8.ok()) return answer_fault(utf8.fault());
  soap::Result<soap::Envelope> envelope =
      soap::ParseEnvelope(*utf8, *parse_limits_, &message_id);
  if (!envelope.ok()) return answer_fault(envelope.fault());
  const soap::Request& request = envelope->request();
  exchange_->Addressed(request.action, request.resource_uri,
                       metrics::ActionLabel(request));
  if (anonymous_ && !Dispatcher::IsIdentify(request)) {
    // Only Identify may go unauthenticated, as on Windows.
    res->status = 401;
    res->Set("WWW-Authenticate", kChallenge);
    exchange_->Answered(401, "anonymous-not-identify");
    return false;
  }
  size_t limit = max_envelope_size_;  // PendingRequest's: the head's
  if (request.max_envelope_size && *request.max_envelope_size < limit) {
    limit = *request.max_envelope_size;
  }
  // Operations count UTF-8 bytes; a UTF-16 answer takes up to twice as
  // many (ASCII), never more, so the budget is halved for it.
  if (*charset != soap::Charset::kUtf8) limit /= 2;
  OperationContext context{
      request, exchange_->identity(), exchange_->peer(), settings.machine_name,
      limit,   std::move(cancel)};
  soap::Outcome status = endpoint_->dispatcher_->Dispatch(context, response);
  if (!status.ok()) {
    response->clear();
    return answer_fault(status.fault());
  }
  res->status = 200;
  exchange_->Answered(200, "ok");
  return true;
}

}  // namespace wsman::server
