#include "server/content_type.h"

#include <strings.h>

namespace wsman::server {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

bool EqualsNoCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && strncasecmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace

std::optional<soap::Charset> SoapCharsetOf(std::string_view content_type) {
  size_t semi = content_type.find(';');
  if (!EqualsNoCase(Trim(content_type.substr(0, semi)),
                    "application/soap+xml")) {
    return std::nullopt;
  }
  soap::Charset charset = soap::Charset::kUtf8;
  std::string_view rest = semi == std::string_view::npos
                              ? std::string_view()
                              : content_type.substr(semi + 1);
  while (!rest.empty()) {
    size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    rest = next == std::string_view::npos ? std::string_view()
                                          : rest.substr(next + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = Trim(param.substr(0, eq));
    std::string_view value = Trim(param.substr(eq + 1));
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!EqualsNoCase(name, "charset")) continue;
    if (EqualsNoCase(value, "utf-8")) {
      charset = soap::Charset::kUtf8;
    } else if (EqualsNoCase(value, "utf-16") ||
               EqualsNoCase(value, "utf-16be")) {
      // RFC 2781: unlabelled UTF-16 is big-endian; a BOM overrides it.
      charset = soap::Charset::kUtf16BE;
    } else if (EqualsNoCase(value, "utf-16le")) {
      charset = soap::Charset::kUtf16LE;
    } else {
      return std::nullopt;
    }
  }
  return charset;
}

std::string SoapContentType(soap::Charset charset) {
  return "application/soap+xml;charset=" +
         std::string(soap::CharsetName(charset));
}

}  // namespace wsman::server
