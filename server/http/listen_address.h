// Parses --listen URLs: http://127.0.0.1:5985, http://[::1]:5985,
// https://0.0.0.0:5986. The path, when given, must be empty or "/wsman".
#ifndef WSMAND_SERVER_HTTP_LISTEN_ADDRESS_H_
#define WSMAND_SERVER_HTTP_LISTEN_ADDRESS_H_

#include <string>
#include <string_view>

namespace wsman::server {

struct ListenAddress {
  bool ok = false;
  std::string error;  // when !ok
  bool tls = false;
  std::string host;  // literal address, brackets removed for IPv6
  int port = 0;      // 0 = ephemeral
  bool ipv6 = false;

  std::string ToUrl() const;  // canonical form, with the bound port
  // 127.0.0.0/8 or ::1: only this host can reach the listener.
  bool IsLoopback() const;
};

ListenAddress ParseListenUrl(std::string_view url);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_HTTP_LISTEN_ADDRESS_H_
