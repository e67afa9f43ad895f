// The provider registry: namespace + class name -> the provider serving it,
// and a registration's own extra resource URIs -> its class. The URI
// families every class is reachable through (DMTF, Microsoft, the WMI
// plugin's) and where a request's namespace comes from are the CIM
// engine's business (engine/cim/resource_uri.h): providers see only class
// names and namespaces.
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

  // The class whose registration lists `uri` as an extra resource URI;
  // "" when none does.
  std::string ClassOfExtraUri(std::string_view uri) const;

  const ClassRegistration* Find(std::string_view namespace_name,
                                std::string_view class_name) const;
  // True when some class is registered in this namespace.
  bool HasNamespace(std::string_view namespace_name) const;
  // True when the class is registered in some namespace.
  bool HasClass(std::string_view class_name) const;
  // The first extra resource URI `class_name` was registered with in that
  // namespace; "" when none.
  std::string ExtraUriOf(std::string_view namespace_name,
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
