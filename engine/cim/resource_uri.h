// Resource URIs that name CIM classes, parsed once into {family, namespace,
// class} and built back.
// Three families address the same classes ([MS-WSMV] 3.1.4.1.1):
//   DMTF       http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/<Class>
//   Microsoft  http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/<Class>
//   WMI        http://schemas.microsoft.com/wbem/wsman/1/wmi/<ns path>/<Class>
// In the first two the namespace travels in the __cimnamespace selector
// (DSP0227 6.3); in the WMI plugin's form it is the URI path ("root/cimv2",
// "root/standardcimv2", any depth). "*" in the class position (and the DMTF
// "http://schemas.dmtf.org/wbem/wscim/1/*") names all classes: WQL and
// association filters pick the class. Prefixes and class names compare
// case-insensitively, as Windows does.
//
// The engine resolves these; providers see only the class name and the
// namespace.
//
// Thread rules: pure functions of their arguments.
#ifndef WSMAND_ENGINE_CIM_RESOURCE_URI_H_
#define WSMAND_ENGINE_CIM_RESOURCE_URI_H_

#include <optional>
#include <string>
#include <string_view>

namespace wsman::engine::cim {

inline constexpr std::string_view kDmtfClassPrefix =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/";
inline constexpr std::string_view kMicrosoftClassPrefix =
    "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/";
// "All classes" (association filters, WQL naming the class).
inline constexpr std::string_view kDmtfAllClasses =
    "http://schemas.dmtf.org/wbem/wscim/1/*";
// The WMI plugin's prefix; <ns path>/<Class> follows.
inline constexpr std::string_view kWmiPrefix =
    "http://schemas.microsoft.com/wbem/wsman/1/wmi/";

enum class UriFamily { kDmtf, kMicrosoft, kWmi };

struct ResourceUri {
  UriFamily family = UriFamily::kDmtf;
  // WMI family only: the namespace from the path, '/'-separated as sent
  // ("root/cimv2"). Empty for the selector families.
  std::string namespace_name;
  // The class as the URI spells it; empty when `all_classes`.
  std::string class_name;
  bool all_classes = false;
};

// The class (or "*") a URI of one of the three families names; nullopt for
// any other URI, a WMI URI without a namespace, or an empty class segment.
std::optional<ResourceUri> ParseResourceUri(std::string_view uri);

// The URI naming `class_name` in `family` ("*" for all classes); the
// namespace is used by the WMI family only ('\' becomes '/').
std::string BuildResourceUri(UriFamily family, std::string_view namespace_name,
                             std::string_view class_name);

// True for the "*" URIs of every family.
bool IsAllClassesUri(std::string_view uri);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_RESOURCE_URI_H_
