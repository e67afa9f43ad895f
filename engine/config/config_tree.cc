#include "engine/config/config_tree.h"

#include "base/strings.h"
#include "soap/xml_doc.h"

namespace wsman::engine::config {
namespace {

soap::Fault NotARepresentation(std::string message) {
  // WS-Transfer 2004/09 InvalidRepresentation: the body is not a
  // representation of the resource (DSP0226 7.5, Put).
  return soap::Fault(soap::FaultCode::kInvalidRepresentation, {},
                     std::move(message));
}

// Walks `element` (whose name matched `current`) collecting changed leaves.
soap::Outcome Collect(const xmlNode* element, const Node& current,
                      std::string_view ns, const std::string& prefix,
                      std::vector<Change>* changes) {
  const xmlNode* child = soap::FirstChildElement(element);
  if (child == nullptr) {
    if (!current.leaf()) {
      // An empty container (<cfg:Auth/>) changes nothing.
      if (!soap::TrimXmlSpace(soap::TextOf(element)).empty()) {
        return NotARepresentation(current.name + " holds elements, not text");
      }
      return soap::Ok{};
    }
    std::string text(soap::TrimXmlSpace(soap::TextOf(element)));
    if (text != current.text) changes->push_back({prefix, std::move(text)});
    return soap::Ok{};
  }
  if (current.leaf()) {
    return NotARepresentation(current.name + " holds text, not elements");
  }
  for (; child != nullptr; child = soap::NextElement(child)) {
    const Node* known = current.Child(soap::LocalName(child));
    if (known == nullptr || soap::NamespaceOf(child) != ns) {
      return NotARepresentation("the config has no element " +
                                std::string(soap::LocalName(child)) + " in " +
                                current.name);
    }
    std::string path =
        prefix.empty() ? known->name : prefix + "/" + known->name;
    soap::Outcome collected = Collect(child, *known, ns, path, changes);
    if (!collected.ok()) return collected;
  }
  return soap::Ok{};
}

void WriteNode(const Node& node, std::string_view ns, bool outermost,
               soap::XmlWriter* xml) {
  xml->Open("cfg:" + node.name);
  if (outermost) xml->Xmlns("cfg", ns);
  if (node.leaf()) {
    if (!node.text.empty()) xml->Text(node.text);
  } else {
    for (const Node& child : node.children) WriteNode(child, ns, false, xml);
  }
  xml->Close();
}

}  // namespace

const Node* Node::Child(std::string_view child) const {
  for (const Node& c : children) {
    if (base::EqualsIgnoreCase(c.name, child)) return &c;
  }
  return nullptr;
}

bool ConfigPathOf(std::string_view uri, std::string* path) {
  if (uri.size() < kConfigUri.size() ||
      !base::EqualsIgnoreCase(uri.substr(0, kConfigUri.size()), kConfigUri)) {
    return false;
  }
  std::string_view rest = uri.substr(kConfigUri.size());
  if (!rest.empty() && rest.front() != '/') return false;
  while (!rest.empty() && rest.front() == '/') rest.remove_prefix(1);
  while (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  *path = base::AsciiLowered(rest);
  return true;
}

const Node* Resolve(const Node& root, std::string_view path,
                    std::string* canonical) {
  const Node* at = &root;
  std::string spelled;
  while (!path.empty()) {
    size_t slash = path.find('/');
    std::string_view step = path.substr(0, slash);
    path = slash == std::string_view::npos ? std::string_view()
                                           : path.substr(slash + 1);
    at = at->Child(step);
    if (at == nullptr || at->leaf()) return nullptr;
    spelled += spelled.empty() ? at->name : "/" + at->name;
  }
  if (canonical != nullptr) *canonical = std::move(spelled);
  return at;
}

std::string NamespaceOf(std::string_view path) {
  std::string ns(kConfigUri);
  if (!path.empty()) ns += "/" + base::AsciiLowered(path);
  return ns;
}

void WriteTree(const Node& node, std::string_view ns, soap::XmlWriter* xml) {
  WriteNode(node, ns, true, xml);
}

soap::Result<std::vector<Change>> ReadPut(const xmlNode* body,
                                          const Node& current,
                                          std::string_view path,
                                          std::string_view canonical) {
  if (body == nullptr) {
    return NotARepresentation(
        "a Put needs the resource in the body (cfg:" + current.name + ")");
  }
  const std::string ns = NamespaceOf(path);
  if (soap::NamespaceOf(body) != ns || soap::LocalName(body) != current.name) {
    return NotARepresentation("the body must be cfg:" + current.name +
                              " in the namespace " + ns);
  }
  std::vector<Change> changes;
  soap::Outcome collected =
      Collect(body, current, ns, std::string(canonical), &changes);
  if (!collected.ok()) return collected.fault();
  return changes;
}

}  // namespace wsman::engine::config
