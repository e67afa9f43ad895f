#include "engine/cim/class_listing.h"

#include "engine/cim/cim_requests.h"
#include "engine/cim/class_hierarchy.h"
#include "engine/cim/class_schema.h"
#include "engine/cim/mi_faults.h"
#include "providers/instance.h"
#include "soap/actions.h"
#include "soap/duration.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::ClassDecl;
using providers::Instance;
using providers::Value;

// One queued item: the class and the options to write it with.
constexpr std::string_view kItemClass = "__ClassListItem";

Instance Item(const ClassDecl& decl, std::string_view ns,
              const ClassSchemaOptions& o) {
  Instance i{std::string(kItemClass), std::string(ns)};
  i.Set("ClassName", Value::String(decl.name));
  i.Set("Hierarchy", Value::Boolean(o.inheritance_hierarchy));
  i.Set("Inherited", Value::Boolean(o.inherited_elements));
  i.Set("Qualifiers", Value::Boolean(o.qualifiers));
  i.Set("Origin", Value::Boolean(o.class_origin));
  return i;
}

bool Flag(const Instance& i, std::string_view name) {
  const Value* v = i.Get(name);
  return v && v->AsBool().value_or(true);
}

std::string SerializeClass(const Instance& item,
                           const providers::Registry& registry,
                           std::string_view ns) {
  const Value* name = item.Get("ClassName");
  const std::string* text = name ? name->AsString() : nullptr;
  const ClassDecl* decl = text ? FindClassDecl(registry, ns, *text) : nullptr;
  if (!decl) return {};
  ClassSchemaOptions o;
  o.inheritance_hierarchy = Flag(item, "Hierarchy");
  o.inherited_elements = Flag(item, "Inherited");
  o.qualifiers = Flag(item, "Qualifiers");
  o.class_origin = Flag(item, "Origin");
  std::string s;
  soap::XmlWriter xml(&s);
  WriteClassSchema(xml, *decl, o, &registry, ns);
  return s;
}

