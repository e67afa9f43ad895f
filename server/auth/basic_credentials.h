// Parsing of an HTTP "Authorization: Basic ..." header value (RFC 7617) into
// a user name and a password. Strict: bad base64, missing ':' or oversize
// values are rejected rather than guessed at.
#ifndef WSMAND_SERVER_AUTH_BASIC_CREDENTIALS_H_
#define WSMAND_SERVER_AUTH_BASIC_CREDENTIALS_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace wsman::auth {

inline constexpr size_t kMaxUserBytes = 256;
inline constexpr size_t kMaxPasswordBytes = 1024;

struct Credentials {
  // As sent: "DOMAIN\\user" and "user@realm" are kept unchanged.
  std::string user;
  std::string password;
};

// True when `header` uses the Basic scheme (case-insensitive), whether or
// not the rest is well formed.
bool HasBasicScheme(std::string_view header);

// Parses "Basic <base64(user:password)>". Returns nullopt for another scheme,
// malformed base64 (bad characters, bad padding, non-zero trailing bits), no
// ':' separator, an empty user or password, a NUL byte, or a user longer than
// kMaxUserBytes / a password longer than kMaxPasswordBytes.
std::optional<Credentials> ParseBasicAuthorization(std::string_view header);

// Strict standard-alphabet base64 decoder (padding required, canonical
// encoding only). Exposed for tests.
std::optional<std::string> DecodeBase64Strict(std::string_view in);

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_BASIC_CREDENTIALS_H_
