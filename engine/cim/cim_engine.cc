#include "engine/cim/cim_engine.h"

#include <cstdio>

#include "engine/cim/class_schema.h"
#include "engine/cim/mi_faults.h"
#include "engine/dispatch.h"
#include "providers/log.h"
#include "soap/actions.h"
#include "soap/duration.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::ClassRegistration;
using providers::Context;
using providers::Instance;
using providers::MiResult;
using Clock = std::chrono::steady_clock;
namespace fd = soap::fault_detail;

using soap::action::kCreate;
using soap::action::kDelete;
using soap::action::kEnumerate;
using soap::action::kGet;
using soap::action::kGetStatus;
using soap::action::kPull;
using soap::action::kPut;
using soap::action::kRelease;
using soap::action::kRenew;

// Bytes kept free for what follows the items: </n:Items> is already
// counted by the writer; <n:EndOfSequence/> and a little slack are not.
constexpr size_t kTailReserve = 64;
// How long a response waits for more items once it has one.
constexpr std::chrono::milliseconds kBatchWindow{50};

std::string FormatDuration(std::chrono::milliseconds ms) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "PT%lld.%03lldS",
                static_cast<long long>(ms.count() / 1000),
                static_cast<long long>(ms.count() % 1000));
  return buf;
}

std::string RequestNamespace(const soap::Request& r,
                             const providers::Registry& registry) {
  if (const soap::Selector* s = r.FindSelector(kCimNamespaceSelector)) {
    return registry.NormalizeNamespace(soap::TrimXmlSpace(s->value));
  }
  for (const soap::Selector& s : r.selectors) {
    if (providers::NameEquals(s.name, kCimNamespaceSelector)) {
      return registry.NormalizeNamespace(soap::TrimXmlSpace(s.value));
    }
  }
  return registry.default_namespace();
}

std::string AddressOf(const soap::Request& r) {
  return r.to.empty() ? std::string(soap::ns::kAnonymous) : r.to;
}

soap::Fault TimedOut() {
  return soap::Fault(soap::FaultCode::kTimedOut, {},
                     "The provider did not answer within the time specified "
                     "in OperationTimeout.");
}

soap::Fault TooBig(size_t limit) {
  return soap::Fault(soap::FaultCode::kEncodingLimit, fd::kMaxEnvelopeSize,
                     "The response would exceed the maximum envelope size (" +
                         std::to_string(limit) + " bytes).");
}

// Runs a non-enumeration provider call and waits for its result, until
// `deadline` or until nobody waits for the answer any more (`cancel`: the
// client disconnected); either way the provider is cancelled.
soap::Result<std::shared_ptr<Context>> RunSync(
    const ClassRegistration& reg, std::string_view operation,
    Clock::time_point deadline, std::stop_token cancel,
    const std::function<void(providers::ContextPtr)>& call) {
  auto mi = std::make_shared<Context>(64, /*blocking=*/false);
  providers::CallProvider(mi, reg.decl->name + "/" + std::string(operation),
                          call);
  if (!mi->WaitResult(deadline, std::move(cancel))) {
    mi->Cancel();
    return TimedOut();
  }
  if (mi->result() != MiResult::kOk) {
    return FaultFromMiResult(mi->result(), mi->result_message());
  }
  return mi;
}

}  // namespace

struct CimEngine::Target {
  std::string ns;
  std::string class_name;
  std::string uri;  // the request's resource URI
  const ClassRegistration* reg = nullptr;

  providers::CallInfo Call(const OperationContext& c) const {
    providers::CallInfo info;
    info.identity = c.identity;
    info.namespace_name = ns;
    info.class_name = reg ? reg->decl->name : class_name;
    info.decl = reg ? reg->decl.get() : nullptr;
    for (const soap::Option& o : c.request.options) {
      info.options.emplace_back(o.name, o.value);
    }
    return info;
  }
};

CimEngine::CimEngine(std::shared_ptr<const providers::Registry> registry,
                     CimEngineSettings settings)
    : registry_(std::move(registry)),
      settings_(settings),
      enumerations_(settings.enumeration) {
  resolver_ = [this](std::string_view cls, std::string_view ns) {
    ResolvedClass r;
    const ClassRegistration* reg = registry_->Find(ns, cls);
    if (!reg) reg = registry_->Find(registry_->default_namespace(), cls);
    r.resource_uri = registry_->ResourceUriFor(ns, cls);
    r.decl = reg ? reg->decl.get() : nullptr;
    return r;
  };
}

CimEngine::~CimEngine() { Shutdown(); }

void CimEngine::Shutdown() { enumerations_.Shutdown(); }

bool CimEngine::Serves(std::string_view resource_uri) const {
  return providers::Registry::IsAllClassesUri(resource_uri) ||
         IsClassSchemaUri(resource_uri) ||
         registry_->HasClass(registry_->ClassFromResourceUri(resource_uri));
}

