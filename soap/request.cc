#include "soap/request.h"

#include <string_view>

namespace wsman::soap {
namespace {

bool EqualsIgnoreAsciiCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

// MS-WSMV 3.1.4.1.2: selector names are case-insensitive.
const Selector* Request::FindSelector(std::string_view name) const {
  for (const Selector& s : selectors) {
    if (EqualsIgnoreAsciiCase(s.name, name)) return &s;
  }
  return nullptr;
}

// Option names are matched exactly; the first of repeated options wins.
const Option* Request::FindOption(std::string_view name) const {
  for (const Option& o : options) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

}  // namespace wsman::soap
