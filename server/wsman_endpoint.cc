#include "server/wsman_endpoint.h"

#include <chrono>
#include <cstdlib>

#include "base/log.h"
#include "certs/cert_auth.h"
#include "server/content_type.h"
#include "server/http/http_server.h"
#include "soap/charset.h"
#include "soap/response_writer.h"

namespace wsman::server {
namespace {

constexpr std::string_view kWsmanPath = "/wsman";
constexpr std::string_view kAnonPath = "/wsman-anon";
constexpr const char* kChallenge = "Basic realm=\"WSMAN\"";

// Everything the access log line says about one request.
struct AccessRecord {
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  std::string peer;
  std::string user = "-";
  std::string action = "-";
  std::string resource = "-";
  std::string outcome = "ok";
  int status = 200;

  void Log() const {
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                  std::chrono::steady_clock::now() - start)
                  .count();
    std::string status_text = std::to_string(status);
    std::string duration = std::to_string(us / 1000) + "." +
                           std::to_string(us % 1000 / 100) + "ms";
    log::Level level =
        status < 400 || status == 401 ? log::Level::kInfo : log::Level::kWarn;
    if (!log::Enabled(level)) return;
    log::Write(level, "access",
               {{"peer", peer},
                {"user", user},
                {"action", action},
                {"resource", resource},
                {"status", status_text},
                {"outcome", outcome},
                {"duration", duration}});
  }
};

std::string_view FaultName(const soap::Fault& fault) {
  return soap::Describe(fault.code).subcode_local.empty()
             ? std::string_view("fault")
             : soap::Describe(fault.code).subcode_local;
}

bool IsOurPath(const std::string& path) {
  return path == kWsmanPath || path == kAnonPath;
}

}  // namespace

WsmanEndpoint::WsmanEndpoint(EndpointSettings settings,
                             const Dispatcher* dispatcher,
                             std::shared_ptr<auth::Authenticator> authenticator)
    : settings_(std::move(settings)),
      dispatcher_(dispatcher),
      authenticator_(std::move(authenticator)) {}

void WsmanEndpoint::SetAuthenticator(
    std::shared_ptr<auth::Authenticator> authenticator) {
  authenticator_.store(std::move(authenticator));
}

void WsmanEndpoint::SetCertificateMap(
    std::shared_ptr<certs::ClientCertMapSource> map) {
  cert_map_.store(std::move(map));
}

void WsmanEndpoint::Install(httplib::Server* server) {
  server->set_pre_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        return BeforeBody(req, res);
      });
  server->Post(std::string(kWsmanPath),
               [this](const httplib::Request& req, httplib::Response& res) {
                 Handle(req, res, /*anonymous_path=*/false);
               });
  server->Post(std::string(kAnonPath),
               [this](const httplib::Request& req, httplib::Response& res) {
                 Handle(req, res, /*anonymous_path=*/true);
               });
  // httplib answers malformed HTTP itself (400); make such answers close
  // the connection, since the stream's framing can no longer be trusted.
  server->set_error_handler(
      [](const httplib::Request&, httplib::Response& res) {
        if (res.status == 400 || res.status == 413 || res.status == 414) {
          http::HttpServer::CloseAfterResponse();
          res.set_header("Connection", "close");
        }
      });
}

httplib::Server::HandlerResponse WsmanEndpoint::BeforeBody(
    const httplib::Request& req, httplib::Response& res) {
  using HR = httplib::Server::HandlerResponse;
  auto refuse = [&](int status, std::string_view outcome) {
    res.status = status;
    // The body (if any) stays unread: the connection cannot be reused.
    http::HttpServer::CloseAfterResponse();
    res.set_header("Connection", "close");
    AccessRecord record;
    record.peer = req.remote_addr;
    record.status = status;
    record.outcome = std::string(outcome);
    record.Log();
    return HR::Handled;
  };
  if (!IsOurPath(req.path)) return refuse(404, "not-found");
  if (req.method != "POST") {
    res.set_header("Allow", "POST");
    return refuse(405, "method-not-allowed");
  }
  if (!SoapCharsetOf(req.get_header_value("Content-Type"))) {
    return refuse(415, "unsupported-media-type");
  }
  if (req.has_header("Content-Length")) {
    const std::string& length = req.get_header_value("Content-Length");
    char* end = nullptr;
    unsigned long long n = std::strtoull(length.c_str(), &end, 10);
    if (end == length.c_str() || *end != '\0' ||
        n > settings_.max_envelope_size) {
      // Refused before a byte of the body is read.
      soap::Fault fault(soap::FaultCode::kEncodingLimit,
                        soap::fault_detail::kServiceEnvelopeLimit,
                        "The request is larger than the service's maximum "
                        "envelope size (" +
                            std::to_string(settings_.max_envelope_size) +
                            " bytes).");
      res.set_content(soap::RenderFault(fault, "", settings_.machine_name),
                      SoapContentType(soap::Charset::kUtf8));
      res.status = soap::HttpStatusOf(fault);
      http::HttpServer::CloseAfterResponse();
      res.set_header("Connection", "close");
      AccessRecord record;
      record.peer = req.remote_addr;
      record.status = res.status;
      record.outcome = "EncodingLimit";
      record.Log();
      return HR::Handled;
    }
  }
  http::HttpServer::StartBodyPhase();
  return HR::Unhandled;
}