soap::Status CimEngine::Handle(const OperationContext& c, std::string* out) {
  const soap::Request& r = c.request;
  Target t;
  t.uri = r.resource_uri;
  t.ns = RequestNamespace(r, *registry_);
  if (providers::Registry::IsAllClassesUri(r.resource_uri)) {
    if (r.action != kEnumerate) return Unanswered(r);
    if (!c.identity) {
      return soap::Status(soap::Fault(soap::FaultCode::kAccessDenied));
    }
    return Enumerate(c, t, out);
  }
  if (r.action == kGet && IsClassSchemaUri(r.resource_uri)) {
    return AnswerClassSchemaGet(c, *registry_, t.ns, out);
  }
  t.class_name = registry_->ClassFromResourceUri(r.resource_uri);
  if (t.class_name.empty()) return Unanswered(r);
  t.reg = registry_->Find(t.ns, t.class_name);
  if (!t.reg) {
    if (!registry_->HasClass(t.class_name)) return Unanswered(r);
    if (!registry_->HasNamespace(t.ns)) {
      return soap::Status(
          FaultFromMiResult(MiResult::kInvalidNamespace,
                            "The namespace \"" + t.ns + "\" does not exist."));
    }
    return soap::Status(FaultFromMiResult(
        MiResult::kInvalidClass, "The class " + t.class_name +
                                     " does not exist in the namespace " +
                                     t.ns + "."));
  }
  if (!c.identity) {
    return soap::Status(soap::Fault(soap::FaultCode::kAccessDenied));
  }
  if (r.action == kGet) return Get(c, t, out);
  if (r.action == kPut) return Put(c, t, out);
  if (r.action == kCreate) return Create(c, t, out);
  if (r.action == kDelete) return Delete(c, t, out);
  if (r.action == kEnumerate) return Enumerate(c, t, out);
  std::string prefix = r.resource_uri + "/";
  if (r.action.size() > prefix.size() &&
      r.action.compare(0, prefix.size(), prefix) == 0) {
    return Invoke(c, t, std::string_view(r.action).substr(prefix.size()), out);
  }
  return soap::Status(soap::Fault(soap::FaultCode::kActionNotSupported, {},
                                  "The action \"" + r.action +
                                      "\" is not supported for the class " +
                                      t.reg->decl->name + "."));
}

// ------------------------------------------------------------ WS-Transfer

soap::Status CimEngine::Get(const OperationContext& c, const Target& t,
                            std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, &resolver_);
  if (!keys.ok()) return std::move(keys).fault();
  providers::CallInfo info = t.Call(c);
  auto deadline = CallDeadline(c.request);
  auto mi = RunSync(*t.reg, "GetInstance", deadline, c.cancel,
                    [&](providers::ContextPtr ctx) {
                      t.reg->provider->GetInstance(info, *keys, ctx);
                    });
  if (!mi.ok()) return std::move(mi).fault();
  std::optional<providers::Posted> item = (*mi)->TryTake();
  if (!item) {
    return FaultFromMiResult(MiResult::kNotFound,
                             "The provider found no such instance.");
  }
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(kGet), c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  WriteOptions o;
  o.class_uri = t.uri;
  o.resolver = &resolver_;
  WriteInstance(w.xml(), item->instance, o);
  w.Finish();
  if (out->size() > c.max_envelope_size) return TooBig(c.max_envelope_size);
  return soap::Ok{};
}

namespace {

// The body's class element, checked to name the class.
soap::Result<const xmlNode*> ClassElement(const soap::Request& r,
                                          const std::string& class_name) {
  if (!r.body || !providers::NameEquals(soap::LocalName(r.body), class_name)) {
    return soap::Fault(
        soap::FaultCode::kInvalidRepresentation, {},
        "The body must hold one " + class_name + " element (the instance).");
  }
  return static_cast<const xmlNode*>(r.body);
}

}  // namespace

soap::Status CimEngine::Put(const OperationContext& c, const Target& t,
                            std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, &resolver_);
  if (!keys.ok()) return std::move(keys).fault();
  auto element = ClassElement(c.request, t.reg->decl->name);
  if (!element.ok()) return std::move(element).fault();
  auto instance = ParseInstance(*element, t.reg->decl.get(), t.ns, &resolver_);
  if (!instance.ok()) return std::move(instance).fault();
  // The selectors name the instance; they win over key values in the body.
  for (const providers::Property& k : keys->properties()) {
    instance->SetKey(k.name, k.value);
  }
  providers::CallInfo info = t.Call(c);
  auto deadline = CallDeadline(c.request);
  auto mi = RunSync(*t.reg, "ModifyInstance", deadline, c.cancel,
                    [&](providers::ContextPtr ctx) {
                      t.reg->provider->ModifyInstance(info, *instance, ctx);
                    });
  if (!mi.ok()) return std::move(mi).fault();
  std::optional<providers::Posted> item = (*mi)->TryTake();
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(kPut), c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  if (item) {
    WriteOptions o;
    o.class_uri = t.uri;
    o.resolver = &resolver_;
    WriteInstance(w.xml(), item->instance, o);
  }
  w.Finish();
  if (out->size() > c.max_envelope_size) return TooBig(c.max_envelope_size);
  return soap::Ok{};
}

