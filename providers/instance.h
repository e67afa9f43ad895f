// A CIM instance: its class name, namespace and properties (name, value,
// key flag), in the order they were set. Property names compare
// case-insensitively, as CIM names do.
#ifndef WSMAND_PROVIDERS_INSTANCE_H_
#define WSMAND_PROVIDERS_INSTANCE_H_

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/strings.h"
#include "providers/value.h"

namespace wsman::providers {

struct Property {
  std::string name;
  Value value;
  bool key = false;
};

class Instance {
 public:
  Instance() = default;
  explicit Instance(std::string class_name, std::string namespace_name = {})
      : class_name_(std::move(class_name)),
        namespace_(std::move(namespace_name)) {}

  const std::string& class_name() const { return class_name_; }
  void set_class_name(std::string name) { class_name_ = std::move(name); }
  const std::string& namespace_name() const { return namespace_; }
  void set_namespace_name(std::string ns) { namespace_ = std::move(ns); }

  // Adds the property, or replaces the value (and key flag) of the one with
  // that name, keeping its position.
  Instance& Set(std::string_view name, Value value, bool key = false);
  Instance& SetKey(std::string_view name, Value value) {
    return Set(name, std::move(value), true);
  }
  bool Remove(std::string_view name);

  const Property* Find(std::string_view name) const;
  Property* Find(std::string_view name);
  // The value, or nullptr when there is no such property.
  const Value* Get(std::string_view name) const;

  const std::vector<Property>& properties() const { return properties_; }
  std::vector<Property>& properties() { return properties_; }
  // The key properties, in order.
  std::vector<const Property*> Keys() const;
  // A new instance with only the key properties (an instance name).
  Instance KeysOnly() const;

  bool operator==(const Instance& other) const;

 private:
  std::string class_name_;
  std::string namespace_;
  std::vector<Property> properties_;
};

// CIM names (classes, properties, keys, namespaces) compare without ASCII
// case (DSP0004).
inline bool NameEquals(std::string_view a, std::string_view b) {
  return base::EqualsIgnoreCase(a, b);
}
inline std::string LowerAscii(std::string_view s) {
  return base::AsciiLowered(s);
}

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_INSTANCE_H_