void WsmanEndpoint::Handle(const httplib::Request& req, httplib::Response& res,
                           bool anonymous_path) {
  AccessRecord record;
  record.peer = req.remote_addr;
  res.status = 200;

  // Authentication first: nothing of an unauthenticated body is parsed,
  // except an Identify on the anonymous path.
  bool anonymous = anonymous_path ||
                   req.get_header_value("WSMANIDENTIFY") == "unauthenticated";
  auth::AuthResult auth_result;
  if (!anonymous) {
    const std::string& authorization = req.get_header_value("Authorization");
    // A client certificate login (HTTPS, docs/https.md) or Basic. Every
    // refusal is a 401, as WinRM answers an unusable certificate.
    std::shared_ptr<certs::ClientCertMapSource> cert_map = cert_map_.load();
    certs::CertLogin cert_login = certs::TryCertificateLogin(
        authorization, http::HttpServer::CurrentClientCert(), cert_map.get());
    if (cert_login.outcome == certs::CertLogin::kOk) {
      auth_result.outcome = auth::AuthResult::kOk;
      auth_result.identity = auth::IdentityForUser(cert_login.user);
    } else if (cert_login.outcome == certs::CertLogin::kNotAttempted) {
      auth_result =
          authenticator_.load()->Authenticate(authorization, req.remote_addr);
    }
    if (auth_result.outcome != auth::AuthResult::kOk) {
      res.status = 401;
      res.set_header("WWW-Authenticate", kChallenge);
      record.status = 401;
      record.outcome =
          cert_login.outcome != certs::CertLogin::kNotAttempted
              ? std::string(certs::CertLoginOutcomeName(cert_login.outcome))
          : auth_result.outcome == auth::AuthResult::kMissing ? "no-credentials"
          : auth_result.outcome == auth::AuthResult::kThrottled ? "throttled"
                                                                : "denied";
      if (!cert_login.detail.empty()) {
        log::Info("cert-login-refused", {{"peer", req.remote_addr},
                                         {"outcome", record.outcome},
                                         {"detail", cert_login.detail}});
      }
      record.Log();
      return;
    }
    record.user = auth_result.identity.user;
  }

  soap::Charset declared = SoapCharsetOf(req.get_header_value("Content-Type"))
                               .value_or(soap::Charset::kUtf8);
  soap::Charset charset = declared;
  std::string message_id;
  std::string response;

  auto answer_fault = [&](const soap::Fault& fault) {
    response = soap::RenderFault(fault, message_id, settings_.machine_name);
    res.status = soap::HttpStatusOf(fault);
    record.outcome = std::string(FaultName(fault));
  };

  soap::Result<std::string> utf8 =
      soap::DecodeToUtf8(req.body, declared, &charset);
  if (!utf8.ok()) {
    answer_fault(utf8.fault());
  } else {
    soap::Result<soap::Envelope> envelope =
        soap::ParseEnvelope(*utf8, settings_.parse_limits, &message_id);
    if (!envelope.ok()) {
      answer_fault(envelope.fault());
    } else {
      const soap::Request& request = envelope->request();
      record.action = request.action.empty() ? "-" : request.action;
      record.resource =
          request.resource_uri.empty() ? "-" : request.resource_uri;
      if (anonymous && !Dispatcher::IsIdentify(request)) {
        // Only Identify may go unauthenticated, as on Windows.
        res.status = 401;
        res.set_header("WWW-Authenticate", kChallenge);
        record.status = 401;
        record.outcome = "anonymous-not-identify";
        record.Log();
        return;
      }
      size_t limit = settings_.max_envelope_size;
      if (request.max_envelope_size && *request.max_envelope_size < limit) {
        limit = *request.max_envelope_size;
      }
      // Operations count UTF-8 bytes; a UTF-16 answer takes up to twice as
      // many (ASCII), never more, so the budget is halved for it.
      if (charset != soap::Charset::kUtf8) limit /= 2;
      OperationContext context{request,
                               anonymous ? nullptr : &auth_result.identity,
                               req.remote_addr, settings_.machine_name, limit};
      soap::Status status = dispatcher_->Dispatch(context, &response);
      if (!status.ok()) {
        response.clear();
        answer_fault(status.fault());
      }
    }
  }
  record.status = res.status;
  std::string content_type = SoapContentType(charset);
  if (charset == soap::Charset::kUtf8) {
    res.set_content(std::move(response), content_type);
  } else {
    res.set_content(soap::EncodeFromUtf8(response, charset), content_type);
  }
  record.Log();
}

}  // namespace wsman::server
