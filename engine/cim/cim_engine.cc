// Target resolution and routing: which class, namespace and provider a CIM
// request addresses, and which operation (transfer.cc, invoke.cc,
// enumerate.cc) answers it.
#include "engine/cim/cim_engine.h"

#include <cstdio>

#include "engine/cim/class_listing.h"
#include "engine/cim/class_schema.h"
#include "engine/cim/engine_internal.h"
#include "engine/cim/mi_faults.h"
#include "engine/dispatch.h"
#include "soap/actions.h"
#include "soap/duration.h"
#include "soap/namespaces.h"

namespace wsman::engine::cim {
namespace {

using providers::ClassRegistration;
using providers::Context;
using providers::MiResult;
namespace action = soap::action;

std::string RequestNamespace(const soap::Request& r,
                             const providers::Registry& registry) {
  // FindSelector already ignores case.
  if (const soap::Selector* s = r.FindSelector(kCimNamespaceSelector)) {
    return registry.NormalizeNamespace(soap::TrimXmlSpace(s->value));
  }
  return registry.default_namespace();
}

}  // namespace

providers::CallInfo CimEngine::Target::Call(const OperationContext& c) const {
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

soap::Fault TimedOut() {
  return soap::Fault(soap::FaultCode::kTimedOut, {},
                     "The provider did not answer within the time specified "
                     "in OperationTimeout.");
}

soap::Fault TooBig(size_t limit) {
  return soap::Fault(soap::FaultCode::kEncodingLimit,
                     soap::fault_detail::kMaxEnvelopeSize,
                     "The response would exceed the maximum envelope size (" +
                         std::to_string(limit) + " bytes).");
}

std::string AddressOf(const soap::Request& r) {
  return r.to.empty() ? std::string(soap::ns::kAnonymous) : r.to;
}

soap::Result<std::optional<providers::Instance>> RunProviderCall(
    const ClassRegistration& reg, std::string_view operation,
    std::chrono::steady_clock::time_point deadline, std::stop_token cancel,
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
  std::optional<providers::Posted> item = mi->TryTake();
  if (!item) return std::optional<providers::Instance>();
  return std::optional<providers::Instance>(std::move(item->instance));
}

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

soap::Outcome CimEngine::Handle(const OperationContext& c, std::string* out) {
  const soap::Request& r = c.request;
  Target t;
  t.uri = r.resource_uri;
  t.ns = RequestNamespace(r, *registry_);
  if (providers::Registry::IsAllClassesUri(r.resource_uri)) {
    if (r.action != action::kEnumerate) return Unanswered(r);
    if (!c.identity) return soap::Fault(soap::FaultCode::kAccessDenied);
    return Enumerate(c, t, out);
  }
  if (r.action == action::kEnumerate && IsClassSchemaUri(r.resource_uri)) {
    return EnumerateClassListing(c, *registry_, enumerations_, settings_, t.ns,
                                 out);
  }
  if (r.action == action::kGet && IsClassSchemaUri(r.resource_uri)) {
    return AnswerClassSchemaGet(c, *registry_, t.ns, out);
  }
  t.class_name = registry_->ClassFromResourceUri(r.resource_uri);
  if (t.class_name.empty()) return Unanswered(r);
  t.reg = registry_->Find(t.ns, t.class_name);
  if (!t.reg) {
    if (!registry_->HasClass(t.class_name)) return Unanswered(r);
    if (!registry_->HasNamespace(t.ns)) {
      return FaultFromMiResult(
          MiResult::kInvalidNamespace,
          "The namespace \"" + t.ns + "\" does not exist.");
    }
    return FaultFromMiResult(MiResult::kInvalidClass,
                             "The class " + t.class_name +
                                 " does not exist in the namespace " + t.ns +
                                 ".");
  }
  if (!c.identity) return soap::Fault(soap::FaultCode::kAccessDenied);
  if (r.action == action::kGet) return Get(c, t, out);
  if (r.action == action::kPut) return Put(c, t, out);
  if (r.action == action::kCreate) return Create(c, t, out);
  if (r.action == action::kDelete) return Delete(c, t, out);
  if (r.action == action::kEnumerate) return Enumerate(c, t, out);
  std::string prefix = r.resource_uri + "/";
  if (r.action.size() > prefix.size() &&
      r.action.compare(0, prefix.size(), prefix) == 0) {
    return Invoke(c, t, std::string_view(r.action).substr(prefix.size()), out);
  }
  return soap::Fault(soap::FaultCode::kActionNotSupported, {},
                     "The action \"" + r.action +
                         "\" is not supported for the class " +
                         t.reg->decl->name + ".");
}

std::chrono::milliseconds CimEngine::OperationTimeout(
    const soap::Request& request) const {
  std::chrono::milliseconds timeout = settings_.default_operation_timeout;
  if (request.operation_timeout && request.operation_timeout->count() > 0) {
    timeout = *request.operation_timeout;
  }
  return std::min(timeout, settings_.max_operation_timeout);
}

std::chrono::steady_clock::time_point CimEngine::CallDeadline(
    const soap::Request& request) const {
  return soap::DeadlineAfter(OperationTimeout(request));
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
  for (std::string_view a :
       {action::kPull, action::kRelease, action::kRenew, action::kGetStatus}) {
    routes.push_back({std::string(a), "", context_operation});
  }
  routes.push_back({"", "", handle, [engine](std::string_view uri) {
                      return engine->Serves(uri);
                    }});
  return routes;
}

}  // namespace wsman::engine::cim
