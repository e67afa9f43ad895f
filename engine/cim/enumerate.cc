// WS-Enumeration (DSP0226 8, DSP0227 8): Enumerate resolves its typed
// request (cim_requests.h) against the registry, opens a context and starts
// the provider on the manager's pool; Pull, Release, Renew and GetStatus
// act on an open context of the same user. An Enumerate of a class reaches
// the classes derived from it too ([MS-WSMV] 3.1.4.1.27; class_hierarchy.h),
// each instance written as its own class.
#include <thread>

#include "engine/cim/batch.h"
#include "engine/cim/class_hierarchy.h"
#include "engine/cim/class_listing.h"
#include "engine/cim/class_schema.h"
#include "engine/cim/engine_internal.h"
#include "engine/cim/mi_faults.h"
#include "engine/dispatch.h"
#include "soap/actions.h"
#include "soap/duration.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"

namespace wsman::engine::cim {
namespace {

using providers::ClassRegistration;
using providers::Context;
using providers::Instance;
using providers::MiResult;
namespace action = soap::action;
namespace fd = soap::fault_detail;

soap::Fault CannotProcessFilter(std::string message) {
  return soap::Fault(soap::FaultCode::kCannotProcessFilter, {},
                     std::move(message));
}

// What the provider is asked for: its instances, or the associators or
// references of one instance.
struct ProviderQuery {
  std::string query_language;  // "WQL" when the provider gets the query
  std::string query;
  const AssociationFilter* association = nullptr;
  Instance source;  // the association's object
  providers::AssociationQuery assoc;
};

// One class of a polymorphic enumeration.
struct ClassStep {
  std::shared_ptr<providers::Provider> provider;
  providers::CallInfo call;
  std::string label;
};

// Runs each class's provider in turn, forwarding what it posts into `out`
// (blocking there: the enumeration's queue keeps its back-pressure) and
// ending `out` with the first failure or kOk. A provider posts into a
// small queue of its own (kStepQueue: the enumeration holds at most that
// many more instances than its queue), drained by this thread while the
// provider runs on another: a provider may post synchronously more than a
// queue holds. One extra thread per running multi-class enumeration,
// joined before the next class starts.
constexpr size_t kStepQueue = 64;

void EnumerateEach(std::vector<ClassStep>& steps,
                   const providers::ContextPtr& out) {
  for (ClassStep& step : steps) {
    auto mine = std::make_shared<Context>(kStepQueue, /*blocking=*/true);
    std::jthread producer([&] {
      providers::CallProvider(mine, step.label, [&](providers::ContextPtr ctx) {
        step.provider->EnumerateInstances(step.call, ctx);
      });
    });
    bool stopped = false;
    for (;;) {
      if (std::optional<providers::Posted> p = mine->TryTake()) {
        if (p->indication) continue;
        if (out->PostInstance(std::move(p->instance)) != MiResult::kOk) {
          stopped = true;
          break;
        }
        continue;
      }
      if (mine->Drained()) break;
      if (out->IsCancelled()) {
        stopped = true;
        break;
      }
      mine->WaitReady(Context::Clock::now() + std::chrono::milliseconds(100));
    }
    if (stopped) {
      mine->Cancel();
      producer.join();
      out->PostResult(providers::kCancelledResult);
      return;
    }
    producer.join();
    if (mine->result() != MiResult::kOk) {
      out->PostResult(mine->result(), mine->error_instance(),
                      mine->result_message());
      return;
    }
  }
  out->PostResult(MiResult::kOk);
}

void WriteEnumerationEnvelope(soap::ResponseWriter& w, std::string_view act,
                              const soap::Request& r) {
  w.StartEnvelope(action::ResponseAction(act), r.message_id,
                  {{"n", soap::ns::kEnumeration}});
  w.StartBody();
}

}  // namespace

soap::Outcome CimEngine::Enumerate(const OperationContext& c, const Target& t,
                                   std::string* out) {
  const soap::Request& r = c.request;
  auto req = ParseEnumerate(r, settings_.enumeration.max_expiry);
  if (!req.ok()) return std::move(req).fault();

  Target target = t;
  ItemFilter filter;
  ProviderQuery pq;
  if (const auto* wql = std::get_if<WqlFilter>(&req->filter)) {
    const WqlQuery& q = *wql->query;
    const providers::ClassDecl* decl =
        target.reg ? target.reg->decl.get() : nullptr;
    if (!target.reg) {
      // A registered class, or a parent of registered ones (abstract
      // CIM_LogicalElement): the query reaches what derives from it.
      target.class_name = q.class_name();
      target.reg = registry_->Find(target.ns, target.class_name);
      decl = target.reg ? target.reg->decl.get()
                        : FindClassDecl(*registry_, target.ns, q.class_name());
      if (!decl) {
        return CannotProcessFilter("The class " + q.class_name() +
                                   " in the query does not exist in " +
                                   target.ns + ".");
      }
      target.class_name = decl->name;
      target.uri = UriFor(target.family, target.ns, target.class_name);
    } else if (!providers::NameEquals(q.class_name(), target.reg->decl->name)) {
      return CannotProcessFilter("The query's class " + q.class_name() +
                                 " is not the resource's class " +
                                 target.reg->decl->name + ".");
    }
    std::string unknown = q.CheckAgainst(*decl);
    if (!unknown.empty()) {
      return CannotProcessFilter("The WQL query is not valid: " + unknown +
                                 ".");
    }
    pq.query_language = "WQL";
    pq.query = wql->text;
    filter.wql = wql->query;
    filter.is_a = [registry = registry_, ns = target.ns](
                      std::string_view cls, std::string_view base) {
      const providers::ClassDecl* d = FindClassDecl(*registry, ns, cls);
      return d ? IsA(registry.get(), ns, *d, base)
               : providers::NameEquals(cls, base);
    };
  } else if (const auto* sel = std::get_if<SelectorFilter>(&req->filter)) {
    if (!target.reg) {
      return CannotProcessFilter(
          "A selector filter needs a class resource URI.");
    }
    soap::Outcome checked = CheckSelectorFilter(*sel, *target.reg->decl);
    if (!checked.ok()) return checked;
    filter.selectors = sel->selectors;
  } else if (const auto* a = std::get_if<AssociationFilter>(&req->filter)) {
    std::string source_ns = target.ns;
    for (const soap::Selector& s : a->object_selectors) {
      if (providers::NameEquals(s.name, kCimNamespaceSelector)) {
        source_ns = registry_->NormalizeNamespace(soap::TrimXmlSpace(s.value));
      }
    }
    // A WQL ASSOCIATORS OF / REFERENCES OF names the class itself; an
    // object EPR names it by URI (a WMI one with its namespace).
    std::string source_class = a->object_class;
    if (source_class.empty()) {
      std::optional<ResourceUri> object = ResolveUri(a->object_uri);
      if (object) {
        source_class = object->class_name;
        if (object->family == UriFamily::kWmi) {
          source_ns = registry_->NormalizeNamespace(object->namespace_name);
        }
      }
    }
    const ClassRegistration* source_reg =
        registry_->Find(source_ns, source_class);
    if (!source_reg) {
      return CannotProcessFilter(
          "The association filter's object names no known class (" +
          (a->object_class.empty() ? a->object_uri : a->object_class) + " in " +
          source_ns + ").");
    }
    std::vector<soap::Selector> object_selectors = a->object_selectors;
    soap::Outcome named = NameSingleKey(*source_reg->decl, &object_selectors);
    if (!named.ok()) return named;
    auto keys = KeysFromSelectors(object_selectors, source_reg->decl.get(),
                                  source_class, source_ns, &resolver_);
    if (!keys.ok()) return std::move(keys).fault();
    pq.association = a;
    pq.source = std::move(keys).value();
    pq.assoc.assoc_class = a->assoc_class;
    pq.assoc.result_class = a->result_class;
    pq.assoc.role = a->role;
    pq.assoc.result_role = a->result_role;
    // The association class's provider answers when it is named and
    // registered; otherwise the source class's provider does.
    const ClassRegistration* provider_reg = nullptr;
    if (!a->assoc_class.empty()) {
      provider_reg = registry_->Find(source_ns, a->assoc_class);
    }
    if (!provider_reg) provider_reg = source_reg;
    target.reg = provider_reg;
    target.ns = source_ns;
    target.class_name = provider_reg->decl->name;
    target.uri.clear();  // each item carries its own class URI
  }
  // Polymorphism ([MS-WSMV] 3.1.4.1.27; wsmb:PolymorphismMode is ignored
  // as the spec allows): the most derived registered classes at or below
  // the requested one.
  std::vector<const ClassRegistration*> targets;
  if (!pq.association && !target.class_name.empty()) {
    targets = PolymorphicTargets(*registry_, target.ns, target.class_name);
    if (targets.empty() && target.reg) targets.push_back(target.reg);
  }
  if (!target.reg && targets.empty()) {
    // A "*" resource URI without a filter naming the class.
    return soap::Fault(soap::FaultCode::kDestinationUnreachable,
                       fd::kInvalidResourceURI,
                       "Enumerating all classes needs a WQL or association "
                       "filter.");
  }
  const bool polymorphic =
      !pq.association && !(targets.size() == 1 && targets[0] == target.reg);
  if (polymorphic) {
    // Each item is written as its own class (its own URI and xsi:type),
    // filtered on the requested class's properties by the engine.
    target.uri.clear();
    if (targets.size() == 1) {
      target.reg = targets[0];
      target.class_name = targets[0]->decl->name;
    }
  }
  filter.engine_filters =
      polymorphic || !target.reg || !target.reg->provider_filters;

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
  built->family = target.family;
  built->address = std::string(soap::ns::kAnonymous);
  auto opened = enumerations_.Open(std::move(built));
  if (!opened.ok()) return std::move(opened).fault();
  std::shared_ptr<EnumerationContext> ec = *opened;

  // The provider runs on the manager's pool and outlives this request: it
  // gets its own copy of the user's identity.
  providers::CallInfo call = target.Call(c);
  call.query_language = pq.query_language;
  call.query = pq.query;
  auto identity = std::make_shared<const providers::Identity>(*c.identity);
  call.identity = nullptr;
  std::shared_ptr<Context> mi = ec->mi;
  std::function<void()> work;
  if (polymorphic && targets.size() > 1) {
    std::vector<ClassStep> steps;
    for (const ClassRegistration* reg : targets) {
      Target step = target;
      step.reg = reg;
      step.class_name = reg->decl->name;
      providers::CallInfo step_call = step.Call(c);
      step_call.query_language = pq.query_language;
      step_call.query = pq.query;
      step_call.identity = nullptr;
      steps.push_back({reg->provider, std::move(step_call),
                       reg->decl->name + "/EnumerateInstances"});
    }
    std::string label = target.class_name + "/EnumerateInstances";
    work = [steps = std::move(steps), mi, label, identity]() mutable {
      for (ClassStep& s : steps) s.call.identity = identity.get();
      providers::CallProvider(mi, label, [&](providers::ContextPtr ctx) {
        EnumerateEach(steps, ctx);
      });
    };
  } else if (pq.association) {
    std::shared_ptr<providers::Provider> provider = target.reg->provider;
    std::string label = target.reg->decl->name;
    bool associators = pq.association->associators;
    label += associators ? "/AssociatorInstances" : "/ReferenceInstances";
    work = [provider, call, mi, label, source = pq.source, assoc = pq.assoc,
            associators, identity]() mutable {
      call.identity = identity.get();
      providers::CallProvider(mi, label, [&](providers::ContextPtr ctx) {
        if (associators) {
          provider->AssociatorInstances(call, source, assoc, ctx);
        } else {
          provider->ReferenceInstances(call, source, assoc, ctx);
        }
      });
    };
  } else {
    std::shared_ptr<providers::Provider> provider = target.reg->provider;
    std::string label = target.reg->decl->name + "/EnumerateInstances";
    work = [provider, call, mi, label, identity]() mutable {
      call.identity = identity.get();
      providers::CallProvider(mi, label, [&](providers::ContextPtr ctx) {
        provider->EnumerateInstances(call, ctx);
      });
    };
  }
  soap::Outcome started = enumerations_.Start(ec->id, std::move(work));
  if (!started.ok()) return started;

  soap::ResponseWriter w(out);
  WriteEnumerationEnvelope(w, action::kEnumerate, r);
  soap::XmlWriter& xml = w.xml();
  xml.Open("n:EnumerateResponse");
  if (req->expires)
    xml.Element("n:Expires", soap::FormatSecondsDuration(lifetime));
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
      b = Collect(*ec, ResolverFor(ec->family), max, 0, budget, CallDeadline(r),
                  c.cancel);
    }
    if (b.end && b.count == 0 && ec->mi->result() != MiResult::kOk) {
      enumerations_.Close(ec->id);
      out->clear();
      return FaultFromMiResult(ec->mi->result(), ec->mi->result_message(),
                               ec->mi->error_instance());
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

soap::Outcome CimEngine::ContextOperation(const OperationContext& c,
                                          std::string* out) {
  const soap::Request& r = c.request;
  std::string_view local = r.action == action::kPull      ? "Pull"
                           : r.action == action::kRelease ? "Release"
                           : r.action == action::kRenew   ? "Renew"
                                                          : "GetStatus";
  std::string id = EnumerationContextOf(r, local);
  std::shared_ptr<EnumerationContext> ec;
  if (c.identity && !id.empty()) ec = enumerations_.Find(id, c.identity->user);
  if (!ec) {
    // Not one of ours. A request for a resource another engine serves
    // (e.g. a shell) is answered as dispatch answers what nobody serves.
    if (!r.resource_uri.empty() && !ResolveUri(r.resource_uri) &&
        !IsClassSchemaUri(r.resource_uri)) {
      return Unanswered(r);
    }
    if (!r.body || !soap::IsElement(r.body, soap::ns::kEnumeration, local)) {
      return soap::Fault(soap::FaultCode::kSchemaValidationError, {},
                         "The body must be n:" + std::string(local) + ".");
    }
    return soap::Fault(
        soap::FaultCode::kInvalidEnumerationContext, {},
        "The enumeration context \"" + id +
            "\" is not valid: it does not exist, has expired, was released "
            "or belongs to another user.");
  }
  if (r.action == action::kRelease) return Release(c, *ec, out);
  if (r.action == action::kRenew || r.action == action::kGetStatus) {
    return RenewOrGetStatus(c, *ec, out);
  }
  return Pull(c, ec, out);
}

soap::Outcome CimEngine::Release(const OperationContext& c,
                                 EnumerationContext& ec, std::string* out) {
  enumerations_.Close(ec.id);
  soap::ResponseWriter w(out);
  WriteEnumerationEnvelope(w, action::kRelease, c.request);
  w.Finish();
  return soap::Ok{};
}

soap::Outcome CimEngine::RenewOrGetStatus(const OperationContext& c,
                                          EnumerationContext& ec,
                                          std::string* out) {
  const soap::Request& r = c.request;
  const bool renew = r.action == action::kRenew;
  std::chrono::milliseconds lifetime;
  if (renew) {
    auto req = ParseRenew(r, settings_.enumeration.max_expiry);
    if (!req.ok()) return std::move(req).fault();
    lifetime = enumerations_.Touch(ec, req->expires);
  } else {
    lifetime = enumerations_.Remaining(ec);
  }
  if (lifetime.count() < 0) lifetime = std::chrono::milliseconds(0);
  soap::ResponseWriter w(out);
  WriteEnumerationEnvelope(w, r.action, r);
  w.xml().Open(renew ? "n:RenewResponse" : "n:GetStatusResponse");
  w.xml().Element("n:Expires", soap::FormatSecondsDuration(lifetime));
  if (renew) w.xml().Element("n:EnumerationContext", ec.id);
  w.xml().Close();
  w.Finish();
  return soap::Ok{};
}

soap::Outcome CimEngine::Pull(const OperationContext& c,
                              const std::shared_ptr<EnumerationContext>& ec,
                              std::string* out) {
  const soap::Request& r = c.request;
  auto req = ParsePull(r);
  if (!req.ok()) return std::move(req).fault();
  // MaxTime is clamped like OperationTimeout (WinRM's MaxTimeoutms).
  std::chrono::milliseconds timeout =
      req->max_time ? std::min(*req->max_time, settings_.max_operation_timeout)
                    : OperationTimeout(r);
  enumerations_.BeginPull(*ec);
  struct PullGuard {
    EnumerationManager& m;
    EnumerationContext& c;
    ~PullGuard() { m.EndPull(c); }
  } pull_guard{enumerations_, *ec};
  base::UniqueMutexLock pull_lock(&ec->pull_mu);
  soap::ResponseWriter w(out);
  WriteEnumerationEnvelope(w, action::kPull, r);
  soap::XmlWriter& xml = w.xml();
  xml.Open("n:PullResponse");
  xml.Element("n:EnumerationContext", ec->id);
  xml.Open("n:Items");
  size_t used = xml.size() + kTailReserve;
  size_t budget = c.max_envelope_size > used ? c.max_envelope_size - used : 0;
  Batch b = IsClassListing(*ec)
                ? CollectClasses(*ec, *registry_, req->max_elements,
                                 req->max_characters, budget)
                : Collect(*ec, ResolverFor(ec->family), req->max_elements,
                          req->max_characters, budget,
                          soap::DeadlineAfter(timeout), c.cancel);
  if (b.cancelled) {
    out->clear();
    return soap::Fault(
        soap::FaultCode::kInvalidEnumerationContext, {},
        "The enumeration context was released or expired during the Pull.");
  }
  if (b.too_big) {
    out->clear();
    return TooBig(c.max_envelope_size);
  }
  MiResult result = b.end ? ec->mi->result() : MiResult::kOk;
  if (b.end && result != MiResult::kOk && b.count == 0) {
    std::string message = ec->mi->result_message();
    std::optional<providers::Instance> error = ec->mi->error_instance();
    pull_lock.Unlock();
    enumerations_.Close(ec->id);
    out->clear();
    return FaultFromMiResult(result, message, error);
  }
  if (b.count == 0 && !b.end) {
    out->clear();
    return TimedOut();
  }
  if (b.end && result == MiResult::kOk) {
    // The last response: no context, EndOfSequence. Rewrite the head
    // without the context (cheap: nothing but the items is large).
    std::string items = std::move(b.items);
    out->clear();
    soap::ResponseWriter last(out);
    WriteEnumerationEnvelope(last, action::kPull, r);
    last.xml().Open("n:PullResponse");
    last.xml().Open("n:Items");
    last.xml().Raw(items);
    last.xml().Close();
    last.xml().Open("n:EndOfSequence").Close();
    last.xml().Close();
    last.Finish();
    pull_lock.Unlock();
    enumerations_.Close(ec->id);
    return soap::Ok{};
  }
  xml.Raw(b.items);
  xml.Close();  // n:Items
  xml.Close();  // n:PullResponse
  w.Finish();
  return soap::Ok{};
}

}  // namespace wsman::engine::cim
