#include "engine/cim/class_schema.h"

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

void WriteClassSchema(soap::XmlWriter& xml, const providers::ClassDecl& decl) {
  xml.Open("CLASS").Attr("NAME", decl.name);
  if (!decl.superclass.empty()) xml.Attr("SUPERCLASS", decl.superclass);
  for (const providers::PropertyDecl& p : decl.properties) {
    if (p.type == CimType::kReference) {
      xml.Open("PROPERTY.REFERENCE").Attr("NAME", p.name);
      if (!p.ref_class.empty()) xml.Attr("REFERENCECLASS", p.ref_class);
    } else {
      xml.Open(p.is_array ? "PROPERTY.ARRAY" : "PROPERTY")
          .Attr("NAME", p.name)
          .Attr("TYPE", TypeText(p.type));
    }
    xml.Attr("CLASSORIGIN", decl.name);
    if (p.key) BooleanQualifier(xml, "Key");
    if (p.type == CimType::kInstance) {
      Qualifier(xml, "EmbeddedInstance", "string",
                p.ref_class.empty() ? "" : p.ref_class);
    }
    xml.Close();
  }
  for (const providers::MethodDecl& m : decl.methods) {
    xml.Open("METHOD")
        .Attr("NAME", m.name)
        .Attr("TYPE", TypeText(m.return_type))
        .Attr("CLASSORIGIN", decl.name);
    if (m.is_static) BooleanQualifier(xml, "Static");
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
      if (p.in) BooleanQualifier(xml, "In");
      if (p.out) BooleanQualifier(xml, "Out");
      if (p.type == CimType::kInstance) {
        Qualifier(xml, "EmbeddedInstance", "string", p.ref_class);
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
  const providers::ClassRegistration* reg = registry.Find(ns, name);
  if (!reg) {
    return FaultFromMiResult(providers::MiResult::kInvalidClass,
                             "The class " + name +
                                 " does not exist in the namespace " +
                                 std::string(ns) + ".");
  }
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::kGetResponse, c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  WriteClassSchema(w.xml(), *reg->decl);
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
