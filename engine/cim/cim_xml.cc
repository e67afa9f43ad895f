#include "engine/cim/cim_xml.h"

#include <algorithm>
#include <map>
#include <memory>

#include "engine/cim/mi_faults.h"
#include "engine/cim/resource_uri.h"
#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::ClassDecl;
using providers::Instance;
using providers::InstancePtr;
using providers::MiResult;
using providers::Property;
using providers::Scalar;
using providers::Value;

constexpr int kMaxEmbedDepth = 16;

bool Wanted(const WriteOptions& o, std::string_view name) {
  if (!o.property_list || o.property_list->empty()) return true;
  for (const std::string& p : *o.property_list) {
    if (providers::NameEquals(p, name)) return true;
  }
  return false;
}

ResolvedClass Resolve(const ClassResolver* resolver, std::string_view cls,
                      std::string_view ns) {
  ResolvedClass r;
  if (resolver && *resolver) r = (*resolver)(cls, ns);
  if (r.resource_uri.empty()) {
    r.resource_uri = BuildResourceUri(UriFamily::kDmtf, {}, cls);
  }
  return r;
}

// The EPR of a reference-valued property or selector, in the resolver's URI
// family (no __cimnamespace when the URI holds the namespace).
void WriteReference(soap::XmlWriter& xml, const Instance& ref,
                    std::string_view ns, const ClassResolver* resolver) {
  std::string_view rns = ref.namespace_name().empty()
                             ? ns
                             : std::string_view(ref.namespace_name());
  ResolvedClass rc = Resolve(resolver, ref.class_name(), rns);
  WriteEprContent(xml, soap::ns::kAnonymous, rc.resource_uri, ref, rns,
                  resolver, !rc.namespace_in_uri);
}

void WriteInstanceBody(soap::XmlWriter& xml, const Instance& instance,
                       std::string_view prefix, const WriteOptions& o,
                       int depth);

void WriteScalar(soap::XmlWriter& xml, std::string_view qname, CimType type,
                 const Scalar& s, std::string_view ns,
                 const ClassResolver* resolver, int depth) {
  xml.Open(qname);
  switch (type) {
    case CimType::kDatetime: {
      const auto& d = std::get<providers::Datetime>(s);
      xml.Element(d.is_interval ? "cim:Interval" : "cim:Datetime", d.ToXsd());
      break;
    }
    case CimType::kReference: {
      const InstancePtr& ref = std::get<InstancePtr>(s);
      if (ref) WriteReference(xml, *ref, ns, resolver);
      break;
    }
    case CimType::kInstance: {
      const InstancePtr& inst = std::get<InstancePtr>(s);
      if (inst && depth < kMaxEmbedDepth) {
        std::string prefix = "q" + std::to_string(depth + 1);
        std::string_view ins =
            inst->namespace_name().empty() ? ns : inst->namespace_name();
        xml.Xmlns(prefix,
                  Resolve(resolver, inst->class_name(), ins).resource_uri);
        xml.Attr("xsi:type", prefix + ":" + inst->class_name() + "_Type");
        WriteOptions inner;
        inner.resolver = resolver;
        WriteInstanceBody(xml, *inst, prefix, inner, depth + 1);
      }
      break;
    }
    default:
      xml.Text(providers::ScalarToText(type, s));
  }
  xml.Close();
}

void WriteInstanceBody(soap::XmlWriter& xml, const Instance& instance,
                       std::string_view prefix, const WriteOptions& o,
                       int depth) {
  std::string qname;
  for (const Property& p : instance.properties()) {
    if (!p.key && !Wanted(o, p.name)) continue;  // keys always stay
    qname.assign(prefix);
    qname += ':';
    qname += p.name;
    const Value& v = p.value;
    if (v.is_null()) {
      xml.Open(qname).Attr("xsi:nil", "true").Close();
    } else if (v.is_array()) {
      for (const Scalar& s : v.elements()) {
        WriteScalar(xml, qname, v.type(), s, instance.namespace_name(),
                    o.resolver, depth);
      }
    } else {
      WriteScalar(xml, qname, v.type(), v.scalar(), instance.namespace_name(),
                  o.resolver, depth);
    }
  }
}

soap::Fault Mi(MiResult r, std::string message) {
  return FaultFromMiResult(r, message);
}

bool IsNil(const xmlNode* n) {
  std::string v;
  return soap::GetAttr(n, soap::ns::kXsi, "nil", &v) &&
         (soap::TrimXmlSpace(v) == "true" || soap::TrimXmlSpace(v) == "1");
}

