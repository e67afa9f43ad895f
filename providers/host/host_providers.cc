#include "providers/host/host_providers.h"

#include <signal.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "base/user.h"
#include "providers/host/run_as.h"

namespace wsman::providers::host {
namespace {

// How long StartService/StopService wait for systemd's job, as Windows'
// service control manager waits for a service (then ReturnValue 7).
constexpr std::chrono::seconds kServiceControlWait(25);

std::optional<pid_t> PidOf(const Instance* target) {
  if (!target) return std::nullopt;
  const Value* h = target->Get("Handle");
  const std::string* text = h ? h->AsString() : nullptr;
  if (!text || text->empty()) return std::nullopt;
  char* end = nullptr;
  long pid = std::strtol(text->c_str(), &end, 10);
  if (*end != '\0' || pid <= 0 || pid > 0x7FFFFFFF) return std::nullopt;
  return static_cast<pid_t>(pid);
}

std::string StringParam(const Instance& in, std::string_view name) {
  const Value* v = in.Get(name);
  const std::string* s = v ? v->AsString() : nullptr;
  return s ? *s : std::string();
}

Instance Output(const std::string& method, const std::string& ns,
                uint32_t return_value) {
  Instance out("__" + method + "_OUTPUT", ns);
  out.Set("ReturnValue", Value::Uint32(return_value));
  return out;
}

}  // namespace

HostProvider::HostProvider(std::shared_ptr<const HostModel> model,
                           std::shared_ptr<ServiceManager> services,
                           const HostClass& cls,
                           std::shared_ptr<const HostProviderOptions> options)
    : model_(std::move(model)),
      services_(std::move(services)),
      cls_(cls),
      options_(std::move(options)) {}

ProcessViewer HostProvider::Viewer(const CallInfo& call) const {
  return ViewerFor(call.identity, options_->administrators, model_->env());
}

void HostProvider::EnumerateInstances(const CallInfo& call, ContextPtr ctx) {
  const std::string& ns = call.namespace_name;
  auto post = [&](Instance i) {
    return ctx->PostInstance(std::move(i)) == MiResult::kOk;
  };
  if (cls_.family == Family::kService) {
    std::string why;
    auto units = services_->List(&why);
    if (units) {
      std::string host = ReadHostName(model_->env());
      for (const ServiceUnit& u : *units) {
        if (!post(ServiceInstance(cls_, ns, host, u))) break;
      }
    }
  } else if (cls_.family == Family::kAssociation) {
    model_->AssociationInstances(cls_, ns, Viewer(call), post);
  } else {
    model_->ForEach(cls_, ns, Viewer(call), post);
  }
  ctx->PostResult(MiResult::kOk);
}

void HostProvider::GetInstance(const CallInfo& call, const Instance& keys,
                               ContextPtr ctx) {
  const std::string& ns = call.namespace_name;
  std::optional<Instance> found;
  auto match = [&](Instance i) {
    if (MatchesKeys(i, keys)) {
      found = std::move(i);
      return false;
    }
    return true;
  };
  if (cls_.family == Family::kProcess) {
    if (auto pid = PidOf(&keys)) {
      auto i = model_->Process(cls_, ns, model_->Facts(), *pid, Viewer(call));
      if (i && MatchesKeys(*i, keys)) found = std::move(i);
    }
  } else if (cls_.family == Family::kService) {
    std::string why;
    const Value* n = keys.Get("Name");
    const std::string* name = n ? n->AsString() : nullptr;
    if (auto u = name ? services_->Find(*name, &why) : std::nullopt) {
      match(ServiceInstance(cls_, ns, ReadHostName(model_->env()), *u));
    }
  } else if (cls_.family == Family::kAssociation) {
    model_->AssociationInstances(cls_, ns, Viewer(call), match);
  } else {
    model_->ForEach(cls_, ns, Viewer(call), match);
  }
  if (!found) {
    ctx->PostResult(MiResult::kNotFound);
    return;
  }
  ctx->PostInstance(std::move(*found));
  ctx->PostResult(MiResult::kOk);
}

void HostProvider::Invoke(const CallInfo& call, const std::string& method,
                          const Instance* target, const Instance& in,
                          ContextPtr ctx) {
  if (cls_.family == Family::kProcess) {
    ProcessMethod(call, method, target, in, ctx);
  } else if (cls_.family == Family::kService) {
    ServiceMethod(call, method, target, ctx);
  } else {
    ctx->PostResult(MiResult::kMethodNotFound);
  }
}

void HostProvider::ProcessMethod(const CallInfo& call,
                                 const std::string& method,
                                 const Instance* target, const Instance& in,
                                 const ContextPtr& ctx) {
  const std::string& ns = call.namespace_name;
  if (NameEquals(method, "GetOwner")) {
    auto pid = PidOf(target);
    // Only a process the caller may see has an owner for it (hidepid).
    ProcessViewer viewer = Viewer(call);
    bool listed = false;
    auto p = pid ? ReadProcess(model_->env(), *pid,
                               [&](const ProcessInfo& basic) {
                                 listed = VisibilityOf(basic, viewer).listed;
                                 return ProcessDetails{false, false};
                               })
                 : std::nullopt;
    if (!p || !listed) {
      ctx->PostResult(MiResult::kNotFound, {}, "There is no such process.");
      return;
    }
    Instance out = Output(method, ns, 0);
    // The numeric uid when the account has no name.
    out.Set(
        "User",
        Value::String(base::UserName(p->uid).value_or(std::to_string(p->uid))));
    out.Set("Domain", Value::String(ReadHostName(model_->env())));
    ctx->PostInstance(std::move(out));
    ctx->PostResult(MiResult::kOk);
    return;
  }
  bool terminate = NameEquals(method, "Terminate");
  bool create = NameEquals(method, "Create");
  if (!terminate && !create) {
    ctx->PostResult(MiResult::kMethodNotFound);
    return;
  }
  ActAs who;
  std::string message;
  MiResult r = ResolveActAs(call.identity, &who, &message);
  if (r != MiResult::kOk) {
    ctx->PostResult(r, {}, message);
    return;
  }
  if (terminate) {
    auto pid = PidOf(target);
    auto no_details = [](const ProcessInfo&) {
      return ProcessDetails{false, false};
    };
    if (!pid || !ReadProcess(model_->env(), *pid, no_details)) {
      ctx->PostResult(MiResult::kNotFound, {}, "There is no such process.");
      return;
    }
    ActReport a = KillAs(who, *pid, SIGKILL);
    if (a.err == EPERM || a.err == EACCES) {
      ctx->PostResult(MiResult::kAccessDenied, {},
                      "The user \"" + who.user +
                          "\" may not terminate the process " +
                          std::to_string(*pid) + ".");
      return;
    }
    if (a.err == ESRCH) {
      ctx->PostResult(MiResult::kNotFound, {}, "There is no such process.");
      return;
    }
    // Windows: 0 success, 8 unknown failure.
    ctx->PostInstance(Output(method, ns, a.err == 0 ? 0 : 8));
    ctx->PostResult(MiResult::kOk);
    return;
  }
  std::string command = StringParam(in, "CommandLine");
  if (command.empty()) {
    // Windows: 21 Invalid Parameter.
    ctx->PostInstance(Output(method, ns, 21));
    ctx->PostResult(MiResult::kOk);
    return;
  }
  ActReport a = SpawnAs(who, command, StringParam(in, "CurrentDirectory"));
  uint32_t rv = 0;
  if (a.err == EACCES || a.err == EPERM) {
    rv = 2;  // Access Denied
  } else if (a.err == ENOENT || a.err == ENOTDIR) {
    rv = 9;  // Path Not Found
  } else if (a.err != 0) {
    rv = 8;  // Unknown Failure
  }
  Instance out = Output(method, ns, rv);
  out.Set("ProcessId", a.err == 0
                           ? Value::Uint32(static_cast<uint32_t>(a.value))
                           : Value::Null(CimType::kUint32));
  ctx->PostInstance(std::move(out));
  ctx->PostResult(MiResult::kOk);
}

void HostProvider::ServiceMethod(const CallInfo& call,
                                 const std::string& method,
                                 const Instance* target,
                                 const ContextPtr& ctx) {
  bool start = NameEquals(method, "StartService");
  if (!start && !NameEquals(method, "StopService")) {
    ctx->PostResult(MiResult::kMethodNotFound);
    return;
  }
  const Value* n = target ? target->Get("Name") : nullptr;
  const std::string* name = n ? n->AsString() : nullptr;
  std::string why;
  auto unit = name ? services_->Find(*name, &why) : std::nullopt;
  if (!unit || !MatchesKeys(ServiceInstance(cls_, call.namespace_name,
                                            ReadHostName(model_->env()), *unit),
                            *target)) {
    ctx->PostResult(MiResult::kNotFound, {}, "There is no such service.");
    return;
  }
  ActAs who;
  std::string message;
  MiResult r = ResolveActAs(call.identity, &who, &message);
  if (r != MiResult::kOk) {
    ctx->PostResult(r, {}, message);
    return;
  }
  uint32_t rv = 0;
  r = services_->Control(who, unit->unit, start, kServiceControlWait, &rv,
                         &message);
  if (r != MiResult::kOk) {
    ctx->PostResult(r, {}, message);
    return;
  }
  ctx->PostInstance(Output(method, call.namespace_name, rv));
  ctx->PostResult(MiResult::kOk);
}

void HostProvider::AssociatorInstances(const CallInfo& call,
                                       const Instance& source,
                                       const AssociationQuery& query,
                                       ContextPtr ctx) {
  model_->Associations(
      call.namespace_name, source, query, true, Viewer(call), [&](Instance i) {
        return ctx->PostInstance(std::move(i)) == MiResult::kOk;
      });
  ctx->PostResult(MiResult::kOk);
}

void HostProvider::ReferenceInstances(const CallInfo& call,
                                      const Instance& source,
                                      const AssociationQuery& query,
                                      ContextPtr ctx) {
  model_->Associations(
      call.namespace_name, source, query, false, Viewer(call), [&](Instance i) {
        return ctx->PostInstance(std::move(i)) == MiResult::kOk;
      });
  ctx->PostResult(MiResult::kOk);
}

base::Status RegisterHostProviders(Registry* registry, HostEnv env,
                                   const std::string& namespace_name,
                                   HostProviderOptions options) {
  auto model = std::make_shared<const HostModel>(std::move(env));
  auto services = std::make_shared<ServiceManager>();
  auto shared_options =
      std::make_shared<const HostProviderOptions>(std::move(options));
  for (const HostClass& cls : HostClasses()) {
    ClassRegistration reg;
    reg.namespace_name = namespace_name;
    reg.decl = cls.decl;
    reg.provider =
        std::make_shared<HostProvider>(model, services, cls, shared_options);
    reg.origin = "host";
    if (base::Status s = registry->Register(std::move(reg)); !s.ok()) return s;
  }
  return base::Status::Ok();
}

}  // namespace wsman::providers::host
