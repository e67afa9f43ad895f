// The provider registry: namespace + class name -> the provider serving it,
// and resource URI -> class name. A class is reachable through
//   http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/<Class>
//   http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/<Class>
// and any extra URIs its registration lists. The namespace comes from the
// request's __cimnamespace selector, else the configured default.
//
// Registration happens at start-up, before requests are served; lookups are
// then read-only and need no locking.
#ifndef WSMAND_PROVIDERS_REGISTRY_H_
#define WSMAND_PROVIDERS_REGISTRY_H_

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"
#include "providers/class_decl.h"
#include "providers/provider.h"

namespace wsman::providers {

inline constexpr std::string_view kDmtfClassPrefix =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/";
inline constexpr std::string_view kMicrosoftClassPrefix =
    "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/";
// "All classes" URIs (association filters, WQL naming the class).
inline constexpr std::string_view kDmtfAllClasses =
    "http://schemas.dmtf.org/wbem/wscim/1/*";
inline constexpr std::string_view kDmtfAllCimClasses =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/*";

struct ClassRegistration {
  std::string namespace_name = "root/cimv2";
  std::shared_ptr<const ClassDecl> decl;  // decl->name is the class name
  std::shared_ptr<Provider> provider;
  std::vector<std::string> extra_resource_uris;
  // The provider applies CallInfo::query itself; the engine does not filter.
  bool provider_filters = false;
  // For log lines ("builtin", "test", the .so path).
  std::string origin = "builtin";
};

class Registry {
 public:
  explicit Registry(std::string default_namespace = "root/cimv2");

  // AlreadyExists when the class is already registered in that namespace;
  // InvalidArgument when the registration lacks a declaration or provider.
  base::Status Register(ClassRegistration registration);

  // The class a resource URI names: "<prefix><Class>" for the DMTF and
  // Microsoft prefixes, or a registered extra URI. "" when the URI names no
  // class (including the "*" URIs).
  std::string ClassFromResourceUri(std::string_view uri) const;
  static bool IsAllClassesUri(std::string_view uri);
  static std::string DmtfUri(std::string_view class_name);

  const ClassRegistration* Find(std::string_view namespace_name,
                                std::string_view class_name) const;
  // True when some class is registered in this namespace.
  bool HasNamespace(std::string_view namespace_name) const;
  // True when the class is registered in some namespace.
  bool HasClass(std::string_view class_name) const;
  // The resource URI that names `class_name` in EPRs: its first extra URI
  // when it was registered with one, else the DMTF form.
  std::string ResourceUriFor(std::string_view namespace_name,
                             std::string_view class_name) const;

  const std::string& default_namespace() const { return default_namespace_; }
  // "root\cimv2" -> "root/cimv2" (case kept); "" -> the default.
  std::string NormalizeNamespace(std::string_view ns) const;
  std::vector<const ClassRegistration*> All() const;

 private:
  static std::string Key(std::string_view ns, std::string_view class_name);

  std::string default_namespace_;
  std::map<std::string, std::unique_ptr<ClassRegistration>> by_key_;
  std::map<std::string, std::string> class_by_uri_;  // extra URIs
  std::map<std::string, int> namespaces_;            // lower-case
  std::map<std::string, int> classes_;               // lower-case
};

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_REGISTRY_H_
