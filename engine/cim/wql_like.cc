#include "engine/cim/wql_like.h"

#include <bitset>

#include "base/strings.h"

namespace wsman::engine::cim {
namespace {

// One pattern element: a literal character, or the bytes it accepts.
struct Element {
  bool literal = true;
  char lower = 0;          // literal: the character, lower-cased
  std::bitset<256> bytes;  // otherwise

  bool Accepts(unsigned char b) const {
    return literal ? base::AsciiLower(static_cast<char>(b)) == lower
                   : bytes.test(b);
  }
};

// The element at pat[*i] ('%' excluded); advances *i past it. A set's
// members and ranges compare lower-cased, as characters.
Element ParseElement(std::string_view pat, size_t* i) {
  Element e;
  const size_t pi = *i;
  const char pc = pat[pi];
  if (pc == '_') {
    e.literal = false;
    e.bytes.set();
    *i = pi + 1;
    return e;
  }
  if (pc == '[') {
    size_t j = pi + 1;
    bool negate = false;
    if (j < pat.size() && pat[j] == '^') {
      negate = true;
      ++j;
    }
    const size_t start = j;
    std::bitset<256> members;
    auto add_range = [&](char lo, char hi) {
      for (int b = 0; b < 256; ++b) {
        char c = base::AsciiLower(static_cast<char>(b));
        if (c >= base::AsciiLower(lo) && c <= base::AsciiLower(hi))
          members.set(b);
      }
    };
    while (j < pat.size() && (pat[j] != ']' || j == start)) {
      if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
        add_range(pat[j], pat[j + 2]);
        j += 3;
      } else {
        add_range(pat[j], pat[j]);
        ++j;
      }
    }
    if (j < pat.size()) {  // found the closing ']'
      e.literal = false;
      e.bytes = negate ? ~members : members;
      *i = j + 1;
      return e;
    }
    // No closing ']': a literal '['.
  }
  e.lower = base::AsciiLower(pc);
  *i = pi + 1;
  return e;
}

}  // namespace

base::StatusOr<LikePattern> LikePattern::Compile(std::string_view pat,
                                                 size_t max_wildcard_segments) {
  LikePattern out;
  std::string error;
  size_t wildcard_segments = 0;
  std::vector<Element> elements;
  auto close_segment = [&]() -> bool {
    Segment s;
    s.width = elements.size();
    for (const Element& e : elements) s.literal = s.literal && e.literal;
    if (s.literal) {
      s.folded.reserve(s.width);
      for (const Element& e : elements) s.folded += e.lower;
      // KMP failure function.
      s.failure.assign(s.width, 0);
      uint32_t k = 0;
      for (size_t q = 1; q < s.width; ++q) {
        while (k > 0 && s.folded[q] != s.folded[k]) k = s.failure[k - 1];
        if (s.folded[q] == s.folded[k]) ++k;
        s.failure[q] = k;
      }
    } else {
      if (s.width > kMaxWildcardSegment) {
        error =
            "a part of the LIKE pattern between '%' signs that holds '_' "
            "or [...] has more than " +
            std::to_string(kMaxWildcardSegment) + " characters";
        return false;
      }
      if (++wildcard_segments > max_wildcard_segments) {
        error = "the query has more than " +
                std::to_string(max_wildcard_segments) +
                " parts of LIKE patterns that hold '_' or [...]";
        return false;
      }
      s.accepts.assign(256, 0);
      for (size_t q = 0; q < s.width; ++q) {
        for (int b = 0; b < 256; ++b) {
          if (elements[q].Accepts(static_cast<unsigned char>(b))) {
            s.accepts[static_cast<size_t>(b)] |= uint64_t{1} << q;
          }
        }
      }
    }
    out.segments_.push_back(std::move(s));
    elements.clear();
    return true;
  };
  size_t i = 0;
  while (i < pat.size()) {
    if (pat[i] == '%') {
      out.any_percent_ = true;
      if (!close_segment()) return base::Status::InvalidArgument(error);
      ++i;
      continue;
    }
    elements.push_back(ParseElement(pat, &i));
  }
  if (!close_segment()) return base::Status::InvalidArgument(error);
  return out;
}

size_t LikePattern::wildcard_segments() const {
  size_t n = 0;
  for (const Segment& s : segments_) n += s.literal ? 0 : 1;
  return n;
}

bool LikePattern::Segment::MatchesAt(std::string_view text, size_t pos) const {
  if (pos > text.size() || text.size() - pos < width) return false;
  for (size_t q = 0; q < width; ++q) {
    unsigned char b = static_cast<unsigned char>(text[pos + q]);
    bool ok = literal ? base::AsciiLower(static_cast<char>(b)) == folded[q]
                      : ((accepts[b] >> q) & 1) != 0;
    if (!ok) return false;
  }
  return true;
}

size_t LikePattern::Segment::Find(std::string_view text, size_t from,
                                  size_t to) const {
  if (width == 0) return from;
  if (to < from || to - from < width) return std::string_view::npos;
  if (literal) {
    // Knuth-Morris-Pratt: k characters of the segment matched so far.
    size_t k = 0;
    for (size_t t = from; t < to; ++t) {
      char c = base::AsciiLower(text[t]);
      while (k > 0 && folded[k] != c) k = failure[k - 1];
      if (folded[k] == c) ++k;
      if (k == width) return t + 1 - width;
    }
    return std::string_view::npos;
  }
  // Shift-And: bit q of d is set when the segment's first q + 1 elements
  // match the text ending at t.
  const uint64_t done = uint64_t{1} << (width - 1);
  uint64_t d = 0;
  for (size_t t = from; t < to; ++t) {
    d = ((d << 1) | 1) & accepts[static_cast<unsigned char>(text[t])];
    if (d & done) return t + 1 - width;
  }
  return std::string_view::npos;
}

bool LikePattern::Matches(std::string_view text) const {
  const Segment& first = segments_.front();
  if (!any_percent_) {
    return text.size() == first.width && first.MatchesAt(text, 0);
  }
  // Anchored ends first, then the middle segments leftmost in between.
  const Segment& last = segments_.back();
  if (!first.MatchesAt(text, 0)) return false;
  size_t pos = first.width;
  if (text.size() - pos < last.width) return false;
  size_t end = text.size() - last.width;
  if (!last.MatchesAt(text, end)) return false;
  for (size_t s = 1; s + 1 < segments_.size(); ++s) {
    const Segment& seg = segments_[s];
    size_t at = seg.Find(text, pos, end);
    if (at == std::string_view::npos) return false;
    pos = at + seg.width;
  }
  return true;
}

}  // namespace wsman::engine::cim
