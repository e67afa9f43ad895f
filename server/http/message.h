// The HTTP/1.1 messages the server reads and writes (RFC 9112): a request as
// parsed from its head (method, target, header fields in order, the framing
// the head declares) plus its body once read, and a response to serialise.
// Plain values; one per request, owned by the thread serving it.
#ifndef WSMAND_SERVER_HTTP_MESSAGE_H_
#define WSMAND_SERVER_HTTP_MESSAGE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wsman::server::http {

// How the request's body is delimited (RFC 9112 §6.3).
enum class Framing {
  kNone,     // no body (no Content-Length, no Transfer-Encoding)
  kLength,   // Content-Length bytes
  kChunked,  // Transfer-Encoding: chunked
};

struct Request {
  std::string method;
  std::string target;     // as sent
  std::string path;       // target up to '?', percent-decoded
  int version_minor = 1;  // HTTP/1.<minor>: 0 or 1
  std::vector<std::pair<std::string, std::string>> headers;  // in order

  Framing framing = Framing::kNone;
  uint64_t content_length = 0;   // kLength; saturates at UINT64_MAX
  bool expect_continue = false;  // Expect: 100-continue
  bool keep_alive = true;        // from the version and Connection

  std::string body;  // filled once the body has been read

  // The first field named `name` (case-insensitive), or nullptr.
  const std::string* Find(std::string_view name) const;
  // Its value, or "" when absent.
  std::string_view Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Find(name) != nullptr; }
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool close = false;  // answer with Connection: close, then close

  void Set(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  const std::string* Find(std::string_view name) const;
};

// The reason phrase for `status` ("" for codes we never send).
std::string_view ReasonPhrase(int status);

// The status line, the header fields, Content-Length and (when
// `response.close`) Connection: close, then the body. `keep_alive_10`: the
// request was HTTP/1.0 with Connection: keep-alive, which must be echoed.
std::string Serialize(const Response& response, bool keep_alive_10 = false);

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_MESSAGE_H_