std::string AttrName(const xmlNode* n) {
  std::string v;
  soap::GetAttrAnyNs(n, "Name", &v);
  return v;
}

// Reads w:SelectorSet children into soap::Selector values.
void ReadSelectors(const xmlNode* set, std::vector<soap::Selector>* out,
                   int depth) {
  for (xmlNode* c = soap::FirstChildElement(set); c; c = soap::NextElement(c)) {
    if (!soap::IsElement(c, soap::ns::kWsman, "Selector")) continue;
    soap::Selector sel;
    sel.name = AttrName(c);
    if (xmlNode* epr = soap::FirstChildElement(c, soap::ns::kAddressing,
                                               "EndpointReference");
        epr && depth < kMaxEmbedDepth) {
      sel.is_reference = true;
      if (xmlNode* a =
              soap::FirstChildElement(epr, soap::ns::kAddressing, "Address")) {
        sel.reference_address =
            std::string(soap::TrimXmlSpace(soap::TextOf(a)));
      }
      if (xmlNode* rp = soap::FirstChildElement(epr, soap::ns::kAddressing,
                                                "ReferenceParameters")) {
        if (xmlNode* r =
                soap::FirstChildElement(rp, soap::ns::kWsman, "ResourceURI")) {
          sel.reference_resource_uri =
              std::string(soap::TrimXmlSpace(soap::TextOf(r)));
        }
        if (xmlNode* s =
                soap::FirstChildElement(rp, soap::ns::kWsman, "SelectorSet")) {
          ReadSelectors(s, &sel.reference_selectors, depth + 1);
        }
      }
    } else {
      sel.value = soap::TextOf(c);
    }
    out->push_back(std::move(sel));
  }
}

// The text of a property element, datetime wrappers looked through.
std::string ScalarText(const xmlNode* n, CimType type) {
  if (type == CimType::kDatetime) {
    if (xmlNode* c = soap::FirstChildElement(n)) {
      return std::string(soap::TrimXmlSpace(soap::TextOf(c)));
    }
  }
  std::string text = soap::TextOf(n);
  if (type == CimType::kString || type == CimType::kChar16) return text;
  return std::string(soap::TrimXmlSpace(text));
}

soap::Result<Scalar> ParseScalar(const xmlNode* n, CimType type,
                                 std::string_view ref_class,
                                 std::string_view ns,
                                 const ClassResolver* resolver, int depth);

soap::Result<Instance> ParseInstanceImpl(
    const xmlNode* element, const ClassDecl* decl, std::string_view class_name,
    std::string_view ns, const ClassResolver* resolver, int depth);

soap::Result<Scalar> ParseScalar(const xmlNode* n, CimType type,
                                 std::string_view ref_class,
                                 std::string_view ns,
                                 const ClassResolver* resolver, int depth) {
  std::string name(soap::LocalName(n));
  if (type == CimType::kReference) {
    const xmlNode* rp = soap::FirstChildElement(n, soap::ns::kAddressing,
                                                "ReferenceParameters");
    if (!rp) {
      return Mi(MiResult::kTypeMismatch,
                "The property " + name + " must hold an endpoint reference.");
    }
    std::string uri;
    std::vector<soap::Selector> selectors;
    if (xmlNode* r =
            soap::FirstChildElement(rp, soap::ns::kWsman, "ResourceURI")) {
      uri = std::string(soap::TrimXmlSpace(soap::TextOf(r)));
    }
    if (xmlNode* s =
            soap::FirstChildElement(rp, soap::ns::kWsman, "SelectorSet")) {
      ReadSelectors(s, &selectors, depth + 1);
    }
    return Scalar(std::make_shared<const Instance>(
        InstanceFromReference(uri, selectors, ns, resolver)));
  }
  if (type == CimType::kInstance) {
    if (depth >= kMaxEmbedDepth) {
      return Mi(MiResult::kTypeMismatch, "Embedded instances nest too deep.");
    }
    std::string xsi_type;
    std::string cls(ref_class);
    if (soap::GetAttr(n, soap::ns::kXsi, "type", &xsi_type)) {
      std::string_view t = soap::TrimXmlSpace(xsi_type);
      size_t colon = t.find(':');
      if (colon != std::string_view::npos) t.remove_prefix(colon + 1);
      if (t.size() > 5 && t.substr(t.size() - 5) == "_Type") {
        t.remove_suffix(5);
      }
      cls = std::string(t);
    }
    if (cls.empty()) {
      return Mi(MiResult::kTypeMismatch, "The embedded instance " + name +
                                             " names no class (xsi:type).");
    }
    const ClassDecl* inner = nullptr;
    if (resolver && *resolver) inner = (*resolver)(cls, ns).decl;
    auto inst = ParseInstanceImpl(n, inner, cls, ns, resolver, depth + 1);
    if (!inst.ok()) return std::move(inst).fault();
    return Scalar(std::make_shared<const Instance>(std::move(inst).value()));
  }
  std::string text = ScalarText(n, type);
  auto s = providers::ScalarFromText(type, text);
  if (!s) {
    return Mi(MiResult::kTypeMismatch,
              "The value \"" + text + "\" of " + name + " is not a valid " +
                  std::string(providers::CimTypeName(type)) + ".");
  }
  return std::move(*s);
}

