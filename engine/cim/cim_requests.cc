#include "engine/cim/cim_requests.h"

#include <cstdlib>

#include "engine/cim/cim_xml.h"
#include "soap/duration.h"
#include "soap/envelope_parser.h"
#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

namespace fd = soap::fault_detail;

soap::Fault CannotProcessFilter(std::string message) {
  return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                     std::move(message));
}

soap::Result<uint32_t> PositiveInt(const xmlNode* n, std::string_view what) {
  std::string text(soap::TrimXmlSpace(soap::TextOf(n)));
  char* end = nullptr;
  unsigned long v = std::strtoul(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || v == 0 || v > 0xFFFFFFFFul ||
      text[0] == '-') {
    return soap::Fault(soap::FaultCode::kInvalidParameter, fd::kMaxElements,
                       std::string(what) +
                           " must be a positive integer, "
                           "not \"" +
                           text + "\".");
  }
  return static_cast<uint32_t>(v);
}

// A positive xs:duration, clamped to `max`.
soap::Result<std::chrono::milliseconds> PositiveExpiry(
    const xmlNode* n, std::chrono::milliseconds max) {
  std::string text(soap::TrimXmlSpace(soap::TextOf(n)));
  auto d = soap::ParseDuration(text);
  if (!d.ok() || d->count() <= 0) {
    return soap::Fault(soap::FaultCode::kInvalidExpirationTime,
                       fd::kExpirationTime,
                       "Expires \"" + text + "\" is not a positive duration.");
  }
  return std::min(*d, max);
}

// ASSOCIATORS OF / REFERENCES OF as the association filter it means
// (DSP0227 8.2: AssocClass = AssociationClassName, ResultClass =
// ResultClassName, Role, ResultRole).
soap::Result<Filter> AssociationFromWql(std::string_view text) {
  auto q = ParseWqlAssociation(text);
  if (!q.ok()) {
    return CannotProcessFilter(
        "The WQL query is not valid: " + q.status().message() + ".");
  }
  if (q->class_defs_only) {
    // A WS-Enumeration item of the CIM binding is an instance or an EPR
    // (DSP0227 8.2, [MS-WSMV] 3.1.4.8); class declarations are served by
    // the cim-xml class resource (Get-CimClass), not by an enumeration.
    return CannotProcessFilter(
        "ClassDefsOnly is not supported: an enumeration returns instances "
        "or endpoint references; get the class declarations from "
        "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*.");
  }
  if (!q->required_qualifier.empty() || !q->required_assoc_qualifier.empty()) {
    return CannotProcessFilter(
        std::string(q->required_qualifier.empty() ? "RequiredAssocQualifier"
                                                  : "RequiredQualifier") +
        " is not supported: the providers' classes carry no qualifiers to "
        "select on.");
  }
  AssociationFilter a;
  a.associators = q->associators;
  a.object_class = q->object.class_name;
  for (auto& [name, value] : q->object.keys) {
    soap::Selector s;
    s.name = name;
    s.value = value;
    a.object_selectors.push_back(std::move(s));
  }
  if (!q->object.namespace_name.empty()) {
    soap::Selector s;
    s.name = std::string(kCimNamespaceSelector);
    s.value = q->object.namespace_name;
    a.object_selectors.push_back(std::move(s));
  }
  a.assoc_class = q->assoc_class;
  a.result_class = q->result_class;
  a.role = q->role;
  a.result_role = q->result_role;
  a.keys_only = q->keys_only;
  return Filter(std::move(a));
}

soap::Result<Filter> ParseWqlFilter(const xmlNode* filter) {
  WqlFilter wql;
  wql.text = std::string(soap::TrimXmlSpace(soap::TextOf(filter)));
  if (IsWqlAssociationQuery(wql.text)) return AssociationFromWql(wql.text);
  auto q = ParseWql(wql.text);
  if (!q.ok()) {
    return CannotProcessFilter(
        "The WQL query is not valid: " + q.status().message() + ".");
  }
  wql.query = std::make_shared<const WqlQuery>(std::move(q).value());
  return Filter(std::move(wql));
}

soap::Result<Filter> ParseSelectorFilter(const xmlNode* filter) {
  const xmlNode* set =
      soap::FirstChildElement(filter, soap::ns::kWsman, "SelectorSet");
  if (!set) {
    return CannotProcessFilter("A selector filter holds one w:SelectorSet.");
  }
  SelectorFilter selector;
  soap::Outcome parsed =
      soap::ParseSelectorSet(set, soap::ParseLimits{}, &selector.selectors);
  if (!parsed.ok()) return std::move(parsed).fault();
  return Filter(std::move(selector));
}

