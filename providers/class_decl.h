// Class declarations: what a provider tells the engine about the classes it
// serves — property names and types with key qualifiers, and methods with
// typed in/out parameters, the class's parent and its class qualifiers
// (DSP0004 Abstract, Association, Indication). The engine uses them to
// parse Put, Create and Invoke input with the right types, to check Get
// selectors, to answer class declarations (engine/cim/class_schema.h) and
// to enumerate a class polymorphically (engine/cim/class_hierarchy.h).
// Declarations are built before registration and immutable afterwards.
#ifndef WSMAND_PROVIDERS_CLASS_DECL_H_
#define WSMAND_PROVIDERS_CLASS_DECL_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/value.h"

namespace wsman::providers {

struct PropertyDecl {
  std::string name;
  CimType type = CimType::kString;
  bool is_array = false;
  bool key = false;
  // For references and embedded instances: the class referred to or
  // embedded ("" = any).
  std::string ref_class;
};

struct ParamDecl {
  std::string name;
  CimType type = CimType::kString;
  bool is_array = false;
  bool in = true;
  bool out = false;
  std::string ref_class;
};

struct MethodDecl {
  std::string name;
  CimType return_type = CimType::kUint32;
  std::vector<ParamDecl> params;
  bool is_static = false;

  const ParamDecl* FindParam(std::string_view name) const;
};

struct ClassDecl {
  std::string name;
  std::string superclass;  // "" = none
  // The superclass's declaration when the provider knows it (the host
  // classes link their whole chain, abstract DMTF bases included); when
  // null the engine looks `superclass` up in the registry.
  std::shared_ptr<const ClassDecl> parent;
  // Class qualifiers (DSP0004 5.6.3): no instances of its own, an
  // association, an indication.
  bool is_abstract = false;
  bool is_association = false;
  bool is_indication = false;
  std::vector<PropertyDecl> properties;
  std::vector<MethodDecl> methods;

  const PropertyDecl* FindProperty(std::string_view name) const;
  const MethodDecl* FindMethod(std::string_view name) const;
  std::vector<const PropertyDecl*> Keys() const;

  // Builder helpers.
  ClassDecl& Key(std::string n, CimType t) {
    properties.push_back({std::move(n), t, false, true, {}});
    return *this;
  }
  ClassDecl& Prop(std::string n, CimType t, bool array = false,
                  std::string ref_class = {}) {
    properties.push_back({std::move(n), t, array, false, std::move(ref_class)});
    return *this;
  }
};

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_CLASS_DECL_H_
