// libFuzzer target: the WQL parser (recursive descent with depth limits)
// and LIKE matching. LIKE: the input split at its first NUL into text and
// pattern, matched by engine/cim/wql_like.h and, for small inputs, by the
// backtracking matcher it replaced: a different answer aborts.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "engine/cim/wql.h"
#include "engine/cim/wql_like.h"

namespace {

char Lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// The matcher before Hardening II: O(len(text) x len(pattern)).
bool ReferenceLike(std::string_view text, std::string_view pat) {
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
          if (Lower(c) >= Lower(pat[j]) && Lower(c) <= Lower(pat[j + 2])) {
            matched = true;
          }
          j += 3;
        } else {
          if (Lower(c) == Lower(pat[j])) matched = true;
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
    return Lower(pc) == Lower(c);
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

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  if (split != std::string_view::npos) {
    std::string_view text = input.substr(0, split);
    std::string_view pattern = input.substr(split + 1);
    std::string error;
    auto compiled = wsman::engine::cim::LikePattern::Compile(pattern, &error);
    if (compiled) {
      bool got = compiled->Matches(text);
      if (size <= 4096 && got != ReferenceLike(text, pattern)) std::abort();
    }
  }
  std::string error;
  auto query = wsman::engine::cim::ParseWql(input, &error);
  (void)query;
  return 0;
}