std::chrono::milliseconds CimEngine::OperationTimeout(
    const soap::Request& request) const {
  std::chrono::milliseconds timeout = settings_.default_operation_timeout;
  if (request.operation_timeout && request.operation_timeout->count() > 0) {
    timeout = *request.operation_timeout;
  }
  return std::min(timeout, settings_.max_operation_timeout);
}

Clock::time_point CimEngine::CallDeadline(const soap::Request& request) const {
  return soap::DeadlineAfter(OperationTimeout(request));
}

soap::Status CimEngine::Create(const OperationContext& c, const Target& t,
                               std::string* out) {
  auto element = ClassElement(c.request, t.reg->decl->name);
  if (!element.ok()) return std::move(element).fault();
  auto instance = ParseInstance(*element, t.reg->decl.get(), t.ns, &resolver_);
  if (!instance.ok()) return std::move(instance).fault();
  providers::CallInfo info = t.Call(c);
  auto deadline = CallDeadline(c.request);
  auto mi = RunSync(*t.reg, "CreateInstance", deadline, c.cancel,
                    [&](providers::ContextPtr ctx) {
                      t.reg->provider->CreateInstance(info, *instance, ctx);
                    });
  if (!mi.ok()) return std::move(mi).fault();
  std::optional<providers::Posted> item = (*mi)->TryTake();
  const Instance& created = item ? item->instance : *instance;
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(kCreate), c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  w.xml().Open("x:ResourceCreated");
  WriteEprContent(w.xml(), AddressOf(c.request), t.uri, created, t.ns,
                  &resolver_);
  w.xml().Close();
  w.Finish();
  return soap::Ok{};
}

soap::Status CimEngine::Delete(const OperationContext& c, const Target& t,
                               std::string* out) {
  auto keys = KeysFromSelectors(c.request.selectors, t.reg->decl.get(),
                                t.class_name, t.ns, &resolver_);
  if (!keys.ok()) return std::move(keys).fault();
  providers::CallInfo info = t.Call(c);
  auto deadline = CallDeadline(c.request);
  auto mi = RunSync(*t.reg, "DeleteInstance", deadline, c.cancel,
                    [&](providers::ContextPtr ctx) {
                      t.reg->provider->DeleteInstance(info, *keys, ctx);
                    });
  if (!mi.ok()) return std::move(mi).fault();
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(kDelete), c.request.message_id,
                  {{"x", soap::ns::kTransfer}});
  w.StartBody();
  w.Finish();
  return soap::Ok{};
}

soap::Status CimEngine::Invoke(const OperationContext& c, const Target& t,
                               std::string_view method_name, std::string* out) {
  const providers::ClassDecl& decl = *t.reg->decl;
  const providers::MethodDecl* method = decl.FindMethod(method_name);
  if (!method) {
    return FaultFromMiResult(MiResult::kMethodNotFound,
                             "The class " + decl.name + " has no method \"" +
                                 std::string(method_name) + "\".");
  }
  const xmlNode* body = c.request.body;
  if (body &&
      !providers::NameEquals(soap::LocalName(body), method->name + "_INPUT")) {
    return soap::Fault(
        soap::FaultCode::kInvalidParameter, {},
        "The body must be a " + method->name + "_INPUT element.");
  }
  auto in = ParseMethodInput(body, method, t.ns, &resolver_);
  if (!in.ok()) return std::move(in).fault();
  std::optional<Instance> target;
  bool has_keys = false;
  for (const soap::Selector& s : c.request.selectors) {
    if (!providers::NameEquals(s.name, kCimNamespaceSelector)) has_keys = true;
  }
  if (has_keys || !method->is_static) {
    if (has_keys || !decl.Keys().empty()) {
      auto keys = KeysFromSelectors(c.request.selectors, &decl, t.class_name,
                                    t.ns, &resolver_);
      if (!keys.ok()) return std::move(keys).fault();
      target = std::move(keys).value();
    }
  }
  providers::CallInfo info = t.Call(c);
  std::string name = method->name;
  auto deadline = CallDeadline(c.request);
  auto mi = RunSync(*t.reg, "Invoke", deadline, c.cancel,
                    [&](providers::ContextPtr ctx) {
                      t.reg->provider->Invoke(
                          info, name, target ? &*target : nullptr, *in, ctx);
                    });
  if (!mi.ok()) return std::move(mi).fault();
  std::optional<providers::Posted> item = (*mi)->TryTake();
  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(c.request.action),
                  c.request.message_id);
  w.StartBody();
  Instance output = item ? std::move(item->instance)
                         : Instance("__" + name + "_OUTPUT", t.ns);
  WriteOptions o;
  o.class_uri = t.uri;
  o.resolver = &resolver_;
  o.type_attribute = false;
  std::string element = name + "_OUTPUT";
  o.element_name = element;
  WriteInstance(w.xml(), output, o);
  w.Finish();
  if (out->size() > c.max_envelope_size) return TooBig(c.max_envelope_size);
  return soap::Ok{};
}

