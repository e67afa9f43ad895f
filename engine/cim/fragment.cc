// Fragment-level WS-Transfer (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18); see
// fragment.h for the subset and the faults.
#include "engine/cim/fragment.h"

#include <optional>
#include <utility>
#include <vector>

#include "soap/fault.h"
#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::Instance;
using providers::Value;
namespace fd = soap::fault_detail;

// An expression longer than this is no property path (CIM names are short).
constexpr size_t kMaxExpression = 1024;

soap::Fault BeyondSubset(std::string_view why) {
  return soap::Fault(soap::FaultCode::kCannotProcessEnumerationFilter, {},
                     "The fragment expression is outside the XPath level-1 "
                     "subset this service supports: " +
                         std::string(why) + ".");
}

soap::Fault InvalidFragment(std::string message) {
  return soap::Fault(soap::FaultCode::kInvalidRepresentation,
                     fd::kInvalidFragment, std::move(message));
}

bool IsNameStart(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
         c >= 0x80;
}
bool IsNameChar(unsigned char c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.';
}
bool IsNcName(std::string_view s) {
  if (s.empty() || !IsNameStart(static_cast<unsigned char>(s[0]))) {
    return false;
  }
  for (char c : s) {
    if (!IsNameChar(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// One step "[prefix:]name": the local name, or nullopt when it is not a
// QName.
std::optional<std::string> StepName(std::string_view step) {
  size_t colon = step.find(':');
  if (colon != std::string_view::npos) {
    if (!IsNcName(step.substr(0, colon))) return std::nullopt;
    step = step.substr(colon + 1);
  }
  if (!IsNcName(step)) return std::nullopt;
  return std::string(step);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  for (;;) {
    size_t at = s.find(sep, start);
    out.push_back(s.substr(start, at - start));
    if (at == std::string_view::npos) return out;
    start = at + 1;
  }
}

bool HasTextForm(const Value& v) {
  return !v.is_array() && v.type() != CimType::kReference &&
         v.type() != CimType::kInstance;
}

}  // namespace

soap::Result<FragmentPath> ParseFragmentPath(std::string_view expression) {
  std::string_view e = soap::TrimXmlSpace(expression);
  if (e.empty()) return BeyondSubset("the expression is empty");
  if (e.size() > kMaxExpression) return BeyondSubset("it is too long");
  bool absolute = false;
  if (e.front() == '/') {
    absolute = true;
    e.remove_prefix(1);
  }
  std::vector<std::string_view> steps = Split(e, '/');
  FragmentPath path;
  if (steps.size() >= 2 && steps.back() == "text()") {
    path.text = true;
    steps.pop_back();
  }
  // An absolute path starts at the class element; a relative one at its
  // children, with the class step optional.
  if (steps.empty() || steps.size() > 2 || (absolute && steps.size() != 2)) {
    return BeyondSubset("it must select one property of the instance");
  }
  std::vector<std::string> names;
  for (std::string_view step : steps) {
    std::optional<std::string> name = StepName(step);
    if (!name) {
      return BeyondSubset("\"" + std::string(step.substr(0, 64)) +
                          "\" is not a property name");
    }
    names.push_back(std::move(*name));
  }
  if (names.size() == 2) path.class_step = std::move(names[0]);
  path.property = std::move(names.back());
  return path;
}

soap::Result<FragmentPath> ParseFragmentTransfer(
    const soap::FragmentTransfer& header) {
  if (!header.dialect.empty() && header.dialect != kXPathDialect &&
      header.dialect != kXPathLevel1Dialect) {
    return soap::Fault(soap::FaultCode::kFragmentDialectNotSupported, {},
                       "The fragment dialect \"" +
                           header.dialect.substr(0, 256) +
                           "\" is not supported; use XPath level 1.");
  }
  return ParseFragmentPath(header.expression);
}

soap::Outcome ResolveFragment(FragmentPath* path,
                              const providers::ClassDecl* decl,
                              std::string_view class_name) {
  if (!path->class_step.empty() &&
      !providers::NameEquals(path->class_step, class_name)) {
    // "Prop/Sub" (a step into an embedded instance) or another class.
    return BeyondSubset("\"" + path->class_step + "\" is not the class " +
                        std::string(class_name));
  }
  if (!decl) return soap::Ok{};
  const providers::PropertyDecl* p = decl->FindProperty(path->property);
  if (!p) {
    return InvalidFragment("The fragment selects \"" + path->property +
                           "\", which is not a property of " + decl->name +
                           ".");
  }
  path->property = p->name;
  if (path->text && (p->is_array || p->type == CimType::kReference ||
                     p->type == CimType::kInstance)) {
    return BeyondSubset("text() of " + p->name + ", which has no text form");
  }
  return soap::Ok{};
}

void WriteFragment(soap::XmlWriter& xml, const Instance& instance,
                   const FragmentPath& path, const ClassResolver* resolver) {
  if (!path.text) {
    WriteProjectionFragment(xml, instance, {path.property}, resolver);
    return;
  }
  xml.Open("w:XmlFragment");
  const Value* v = instance.Get(path.property);
  if (v && !v->is_null() && HasTextForm(*v)) {
    xml.Text(providers::ScalarToText(v->type(), v->scalar()));
  }
  xml.Close();
}

soap::Outcome ApplyFragment(const xmlNode* body, const FragmentPath& path,
                            const providers::ClassDecl* decl,
                            std::string_view namespace_name,
                            const ClassResolver* resolver, Instance* instance) {
  if (!body || !soap::IsElement(body, soap::ns::kWsman, "XmlFragment")) {
    return InvalidFragment(
        "The body of a fragment Put must be one w:XmlFragment.");
  }
  const providers::PropertyDecl* p =
      decl ? decl->FindProperty(path.property) : nullptr;
  if (p && p->key) {
    return InvalidFragment("The fragment selects the key " + p->name +
                           "; the selectors name the instance.");
  }
  if (path.text) {
    if (soap::FirstChildElement(body)) {
      return InvalidFragment(
          "A text() fragment holds the value only, no elements.");
    }
    const CimType type = p ? p->type : CimType::kString;
    std::string text = soap::TextOf(body);
    std::string_view value =
        type == CimType::kString || type == CimType::kChar16
            ? std::string_view(text)
            : soap::TrimXmlSpace(text);
    std::optional<providers::Scalar> s = providers::ScalarFromText(type, value);
    std::optional<Value> v;
    if (s) v = Value::Make(type, std::move(*s));
    if (!v) {
      return soap::Fault(soap::FaultCode::kInvalidRepresentation,
                         fd::kInvalidValues,
                         "The fragment's text is not a valid " +
                             std::string(providers::CimTypeName(type)) +
                             " for " + path.property + ".");
    }
    instance->Set(p ? p->name : path.property, std::move(*v));
    return soap::Ok{};
  }
  auto parsed = ParseInstance(body, decl, namespace_name, resolver);
  if (!parsed.ok()) return std::move(parsed).fault();
  for (const providers::Property& got : parsed->properties()) {
    if (!providers::NameEquals(got.name, path.property)) {
      return InvalidFragment("The fragment holds \"" + got.name +
                             "\"; the expression selects " + path.property +
                             ".");
    }
  }
  const std::string name = p ? p->name : path.property;
  if (const Value* v = parsed->Get(path.property)) {
    instance->Set(name, *v);
  } else {
    // An empty fragment: the property's element replaced by nothing.
    instance->Set(
        name, Value::Null(p ? p->type : CimType::kString, p && p->is_array));
  }
  return soap::Ok{};
}

}  // namespace wsman::engine::cim
