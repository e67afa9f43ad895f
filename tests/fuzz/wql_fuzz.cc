// libFuzzer target: the WQL parser (recursive descent with depth limits)
// and LIKE matching.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/cim/wql.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string error;
  auto query = wsman::engine::cim::ParseWql(text, &error);
  if (!query) return 0;
  // LIKE: split the input in two at the first NUL, if any.
  size_t split = text.find('\0');
  if (split != std::string_view::npos) {
    wsman::engine::cim::WqlLike(text.substr(0, split), text.substr(split + 1));
  }
  return 0;
}
