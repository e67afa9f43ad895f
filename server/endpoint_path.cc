#include "server/endpoint_path.h"

#include <vector>

#include "base/strings.h"

namespace wsman::server {

EndpointPath ClassifyPath(std::string_view path) {
  if (path.empty() || path.front() != '/') return EndpointPath::kNone;
  // Only the first segment that survives dot-segment removal decides.
  std::vector<std::string_view> segments;
  size_t pos = 1;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) end = path.size();
    std::string_view segment = path.substr(pos, end - pos);
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (segment != ".") {
      segments.push_back(segment);
    }
    pos = end + 1;
  }
  if (segments.empty()) return EndpointPath::kNone;
  if (base::EqualsIgnoreCase(segments.front(), "wsman")) {
    return EndpointPath::kWsman;
  }
  if (base::EqualsIgnoreCase(segments.front(), "wsman-anon")) {
    return EndpointPath::kAnonymous;
  }
  return EndpointPath::kNone;
}

}  // namespace wsman::server