// Case-insensitive match of `name` against `pattern` ('*' any run, '?'
// one character); iterative, linear in practice.
bool WildcardMatch(std::string_view pattern, std::string_view name) {
  size_t p = 0, n = 0, star = std::string_view::npos, mark = 0;
  auto lower = [](char c) {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  };
  while (n < name.size()) {
    if (p < pattern.size() &&
        (pattern[p] == '?' || lower(pattern[p]) == lower(name[n]))) {
      ++p;
      ++n;
    } else if (p < pattern.size() && pattern[p] == '*') {
      star = p++;
      mark = n;
    } else if (star != std::string_view::npos) {
      p = star + 1;
      n = ++mark;
    } else {
      return false;
    }
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace

bool IsClassListing(const EnumerationContext& ec) {
  return IsClassSchemaUri(ec.resource_uri);
}

soap::Result<std::vector<const ClassDecl*>> SelectClasses(
    const providers::Registry& registry, std::string_view ns,
    const soap::Request& request) {
  std::string wanted;
  if (const soap::Selector* s = request.FindSelector("ClassName")) {
    wanted = std::string(soap::TrimXmlSpace(s->value));
  }
  if (!registry.HasNamespace(ns)) {
    return FaultFromMiResult(
        providers::MiResult::kInvalidNamespace,
        "The namespace \"" + std::string(ns) + "\" does not exist.");
  }
  std::vector<const ClassDecl*> all = ClassesIn(registry, ns);
  if (wanted.empty()) return all;
  std::vector<const ClassDecl*> out;
  if (wanted.find_first_of("*?") != std::string::npos) {
    for (const ClassDecl* d : all) {
      if (WildcardMatch(wanted, d->name)) out.push_back(d);
    }
    return out;
  }
  if (!FindClassDecl(registry, ns, wanted)) {
    return FaultFromMiResult(providers::MiResult::kInvalidClass,
                             "The class " + wanted +
                                 " does not exist in the namespace " +
                                 std::string(ns) + ".");
  }
  for (const ClassDecl* d : all) {
    if (!providers::NameEquals(d->name, wanted) &&
        IsA(&registry, ns, *d, wanted)) {
      out.push_back(d);
    }
  }
  return out;
}

soap::Outcome EnumerateClassListing(const OperationContext& c,
                                    const providers::Registry& registry,
                                    EnumerationManager& enumerations,
                                    const CimEngineSettings& settings,
                                    std::string_view ns, std::string* out) {
  if (!c.identity) return soap::Fault(soap::FaultCode::kAccessDenied);
  const soap::Request& r = c.request;
  auto req = ParseEnumerate(r, settings.enumeration.max_expiry);
  if (!req.ok()) return std::move(req).fault();
  if (!std::holds_alternative<std::monostate>(req->filter)) {
    return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                       "A class listing takes no filter; the ClassName "
                       "selector selects the classes.");
  }
  auto classes = SelectClasses(registry, ns, r);
  if (!classes.ok()) return std::move(classes).fault();
  const ClassSchemaOptions options = ClassSchemaOptionsOf(r);

  // Every class is queued now: the queue holds as many as the registry
  // knows, and the "provider" is done before the context is published.
  auto mi = std::make_shared<providers::Context>(classes->size() + 1,
                                                 /*blocking=*/false);
  for (const ClassDecl* d : *classes) {
    (void)mi->PostInstance(Item(*d, ns, options));
  }
  mi->PostResult(providers::MiResult::kOk);

  std::chrono::milliseconds lifetime =
      req->expires.value_or(settings.enumeration.default_expiry);
  auto built = std::make_shared<EnumerationContext>();
  built->owner = c.identity->user;
  built->lifetime = lifetime;
  built->mi = mi;
  built->mode = EnumerationMode::kObject;
  built->resource_uri = std::string(kCimSchemaPrefix) + "*";
  built->namespace_name = std::string(ns);
  built->address = std::string(soap::ns::kAnonymous);
  auto opened = enumerations.Open(std::move(built));
  if (!opened.ok()) return std::move(opened).fault();
  std::shared_ptr<EnumerationContext> ec = *opened;

  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(soap::action::kEnumerate),
                  r.message_id, {{"n", soap::ns::kEnumeration}});
  w.StartBody();
  soap::XmlWriter& xml = w.xml();
  xml.Open("n:EnumerateResponse");
  if (req->expires) {
    xml.Element("n:Expires", soap::FormatSecondsDuration(lifetime));
  }
  xml.Element("n:EnumerationContext", ec->id);
  if (req->optimize) {
    xml.Open("w:Items");
    size_t used = xml.size() + kTailReserve;
    size_t budget = c.max_envelope_size > used ? c.max_envelope_size - used : 0;
    uint32_t max =
        req->max_elements ? req->max_elements : settings.default_max_elements;
    Batch b;
    {
      base::MutexLock lock(&ec->pull_mu);
      b = CollectClasses(*ec, registry, max, 0, budget);
    }
    if (b.too_big) {
      enumerations.Close(ec->id);
      out->clear();
      return soap::Fault(soap::FaultCode::kEncodingLimit,
                         soap::fault_detail::kMaxEnvelopeSize,
                         "A class declaration exceeds the maximum envelope "
                         "size.");
    }
    xml.Raw(b.items);
    xml.Close();  // w:Items
    if (b.end) {
      xml.Open("w:EndOfSequence").Close();
      enumerations.Close(ec->id);
    }
  }
  xml.Close();
  w.Finish();
  return soap::Ok{};
}

Batch CollectClasses(EnumerationContext& ec,
                     const providers::Registry& registry, size_t max_elements,
                     size_t max_chars, size_t budget) {
  Batch b;
  while (b.count < max_elements) {
    if (!ec.pending) {
      std::optional<providers::Posted> p = ec.mi->TryTake();
      if (!p) {
        b.cancelled = ec.mi->IsCancelled();
        break;
      }
      std::string item =
          SerializeClass(p->instance, registry, ec.namespace_name);
      if (item.empty()) continue;
      ec.pending = std::move(item);
    }
    if (!TakePending(ec, max_chars, budget, &b)) break;
  }
  b.end = !ec.pending && ec.mi->Drained();
  return b;
}

}  // namespace wsman::engine::cim
