#include "engine/cim/resource_uri.h"

#include "base/strings.h"

namespace wsman::engine::cim {
namespace {

// `uri` without `prefix` when it starts with it (ASCII case ignored).
std::optional<std::string_view> After(std::string_view uri,
                                      std::string_view prefix) {
  if (uri.size() < prefix.size() ||
      !base::EqualsIgnoreCase(uri.substr(0, prefix.size()), prefix)) {
    return std::nullopt;
  }
  return uri.substr(prefix.size());
}

// A class segment: "*" or a name without '/'.
bool SetClass(std::string_view name, ResourceUri* out) {
  if (name.empty() || name.find('/') != std::string_view::npos) return false;
  if (name == "*") {
    out->all_classes = true;
  } else {
    out->class_name = std::string(name);
  }
  return true;
}

}  // namespace

std::optional<ResourceUri> ParseResourceUri(std::string_view uri) {
  ResourceUri out;
  if (base::EqualsIgnoreCase(uri, kDmtfAllClasses)) {
    out.all_classes = true;
    return out;
  }
  if (auto rest = After(uri, kDmtfClassPrefix)) {
    if (!SetClass(*rest, &out)) return std::nullopt;
    return out;
  }
  if (auto rest = After(uri, kMicrosoftClassPrefix)) {
    out.family = UriFamily::kMicrosoft;
    if (!SetClass(*rest, &out)) return std::nullopt;
    return out;
  }
  if (auto rest = After(uri, kWmiPrefix)) {
    // <ns path>/<Class>: at least one namespace segment, none empty.
    out.family = UriFamily::kWmi;
    size_t slash = rest->rfind('/');
    if (slash == std::string_view::npos || slash == 0) return std::nullopt;
    std::string_view ns = rest->substr(0, slash);
    if (ns.find("//") != std::string_view::npos || ns.back() == '/') {
      return std::nullopt;
    }
    if (!SetClass(rest->substr(slash + 1), &out)) return std::nullopt;
    out.namespace_name = std::string(ns);
    return out;
  }
  return std::nullopt;
}

std::string BuildResourceUri(UriFamily family, std::string_view namespace_name,
                             std::string_view class_name) {
  std::string out;
  switch (family) {
    case UriFamily::kDmtf:
      out = kDmtfClassPrefix;
      break;
    case UriFamily::kMicrosoft:
      out = kMicrosoftClassPrefix;
      break;
    case UriFamily::kWmi:
      out = kWmiPrefix;
      for (char ch : namespace_name) out += ch == '\\' ? '/' : ch;
      out += '/';
      break;
  }
  out += class_name;
  return out;
}

bool IsAllClassesUri(std::string_view uri) {
  std::optional<ResourceUri> parsed = ParseResourceUri(uri);
  return parsed && parsed->all_classes;
}

}  // namespace wsman::engine::cim
