// The WQL LIKE matcher wsmand had before Hardening II, kept as the
// reference for the semantics the linear matcher (engine/cim/wql_like.h)
// must keep: tests/unit/wql_like_test.cc and tests/fuzz/wql_fuzz.cc compare
// the two. Greedy, backtracking to the last '%': O(len(text) x
// len(pattern)), so for tests and small inputs only.
#ifndef WSMAND_TESTS_UNIT_WQL_LIKE_REFERENCE_H_
#define WSMAND_TESTS_UNIT_WQL_LIKE_REFERENCE_H_

#include <string_view>

namespace wsman::engine::cim::reference {

inline char RefLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline bool ReferenceLike(std::string_view text, std::string_view pat) {
  size_t t = 0, p = 0;
  size_t star_p = std::string_view::npos, star_t = 0;
  auto match_one = [&](size_t pi, char c, size_t* next) -> bool {
    char pc = pat[pi];
    if (pc == '_') {
      *next = pi + 1;
      return true;
    }
    if (pc == '[') {
      size_t j = pi + 1;
      bool negate = false;
      if (j < pat.size() && pat[j] == '^') {
        negate = true;
        ++j;
      }
      bool matched = false;
      size_t start = j;
      while (j < pat.size() && (pat[j] != ']' || j == start)) {
        if (j + 2 < pat.size() && pat[j + 1] == '-' && pat[j + 2] != ']') {
          if (RefLower(c) >= RefLower(pat[j]) &&
              RefLower(c) <= RefLower(pat[j + 2])) {
            matched = true;
          }
          j += 3;
        } else {
          if (RefLower(c) == RefLower(pat[j])) matched = true;
          ++j;
        }
      }
      if (j >= pat.size()) {
        *next = pi + 1;
        return c == '[';
      }
      *next = j + 1;
      return matched != negate;
    }
    *next = pi + 1;
    return RefLower(pc) == RefLower(c);
  };
  while (t < text.size()) {
    size_t next = 0;
    if (p < pat.size() && pat[p] == '%') {
      star_p = p++;
      star_t = t;
      continue;
    }
    if (p < pat.size() && match_one(p, text[t], &next)) {
      p = next;
      ++t;
      continue;
    }
    if (star_p != std::string_view::npos) {
      p = star_p + 1;
      t = ++star_t;
      continue;
    }
    return false;
  }
  while (p < pat.size() && pat[p] == '%') ++p;
  return p == pat.size();
}

}  // namespace wsman::engine::cim::reference

#endif  // WSMAND_TESTS_UNIT_WQL_LIKE_REFERENCE_H_