soap::Result<Filter> ParseAssociationFilter(const xmlNode* filter) {
  const xmlNode* spec = soap::FirstChildElement(filter);
  if (!spec || soap::NamespaceOf(spec) != soap::ns::kCimBinding ||
      (soap::LocalName(spec) != "AssociatedInstances" &&
       soap::LocalName(spec) != "AssociationInstances")) {
    return CannotProcessFilter(
        "An association filter holds b:AssociatedInstances or "
        "b:AssociationInstances.");
  }
  AssociationFilter assoc;
  assoc.associators = soap::LocalName(spec) == "AssociatedInstances";
  const xmlNode* object =
      soap::FirstChildElement(spec, soap::ns::kCimBinding, "Object");
  const xmlNode* rp =
      object ? soap::FirstChildElement(object, soap::ns::kAddressing,
                                       "ReferenceParameters")
             : nullptr;
  if (!rp) {
    return CannotProcessFilter(
        "The association filter's b:Object must be an endpoint reference.");
  }
  if (xmlNode* u =
          soap::FirstChildElement(rp, soap::ns::kWsman, "ResourceURI")) {
    assoc.object_uri = std::string(soap::TrimXmlSpace(soap::TextOf(u)));
  }
  if (const xmlNode* set =
          soap::FirstChildElement(rp, soap::ns::kWsman, "SelectorSet")) {
    soap::Outcome parsed = soap::ParseSelectorSet(set, soap::ParseLimits{},
                                                  &assoc.object_selectors);
    if (!parsed.ok()) return std::move(parsed).fault();
  }
  auto text_of = [&](std::string_view local) {
    const xmlNode* n =
        soap::FirstChildElement(spec, soap::ns::kCimBinding, local);
    return n ? std::string(soap::TrimXmlSpace(soap::TextOf(n))) : std::string();
  };
  assoc.assoc_class = text_of("AssociationClassName");
  assoc.result_class = text_of("ResultClassName");
  assoc.role = text_of("Role");
  assoc.result_role = text_of("ResultRole");
  return Filter(std::move(assoc));
}

soap::Result<Filter> ParseFilter(const xmlNode* filter) {
  std::string attr;
  soap::GetAttrAnyNs(filter, "Dialect", &attr);
  std::string dialect(soap::TrimXmlSpace(attr));
  if (dialect == kWqlDialect) return ParseWqlFilter(filter);
  if (dialect == kSelectorDialect) return ParseSelectorFilter(filter);
  if (dialect == kAssociationDialect) return ParseAssociationFilter(filter);
  return soap::Fault(
      soap::FaultCode::kFilterDialectRequestedUnavailable, {},
      "The filter dialect \"" + dialect + "\" is not supported.");
}

}  // namespace

soap::Result<EnumerateRequest> ParseEnumerate(
    const soap::Request& request, std::chrono::milliseconds max_expiry) {
  const xmlNode* body = request.body;
  EnumerateRequest e;
  if (!body || !soap::IsElement(body, soap::ns::kEnumeration, "Enumerate")) {
    return soap::Fault(soap::FaultCode::kSchemaValidationError, {},
                       "The body of an Enumerate request must be "
                       "n:Enumerate.");
  }
  const xmlNode* filter = nullptr;
  for (xmlNode* c = soap::FirstChildElement(body); c;
       c = soap::NextElement(c)) {
    std::string_view ns = soap::NamespaceOf(c);
    std::string_view name = soap::LocalName(c);
    if (ns == soap::ns::kEnumeration && name == "Expires") {
      std::string text(soap::TrimXmlSpace(soap::TextOf(c)));
      if (!text.empty() && text[0] != 'P' && text[0] != '-') {
        return soap::Fault(soap::FaultCode::kUnsupportedExpirationType, {},
                           "Expires must be a duration.");
      }
      auto expires = PositiveExpiry(c, max_expiry);
      if (!expires.ok()) return std::move(expires).fault();
      e.expires = *expires;
    } else if (ns == soap::ns::kWsman && name == "OptimizeEnumeration") {
      e.optimize = true;
    } else if (ns == soap::ns::kWsman && name == "MaxElements") {
      auto v = PositiveInt(c, "MaxElements");
      if (!v.ok()) return std::move(v).fault();
      e.max_elements = *v;
    } else if (ns == soap::ns::kWsman && name == "EnumerationMode") {
      std::string m(soap::TrimXmlSpace(soap::TextOf(c)));
      if (m == "EnumerateObjectAndEPR") {
        e.mode = EnumerationMode::kObjectAndEpr;
      } else if (m == "EnumerateEPR") {
        e.mode = EnumerationMode::kEpr;
      } else {
        return soap::Fault(
            soap::FaultCode::kUnsupportedFeature, fd::kEnumerationMode,
            "The enumeration mode \"" + m + "\" is not supported.");
      }
    } else if ((ns == soap::ns::kWsman || ns == soap::ns::kEnumeration) &&
               name == "Filter") {
      filter = c;  // the last one counts
    }
  }
  if (filter) {
    auto parsed = ParseFilter(filter);
    if (!parsed.ok()) return std::move(parsed).fault();
    e.filter = std::move(parsed).value();
    if (const auto* a = std::get_if<AssociationFilter>(&e.filter);
        a && a->keys_only) {
      e.mode = EnumerationMode::kEpr;
    }
  }
  return e;
}

