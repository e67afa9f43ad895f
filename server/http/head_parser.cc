#include "server/http/head_parser.h"

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "base/strings.h"

namespace wsman::server::http {
namespace {

// RFC 9110 §5.6.2 tchar.
bool IsTchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
  }
  return false;
}

bool IsToken(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (!IsTchar(c)) return false;
  }
  return true;
}

// field-value characters: VCHAR, obs-text, SP, HTAB (RFC 9110 §5.5).
bool IsFieldValueChar(unsigned char c) {
  return c == ' ' || c == '\t' || (c >= 0x21 && c != 0x7f);
}

// Calls `fn` with every element of a comma-separated list (RFC 9110 §5.6.1),
// trimmed; empty elements are skipped as the RFC allows.
template <typename F>
void ForEachListElement(std::string_view value, F fn) {
  while (true) {
    size_t comma = value.find(',');
    std::string_view item = base::Trim(value.substr(0, comma), base::kSpaceTab);
    if (!item.empty()) fn(item);
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Percent-decodes a path; false on a malformed escape or a decoded NUL.
bool DecodePath(std::string_view in, std::string* out) {
  out->clear();
  out->reserve(in.size());
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] != '%') {
      out->push_back(in[i]);
      continue;
    }
    if (i + 2 >= in.size()) return false;
    int hi = HexValue(in[i + 1]);
    int lo = HexValue(in[i + 2]);
    if (hi < 0 || lo < 0) return false;
    char c = static_cast<char>(hi * 16 + lo);
    if (c == '\0') return false;
    out->push_back(c);
    i += 2;
  }
  return true;
}

// 1*DIGIT, saturating at UINT64_MAX; false when not all digits.
bool ParseLength(std::string_view s, uint64_t* out) {
  if (s.empty()) return false;
  uint64_t v = 0;
  constexpr uint64_t kMax = std::numeric_limits<uint64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    unsigned d = static_cast<unsigned>(c - '0');
    v = v > (kMax - d) / 10 ? kMax : v * 10 + d;
  }
  *out = v;
  return true;
}

HttpError Bad(std::string_view reason) { return {400, reason}; }

HttpError ParseRequestLine(std::string_view line, const HeadLimits& limits,
                           Request* out) {
  size_t sp1 = line.find(' ');
  if (sp1 == std::string_view::npos) return Bad("malformed request line");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos ||
      line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Bad("malformed request line");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) return Bad("malformed method");
  if (target.empty()) return Bad("empty request target");
  if (target.size() > limits.max_target_bytes) return {414, "target too long"};
  for (unsigned char c : target) {
    if (c <= 0x20 || c >= 0x7f) return Bad("malformed request target");
  }
  // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" ||
      version[5] < '0' || version[5] > '9' || version[6] != '.' ||
      version[7] < '0' || version[7] > '9') {
    return Bad("malformed HTTP version");
  }
  if (version[5] != '1') return {505, "HTTP version not supported"};
  out->method = std::string(method);
  out->target = std::string(target);
  out->version_minor = version[7] == '0' ? 0 : 1;
  if (target.front() == '/') {
    std::string_view path = target.substr(0, target.find('?'));
    if (!DecodePath(path, &out->path)) return Bad("malformed path escape");
  } else {
    out->path = std::string(target);  // absolute-form or "*": no route
  }
  return {};
}

