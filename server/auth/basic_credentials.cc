#include "server/auth/basic_credentials.h"

#include <openssl/crypto.h>

#include <array>
#include <cstdint>

#include "base/strings.h"

namespace wsman::auth {
namespace {

constexpr std::string_view kScheme = "basic";

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

constexpr std::array<int8_t, 256> MakeTable() {
  std::array<int8_t, 256> t{};
  for (auto& v : t) v = -1;
  for (int i = 0; i < 26; ++i) {
    t['A' + i] = static_cast<int8_t>(i);
    t['a' + i] = static_cast<int8_t>(26 + i);
  }
  for (int i = 0; i < 10; ++i) t['0' + i] = static_cast<int8_t>(52 + i);
  t['+'] = 62;
  t['/'] = 63;
  return t;
}
constexpr std::array<int8_t, 256> kTable = MakeTable();

// The longest token that can decode to a user and a password within limits.
constexpr size_t kMaxToken =
    (kMaxUserBytes + 1 + kMaxPasswordBytes + 2) / 3 * 4;

}  // namespace

bool HasBasicScheme(std::string_view header) {
  header = base::Trim(header, base::kSpaceTab);
  if (header.size() < kScheme.size() ||
      !base::EqualsIgnoreCase(header.substr(0, kScheme.size()), kScheme)) {
    return false;
  }
  return header.size() == kScheme.size() || IsSpace(header[kScheme.size()]);
}

std::optional<std::string> DecodeBase64Strict(std::string_view in) {
  if (in.empty() || in.size() % 4 != 0) return std::nullopt;
  size_t pad = 0;
  if (in.back() == '=') pad = in[in.size() - 2] == '=' ? 2 : 1;
  std::string out;
  out.reserve(in.size() / 4 * 3);
  for (size_t i = 0; i < in.size(); i += 4) {
    bool last = i + 4 == in.size();
    uint32_t v[4];
    for (size_t j = 0; j < 4; ++j) {
      unsigned char c = static_cast<unsigned char>(in[i + j]);
      if (c == '=' && last && j >= 4 - pad) {
        v[j] = 0;
        continue;
      }
      int8_t d = kTable[c];
      if (d < 0) return std::nullopt;
      v[j] = static_cast<uint32_t>(d);
    }
    uint32_t word = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out.push_back(static_cast<char>((word >> 16) & 0xff));
    if (last && pad == 2) {
      if ((word & 0xffff) != 0) return std::nullopt;  // non-canonical bits
      break;
    }
    out.push_back(static_cast<char>((word >> 8) & 0xff));
    if (last && pad == 1) {
      if ((word & 0xff) != 0) return std::nullopt;
      break;
    }
    out.push_back(static_cast<char>(word & 0xff));
  }
  return out;
}

std::optional<Credentials> ParseBasicAuthorization(std::string_view header) {
  if (!HasBasicScheme(header)) return std::nullopt;
  std::string_view token =
      base::Trim(base::Trim(header, base::kSpaceTab).substr(kScheme.size()),
                 base::kSpaceTab);
  if (token.empty() || token.size() > kMaxToken) return std::nullopt;
  std::optional<std::string> decoded = DecodeBase64Strict(token);
  if (!decoded) return std::nullopt;

  std::optional<Credentials> result;
  size_t colon = decoded->find(':');
  if (colon != std::string::npos && colon != 0 && colon <= kMaxUserBytes &&
      decoded->size() - colon - 1 <= kMaxPasswordBytes &&
      decoded->size() > colon + 1 && decoded->find('\0') == std::string::npos) {
    result.emplace();
    result->user = decoded->substr(0, colon);
    result->password = decoded->substr(colon + 1);
  }
  OPENSSL_cleanse(decoded->data(), decoded->size());
  return result;
}

}  // namespace wsman::auth
