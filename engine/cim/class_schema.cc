#include "engine/cim/class_schema.h"

#include <optional>

#include "engine/cim/class_hierarchy.h"
#include "engine/cim/mi_faults.h"
#include "providers/instance.h"
#include "soap/actions.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;

void Qualifier(soap::XmlWriter& xml, std::string_view name,
               std::string_view type, std::string_view value) {
  xml.Open("QUALIFIER")
      .Attr("NAME", name)
      .Attr("TYPE", type)
      .Attr("OVERRIDABLE", "false");
  xml.Element("VALUE", value);
  xml.Close();
}

void BooleanQualifier(soap::XmlWriter& xml, std::string_view name) {
  Qualifier(xml, name, "boolean", "true");
}

// xs:boolean (XML Schema 3.2.2): true, false, 1, 0.
std::optional<bool> ParseBoolean(std::string_view text) {
  text = soap::TrimXmlSpace(text);
  if (text == "true" || text == "1" || providers::NameEquals(text, "true")) {
    return true;
  }
  if (text == "false" || text == "0" || providers::NameEquals(text, "false")) {
    return false;
  }
  return std::nullopt;
}

// The option's name without MI's "wmi:" prefix.
std::string_view OptionName(std::string_view name) {
  constexpr std::string_view kWmi = "wmi:";
  if (name.size() > kWmi.size() &&
      providers::NameEquals(name.substr(0, kWmi.size()), kWmi)) {
    name.remove_prefix(kWmi.size());
  }
  return name;
}

// CLASSORIGIN and PROPAGATED of a member first declared by `origin`.
void WriteOrigin(soap::XmlWriter& xml, const ClassSchemaOptions& o,
                 const providers::ClassDecl& decl, const std::string& origin) {
  if (o.class_origin) xml.Attr("CLASSORIGIN", origin);
  if (!providers::NameEquals(origin, decl.name)) xml.Attr("PROPAGATED", "true");
}

std::string Join(const std::vector<std::string>& names) {
  std::string out;
  for (const std::string& n : names) {
    if (!out.empty()) out += ',';
    out += n;
  }
  return out;
}

// References are PROPERTY.REFERENCE; embedded instances are strings with
// the EmbeddedInstance qualifier (DSP0004).
std::string_view TypeText(CimType t) {
  return t == CimType::kInstance ? "string" : providers::CimTypeName(t);
}

}  // namespace

bool IsClassSchemaUri(std::string_view uri) {
  return uri.size() > kCimSchemaPrefix.size() &&
         uri.compare(0, kCimSchemaPrefix.size(), kCimSchemaPrefix) == 0;
}

std::string ClassSchemaTarget(const soap::Request& request) {
  for (const soap::Selector& s : request.selectors) {
    if (providers::NameEquals(s.name, "ClassName")) {
      return std::string(soap::TrimXmlSpace(s.value));
    }
  }
  std::string_view rest =
      std::string_view(request.resource_uri).substr(kCimSchemaPrefix.size());
  if (rest.empty() || rest == "*" || rest.find('/') != std::string_view::npos) {
    return {};
  }
  return std::string(rest);
}

ClassSchemaOptions ClassSchemaOptionsOf(const soap::Request& request) {
  ClassSchemaOptions o;
  for (const soap::Option& opt : request.options) {
    std::optional<bool> v = ParseBoolean(opt.value);
    if (!v) continue;
    std::string_view name = OptionName(opt.name);
    if (providers::NameEquals(name, "IncludeInheritanceHierarchy")) {
      o.inheritance_hierarchy = *v;
    } else if (providers::NameEquals(name, "IncludeInheritedElements")) {
      o.inherited_elements = *v;
    } else if (providers::NameEquals(name, "IncludeQualifiers")) {
      o.qualifiers = *v;
    } else if (providers::NameEquals(name, "IncludeClassOrigin")) {
      o.class_origin = *v;
    }
  }
  return o;
}