// The framing and connection semantics the fields declare.
HttpError DeriveSemantics(Request* out) {
  size_t hosts = 0;
  bool has_length = false, has_te = false, length_mismatch = false;
  bool bad_length = false;
  uint64_t length = 0;
  std::vector<std::string_view> codings;
  bool close = false, keep_alive_token = false;
  HttpError expect_error;
  for (const auto& [name, value] : out->headers) {
    if (base::EqualsIgnoreCase(name, "Host")) {
      ++hosts;
    } else if (base::EqualsIgnoreCase(name, "Content-Length")) {
      ForEachListElement(value, [&](std::string_view item) {
        uint64_t v = 0;
        if (!ParseLength(item, &v)) {
          bad_length = true;
        } else if (has_length && v != length) {
          length_mismatch = true;
        }
        length = v;
        has_length = true;
      });
      if (base::Trim(value, base::kSpaceTab).empty()) bad_length = true;
    } else if (base::EqualsIgnoreCase(name, "Transfer-Encoding")) {
      has_te = true;
      ForEachListElement(
          value, [&](std::string_view item) { codings.push_back(item); });
    } else if (base::EqualsIgnoreCase(name, "Connection")) {
      ForEachListElement(value, [&](std::string_view item) {
        if (base::EqualsIgnoreCase(item, "close")) close = true;
        if (base::EqualsIgnoreCase(item, "keep-alive")) keep_alive_token = true;
      });
    } else if (base::EqualsIgnoreCase(name, "Expect")) {
      // Only 100-continue is defined (RFC 9110 §10.1.1); anything else 417.
      if (base::EqualsIgnoreCase(base::Trim(value, base::kSpaceTab),
                                 "100-continue")) {
        out->expect_continue = true;
      } else {
        expect_error = {417, "unsupported expectation"};
      }
    }
  }
  // HTTP/1.1 requests carry exactly one Host (RFC 9112 §3.2).
  if (out->version_minor == 1 && hosts != 1) {
    return Bad(hosts == 0 ? "no Host field" : "several Host fields");
  }
  if (bad_length) return Bad("malformed Content-Length");
  if (length_mismatch) return Bad("conflicting Content-Length values");
  if (has_te) {
    // Both framings at once is how requests are smuggled past proxies
    // (RFC 9112 §6.3): refused, as is Transfer-Encoding in HTTP/1.0.
    if (has_length) return Bad("both Content-Length and Transfer-Encoding");
    if (out->version_minor == 0) return Bad("Transfer-Encoding in HTTP/1.0");
    if (codings.empty() || !base::EqualsIgnoreCase(codings.back(), "chunked")) {
      return Bad("chunked is not the final transfer coding");
    }
    if (codings.size() != 1) return {501, "transfer coding not implemented"};
    out->framing = Framing::kChunked;
  } else if (has_length) {
    out->framing = Framing::kLength;
    out->content_length = length;
  }
  if (!expect_error.ok()) return expect_error;
  out->keep_alive = !close && (out->version_minor == 1 || keep_alive_token);
  return {};
}

}  // namespace

HeadScanner::State HeadScanner::Scan(std::string_view buffered) {
  if (!error_.ok()) return State::kRefused;
  if (head_size_ != 0) return State::kComplete;
  size_t end = std::min(buffered.size(), limits_.max_head_bytes);
  for (size_t i = scanned_; i < end; ++i) {
    if (buffered[i] != '\n') continue;
    size_t len = i - line_start_;
    if (len > 0 && buffered[i - 1] == '\r') --len;
    if (len == 0) {
      if (lines_ > 0) {
        head_size_ = i + 1;
        scanned_ = i + 1;
        return State::kComplete;
      }
      // Empty lines before the request line are ignored (RFC 9112 §2.2).
    } else if (++lines_ > limits_.max_fields + 1) {
      error_ = {431, "too many header fields"};
      return State::kRefused;
    }
    line_start_ = i + 1;
  }
  scanned_ = end;
  if (lines_ == 0 && scanned_ - line_start_ > limits_.max_target_bytes + 64) {
    error_ = {414, "request line too long"};
    return State::kRefused;
  }
  if (buffered.size() >= limits_.max_head_bytes) {
    error_ = {431, "request head too large"};
    return State::kRefused;
  }
  return State::kNeedMore;
}

HttpError ParseHead(std::string_view head, const HeadLimits& limits,
                    Request* out) {
  bool request_line = false;
  while (!head.empty()) {
    size_t nl = head.find('\n');
    if (nl == std::string_view::npos) return Bad("unterminated head");
    std::string_view line = head.substr(0, nl);
    head.remove_prefix(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
      return Bad("bare CR in the head");
    }
    if (line.empty()) {
      if (!request_line) continue;  // leading empty lines
      break;                        // end of the head
    }
    if (!request_line) {
      if (HttpError e = ParseRequestLine(line, limits, out); !e.ok()) return e;
      request_line = true;
      continue;
    }
    // field-line = field-name ":" OWS field-value OWS (RFC 9112 §5); no
    // whitespace before the colon, no obs-fold.
    if (line.front() == ' ' || line.front() == '\t') {
      return Bad("obsolete line folding");
    }
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) return Bad("field without a colon");
    std::string_view name = line.substr(0, colon);
    if (!IsToken(name)) return Bad("malformed field name");
    std::string_view value =
        base::Trim(line.substr(colon + 1), base::kSpaceTab);
    for (unsigned char c : value) {
      if (!IsFieldValueChar(c)) return Bad("control character in a field");
    }
    if (out->headers.size() >= limits.max_fields) {
      return {431, "too many header fields"};
    }
    out->headers.emplace_back(std::string(name), std::string(value));
  }
  if (!request_line) return Bad("no request line");
  return DeriveSemantics(out);
}

}  // namespace wsman::server::http
