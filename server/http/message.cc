#include "server/http/message.h"

#include "base/strings.h"

namespace wsman::server::http {
namespace {

const std::string* FindIn(
    const std::vector<std::pair<std::string, std::string>>& fields,
    std::string_view name) {
  for (const auto& [field, value] : fields) {
    if (base::EqualsIgnoreCase(field, name)) return &value;
  }
  return nullptr;
}

}  // namespace

const std::string* Request::Find(std::string_view name) const {
  return FindIn(headers, name);
}

std::string_view Request::Get(std::string_view name) const {
  const std::string* v = Find(name);
  return v == nullptr ? std::string_view() : std::string_view(*v);
}

const std::string* Response::Find(std::string_view name) const {
  return FindIn(headers, name);
}

std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 417:
      return "Expectation Failed";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    case 505:
      return "HTTP Version Not Supported";
  }
  return "";
}

std::string Serialize(const Response& response, bool keep_alive_10) {
  std::string out;
  out.reserve(response.body.size() + 256);
  out += "HTTP/1.1 ";
  out += std::to_string(response.status);
  out += ' ';
  out += ReasonPhrase(response.status);
  out += "\r\n";
  for (const auto& [name, value] : response.headers) {
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Content-Length: ";
  out += std::to_string(response.body.size());
  out += "\r\n";
  if (response.close) {
    out += "Connection: close\r\n";
  } else if (keep_alive_10) {
    out += "Connection: keep-alive\r\n";
  }
  out += "\r\n";
  out += response.body;
  return out;
}

}  // namespace wsman::server::http
