#include "server/http/body_reader.h"

#include <algorithm>
#include <cstdint>
#include <string_view>

namespace wsman::server::http {
namespace {

// The longest chunk-size line (size and extensions) we read.
constexpr size_t kMaxChunkLine = 4096;

// Moves up to `want` buffered bytes to `body` (or drops them), filling the
// buffer as needed. False when the stream ends first.
bool TakeBytes(Stream& stream, uint64_t want, std::string* body) {
  while (want > 0) {
    if (stream.buffered().empty() && !stream.Fill()) return false;
    std::string_view have = stream.buffered();
    size_t n = static_cast<size_t>(std::min<uint64_t>(want, have.size()));
    if (body != nullptr) body->append(have.data(), n);
    stream.Consume(n);
    want -= n;
  }
  return true;
}

enum class Line { kOk, kTooLong, kEnded };

// One line (without CRLF or LF) of at most `max` bytes.
Line ReadLine(Stream& stream, size_t max, std::string* line) {
  size_t searched = 0;
  for (;;) {
    std::string_view have = stream.buffered();
    size_t nl = have.find('\n', searched);
    if (nl != std::string_view::npos) {
      if (nl > max + 1) return Line::kTooLong;
      std::string_view l = have.substr(0, nl);
      if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
      line->assign(l);
      stream.Consume(nl + 1);
      return Line::kOk;
    }
    if (have.size() > max + 1) return Line::kTooLong;
    searched = have.size();
    if (!stream.Fill()) return Line::kEnded;
  }
}

// chunk-size [ chunk-ext ] (RFC 9112 §7.1); the size saturates.
bool ParseChunkSize(std::string_view line, uint64_t* size) {
  size_t i = 0;
  uint64_t v = 0;
  constexpr uint64_t kMax = UINT64_MAX;
  for (; i < line.size(); ++i) {
    char c = line[i];
    int d = c >= '0' && c <= '9'   ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                   : -1;
    if (d < 0) break;
    v = v > (kMax >> 4) ? kMax : (v << 4) | static_cast<uint64_t>(d);
  }
  if (i == 0) return false;
  std::string_view rest = line.substr(i);
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) {
    rest.remove_prefix(1);
  }
  if (!rest.empty() && rest.front() != ';') return false;
  for (unsigned char c : rest) {
    if (c < 0x20 && c != '\t') return false;
  }
  *size = v;
  return true;
}

BodyResult ReadChunked(Stream& stream, size_t limit,
                       const HeadLimits& trailer_limits, std::string* body) {
  uint64_t total = 0;
  std::string line;
  for (;;) {
    switch (ReadLine(stream, kMaxChunkLine, &line)) {
      case Line::kTooLong:
        return BodyResult::kMalformed;
      case Line::kEnded:
        return BodyResult::kIncomplete;
      case Line::kOk:
        break;
    }
    uint64_t size = 0;
    if (!ParseChunkSize(line, &size)) return BodyResult::kMalformed;
    if (size == 0) break;
    // Counted before a byte of the chunk is read.
    if (size > limit - total) return BodyResult::kTooLarge;
    total += size;
    if (!TakeBytes(stream, size, body)) return BodyResult::kIncomplete;
    switch (ReadLine(stream, 0, &line)) {
      case Line::kTooLong:
        return BodyResult::kMalformed;  // chunk data longer than its size
      case Line::kEnded:
        return BodyResult::kIncomplete;
      case Line::kOk:
        if (!line.empty()) return BodyResult::kMalformed;
    }
  }
  // The trailer section, bounded like a head, read and ignored.
  size_t trailer_bytes = 0, fields = 0;
  for (;;) {
    switch (ReadLine(stream, trailer_limits.max_head_bytes, &line)) {
      case Line::kTooLong:
        return BodyResult::kMalformed;
      case Line::kEnded:
        return BodyResult::kIncomplete;
      case Line::kOk:
        break;
    }
    if (line.empty()) return BodyResult::kOk;
    trailer_bytes += line.size() + 2;
    if (++fields > trailer_limits.max_fields ||
        trailer_bytes > trailer_limits.max_head_bytes) {
      return BodyResult::kMalformed;
    }
  }
}

}  // namespace

BodyResult ReadBody(Stream& stream, const Request& head, size_t limit,
                    const HeadLimits& trailer_limits, std::string* body) {
  switch (head.framing) {
    case Framing::kNone:
      return BodyResult::kOk;
    case Framing::kLength:
      if (head.content_length > limit) return BodyResult::kTooLarge;
      if (body != nullptr) body->reserve(head.content_length);
      return TakeBytes(stream, head.content_length, body)
                 ? BodyResult::kOk
                 : BodyResult::kIncomplete;
    case Framing::kChunked:
      return ReadChunked(stream, limit, trailer_limits, body);
  }
  return BodyResult::kMalformed;
}

}  // namespace wsman::server::http
