#include "providers/instance.h"

namespace wsman::providers {

Instance& Instance::Set(std::string_view name, Value value, bool key) {
  if (Property* p = Find(name)) {
    p->value = std::move(value);
    p->key = key;
    return *this;
  }
  properties_.push_back(Property{std::string(name), std::move(value), key});
  return *this;
}

bool Instance::Remove(std::string_view name) {
  for (auto it = properties_.begin(); it != properties_.end(); ++it) {
    if (NameEquals(it->name, name)) {
      properties_.erase(it);
      return true;
    }
  }
  return false;
}

const Property* Instance::Find(std::string_view name) const {
  for (const Property& p : properties_) {
    if (NameEquals(p.name, name)) return &p;
  }
  return nullptr;
}

Property* Instance::Find(std::string_view name) {
  for (Property& p : properties_) {
    if (NameEquals(p.name, name)) return &p;
  }
  return nullptr;
}

const Value* Instance::Get(std::string_view name) const {
  const Property* p = Find(name);
  return p ? &p->value : nullptr;
}

std::vector<const Property*> Instance::Keys() const {
  std::vector<const Property*> keys;
  for (const Property& p : properties_) {
    if (p.key) keys.push_back(&p);
  }
  return keys;
}

Instance Instance::KeysOnly() const {
  Instance out(class_name_, namespace_);
  for (const Property& p : properties_) {
    if (p.key) out.properties_.push_back(p);
  }
  return out;
}

bool Instance::operator==(const Instance& o) const {
  if (!NameEquals(class_name_, o.class_name_) ||
      properties_.size() != o.properties_.size()) {
    return false;
  }
  for (size_t i = 0; i < properties_.size(); ++i) {
    const Property& a = properties_[i];
    const Property& b = o.properties_[i];
    if (!NameEquals(a.name, b.name) || a.key != b.key ||
        !(a.value == b.value)) {
      return false;
    }
  }
  return true;
}

}  // namespace wsman::providers
