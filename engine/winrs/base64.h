// Base64 (RFC 4648, standard alphabet, padded) for WinRS stream payloads.
#ifndef WSMAND_ENGINE_WINRS_BASE64_H_
#define WSMAND_ENGINE_WINRS_BASE64_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace wsman::engine::winrs {

// Appends the encoding of `in` to `out`.
void AppendBase64(std::string_view in, std::string* out);
std::string Base64Encode(std::string_view in);
// Decodes `in`, ignoring XML white space; false on any other invalid input
// (bad character, bad padding, truncated group).
bool Base64Decode(std::string_view in, std::string* out);
// Encoded size of n raw bytes, and the most raw bytes whose encoding fits
// in `encoded` characters.
constexpr size_t Base64Size(size_t n) { return (n + 2) / 3 * 4; }
constexpr size_t Base64RawFit(size_t encoded) { return encoded / 4 * 3; }

}  // namespace wsman::engine::winrs

#endif  // WSMAND_ENGINE_WINRS_BASE64_H_
