#include "providers/class_decl.h"

#include "providers/instance.h"

namespace wsman::providers {

const ParamDecl* MethodDecl::FindParam(std::string_view n) const {
  for (const ParamDecl& p : params) {
    if (NameEquals(p.name, n)) return &p;
  }
  return nullptr;
}

const PropertyDecl* ClassDecl::FindProperty(std::string_view n) const {
  for (const PropertyDecl& p : properties) {
    if (NameEquals(p.name, n)) return &p;
  }
  return nullptr;
}

const MethodDecl* ClassDecl::FindMethod(std::string_view n) const {
  for (const MethodDecl& m : methods) {
    if (NameEquals(m.name, n)) return &m;
  }
  return nullptr;
}

std::vector<const PropertyDecl*> ClassDecl::Keys() const {
  std::vector<const PropertyDecl*> keys;
  for (const PropertyDecl& p : properties) {
    if (p.key) keys.push_back(&p);
  }
  return keys;
}

}  // namespace wsman::providers