// -------------------------------------------------------- WS-Enumeration

namespace {

struct EnumerateRequest {
  bool optimize = false;
  uint32_t max_elements = 0;
  EnumerationMode mode = EnumerationMode::kObject;
  std::optional<std::chrono::milliseconds> expires;
  const xmlNode* filter = nullptr;
  std::string dialect;
};

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

soap::Result<EnumerateRequest> ParseEnumerate(const xmlNode* body,
                                              const EnumerationSettings& s) {
  EnumerateRequest e;
  if (!body || !soap::IsElement(body, soap::ns::kEnumeration, "Enumerate")) {
    return soap::Fault(soap::FaultCode::kSchemaValidationError, {},
                       "The body of an Enumerate request must be "
                       "n:Enumerate.");
  }
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
      auto d = soap::ParseDuration(text);
      if (!d.ok() || d->count() <= 0) {
        return soap::Fault(soap::FaultCode::kInvalidExpirationTime,
                           fd::kExpirationTime,
                           "Expires \"" + text +
                               "\" is not a positive "
                               "duration.");
      }
      e.expires = std::min(*d, s.max_expiry);
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
      e.filter = c;
      std::string dialect;
      soap::GetAttrAnyNs(c, "Dialect", &dialect);
      e.dialect = std::string(soap::TrimXmlSpace(dialect));
    }
  }
  return e;
}

struct Batch {
  std::string items;
  size_t count = 0;
  bool end = false;        // drained and the result posted
  bool timed_out = false;  // nothing arrived before the deadline
  bool too_big = false;    // the next item alone exceeds the budget
  bool cancelled = false;  // released or expired meanwhile
};

}  // namespace

namespace {

std::string SerializeItem(const EnumerationContext& ec, const Instance& inst,
                          const providers::Registry& registry,
                          const ClassResolver& resolver) {
  std::string uri = ec.resource_uri;
  if (uri.empty()) {
    uri = registry.ResourceUriFor(inst.namespace_name().empty()
                                      ? std::string_view(ec.namespace_name)
                                      : std::string_view(inst.namespace_name()),
                                  inst.class_name());
  }
  std::string ns =
      inst.namespace_name().empty() ? ec.namespace_name : inst.namespace_name();
  std::string s;
  s.reserve(1024);
  soap::XmlWriter xml(&s);
  auto write_object = [&] {
    WriteOptions o;
    o.class_uri = uri;
    o.resolver = &resolver;
    o.property_list = ec.filter.projection();
    WriteInstance(xml, inst, o);
  };
  auto write_epr = [&] {
    xml.Open("a:EndpointReference");
    WriteEprContent(xml, ec.address, uri, inst, ns, &resolver);
    xml.Close();
  };
  switch (ec.mode) {
    case EnumerationMode::kObject:
      write_object();
      break;
    case EnumerationMode::kEpr:
      write_epr();
      break;
    case EnumerationMode::kObjectAndEpr:
      xml.Open("w:Item");
      write_object();
      write_epr();
      xml.Close();
      break;
  }
  return s;
}

// Moves items from the provider's queue into `budget` bytes: at most
// `max_elements` (and `max_chars` characters when non-zero), waiting until
// `deadline` only for the first one. A `cancel` request (the client left)
// ends the wait as the deadline would, taking nothing more.
Batch Collect(EnumerationContext& ec, const providers::Registry& registry,
              const ClassResolver& resolver, size_t max_elements,
              size_t max_chars, size_t budget, Clock::time_point deadline,
              const std::stop_token& cancel) REQUIRES(ec.pull_mu) {
  Batch b;
  // Once the first item is in, more are awaited only briefly: a response
  // returns what is ready rather than waiting to fill up.
  Clock::time_point batch_deadline = deadline;
  for (;;) {
    if (b.count >= max_elements) break;
    if (!ec.pending) {
      std::optional<providers::Posted> p = ec.mi->TryTake();
      if (!p) {
        if (ec.mi->IsCancelled()) {
          b.cancelled = true;
          break;
        }
        if (ec.mi->Drained()) break;
        if (b.count > 0) {
          if (!ec.mi->WaitReady(batch_deadline, cancel)) break;
          continue;
        }
        if (!ec.mi->WaitReady(deadline, cancel)) {
          b.timed_out = true;
          break;
        }
        continue;
      }
      if (p->indication || !ec.filter.Matches(p->instance)) continue;
      ec.pending = SerializeItem(ec, p->instance, registry, resolver);
    }
    size_t size = ec.pending->size();
    bool fits = b.items.size() + size <= budget &&
                (max_chars == 0 || b.items.size() + size <= max_chars);
    if (!fits) {
      if (b.count == 0) b.too_big = true;
      break;
    }
    b.items += *ec.pending;
    ec.pending.reset();
    if (++b.count == 1) {
      batch_deadline = std::min(deadline, Clock::now() + kBatchWindow);
    }
  }
  b.end = !ec.pending && ec.mi->Drained();
  return b;
}

}  // namespace

