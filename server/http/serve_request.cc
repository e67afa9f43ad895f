#include "server/http/serve_request.h"

#include <memory>
#include <string>

#include "base/log.h"
#include "base/strings.h"
#include "server/http/access_log.h"
#include "server/http/body_reader.h"

namespace wsman::server::http {
namespace {

std::string_view OutcomeFor(int status) {
  switch (status) {
    case 400:
      return "bad-request";
    case 411:
      return "length-required";
    case 414:
      return "uri-too-long";
    case 415:
      return "unsupported-content-encoding";
    case 417:
      return "expectation-failed";
    case 431:
      return "header-fields-too-large";
    case 501:
      return "not-implemented";
    case 505:
      return "http-version-not-supported";
  }
  return "refused";
}

bool Send(Stream& stream, const Response& response, bool keep_alive_10) {
  return stream.Write(Serialize(response, keep_alive_10)) && stream.Flush();
}

// Sends the answer to a request the HTTP layer refuses itself, then closes.
AfterRequest SendRefusal(Stream& stream, const HttpError& error,
                         Response response = {}) {
  response.status = error.status;
  response.close = true;
  response.body.clear();
  Send(stream, response, false);
  return AfterRequest::kLingerClose;
}

// Refuses a request no Exchange took: its access line is written here.
AfterRequest Refuse(Stream& stream, const ConnectionInfo& connection,
                    const HttpError& error, Response response = {}) {
  AccessRecord record;
  record.peer = connection.peer;
  record.status = error.status;
  record.outcome = std::string(OutcomeFor(error.status));
  record.detail = std::string(error.reason);
  record.Log();
  return SendRefusal(stream, error, std::move(response));
}

// Content codings undone by nobody: WinRM requests are never
// content-encoded, and inflating a body would defeat every size limit
// (a kilobyte of brotli inflates to a gigabyte). RFC 9110 §15.5.16: 415,
// naming what is accepted in Accept-Encoding.
bool HasContentCoding(const Request& head) {
  for (const auto& [name, value] : head.headers) {
    if (!base::EqualsIgnoreCase(name, "Content-Encoding")) continue;
    std::string_view rest = value;
    while (!rest.empty()) {
      size_t comma = rest.find(',');
      std::string_view item = rest.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) {
        item.remove_prefix(1);
      }
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) {
        item.remove_suffix(1);
      }
      if (!item.empty() && !base::EqualsIgnoreCase(item, "identity"))
        return true;
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }
  return false;
}

}  // namespace

AfterRequest ServeRequest(Stream& stream, const ConnectionInfo& connection,
                          Handler& handler, const ServeLimits& limits,
                          ServeHooks& hooks) {
  // The head: scanned as it arrives, never more than max_head_bytes held.
  stream.SetReadDeadline(Stream::Clock::now() + limits.header_timeout);
  HeadScanner scanner(limits.head);
  for (;;) {
    HeadScanner::State state = scanner.Scan(stream.buffered());
    if (state == HeadScanner::State::kComplete) break;
    if (state == HeadScanner::State::kRefused) {
      return Refuse(stream, connection, scanner.error());
    }
    if (!stream.Fill()) {
      if (!stream.buffered().empty()) {
        log::Debug("http-incomplete-head", {{"peer", connection.peer}});
      }
      return AfterRequest::kClose;
    }
  }
  Request request;
  std::string_view head = stream.buffered().substr(0, scanner.head_size());
  HttpError error = ParseHead(head, limits.head, &request);
  stream.Consume(scanner.head_size());
  if (!error.ok()) return Refuse(stream, connection, error);
  if (HasContentCoding(request)) {
    Response response;
    response.Set("Accept-Encoding", "identity");
    return Refuse(stream, connection,
                  {415, "content-encoded request bodies are not accepted"},
                  std::move(response));
  }
  // A POST says how long its body is (RFC 9110 §15.5.12).
  if (request.method == "POST" && request.framing == Framing::kNone) {
    return Refuse(stream, connection, {411, "POST without a length"});
  }

  Response response;
  std::unique_ptr<Exchange> exchange =
      handler.Begin(request, connection, &response);
  const bool stopping = hooks.Stopping();
  if (exchange == nullptr) {
    // Answered from the head; the body is dropped unread, or, when it might
    // not follow (100-continue) or is too large, the connection closes.
    bool drop = !response.close && !request.expect_continue &&
                request.keep_alive && !stopping &&
                (request.framing != Framing::kLength ||
                 request.content_length <= limits.max_discard);
    if (!drop && request.framing != Framing::kNone) response.close = true;
    if (!request.keep_alive || stopping) response.close = true;
    bool keep_10 = request.version_minor == 0 && !response.close;
    if (!Send(stream, response, keep_10)) return AfterRequest::kClose;
    if (response.close) {
      return request.framing == Framing::kNone ? AfterRequest::kClose
                                               : AfterRequest::kLingerClose;
    }
    stream.SetReadDeadline(Stream::Clock::now() + limits.body_timeout);
    BodyResult dropped =
        ReadBody(stream, request, limits.max_discard, limits.head, nullptr);
    return dropped == BodyResult::kOk ? AfterRequest::kKeepAlive
                                      : AfterRequest::kClose;
  }
  if (exchange->authenticated()) hooks.Authenticated();
  // From here every path ends the exchange (its access line) before the
  // answer goes out, so a client that has its answer finds the line logged.
  auto too_large = [&] {
    exchange->TooLarge(&response);
    exchange.reset();
    response.close = true;
    Send(stream, response, false);
    return AfterRequest::kLingerClose;
  };

  // The body: refused before a byte is read when its length says it is too
  // large; 100 Continue only once everything about the head is accepted.
  if (request.framing == Framing::kLength &&
      request.content_length > exchange->max_body()) {
    return too_large();
  }
  if (request.expect_continue && request.framing != Framing::kNone) {
    if (!stream.Write("HTTP/1.1 100 Continue\r\n\r\n") || !stream.Flush()) {
      return AfterRequest::kClose;
    }
  }
  stream.SetReadDeadline(Stream::Clock::now() + limits.body_timeout);
  switch (ReadBody(stream, request, exchange->max_body(), limits.head,
                   &request.body)) {
    case BodyResult::kOk:
      break;
    case BodyResult::kTooLarge:
      return too_large();
    case BodyResult::kMalformed: {
      const HttpError error{400, "malformed chunked body"};
      exchange->Refused(error.status, OutcomeFor(error.status), error.reason);
      exchange.reset();
      return SendRefusal(stream, error);
    }
    case BodyResult::kIncomplete:
      // The exchange ends unanswered: its line says client-gone.
      log::Debug("http-incomplete-body", {{"peer", connection.peer}});
      return AfterRequest::kClose;
  }
  stream.SetReadDeadline(Stream::Clock::time_point::max());

  std::stop_token cancel = hooks.WatchDisconnect();
  exchange->Finish(request, cancel, &response);
  exchange.reset();
  hooks.EndWatch();
  if (!request.keep_alive || hooks.Stopping()) response.close = true;
  bool keep_10 = request.version_minor == 0 && !response.close;
  if (!Send(stream, response, keep_10)) return AfterRequest::kClose;
  return response.close ? AfterRequest::kClose : AfterRequest::kKeepAlive;
}

}  // namespace wsman::server::http
