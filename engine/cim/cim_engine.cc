// Target resolution and routing: which class, namespace and provider a CIM
// request addresses, and which operation (transfer.cc, invoke.cc,
// enumerate.cc) answers it.
#include "engine/cim/cim_engine.h"

#include <cstdio>

#include "base/strings.h"
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

// The namespace a request addresses ([MS-WSMV] 3.1.4.1.1): a WMI URI's
// path, else the __cimnamespace selector (DSP0227 6.3), else the default.
// A __cimnamespace beside a WMI URI is allowed when it names the same
// namespace and refused with wsman:InternalError when it does not, as
// Windows does (<45>, <46>).
soap::Result<std::string> RequestNamespace(
    const soap::Request& r, const std::optional<ResourceUri>& uri,
    const providers::Registry& registry) {
  // FindSelector already ignores case.
  const soap::Selector* s = r.FindSelector(kCimNamespaceSelector);
  std::string selected =
      s ? registry.NormalizeNamespace(soap::TrimXmlSpace(s->value)) : "";
  if (!uri || uri->family != UriFamily::kWmi) {
    return s ? selected : registry.default_namespace();
  }
  std::string ns = registry.NormalizeNamespace(uri->namespace_name);
  if (s && !providers::NameEquals(selected, ns)) {
    return soap::Fault(soap::FaultCode::kInternalError, {},
                       "The __cimnamespace selector \"" + selected +
                           "\" does not match the namespace \"" + ns +
                           "\" of the resource URI.");
  }
  return ns;
}

// WS-Eventing's requests (DSP0226 10).
bool IsEventingAction(std::string_view a) {
  return a == action::kSubscribe || a == action::kUnsubscribe ||
         a == action::kEventingRenew;
}

// `action` is `uri` + "/" + a method name (URI compared ignoring case, as
// class names are): the method name, else "".
std::string_view MethodOf(std::string_view action, std::string_view uri) {
  if (action.size() <= uri.size() + 1 || action[uri.size()] != '/' ||
      !base::EqualsIgnoreCase(action.substr(0, uri.size()), uri)) {
    return {};
  }
  return action.substr(uri.size() + 1);
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
    return FaultFromMiResult(mi->result(), mi->result_message(),
                             mi->error_instance());
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
  auto resolver_of = [this](UriFamily family) {
    return [this, family](std::string_view cls, std::string_view ns) {
      ResolvedClass r;
      const ClassRegistration* reg = registry_->Find(ns, cls);
      if (!reg) reg = registry_->Find(registry_->default_namespace(), cls);
      r.resource_uri = UriFor(family, ns, cls);
      r.decl = reg ? reg->decl.get() : nullptr;
      r.namespace_in_uri = family == UriFamily::kWmi;
      return r;
    };
  };
  resolver_ = resolver_of(UriFamily::kDmtf);
  wmi_resolver_ = resolver_of(UriFamily::kWmi);
}

std::optional<ResourceUri> CimEngine::ResolveUri(std::string_view uri) const {
  std::string extra = registry_->ClassOfExtraUri(uri);
  if (!extra.empty()) {
    ResourceUri out;
    out.class_name = std::move(extra);
    return out;
  }
  return ParseResourceUri(uri);
}

std::string CimEngine::UriFor(UriFamily family, std::string_view ns,
                              std::string_view class_name) const {
  const ClassRegistration* reg = registry_->Find(ns, class_name);
  std::string_view name = reg ? std::string_view(reg->decl->name) : class_name;
  if (family == UriFamily::kWmi) {
    return BuildResourceUri(
        family, reg ? reg->namespace_name : registry_->NormalizeNamespace(ns),
        name);
  }
  std::string extra = registry_->ExtraUriOf(ns, class_name);
  if (!extra.empty()) return extra;
  return BuildResourceUri(UriFamily::kDmtf, {}, name);
}

CimEngine::~CimEngine() { Shutdown(); }

void CimEngine::Shutdown() { enumerations_.Shutdown(); }

bool CimEngine::Serves(std::string_view resource_uri) const {
  if (IsClassSchemaUri(resource_uri)) return true;
  std::optional<ResourceUri> uri = ResolveUri(resource_uri);
  return uri && (uri->all_classes || registry_->HasClass(uri->class_name));
}

soap::Outcome CimEngine::Handle(const OperationContext& c, std::string* out) {
  const soap::Request& r = c.request;
  std::optional<ResourceUri> uri = ResolveUri(r.resource_uri);
  Target t;
  t.uri = r.resource_uri;
  if (uri) t.family = uri->family;
  t.resolver = &ResolverFor(t.family);
  auto ns = RequestNamespace(r, uri, *registry_);
  if (!ns.ok()) return std::move(ns).fault();
  t.ns = std::move(ns).value();
  if (IsEventingAction(r.action)) {
    // WS-Eventing (DSP0226 10) is not implemented yet: the resource exists,
    // the operation does not. a:ActionNotSupported (WS-Addressing: the
    // action is not supported here) rather than
    // e:EventSourceUnableToProcess, which speaks of one subscription's
    // filter or delivery.
    return soap::Fault(soap::FaultCode::kActionNotSupported, {},
                       "WS-Eventing (Subscribe, Renew, Unsubscribe) is not "
                       "implemented by this service; the action \"" +
                           r.action + "\" is not supported.");
  }
  if (uri && uri->all_classes) {
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
  if (!uri || uri->class_name.empty()) return Unanswered(r);
  t.class_name = uri->class_name;
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
  std::string_view method = MethodOf(r.action, r.resource_uri);
  if (!method.empty()) return Invoke(c, t, method, out);
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