soap::Status CimEngine::Enumerate(const OperationContext& c, const Target& t,
                                  std::string* out) {
  const soap::Request& r = c.request;
  auto req = ParseEnumerate(r.body, settings_.enumeration);
  if (!req.ok()) return std::move(req).fault();

  Target target = t;
  ItemFilter filter;
  bool association = false;
  bool associators = true;
  Instance source;
  providers::AssociationQuery assoc;
  providers::CallInfo info;

  if (req->filter) {
    if (req->dialect == kWqlDialect) {
      std::string text(soap::TrimXmlSpace(soap::TextOf(req->filter)));
      std::string error;
      auto q = ParseWql(text, &error);
      if (!q) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "The WQL query is not valid: " + error + ".");
      }
      if (!target.reg) {
        target.class_name = q->class_name();
        target.reg = registry_->Find(target.ns, target.class_name);
        if (!target.reg) {
          return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                             "The class " + q->class_name() +
                                 " in the query does not exist in " +
                                 target.ns + ".");
        }
        target.uri = registry_->ResourceUriFor(target.ns, target.class_name);
      } else if (!providers::NameEquals(q->class_name(),
                                        target.reg->decl->name)) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "The query's class " + q->class_name() +
                               " is not the resource's class " +
                               target.reg->decl->name + ".");
      }
      std::string unknown = q->CheckAgainst(*target.reg->decl);
      if (!unknown.empty()) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "The WQL query is not valid: " + unknown + ".");
      }
      info.query_language = "WQL";
      info.query = text;
      filter.wql = std::make_shared<const WqlQuery>(std::move(*q));
    } else if (req->dialect == kSelectorDialect) {
      if (!target.reg) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "A selector filter needs a class resource URI.");
      }
      const xmlNode* set =
          soap::FirstChildElement(req->filter, soap::ns::kWsman, "SelectorSet");
      if (!set) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "A selector filter holds one w:SelectorSet.");
      }
      for (xmlNode* s = soap::FirstChildElement(set); s;
           s = soap::NextElement(s)) {
        soap::Selector sel;
        soap::GetAttrAnyNs(s, "Name", &sel.name);
        sel.value = soap::TextOf(s);
        if (!target.reg->decl->FindProperty(sel.name)) {
          return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                             "The class " + target.reg->decl->name +
                                 " has no property \"" + sel.name + "\".");
        }
        filter.selectors.push_back(std::move(sel));
      }
    } else if (req->dialect == kAssociationDialect) {
      const xmlNode* spec = soap::FirstChildElement(req->filter);
      if (!spec || soap::NamespaceOf(spec) != soap::ns::kCimBinding ||
          (soap::LocalName(spec) != "AssociatedInstances" &&
           soap::LocalName(spec) != "AssociationInstances")) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "An association filter holds "
                           "b:AssociatedInstances or b:AssociationInstances.");
      }
      association = true;
      associators = soap::LocalName(spec) == "AssociatedInstances";
      const xmlNode* object =
          soap::FirstChildElement(spec, soap::ns::kCimBinding, "Object");
      const xmlNode* rp =
          object ? soap::FirstChildElement(object, soap::ns::kAddressing,
                                           "ReferenceParameters")
                 : nullptr;
      if (!rp) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "The association filter's b:Object must be an "
                           "endpoint reference.");
      }
      std::string uri;
      if (xmlNode* u =
              soap::FirstChildElement(rp, soap::ns::kWsman, "ResourceURI")) {
        uri = std::string(soap::TrimXmlSpace(soap::TextOf(u)));
      }
      std::vector<soap::Selector> selectors;
      if (xmlNode* set =
              soap::FirstChildElement(rp, soap::ns::kWsman, "SelectorSet")) {
        for (xmlNode* s = soap::FirstChildElement(set); s;
             s = soap::NextElement(s)) {
          soap::Selector sel;
          soap::GetAttrAnyNs(s, "Name", &sel.name);
          sel.value = soap::TextOf(s);
          selectors.push_back(std::move(sel));
        }
      }
      std::string source_ns = target.ns;
      for (const soap::Selector& s : selectors) {
        if (providers::NameEquals(s.name, kCimNamespaceSelector)) {
          source_ns =
              registry_->NormalizeNamespace(soap::TrimXmlSpace(s.value));
        }
      }
      std::string source_class = registry_->ClassFromResourceUri(uri);
      const ClassRegistration* source_reg =
          registry_->Find(source_ns, source_class);
      if (!source_reg) {
        return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                           "The association filter's object names no known "
                           "class (" +
                               uri + ").");
      }
      auto keys = KeysFromSelectors(selectors, source_reg->decl.get(),
                                    source_class, source_ns, &resolver_);
      if (!keys.ok()) return std::move(keys).fault();
      source = std::move(keys).value();
      auto text_of = [&](std::string_view local) {
        const xmlNode* n =
            soap::FirstChildElement(spec, soap::ns::kCimBinding, local);
        return n ? std::string(soap::TrimXmlSpace(soap::TextOf(n)))
                 : std::string();
      };
      assoc.assoc_class = text_of("AssociationClassName");
      assoc.result_class = text_of("ResultClassName");
      assoc.role = text_of("Role");
      assoc.result_role = text_of("ResultRole");
      // The association class's provider answers when it is named and
      // registered; otherwise the source class's provider does.
      const ClassRegistration* provider_reg = nullptr;
      if (!assoc.assoc_class.empty()) {
        provider_reg = registry_->Find(source_ns, assoc.assoc_class);
      }
      if (!provider_reg) provider_reg = source_reg;
      target.reg = provider_reg;
      target.ns = source_ns;
      target.class_name = provider_reg->decl->name;
      target.uri.clear();  // each item carries its own class URI
    } else {
      return soap::Fault(
          soap::FaultCode::kFilterDialectRequestedUnavailable, {},
          "The filter dialect \"" + req->dialect + "\" is not supported.");
    }
  }
  if (!target.reg) {
    // A "*" resource URI without a filter naming the class.
    return soap::Fault(soap::FaultCode::kDestinationUnreachable,
                       fd::kInvalidResourceURI,
                       "Enumerating all classes needs a WQL or association "
                       "filter.");
  }
  filter.engine_filters = !target.reg->provider_filters;

  std::chrono::milliseconds lifetime =
      req->expires.value_or(settings_.enumeration.default_expiry);
  // Built whole before Open publishes it: the reaper and Shutdown may
  // Cancel() its provider handle as soon as it is visible.
  auto built = std::make_shared<EnumerationContext>();
  built->owner = c.identity->user;
  built->lifetime = lifetime;
  built->mi = std::make_shared<Context>(settings_.enumeration.queue_capacity,
                                        /*blocking=*/true);
  built->filter = filter;
  built->mode = req->mode;
  built->resource_uri = target.uri;
  built->namespace_name = target.ns;
  built->address = std::string(soap::ns::kAnonymous);
  auto opened = enumerations_.Open(std::move(built));
  if (!opened.ok()) return std::move(opened).fault();
  std::shared_ptr<EnumerationContext> ec = *opened;

  // Start the provider on its own thread.
  providers::CallInfo call = target.Call(c);
  call.query_language = info.query_language;
  call.query = info.query;
  // The provider thread outlives this request: it gets its own copy of the
  // user's identity.
  auto identity = std::make_shared<const providers::Identity>(*c.identity);
  call.identity = nullptr;
  std::shared_ptr<providers::Provider> provider = target.reg->provider;
  std::string label = target.reg->decl->name;
  std::shared_ptr<Context> mi = ec->mi;
  if (association) {
    label += associators ? "/AssociatorInstances" : "/ReferenceInstances";
    enumerations_.Spawn([provider, call, mi, label, source, assoc, associators,
                         identity]() mutable {
      call.identity = identity.get();
      providers::CallProvider(mi, label, [&](providers::ContextPtr ctx) {
        if (associators) {
          provider->AssociatorInstances(call, source, assoc, ctx);
        } else {
          provider->ReferenceInstances(call, source, assoc, ctx);
        }
      });
    });
  } else {
    label += "/EnumerateInstances";
    enumerations_.Spawn([provider, call, mi, label, identity]() mutable {
      call.identity = identity.get();
      providers::CallProvider(mi, label, [&](providers::ContextPtr ctx) {
        provider->EnumerateInstances(call, ctx);
      });
    });
  }

  soap::ResponseWriter w(out);
  w.StartEnvelope(soap::action::ResponseAction(kEnumerate), r.message_id,
                  {{"n", soap::ns::kEnumeration}});
  w.StartBody();
  soap::XmlWriter& xml = w.xml();
  xml.Open("n:EnumerateResponse");
  if (req->expires) xml.Element("n:Expires", FormatDuration(lifetime));
  xml.Element("n:EnumerationContext", ec->id);
  if (req->optimize) {
    xml.Open("w:Items");
    size_t used = xml.size() + kTailReserve;
    size_t budget = c.max_envelope_size > used ? c.max_envelope_size - used : 0;
    uint32_t max =
        req->max_elements ? req->max_elements : settings_.default_max_elements;
    Batch b;
    {
      base::MutexLock lock(&ec->pull_mu);
      b = Collect(*ec, *registry_, resolver_, max, 0, budget, CallDeadline(r),
                  c.cancel);
    }
    if (b.end && b.count == 0 && ec->mi->result() != MiResult::kOk) {
      enumerations_.Close(ec->id);
      out->clear();
      return FaultFromMiResult(ec->mi->result(), ec->mi->result_message());
    }
    xml.Raw(b.items);
    xml.Close();  // w:Items
    if (b.end && ec->mi->result() == MiResult::kOk) {
      xml.Open("w:EndOfSequence").Close();
      enumerations_.Close(ec->id);
    }
  }
  xml.Close();
  w.Finish();
  return soap::Ok{};
}

