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
#include "tests/unit/wql_like_reference.h"

namespace {

using wsman::engine::cim::reference::ReferenceLike;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  size_t split = input.find('\0');
  if (split != std::string_view::npos) {
    std::string_view text = input.substr(0, split);
    std::string_view pattern = input.substr(split + 1);
    auto compiled = wsman::engine::cim::LikePattern::Compile(pattern);
    if (compiled.ok()) {
      bool got = compiled->Matches(text);
      if (size <= 4096 && got != ReferenceLike(text, pattern)) std::abort();
    }
  }
  auto query = wsman::engine::cim::ParseWql(input);
  (void)query;
  return 0;
}
