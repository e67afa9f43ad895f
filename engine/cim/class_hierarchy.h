// Class hierarchies as the engine sees them: a class's parent is the
// declaration its provider linked (ClassDecl::parent), else the registered
// superclass in the same namespace. From that: DSP0201's DERIVATION (the
// superclass names, nearest first), the class that first declares a
// property or method (CLASSORIGIN), every class declaration a namespace
// knows (the class listing), and the classes a polymorphic Enumerate of a
// base class reaches ([MS-WSMV] 3.1.4.1.27).
//
// Thread rules: functions of a registry that is read-only once serving
// starts; safe from any thread.
#ifndef WSMAND_ENGINE_CIM_CLASS_HIERARCHY_H_
#define WSMAND_ENGINE_CIM_CLASS_HIERARCHY_H_

#include <string>
#include <string_view>
#include <vector>

#include "providers/class_decl.h"
#include "providers/registry.h"

namespace wsman::engine::cim {

// Chains longer than this are cut (a cycle, or a provider's mistake).
inline constexpr size_t kMaxClassDepth = 32;

// The parent of `decl` in `ns`; nullptr for a root or an unknown
// superclass. `registry` may be null (then only the linked parent counts).
const providers::ClassDecl* ParentOf(const providers::Registry* registry,
                                     std::string_view ns,
                                     const providers::ClassDecl& decl);

// `decl` and its known ancestors, `decl` first.
std::vector<const providers::ClassDecl*> Lineage(
    const providers::Registry* registry, std::string_view ns,
    const providers::ClassDecl& decl);

// The DERIVATION list: every superclass name, nearest first, ending with
// the name of a superclass that is declared but not known.
std::vector<std::string> Derivation(const providers::Registry* registry,
                                    std::string_view ns,
                                    const providers::ClassDecl& decl);

// The class of `lineage` (as Lineage returns it) that first declares the
// property or method `name`: the one nearest the root.
const std::string& PropertyOrigin(
    const std::vector<const providers::ClassDecl*>& lineage,
    std::string_view name);
const std::string& MethodOrigin(
    const std::vector<const providers::ClassDecl*>& lineage,
    std::string_view name);

// True when `decl` is `base` or derives from it.
bool IsA(const providers::Registry* registry, std::string_view ns,
         const providers::ClassDecl& decl, std::string_view base);

// Every class declaration `ns` knows: the registered classes and their
// ancestors, each once, parents before children (by depth, then name).
std::vector<const providers::ClassDecl*> ClassesIn(
    const providers::Registry& registry, std::string_view ns);

// The declaration of `name` in `ns`: registered, or an ancestor of a
// registered class. nullptr when unknown.
const providers::ClassDecl* FindClassDecl(const providers::Registry& registry,
                                          std::string_view ns,
                                          std::string_view name);

// The registrations an Enumerate of `base` in `ns` reaches: every
// registered class that is `base` or derives from it, except those with a
// registered subclass among them. Such a class serves the same instances as
// its subclass (CIM_Process and Win32_Process both list the processes), and
// WMI reports each instance once, as its most derived class. Registration
// order; empty when nothing is registered below `base`.
std::vector<const providers::ClassRegistration*> PolymorphicTargets(
    const providers::Registry& registry, std::string_view ns,
    std::string_view base);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CLASS_HIERARCHY_H_
