#include "soap/charset.h"

#include <cstdint>
#include <string>

#include "base/utf8.h"

namespace wsman::soap {
namespace {

Fault CharsetFault(std::string_view what) {
  std::string msg = "The request body is not valid ";
  msg.append(what);
  msg.append(".");
  return Fault(FaultCode::kEncodingLimit, fault_detail::kCharacterSet, msg);
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

constexpr std::string_view kBomUtf8 = "\xEF\xBB\xBF";
constexpr std::string_view kBomUtf16LE = "\xFF\xFE";
constexpr std::string_view kBomUtf16BE = "\xFE\xFF";

Result<std::string> DecodeUtf16(std::string_view s, bool big_endian) {
  if (s.size() % 2 != 0) return CharsetFault("UTF-16 (odd length)");
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  auto unit = [&](size_t i) -> uint32_t {
    return big_endian ? (uint32_t{p[i]} << 8) | p[i + 1]
                      : (uint32_t{p[i + 1]} << 8) | p[i];
  };
  std::string out;
  out.reserve(s.size() / 2 + s.size() / 8);
  for (size_t i = 0; i < s.size(); i += 2) {
    uint32_t u = unit(i);
    if (u >= 0xD800 && u <= 0xDBFF) {
      if (i + 2 >= s.size()) return CharsetFault("UTF-16 (lone surrogate)");
      uint32_t v = unit(i + 2);
      if (v < 0xDC00 || v > 0xDFFF) {
        return CharsetFault("UTF-16 (lone surrogate)");
      }
      base::AppendUtf8(0x10000 + ((u - 0xD800) << 10) + (v - 0xDC00), &out);
      i += 2;
    } else if (u >= 0xDC00 && u <= 0xDFFF) {
      return CharsetFault("UTF-16 (lone surrogate)");
    } else {
      base::AppendUtf8(u, &out);
    }
  }
  return out;
}

void AppendUtf16(uint32_t cp, bool big_endian, std::string* out) {
  auto put = [&](uint32_t u) {
    char hi = static_cast<char>((u >> 8) & 0xFF);
    char lo = static_cast<char>(u & 0xFF);
    if (big_endian) {
      out->push_back(hi);
      out->push_back(lo);
    } else {
      out->push_back(lo);
      out->push_back(hi);
    }
  };
  if (cp >= 0x10000) {
    cp -= 0x10000;
    put(0xD800 + (cp >> 10));
    put(0xDC00 + (cp & 0x3FF));
  } else {
    put(cp);
  }
}

}  // namespace

Result<std::string> DecodeToUtf8(std::string_view body, Charset declared,
                                 Charset* actual) {
  // The BOM decides. A UTF-16 BOM under a UTF-8 label, or a UTF-8 BOM under
  // a UTF-16 label, is a contradiction we refuse rather than guess at.
  Charset charset = declared;
  std::string_view payload = body;
  if (StartsWith(body, kBomUtf8)) {
    if (declared != Charset::kUtf8) {
      return CharsetFault("UTF-16 (the body starts with a UTF-8 BOM)");
    }
    payload.remove_prefix(kBomUtf8.size());
  } else if (StartsWith(body, kBomUtf16LE)) {
    if (declared == Charset::kUtf8) {
      return CharsetFault("UTF-8 (the body starts with a UTF-16 BOM)");
    }
    charset = Charset::kUtf16LE;
    payload.remove_prefix(kBomUtf16LE.size());
  } else if (StartsWith(body, kBomUtf16BE)) {
    if (declared == Charset::kUtf8) {
      return CharsetFault("UTF-8 (the body starts with a UTF-16 BOM)");
    }
    charset = Charset::kUtf16BE;
    payload.remove_prefix(kBomUtf16BE.size());
  }
  // Without a BOM a UTF-16 body is read in the declared byte order. The HTTP
  // layer maps the bare label "UTF-16" to kUtf16BE, as RFC 2781 section 4.3
  // prescribes for unmarked UTF-16 (WinRM clients always send a BOM anyway),
  // and "UTF-16LE"/"UTF-16BE" to their own order.
  if (actual != nullptr) *actual = charset;

  if (charset == Charset::kUtf8) {
    if (!IsValidUtf8(payload)) return CharsetFault("UTF-8");
    return std::string(payload);
  }
  return DecodeUtf16(payload, charset == Charset::kUtf16BE);
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  uint32_t cp;
  while (i < s.size()) {
    if (static_cast<unsigned char>(s[i]) < 0x80) {
      ++i;  // fast path for ASCII runs
      continue;
    }
    if (!base::NextUtf8(s, &i, &cp)) return false;
  }
  return true;
}

std::string EncodeFromUtf8(std::string_view utf8, Charset charset) {
  if (charset == Charset::kUtf8) return std::string(utf8);
  const bool be = charset == Charset::kUtf16BE;
  std::string out;
  out.reserve(2 + utf8.size() * 2);
  out.append(be ? kBomUtf16BE : kBomUtf16LE);
  size_t i = 0;
  uint32_t cp;
  while (i < utf8.size()) {
    if (!base::NextUtf8(utf8, &i, &cp)) {
      // The input is documented as valid; should it not be, emit U+FFFD for
      // the offending byte rather than corrupting the output.
      cp = 0xFFFD;
      ++i;
    }
    AppendUtf16(cp, be, &out);
  }
  return out;
}

std::string_view CharsetName(Charset charset) {
  switch (charset) {
    case Charset::kUtf8:
      return "UTF-8";
    case Charset::kUtf16LE:
    case Charset::kUtf16BE:
      // Our UTF-16 output always carries a BOM, which the bare label allows
      // in either byte order (RFC 2781 section 3.3); it is also the label
      // Windows clients send.
      return "UTF-16";
  }
  return "UTF-8";
}

}  // namespace wsman::soap