// Guesses the type of an undeclared property from its shape.
CimType GuessType(const xmlNode* n) {
  if (soap::FirstChildElement(n, soap::ns::kAddressing,
                              "ReferenceParameters")) {
    return CimType::kReference;
  }
  std::string t;
  if (soap::GetAttr(n, soap::ns::kXsi, "type", &t) &&
      t.find("_Type") != std::string::npos) {
    return CimType::kInstance;
  }
  if (const xmlNode* c = soap::FirstChildElement(n)) {
    if (soap::NamespaceOf(c) == kCimCommonNs) return CimType::kDatetime;
  }
  return CimType::kString;
}

struct Field {
  std::string name;
  CimType type = CimType::kString;
  bool is_array = false;
  bool key = false;
  std::string ref_class;
  std::vector<const xmlNode*> nodes;
};

// Groups the element children by name and builds the typed instance.
// `lookup` maps a child name to its declaration (false = unknown).
template <typename Lookup>
soap::Result<Instance> ParseFields(const xmlNode* element,
                                   std::string_view class_name,
                                   std::string_view ns,
                                   const ClassResolver* resolver, int depth,
                                   Lookup lookup, MiResult unknown_result,
                                   bool untyped = false) {
  std::vector<Field> fields;
  std::map<std::string, size_t> index;
  for (xmlNode* c = soap::FirstChildElement(element); c;
       c = soap::NextElement(c)) {
    std::string name(soap::LocalName(c));
    std::string lower = providers::LowerAscii(name);
    auto it = index.find(lower);
    if (it == index.end()) {
      Field f;
      f.name = name;
      if (!lookup(name, c, &f)) {
        return Mi(unknown_result, "\"" + name + "\" is not a member of " +
                                      std::string(class_name) + ".");
      }
      index[lower] = fields.size();
      fields.push_back(std::move(f));
      it = index.find(lower);
    }
    fields[it->second].nodes.push_back(c);
  }
  Instance out{std::string(class_name), std::string(ns)};
  for (Field& f : fields) {
    if (f.nodes.size() > 1 && !f.is_array) {
      return Mi(MiResult::kTypeMismatch,
                "The property " + f.name + " is not an array.");
    }
    if (f.nodes.size() == 1 && IsNil(f.nodes[0])) {
      out.Set(f.name, Value::Null(f.type, f.is_array), f.key);
      continue;
    }
    if (!f.is_array || (untyped && f.nodes.size() == 1)) {
      auto s =
          ParseScalar(f.nodes[0], f.type, f.ref_class, ns, resolver, depth);
      if (!s.ok()) return std::move(s).fault();
      out.Set(f.name, *Value::Make(f.type, std::move(s).value()), f.key);
      continue;
    }
    std::vector<Scalar> elements;
    for (const xmlNode* n : f.nodes) {
      if (IsNil(n)) continue;
      auto s = ParseScalar(n, f.type, f.ref_class, ns, resolver, depth);
      if (!s.ok()) return std::move(s).fault();
      elements.push_back(std::move(s).value());
    }
    out.Set(f.name, Value::Array(f.type, std::move(elements)), f.key);
  }
  return out;
}

soap::Result<Instance> ParseInstanceImpl(
    const xmlNode* element, const ClassDecl* decl, std::string_view class_name,
    std::string_view ns, const ClassResolver* resolver, int depth) {
  return ParseFields(
      element, class_name, ns, resolver, depth,
      [&](const std::string& name, const xmlNode* node, Field* f) {
        if (!decl) {
          f->type = GuessType(node);
          f->is_array = true;  // repeated elements become an array
          return true;
        }
        const providers::PropertyDecl* p = decl->FindProperty(name);
        if (!p) return false;
        f->name = p->name;
        f->type = p->type;
        f->is_array = p->is_array;
        f->key = p->key;
        f->ref_class = p->ref_class;
        return true;
      },
      MiResult::kNoSuchProperty, decl == nullptr);
}

}  // namespace

