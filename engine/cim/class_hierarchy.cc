#include "engine/cim/class_hierarchy.h"

#include <algorithm>
#include <map>

#include "providers/instance.h"

namespace wsman::engine::cim {
namespace {

using providers::ClassDecl;
using providers::ClassRegistration;
using providers::NameEquals;
using providers::Registry;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// The registrations of `ns`, in registration order.
std::vector<const ClassRegistration*> RegisteredIn(const Registry& registry,
                                                   std::string_view ns) {
  std::vector<const ClassRegistration*> out;
  for (const ClassRegistration* r : registry.All()) {
    if (registry.Find(ns, r->decl->name) == r) out.push_back(r);
  }
  return out;
}

const std::string& Origin(const std::vector<const ClassDecl*>& lineage,
                          std::string_view name, bool method) {
  static const std::string kNone;
  for (auto it = lineage.rbegin(); it != lineage.rend(); ++it) {
    if (method ? (*it)->FindMethod(name) != nullptr
               : (*it)->FindProperty(name) != nullptr) {
      return (*it)->name;
    }
  }
  return lineage.empty() ? kNone : lineage.front()->name;
}

}  // namespace

const ClassDecl* ParentOf(const Registry* registry, std::string_view ns,
                          const ClassDecl& decl) {
  if (decl.superclass.empty()) return nullptr;
  if (decl.parent) return decl.parent.get();
  if (!registry) return nullptr;
  const ClassRegistration* r = registry->Find(ns, decl.superclass);
  return r ? r->decl.get() : nullptr;
}

std::vector<const ClassDecl*> Lineage(const Registry* registry,
                                      std::string_view ns,
                                      const ClassDecl& decl) {
  std::vector<const ClassDecl*> out;
  for (const ClassDecl* d = &decl; d && out.size() < kMaxClassDepth;
       d = ParentOf(registry, ns, *d)) {
    out.push_back(d);
  }
  return out;
}

std::vector<std::string> Derivation(const Registry* registry,
                                    std::string_view ns,
                                    const ClassDecl& decl) {
  std::vector<const ClassDecl*> lineage = Lineage(registry, ns, decl);
  std::vector<std::string> out;
  for (size_t i = 1; i < lineage.size(); ++i) out.push_back(lineage[i]->name);
  const ClassDecl* last = lineage.back();
  if (!last->superclass.empty() && !ParentOf(registry, ns, *last) &&
      out.size() + 1 < kMaxClassDepth) {
    out.push_back(last->superclass);
  }
  return out;
}

const std::string& PropertyOrigin(const std::vector<const ClassDecl*>& lineage,
                                  std::string_view name) {
  return Origin(lineage, name, false);
}

const std::string& MethodOrigin(const std::vector<const ClassDecl*>& lineage,
                                std::string_view name) {
  return Origin(lineage, name, true);
}

bool IsA(const Registry* registry, std::string_view ns, const ClassDecl& decl,
         std::string_view base) {
  for (const ClassDecl* d : Lineage(registry, ns, decl)) {
    if (NameEquals(d->name, base)) return true;
  }
  return false;
}

std::vector<const ClassDecl*> ClassesIn(const Registry& registry,
                                        std::string_view ns) {
  std::map<std::string, std::pair<size_t, const ClassDecl*>> seen;
  for (const ClassRegistration* r : RegisteredIn(registry, ns)) {
    std::vector<const ClassDecl*> lineage = Lineage(&registry, ns, *r->decl);
    for (size_t i = 0; i < lineage.size(); ++i) {
      size_t depth = lineage.size() - 1 - i;
      auto [it, added] =
          seen.try_emplace(Lower(lineage[i]->name), depth, lineage[i]);
      if (!added) it->second.first = std::max(it->second.first, depth);
    }
  }
  std::vector<std::pair<size_t, const ClassDecl*>> sorted;
  for (const auto& [name, entry] : seen) sorted.push_back(entry);
  std::stable_sort(
      sorted.begin(), sorted.end(),
      [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<const ClassDecl*> out;
  for (const auto& [depth, decl] : sorted) out.push_back(decl);
  return out;
}

const ClassDecl* FindClassDecl(const Registry& registry, std::string_view ns,
                               std::string_view name) {
  if (const ClassRegistration* r = registry.Find(ns, name)) {
    return r->decl.get();
  }
  for (const ClassRegistration* r : RegisteredIn(registry, ns)) {
    for (const ClassDecl* d : Lineage(&registry, ns, *r->decl)) {
      if (NameEquals(d->name, name)) return d;
    }
  }
  return nullptr;
}

std::vector<const ClassRegistration*> PolymorphicTargets(
    const Registry& registry, std::string_view ns, std::string_view base) {
  std::vector<const ClassRegistration*> below;
  for (const ClassRegistration* r : RegisteredIn(registry, ns)) {
    if (IsA(&registry, ns, *r->decl, base)) below.push_back(r);
  }
  std::vector<const ClassRegistration*> out;
  for (const ClassRegistration* r : below) {
    bool has_subclass = false;
    for (const ClassRegistration* other : below) {
      if (other != r && IsA(&registry, ns, *other->decl, r->decl->name)) {
        has_subclass = true;
        break;
      }
    }
    if (!has_subclass) out.push_back(r);
  }
  return out;
}

}  // namespace wsman::engine::cim
