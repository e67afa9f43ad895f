#include "server/content_type.h"

#include "base/strings.h"

namespace wsman::server {
std::optional<soap::Charset> SoapCharsetOf(std::string_view content_type) {
  size_t semi = content_type.find(';');
  if (!base::EqualsIgnoreCase(
          base::Trim(content_type.substr(0, semi), base::kSpaceTab),
          "application/soap+xml")) {
    return std::nullopt;
  }
  soap::Charset charset = soap::Charset::kUtf8;
  std::string_view rest = semi == std::string_view::npos
                              ? std::string_view()
                              : content_type.substr(semi + 1);
  while (!rest.empty()) {
    size_t next = rest.find(';');
    std::string_view param = base::Trim(rest.substr(0, next), base::kSpaceTab);
    rest = next == std::string_view::npos ? std::string_view()
                                          : rest.substr(next + 1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = base::Trim(param.substr(0, eq), base::kSpaceTab);
    std::string_view value = base::Trim(param.substr(eq + 1), base::kSpaceTab);
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"') {
      value = value.substr(1, value.size() - 2);
    }
    if (!base::EqualsIgnoreCase(name, "charset")) continue;
    if (base::EqualsIgnoreCase(value, "utf-8")) {
      charset = soap::Charset::kUtf8;
    } else if (base::EqualsIgnoreCase(value, "utf-16") ||
               base::EqualsIgnoreCase(value, "utf-16be")) {
      // RFC 2781: unlabelled UTF-16 is big-endian; a BOM overrides it.
      charset = soap::Charset::kUtf16BE;
    } else if (base::EqualsIgnoreCase(value, "utf-16le")) {
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
