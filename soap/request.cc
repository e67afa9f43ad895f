#include "soap/request.h"

#include <string_view>

#include "base/strings.h"

namespace wsman::soap {
// MS-WSMV 3.1.4.1.2: selector names are case-insensitive.
const Selector* Request::FindSelector(std::string_view name) const {
  for (const Selector& s : selectors) {
    if (base::EqualsIgnoreCase(s.name, name)) return &s;
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
