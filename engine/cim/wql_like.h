// WQL LIKE patterns, compiled once and matched in linear time.
//
// Syntax (WMI's): % any run of characters (also none), _ any one character,
// [abc] [a-z] one of a set, [^...] none of a set (a ']' right after '[' or
// '[^' is a member; a '[' with no ']' after it is a literal '['), anything
// else itself. Letters compare without case (ASCII); a character is a byte.
//
// The bound (Hardening II 13; the greedy matcher with backtracking this
// replaces cost len(text) x len(pattern): 16.7 s for a 16 KB pattern against
// a 1 MB command line). The pattern is split at '%' into segments of fixed
// width. The first segment must match at the start of the text and the last
// at its end; each segment between is searched leftmost, starting where the
// previous one ended (leftmost is always right when the segments have fixed
// widths), so all searches together scan the text once:
//   - a segment of literal characters: Knuth-Morris-Pratt, O(scanned + m);
//   - a segment holding '_' or a set ("wildcard segment"): Shift-And over one
//     64-bit word, O(scanned), with a 256-word table built at Compile.
// One match costs O(len(text) + len(pattern)). Compile refuses a wildcard
// segment longer than kMaxWildcardSegment elements (it would need a wider
// word) or more wildcard segments (2 KiB of table each) than its caller
// allows (WqlLimits: per query).
//
// Immutable after Compile; Matches may run on any thread.
#ifndef WSMAND_ENGINE_CIM_WQL_LIKE_H_
#define WSMAND_ENGINE_CIM_WQL_LIKE_H_

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wsman::engine::cim {

class LikePattern {
 public:
  static constexpr size_t kMaxWildcardSegment = 64;

  // InvalidArgument (the message says which limit) when the pattern
  // exceeds the limit above or holds more than `max_wildcard_segments`
  // wildcard segments (checked as they are built).
  static base::StatusOr<LikePattern> Compile(std::string_view pattern,
                                             size_t max_wildcard_segments = 32);

  bool Matches(std::string_view text) const;
  // Segments holding '_' or a set (each with its 2 KiB table).
  size_t wildcard_segments() const;

 private:
  struct Segment {
    size_t width = 0;
    // Literal segments: the characters, lower-cased, and the KMP failure
    // function (failure[i]: the longest proper border of folded[0..i]).
    bool literal = true;
    std::string folded;
    std::vector<uint32_t> failure;
    // Wildcard segments: bit i of accepts[b] is set when element i matches
    // the byte b.
    std::vector<uint64_t> accepts;  // 256 words, or empty

    bool MatchesAt(std::string_view text, size_t pos) const;
    // The leftmost start p in [from, to - width] where the segment matches,
    // or npos.
    size_t Find(std::string_view text, size_t from, size_t to) const;
  };

  bool any_percent_ = false;
  // One more than the number of '%': segments_[0] is anchored at the start,
  // segments_.back() at the end (either may be empty).
  std::vector<Segment> segments_;
};

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_WQL_LIKE_H_