std::string ClassNameFromUri(std::string_view uri) {
  while (!uri.empty() && uri.back() == '/') uri.remove_suffix(1);
  size_t slash = uri.rfind('/');
  if (slash == std::string_view::npos) return std::string(uri);
  std::string_view name = uri.substr(slash + 1);
  if (name == "*") return {};
  return std::string(name);
}

void WriteInstance(soap::XmlWriter& xml, const Instance& instance,
                   const WriteOptions& o) {
  std::string_view local = o.element_name.empty()
                               ? std::string_view(instance.class_name())
                               : o.element_name;
  std::string qname = "p:";
  qname += local;
  xml.Open(qname);
  xml.Xmlns("p", o.class_uri);
  xml.Xmlns("cim", kCimCommonNs);
  xml.Xmlns("xsi", soap::ns::kXsi);
  if (o.type_attribute && o.element_name.empty()) {
    xml.Attr("xsi:type", "p:" + instance.class_name() + "_Type");
  }
  WriteInstanceBody(xml, instance, "p", o, 0);
  xml.Close();
}

void WriteProjectionFragment(soap::XmlWriter& xml, const Instance& instance,
                             const std::vector<std::string>& properties,
                             const ClassResolver* resolver) {
  std::vector<const Property*> selected;
  for (const Property& p : instance.properties()) {
    for (const std::string& want : properties) {
      if (providers::NameEquals(want, p.name)) {
        selected.push_back(&p);
        break;
      }
    }
  }
  std::sort(selected.begin(), selected.end(),
            [](const Property* a, const Property* b) {
              return providers::LowerAscii(a->name) <
                     providers::LowerAscii(b->name);
            });
  xml.Open("w:XmlFragment");
  xml.Xmlns("cim", kCimCommonNs);
  xml.Xmlns("xsi", soap::ns::kXsi);
  for (const Property* p : selected) {
    const Value& v = p->value;
    if (v.is_null()) {
      xml.Open(p->name).Attr("xsi:nil", "true").Close();
    } else if (v.is_array()) {
      for (const Scalar& e : v.elements()) {
        WriteScalar(xml, p->name, v.type(), e, instance.namespace_name(),
                    resolver, 0);
      }
    } else {
      WriteScalar(xml, p->name, v.type(), v.scalar(), instance.namespace_name(),
                  resolver, 0);
    }
  }
  xml.Close();
}

void WriteEprContent(soap::XmlWriter& xml, std::string_view address,
                     std::string_view resource_uri, const Instance& instance,
                     std::string_view namespace_name,
                     const ClassResolver* resolver, bool namespace_selector) {
  xml.Element("a:Address", address);
  xml.Open("a:ReferenceParameters");
  xml.Element("w:ResourceURI", resource_uri);
  xml.Open("w:SelectorSet");
  for (const Property& p : instance.properties()) {
    if (!p.key || p.value.is_null() || p.value.is_array()) continue;
    xml.Open("w:Selector").Attr("Name", p.name);
    if (p.value.type() == CimType::kReference) {
      if (InstancePtr ref = p.value.AsInstance()) {
        xml.Open("a:EndpointReference");
        WriteReference(xml, *ref, namespace_name, resolver);
        xml.Close();
      }
    } else {
      xml.Text(providers::ScalarToText(p.value.type(), p.value.scalar()));
    }
    xml.Close();
  }
  if (namespace_selector && !namespace_name.empty()) {
    xml.Open("w:Selector").Attr("Name", kCimNamespaceSelector);
    xml.Text(namespace_name);
    xml.Close();
  }
  xml.Close();  // SelectorSet
  xml.Close();  // ReferenceParameters
}

soap::Result<Instance> ParseInstance(const xmlNode* element,
                                     const ClassDecl* decl,
                                     std::string_view namespace_name,
                                     const ClassResolver* resolver) {
  std::string cls = decl ? decl->name : std::string(soap::LocalName(element));
  return ParseInstanceImpl(element, decl, cls, namespace_name, resolver, 0);
}