void WriteClassSchema(soap::XmlWriter& xml, const providers::ClassDecl& decl,
                      const ClassSchemaOptions& o,
                      const providers::Registry* registry,
                      std::string_view ns) {
  const std::vector<const providers::ClassDecl*> lineage =
      Lineage(registry, ns, decl);
  xml.Open("CLASS").Attr("NAME", decl.name);
  if (!decl.superclass.empty()) {
    xml.Attr("SUPERCLASS", decl.superclass);
    // DSP0201 3.2.6.15; MI's deserializer rebuilds the parents from it and
    // the members' CLASSORIGIN (without it the class is flat).
    if (o.inheritance_hierarchy) {
      xml.Attr("DERIVATION", Join(Derivation(registry, ns, decl)));
    }
  }
  if (o.qualifiers) {
    if (decl.is_abstract) BooleanQualifier(xml, "Abstract");
    if (decl.is_association) BooleanQualifier(xml, "Association");
    if (decl.is_indication) BooleanQualifier(xml, "Indication");
  }
  for (const providers::PropertyDecl& p : decl.properties) {
    const std::string& origin = PropertyOrigin(lineage, p.name);
    if (!o.inherited_elements && !providers::NameEquals(origin, decl.name)) {
      continue;
    }
    if (p.type == CimType::kReference) {
      xml.Open("PROPERTY.REFERENCE").Attr("NAME", p.name);
      if (!p.ref_class.empty()) xml.Attr("REFERENCECLASS", p.ref_class);
    } else {
      xml.Open(p.is_array ? "PROPERTY.ARRAY" : "PROPERTY")
          .Attr("NAME", p.name)
          .Attr("TYPE", TypeText(p.type));
    }
    WriteOrigin(xml, o, decl, origin);
    if (o.qualifiers) {
      if (p.key) BooleanQualifier(xml, "Key");
      if (p.type == CimType::kInstance) {
        Qualifier(xml, "EmbeddedInstance", "string", p.ref_class);
      }
    }
    xml.Close();
  }
  for (const providers::MethodDecl& m : decl.methods) {
    const std::string& origin = MethodOrigin(lineage, m.name);
    if (!o.inherited_elements && !providers::NameEquals(origin, decl.name)) {
      continue;
    }
    xml.Open("METHOD")
        .Attr("NAME", m.name)
        .Attr("TYPE", TypeText(m.return_type));
    WriteOrigin(xml, o, decl, origin);
    if (o.qualifiers && m.is_static) BooleanQualifier(xml, "Static");
    for (const providers::ParamDecl& p : m.params) {
      if (p.type == CimType::kReference) {
        xml.Open(p.is_array ? "PARAMETER.REFARRAY" : "PARAMETER.REFERENCE")
            .Attr("NAME", p.name);
        if (!p.ref_class.empty()) xml.Attr("REFERENCECLASS", p.ref_class);
      } else {
        xml.Open(p.is_array ? "PARAMETER.ARRAY" : "PARAMETER")
            .Attr("NAME", p.name)
            .Attr("TYPE", TypeText(p.type));
      }
      if (o.qualifiers) {
        if (p.in) BooleanQualifier(xml, "In");
        if (p.out) BooleanQualifier(xml, "Out");
        if (p.type == CimType::kInstance) {
          Qualifier(xml, "EmbeddedInstance", "string", p.ref_class);
        }
      }
      xml.Close();
    }
    xml.Close();
  }
  xml.Close();
}

soap::Outcome AnswerClassSchemaGet(const OperationContext& c,
                                   const providers::Registry& registry,
                                   std::string_view ns, std::string* out) {
  if (!c.identity) return soap::Fault(soap::FaultCode::kAccessDenied);
  std::string name = ClassSchemaTarget(c.request);
  if (name.empty()) {
    return soap::Fault(soap::FaultCode::kInvalidSelectors, {},
                       "A class schema Get names the class with the "
                       "ClassName selector.");
  }
  const providers::ClassDecl* decl = FindClassDecl(registry, ns, name);
  if (!decl) {
    return FaultFromMiResult(providers::MiResult::kInvalidClass,
                             "The class " + name +
                                 " does not exist in the namespace " +
                                 std::string(ns) + ".");
  }
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::kGetResponse, c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  WriteClassSchema(w.xml(), *decl, ClassSchemaOptionsOf(c.request), &registry,
                   ns);
  w.Finish();
  if (out->size() > c.max_envelope_size) {
    out->clear();
    return soap::Fault(soap::FaultCode::kEncodingLimit,
                       soap::fault_detail::kMaxEnvelopeSize,
                       "The class declaration exceeds the maximum envelope "
                       "size.");
  }
  return soap::Ok{};
}

}  // namespace wsman::engine::cim
