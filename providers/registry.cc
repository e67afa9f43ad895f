#include "providers/registry.h"

namespace wsman::providers {

Registry::Registry(std::string default_namespace)
    : default_namespace_(std::move(default_namespace)) {
  default_namespace_ = NormalizeNamespace(default_namespace_);
  if (default_namespace_.empty()) default_namespace_ = "root/cimv2";
}

std::string Registry::Key(std::string_view ns, std::string_view class_name) {
  std::string key = LowerAscii(ns);
  key += ':';
  key += LowerAscii(class_name);
  return key;
}

std::string Registry::NormalizeNamespace(std::string_view ns) const {
  std::string out(ns);
  for (char& c : out) {
    if (c == '\\') c = '/';
  }
  while (!out.empty() && out.front() == '/') out.erase(out.begin());
  while (!out.empty() && out.back() == '/') out.pop_back();
  if (out.empty()) return default_namespace_;
  return out;
}

base::Status Registry::Register(ClassRegistration reg) {
  if (!reg.decl || reg.decl->name.empty() || !reg.provider) {
    return base::Status::InvalidArgument(
        "a registration needs a class declaration and a provider");
  }
  reg.namespace_name = NormalizeNamespace(reg.namespace_name);
  std::string key = Key(reg.namespace_name, reg.decl->name);
  if (by_key_.count(key)) {
    return base::Status::AlreadyExists("class " + reg.decl->name +
                                       " is already registered in " +
                                       reg.namespace_name);
  }
  for (const std::string& uri : reg.extra_resource_uris) {
    class_by_uri_[uri] = reg.decl->name;
  }
  ++namespaces_[LowerAscii(reg.namespace_name)];
  ++classes_[LowerAscii(reg.decl->name)];
  by_key_[key] = std::make_unique<ClassRegistration>(std::move(reg));
  return base::Status::Ok();
}

std::string Registry::ClassOfExtraUri(std::string_view uri) const {
  auto extra = class_by_uri_.find(std::string(uri));
  return extra == class_by_uri_.end() ? std::string() : extra->second;
}

const ClassRegistration* Registry::Find(std::string_view ns,
                                        std::string_view class_name) const {
  auto it = by_key_.find(Key(NormalizeNamespace(ns), class_name));
  return it == by_key_.end() ? nullptr : it->second.get();
}

bool Registry::HasNamespace(std::string_view ns) const {
  return namespaces_.count(LowerAscii(NormalizeNamespace(ns))) != 0;
}

bool Registry::HasClass(std::string_view class_name) const {
  return classes_.count(LowerAscii(class_name)) != 0;
}

std::string Registry::ExtraUriOf(std::string_view ns,
                                 std::string_view class_name) const {
  const ClassRegistration* reg = Find(ns, class_name);
  if (!reg || reg->extra_resource_uris.empty()) return {};
  return reg->extra_resource_uris.front();
}

std::vector<const ClassRegistration*> Registry::All() const {
  std::vector<const ClassRegistration*> out;
  for (const auto& [key, reg] : by_key_) out.push_back(reg.get());
  return out;
}

}  // namespace wsman::providers