soap::Outcome CheckSelectorFilter(const SelectorFilter& filter,
                                  const providers::ClassDecl& decl) {
  auto refuse = [](std::string message) {
    return soap::Fault(soap::FaultCode::kCannotProcessEnumerationFilter, {},
                       std::move(message));
  };
  for (size_t i = 0; i < filter.selectors.size(); ++i) {
    const soap::Selector& s = filter.selectors[i];
    for (size_t j = 0; j < i; ++j) {
      if (providers::NameEquals(filter.selectors[j].name, s.name)) {
        return refuse("The selector filter names \"" + s.name + "\" twice.");
      }
    }
    const providers::PropertyDecl* p = decl.FindProperty(s.name);
    if (!p) {
      return refuse("The class " + decl.name + " has no property \"" + s.name +
                    "\".");
    }
    if (p->is_array || p->type == providers::CimType::kDatetime ||
        p->type == providers::CimType::kReference ||
        p->type == providers::CimType::kInstance) {
      return refuse("The selector filter cannot test the property \"" +
                    p->name + "\": arrays, datetimes, references and " +
                    "embedded objects are not selectable.");
    }
    if (s.is_reference || s.value.find_first_of("\"'") != std::string::npos) {
      return refuse("The selector filter's value for \"" + s.name +
                    "\" holds a quotation mark or a reference.");
    }
  }
  return soap::Ok{};
}

soap::Outcome NameSingleKey(const providers::ClassDecl& decl,
                            std::vector<soap::Selector>* selectors) {
  for (soap::Selector& s : *selectors) {
    if (!s.name.empty()) continue;
    std::vector<const providers::PropertyDecl*> keys = decl.Keys();
    if (keys.size() != 1) {
      return soap::Fault(soap::FaultCode::kInvalidSelectors,
                         fd::kInsufficientSelectors,
                         "The object path names the key of " + decl.name +
                             " without its name, but the class has " +
                             std::to_string(keys.size()) + " keys.");
    }
    s.name = keys[0]->name;
  }
  return soap::Ok{};
}

std::string EnumerationContextOf(const soap::Request& request,
                                 std::string_view operation) {
  const xmlNode* body = request.body;
  if (!body || !soap::IsElement(body, soap::ns::kEnumeration, operation)) {
    return "";
  }
  const xmlNode* id = soap::FirstChildElement(body, soap::ns::kEnumeration,
                                              "EnumerationContext");
  return id ? std::string(soap::TrimXmlSpace(soap::TextOf(id))) : "";
}

soap::Result<PullRequest> ParsePull(const soap::Request& request) {
  PullRequest p;
  for (xmlNode* n = soap::FirstChildElement(request.body); n;
       n = soap::NextElement(n)) {
    if (soap::NamespaceOf(n) != soap::ns::kEnumeration) continue;
    std::string_view name = soap::LocalName(n);
    if (name == "MaxElements") {
      auto v = PositiveInt(n, "MaxElements");
      if (!v.ok()) return std::move(v).fault();
      p.max_elements = *v;
    } else if (name == "MaxCharacters") {
      auto v = PositiveInt(n, "MaxCharacters");
      if (!v.ok()) return std::move(v).fault();
      p.max_characters = *v;
    } else if (name == "MaxTime") {
      auto d = soap::ParseDuration(soap::TrimXmlSpace(soap::TextOf(n)));
      if (!d.ok()) {
        return soap::Fault(soap::FaultCode::kInvalidParameter, fd::kMaxTime,
                           "MaxTime is not a valid duration.");
      }
      p.max_time = *d;
    }
  }
  return p;
}

soap::Result<RenewRequest> ParseRenew(const soap::Request& request,
                                      std::chrono::milliseconds max_expiry) {
  RenewRequest renew;
  if (const xmlNode* e = soap::FirstChildElement(
          request.body, soap::ns::kEnumeration, "Expires")) {
    auto expires = PositiveExpiry(e, max_expiry);
    if (!expires.ok()) return std::move(expires).fault();
    renew.expires = *expires;
  }
  return renew;
}

}  // namespace wsman::engine::cim