soap::Result<Instance> ParseMethodInput(const xmlNode* element,
                                        const providers::MethodDecl* method,
                                        std::string_view namespace_name,
                                        const ClassResolver* resolver) {
  std::string cls =
      "__" + (method ? method->name : std::string("Method")) + "_INPUT";
  if (!element) return Instance(cls, std::string(namespace_name));
  return ParseFields(
      element, cls, namespace_name, resolver, 0,
      [&](const std::string& name, const xmlNode* node, Field* f) {
        if (!method) {
          f->type = GuessType(node);
          return true;
        }
        const providers::ParamDecl* p = method->FindParam(name);
        if (!p || !p->in) return false;
        f->name = p->name;
        f->type = p->type;
        f->is_array = p->is_array;
        f->ref_class = p->ref_class;
        return true;
      },
      MiResult::kInvalidParameter);
}

Instance InstanceFromReference(std::string_view resource_uri,
                               const std::vector<soap::Selector>& selectors,
                               std::string_view default_namespace,
                               const ClassResolver* resolver) {
  // The namespace: a WMI URI's path, else __cimnamespace, else the
  // referring instance's.
  std::string ns(default_namespace);
  for (const soap::Selector& s : selectors) {
    if (providers::NameEquals(s.name, kCimNamespaceSelector)) {
      ns = std::string(soap::TrimXmlSpace(s.value));
    }
  }
  std::optional<ResourceUri> uri = ParseResourceUri(resource_uri);
  if (uri && uri->family == UriFamily::kWmi) ns = uri->namespace_name;
  std::string cls = ClassNameFromUri(resource_uri);
  const ClassDecl* decl = nullptr;
  if (resolver && *resolver) decl = (*resolver)(cls, ns).decl;
  Instance out(decl ? decl->name : cls, ns);
  for (const soap::Selector& s : selectors) {
    if (providers::NameEquals(s.name, kCimNamespaceSelector)) continue;
    if (s.is_reference) {
      out.SetKey(s.name, Value::Reference(std::make_shared<const Instance>(
                             InstanceFromReference(s.reference_resource_uri,
                                                   s.reference_selectors, ns,
                                                   resolver))));
      continue;
    }
    const providers::PropertyDecl* p =
        decl ? decl->FindProperty(s.name) : nullptr;
    if (p && !p->is_array) {
      if (auto v = providers::ScalarFromText(p->type, s.value)) {
        out.SetKey(p->name, *Value::Make(p->type, std::move(*v)));
        continue;
      }
    }
    out.SetKey(s.name, Value::String(s.value));
  }
  return out;
}

soap::Result<Instance> KeysFromSelectors(
    const std::vector<soap::Selector>& selectors, const ClassDecl* decl,
    std::string_view class_name, std::string_view namespace_name,
    const ClassResolver* resolver) {
  namespace fd = soap::fault_detail;
  Instance out(decl ? decl->name : std::string(class_name),
               std::string(namespace_name));
  for (const soap::Selector& s : selectors) {
    if (providers::NameEquals(s.name, kCimNamespaceSelector)) continue;
    if (!decl) {
      out.SetKey(s.name, Value::String(s.value));
      continue;
    }
    const providers::PropertyDecl* p = decl->FindProperty(s.name);
    if (!p || !p->key) {
      return soap::Fault(
          soap::FaultCode::kInvalidSelectors, fd::kUnexpectedSelectors,
          "The selector \"" + s.name + "\" is not a key of the class " +
              decl->name + ".");
    }
    if (p->type == CimType::kReference) {
      if (!s.is_reference) {
        return soap::Fault(
            soap::FaultCode::kInvalidSelectors, fd::kTypeMismatch,
            "The selector \"" + s.name + "\" must be an endpoint reference.");
      }
      out.SetKey(p->name,
                 Value::Reference(
                     std::make_shared<const Instance>(InstanceFromReference(
                         s.reference_resource_uri, s.reference_selectors,
                         namespace_name, resolver))));
      continue;
    }
    auto v = s.is_reference ? std::nullopt
                            : providers::ScalarFromText(
                                  p->type, p->type == CimType::kString
                                               ? std::string_view(s.value)
                                               : soap::TrimXmlSpace(s.value));
    if (!v) {
      return soap::Fault(soap::FaultCode::kInvalidSelectors, fd::kTypeMismatch,
                         "The selector \"" + s.name + "\" is not a valid " +
                             std::string(providers::CimTypeName(p->type)) +
                             ".");
    }
    out.SetKey(p->name, *Value::Make(p->type, std::move(*v)));
  }
  if (decl) {
    for (const providers::PropertyDecl* k : decl->Keys()) {
      if (!out.Find(k->name)) {
        return soap::Fault(soap::FaultCode::kInvalidSelectors,
                           fd::kInsufficientSelectors,
                           "The key selector \"" + k->name + "\" is missing.");
      }
    }
  }
  return out;
}

}  // namespace wsman::engine::cim