soap::Status CimEngine::ContextOperation(const OperationContext& c,
                                         std::string* out) {
  const soap::Request& r = c.request;
  std::string_view local = r.action == kPull      ? "Pull"
                           : r.action == kRelease ? "Release"
                           : r.action == kRenew   ? "Renew"
                                                  : "GetStatus";
  const xmlNode* body = r.body;
  const xmlNode* id_node =
      body && soap::IsElement(body, soap::ns::kEnumeration, local)
          ? soap::FirstChildElement(body, soap::ns::kEnumeration,
                                    "EnumerationContext")
          : nullptr;
  std::string id =
      id_node ? std::string(soap::TrimXmlSpace(soap::TextOf(id_node))) : "";
  std::shared_ptr<EnumerationContext> ec;
  if (c.identity && !id.empty()) ec = enumerations_.Find(id, c.identity->user);
  if (!ec) {
    // Not one of ours. Decline requests for resources other engines serve
    // (e.g. shell enumerations); answer the rest.
    if (!r.resource_uri.empty() &&
        registry_->ClassFromResourceUri(r.resource_uri).empty() &&
        !providers::Registry::IsAllClassesUri(r.resource_uri)) {
      return Unanswered(r);
    }
    if (!body || !soap::IsElement(body, soap::ns::kEnumeration, local)) {
      return soap::Status(
          soap::Fault(soap::FaultCode::kSchemaValidationError, {},
                      "The body must be n:" + std::string(local) + "."));
    }
    return soap::Status(soap::Fault(
        soap::FaultCode::kInvalidEnumerationContext, {},
        "The enumeration context \"" + id +
            "\" is not valid: it does not exist, has expired, was released "
            "or belongs to another user."));
  }
  soap::ResponseWriter w(out);
  if (r.action == kRelease) {
    enumerations_.Close(ec->id);
    w.StartEnvelope(soap::action::ResponseAction(kRelease), r.message_id,
                    {{"n", soap::ns::kEnumeration}});
    w.StartBody();
    w.Finish();
    return soap::Status(soap::Ok{});
  }
  if (r.action == kRenew || r.action == kGetStatus) {
    std::optional<std::chrono::milliseconds> lifetime;
    if (r.action == kRenew) {
      if (const xmlNode* e = soap::FirstChildElement(
              body, soap::ns::kEnumeration, "Expires")) {
        std::string text(soap::TrimXmlSpace(soap::TextOf(e)));
        auto d = soap::ParseDuration(text);
        if (!d.ok() || d->count() <= 0) {
          return soap::Status(soap::Fault(
              soap::FaultCode::kInvalidExpirationTime, fd::kExpirationTime,
              "Expires \"" + text + "\" is not a positive duration."));
        }
        lifetime = std::min(*d, settings_.enumeration.max_expiry);
      }
    }
    std::chrono::milliseconds now_lifetime =
        r.action == kRenew ? enumerations_.Touch(*ec, lifetime) : [&] {
          return std::chrono::duration_cast<std::chrono::milliseconds>(
              ec->expires_at - Clock::now());
        }();
    if (now_lifetime.count() < 0) now_lifetime = std::chrono::milliseconds(0);
    w.StartEnvelope(soap::action::ResponseAction(r.action), r.message_id,
                    {{"n", soap::ns::kEnumeration}});
    w.StartBody();
    w.xml().Open(r.action == kRenew ? "n:RenewResponse"
                                    : "n:GetStatusResponse");
    w.xml().Element("n:Expires", FormatDuration(now_lifetime));
    if (r.action == kRenew) w.xml().Element("n:EnumerationContext", ec->id);
    w.xml().Close();
    w.Finish();
    return soap::Status(soap::Ok{});
  }

  // Pull.
  uint32_t max_elements = 1;
  size_t max_chars = 0;
  std::chrono::milliseconds timeout = OperationTimeout(r);
  for (xmlNode* n = soap::FirstChildElement(body); n;
       n = soap::NextElement(n)) {
    if (soap::NamespaceOf(n) != soap::ns::kEnumeration) continue;
    std::string_view name = soap::LocalName(n);
    if (name == "MaxElements") {
      auto v = PositiveInt(n, "MaxElements");
      if (!v.ok()) return soap::Status(std::move(v).fault());
      max_elements = *v;
    } else if (name == "MaxCharacters") {
      auto v = PositiveInt(n, "MaxCharacters");
      if (!v.ok()) return soap::Status(std::move(v).fault());
      max_chars = *v;
    } else if (name == "MaxTime") {
      auto d = soap::ParseDuration(soap::TrimXmlSpace(soap::TextOf(n)));
      if (!d.ok()) {
        return soap::Status(soap::Fault(soap::FaultCode::kInvalidParameter,
                                        fd::kMaxTime,
                                        "MaxTime is not a valid duration."));
      }
      // Clamped like OperationTimeout (WinRM's MaxTimeoutms).
      timeout = std::min(*d, settings_.max_operation_timeout);
    }
  }
  enumerations_.BeginPull(*ec);
  struct PullGuard {
    EnumerationManager& m;
    EnumerationContext& c;
    ~PullGuard() { m.EndPull(c); }
  } pull_guard{enumerations_, *ec};
  base::UniqueMutexLock pull_lock(&ec->pull_mu);
  w.StartEnvelope(soap::action::ResponseAction(kPull), r.message_id,
                  {{"n", soap::ns::kEnumeration}});
  w.StartBody();
  soap::XmlWriter& xml = w.xml();
  xml.Open("n:PullResponse");
  xml.Element("n:EnumerationContext", ec->id);
  xml.Open("n:Items");
  size_t used = xml.size() + kTailReserve;
  size_t budget = c.max_envelope_size > used ? c.max_envelope_size - used : 0;
  Batch b = Collect(*ec, *registry_, resolver_, max_elements, max_chars, budget,
                    soap::DeadlineAfter(timeout), c.cancel);
  if (b.cancelled) {
    out->clear();
    return soap::Status(soap::Fault(
        soap::FaultCode::kInvalidEnumerationContext, {},
        "The enumeration context was released or expired during the Pull."));
  }
  if (b.too_big) {
    out->clear();
    return soap::Status(TooBig(c.max_envelope_size));
  }
  MiResult result = b.end ? ec->mi->result() : MiResult::kOk;
  if (b.end && result != MiResult::kOk && b.count == 0) {
    std::string message = ec->mi->result_message();
    pull_lock.Unlock();
    enumerations_.Close(ec->id);
    out->clear();
    return soap::Status(FaultFromMiResult(result, message));
  }
  if (b.count == 0 && !b.end) {
    out->clear();
    return soap::Status(TimedOut());
  }
  if (b.end && result == MiResult::kOk) {
    // The last response: no context, EndOfSequence. Rewrite the head
    // without the context (cheap: nothing but the items is large).
    std::string items = std::move(b.items);
    out->clear();
    soap::ResponseWriter last(out);
    last.StartEnvelope(soap::action::ResponseAction(kPull), r.message_id,
                       {{"n", soap::ns::kEnumeration}});
    last.StartBody();
    last.xml().Open("n:PullResponse");
    last.xml().Open("n:Items");
    last.xml().Raw(items);
    last.xml().Close();
    last.xml().Open("n:EndOfSequence").Close();
    last.xml().Close();
    last.Finish();
    pull_lock.Unlock();
    enumerations_.Close(ec->id);
    return soap::Status(soap::Ok{});
  }
  xml.Raw(b.items);
  xml.Close();  // n:Items
  xml.Close();  // n:PullResponse
  w.Finish();
  return soap::Status(soap::Ok{});
}

std::vector<Route> CimRoutes(std::shared_ptr<CimEngine> engine) {
  auto handle = [engine](const OperationContext& c, std::string* out) {
    return engine->Handle(c, out);
  };
  auto context_operation = [engine](const OperationContext& c,
                                    std::string* out) {
    return engine->ContextOperation(c, out);
  };
  std::vector<Route> routes;
  // The context operations name their enumeration in the body, whatever the
  // resource URI (DSP0226 8.2-8.5).
  for (std::string_view a : {kPull, kRelease, kRenew, kGetStatus}) {
    routes.push_back({std::string(a), "", context_operation});
  }
  routes.push_back({"", "", handle, [engine](std::string_view uri) {
                      return engine->Serves(uri);
                    }});
  return routes;
}

}  // namespace wsman::engine::cim
