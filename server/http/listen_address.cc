#include "server/http/listen_address.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <charconv>

namespace wsman::server {

std::string ListenAddress::ToUrl() const {
  std::string url = tls ? "https://" : "http://";
  url += ipv6 ? "[" + host + "]" : host;
  url += ":" + std::to_string(port);
  return url;
}

bool ListenAddress::IsLoopback() const {
  if (ipv6) {
    unsigned char a[16];
    return inet_pton(AF_INET6, host.c_str(), a) == 1 &&
           IN6_IS_ADDR_LOOPBACK(reinterpret_cast<const in6_addr*>(a));
  }
  in_addr a{};
  return inet_pton(AF_INET, host.c_str(), &a) == 1 &&
         (ntohl(a.s_addr) >> 24) == 127;
}

ListenAddress ParseListenUrl(std::string_view url) {
  ListenAddress out;
  auto fail = [&](std::string why) {
    out.ok = false;
    out.error = std::move(why);
    return out;
  };
  std::string_view rest;
  if (url.substr(0, 7) == "http://") {
    rest = url.substr(7);
  } else if (url.substr(0, 8) == "https://") {
    out.tls = true;
    rest = url.substr(8);
  } else {
    return fail("must start with http:// or https://");
  }
  size_t slash = rest.find('/');
  if (slash != std::string_view::npos) {
    std::string_view path = rest.substr(slash);
    if (path != "/" && path != "/wsman") {
      return fail("the path must be empty or /wsman");
    }
    rest = rest.substr(0, slash);
  }
  std::string_view host;
  std::string_view port;
  if (!rest.empty() && rest.front() == '[') {
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return fail("unclosed [");
    host = rest.substr(1, close - 1);
    out.ipv6 = true;
    std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return fail("expected :port after ]");
      port = after.substr(1);
    }
  } else {
    size_t colon = rest.rfind(':');
    if (colon == std::string_view::npos) {
      host = rest;
    } else {
      host = rest.substr(0, colon);
      port = rest.substr(colon + 1);
    }
  }
  if (host.empty()) return fail("no host address");
  out.host = std::string(host);
  unsigned char buf[sizeof(struct in6_addr)];
  if (out.ipv6) {
    if (inet_pton(AF_INET6, out.host.c_str(), buf) != 1) {
      return fail("not an IPv6 address");
    }
  } else if (out.host == "localhost") {
    out.host = "127.0.0.1";
  } else if (inet_pton(AF_INET, out.host.c_str(), buf) != 1) {
    return fail("not an IPv4 address (use [addr] for IPv6)");
  }
  if (port.empty()) {
    out.port = out.tls ? 5986 : 5985;
  } else {
    int p = -1;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
    if (ec != std::errc() || ptr != port.data() + port.size() || p < 0 ||
        p > 65535) {
      return fail("bad port");
    }
    out.port = p;
  }
  out.ok = true;
  return out;
}

}  // namespace wsman::server
