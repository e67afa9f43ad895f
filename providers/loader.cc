#include "providers/loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <string_view>
#include <vector>

#include "base/file_trust.h"
#include "base/log.h"
#include "base/status.h"
#include "providers/abi/wsmand_provider.h"

struct wsmand_instance {
  wsman::providers::Instance instance;
};

struct wsmand_context {
  wsman::providers::ContextPtr context;
};

namespace wsman::providers {
namespace {

bool IsType(int t) { return t >= WSMAND_BOOLEAN && t <= WSMAND_INSTANCE; }

int SetValue(wsmand_instance* i, const char* name, Value v, int is_key) {
  if (!i || !name || !*name) return 1;
  i->instance.Set(name, std::move(v), is_key != 0);
  return 0;
}

const Value* Find(const wsmand_instance* i, const char* name) {
  if (!i || !name) return nullptr;
  const Value* v = i->instance.Get(name);
  if (!v || v->is_null() || v->is_array()) return nullptr;
  return v;
}

// ---------------------------------------------------------- host functions

wsmand_instance* InstanceNew(const char* class_name) {
  auto* i = new wsmand_instance;
  i->instance.set_class_name(class_name ? class_name : "");
  return i;
}
void InstanceFree(wsmand_instance* i) { delete i; }

int SetNull(wsmand_instance* i, const char* name, wsmand_type type,
            int is_key) {
  if (!IsType(type)) return 1;
  return SetValue(i, name, Value::Null(static_cast<CimType>(type)), is_key);
}
int SetBoolean(wsmand_instance* i, const char* name, int v, int is_key) {
  return SetValue(i, name, Value::Boolean(v != 0), is_key);
}
int SetSigned(wsmand_instance* i, const char* name, wsmand_type type, int64_t v,
              int is_key) {
  CimType t = static_cast<CimType>(type);
  if (!IsType(type) || !IsSignedInteger(t)) return 1;
  auto s = ScalarFromText(t, std::to_string(v));  // range check
  if (!s) return 1;
  return SetValue(i, name, *Value::Make(t, *s), is_key);
}
int SetUnsigned(wsmand_instance* i, const char* name, wsmand_type type,
                uint64_t v, int is_key) {
  CimType t = static_cast<CimType>(type);
  if (!IsType(type)) return 1;
  if (t == CimType::kChar16) {
    if (v > 0xFFFF) return 1;
    return SetValue(i, name, Value::Char16(static_cast<char16_t>(v)), is_key);
  }
  if (!IsUnsignedInteger(t)) return 1;
  auto s = ScalarFromText(t, std::to_string(v));
  if (!s) return 1;
  return SetValue(i, name, *Value::Make(t, *s), is_key);
}
int SetReal(wsmand_instance* i, const char* name, wsmand_type type, double v,
            int is_key) {
  if (type == WSMAND_REAL32) {
    return SetValue(i, name, Value::Real32(static_cast<float>(v)), is_key);
  }
  if (type == WSMAND_REAL64) return SetValue(i, name, Value::Real64(v), is_key);
  return 1;
}
int SetString(wsmand_instance* i, const char* name, const char* utf8,
              int is_key) {
  if (!utf8) return SetNull(i, name, WSMAND_STRING, is_key);
  return SetValue(i, name, Value::String(utf8), is_key);
}
int SetDatetime(wsmand_instance* i, const char* name, const char* text,
                int is_key) {
  auto d = text ? Datetime::Parse(text) : std::nullopt;
  if (!d) return 1;
  return SetValue(i, name, Value::DateTime(*d), is_key);
}
int SetStringArray(wsmand_instance* i, const char* name,
                   const char* const* items, size_t count) {
  std::vector<Scalar> v;
  for (size_t k = 0; k < count; ++k) {
    v.emplace_back(std::string(items[k] ? items[k] : ""));
  }
  return SetValue(i, name, Value::Array(CimType::kString, std::move(v)), 0);
}

const char* ClassName(const wsmand_instance* i) {
  return i ? i->instance.class_name().c_str() : "";
}
int GetString(const wsmand_instance* i, const char* name, const char** out) {
  const Value* v = Find(i, name);
  if (!v || !v->AsString()) return 1;
  *out = v->AsString()->c_str();
  return 0;
}
int GetSigned(const wsmand_instance* i, const char* name, int64_t* out) {
  const Value* v = Find(i, name);
  auto n = v ? v->AsInt() : std::nullopt;
  if (!n) return 1;
  *out = *n;
  return 0;
}
int GetUnsigned(const wsmand_instance* i, const char* name, uint64_t* out) {
  const Value* v = Find(i, name);
  auto n = v ? v->AsUint() : std::nullopt;
  if (!n) return 1;
  *out = *n;
  return 0;
}
int GetReal(const wsmand_instance* i, const char* name, double* out) {
  const Value* v = Find(i, name);
  auto n = v ? v->AsReal() : std::nullopt;
  if (!n) return 1;
  *out = *n;
  return 0;
}
int GetBoolean(const wsmand_instance* i, const char* name, int* out) {
  const Value* v = Find(i, name);
  auto b = v ? v->AsBool() : std::nullopt;
  if (!b) return 1;
  *out = *b ? 1 : 0;
  return 0;
}

int PostInstance(wsmand_context* c, const wsmand_instance* i) {
  if (!c || !i) return WSMAND_MI_RESULT_INVALID_PARAMETER;
  return static_cast<int>(c->context->PostInstance(i->instance));
}
int PostResult(wsmand_context* c, int result, const char* message) {
  if (!c) return WSMAND_MI_RESULT_INVALID_PARAMETER;
  auto r = MiResultFromInt(static_cast<uint32_t>(result));
  return static_cast<int>(c->context->PostResult(
      r.value_or(MiResult::kFailed), std::nullopt, message ? message : ""));
}
// The text of a provider-message line is cut here: one line per call, and
// nothing kept, so a chatty provider cannot grow the daemon.
constexpr size_t kMaxProviderMessage = 1024;

int WriteMessage(wsmand_context* c, unsigned channel, const char* message) {
  if (!c) return WSMAND_MI_RESULT_INVALID_PARAMETER;
  if (c->context->HasResult()) return WSMAND_MI_RESULT_FAILED;
  std::string_view text = message ? message : "";
  if (text.size() > kMaxProviderMessage) {
    text = text.substr(0, kMaxProviderMessage);
  }
  log::Debug("provider-message", {{"provider", c->context->label()},
                                  {"channel", std::to_string(channel)},
                                  {"message", text}});
  return WSMAND_MI_RESULT_OK;
}
int IsCancelled(wsmand_context* c) {
  return c && c->context->IsCancelled() ? 1 : 0;
}
wsmand_context* ContextRetain(wsmand_context* c) {
  return c ? new wsmand_context{c->context} : nullptr;
}
void ContextRelease(wsmand_context* c) { delete c; }

const wsmand_host_api kHost = {
    WSMAND_PROVIDER_ABI_MAJOR,  // what modules of 1.0 compare with 1
    InstanceNew,
    InstanceFree,
    SetNull,
    SetBoolean,
    SetSigned,
    SetUnsigned,
    SetReal,
    SetString,
    SetDatetime,
    SetStringArray,
    ClassName,
    GetString,
    GetSigned,
    GetUnsigned,
    GetReal,
    GetBoolean,
    PostInstance,
    PostResult,
    WriteMessage,
    IsCancelled,
    ContextRetain,
    ContextRelease,
    WSMAND_PROVIDER_ABI_MINOR,
    sizeof(wsmand_host_api),
};

// The bytes of wsmand_provider_module that a module of `minor` provides:
// 1.0 ends before struct_size; from 1.1 on the module says its size.
constexpr size_t kModuleV10Size = offsetof(wsmand_provider_module, struct_size);
constexpr size_t kModuleV11Size =
    offsetof(wsmand_provider_module, struct_size) + sizeof(size_t);

// Copies what the module's version provides into a zeroed module of this
// wsmand's layout (ABI growth rules in providers/abi/wsmand_provider.h):
// fields of an older minor read as zero, those of a newer minor are not
// copied. An error for another major or a struct_size too small.
base::StatusOr<wsmand_provider_module> AdoptModule(
    const wsmand_provider_module& module) {
  uint32_t major = WSMAND_PROVIDER_ABI_MAJOR_OF(module.abi_version);
  uint32_t minor = WSMAND_PROVIDER_ABI_MINOR_OF(module.abi_version);
  if (major != WSMAND_PROVIDER_ABI_MAJOR) {
    return base::Status::FailedPrecondition(
        "ABI version " + std::to_string(major) + "." + std::to_string(minor) +
        ", wsmand speaks " + std::to_string(WSMAND_PROVIDER_ABI_MAJOR) +
        ".0 to " + std::to_string(WSMAND_PROVIDER_ABI_MAJOR) + "." +
        std::to_string(WSMAND_PROVIDER_ABI_MINOR));
  }
  size_t provided = kModuleV10Size;
  if (minor >= 1) {
    if (module.struct_size < kModuleV11Size) {
      return base::Status::FailedPrecondition(
          "ABI " + std::to_string(major) + "." + std::to_string(minor) +
          " module with struct_size " + std::to_string(module.struct_size) +
          ", below that minor's " + std::to_string(kModuleV11Size));
    }
    provided = std::min(module.struct_size, sizeof(wsmand_provider_module));
  }
  wsmand_provider_module adopted;
  std::memset(&adopted, 0, sizeof(adopted));
  std::memcpy(&adopted, &module, provided);
  return adopted;
}

// ------------------------------------------------------------ the adapter

class CProvider : public Provider {
 public:
  explicit CProvider(const wsmand_provider_module& module)
      : module_(module), m_(&module_) {}

  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    if (!m_->ops.enumerate_instances)
      return Provider::EnumerateInstances(call, ctx);
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.enumerate_instances(m_->self, c, wc);
    });
  }
  void GetInstance(const CallInfo& call, const Instance& keys,
                   ContextPtr ctx) override {
    if (!m_->ops.get_instance) return Provider::GetInstance(call, keys, ctx);
    wsmand_instance k{keys};
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.get_instance(m_->self, c, &k, wc);
    });
  }
  void CreateInstance(const CallInfo& call, const Instance& inst,
                      ContextPtr ctx) override {
    if (!m_->ops.create_instance) {
      return Provider::CreateInstance(call, inst, ctx);
    }
    wsmand_instance k{inst};
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.create_instance(m_->self, c, &k, wc);
    });
  }
  void ModifyInstance(const CallInfo& call, const Instance& inst,
                      ContextPtr ctx) override {
    if (!m_->ops.modify_instance) {
      return Provider::ModifyInstance(call, inst, ctx);
    }
    wsmand_instance k{inst};
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.modify_instance(m_->self, c, &k, wc);
    });
  }
  void DeleteInstance(const CallInfo& call, const Instance& keys,
                      ContextPtr ctx) override {
    if (!m_->ops.delete_instance) {
      return Provider::DeleteInstance(call, keys, ctx);
    }
    wsmand_instance k{keys};
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.delete_instance(m_->self, c, &k, wc);
    });
  }
  void Invoke(const CallInfo& call, const std::string& method,
              const Instance* target, const Instance& in,
              ContextPtr ctx) override {
    if (!m_->ops.invoke) {
      return Provider::Invoke(call, method, target, in, ctx);
    }
    wsmand_instance t{target ? *target : Instance()};
    wsmand_instance i{in};
    Run(call, ctx, [&](const wsmand_call* c, wsmand_context* wc) {
      m_->ops.invoke(m_->self, c, method.c_str(), target ? &t : nullptr, &i,
                     wc);
    });
  }

 private:
  template <typename F>
  void Run(const CallInfo& call, ContextPtr ctx, F f) {
    std::string user = call.identity ? call.identity->user : "";
    wsmand_call c{call.namespace_name.c_str(), call.class_name.c_str(),
                  user.c_str(), call.query_language.c_str(),
                  call.query.c_str()};
    // The module's handle lives for the call; a retained one longer.
    wsmand_context wc{std::move(ctx)};
    f(&c, &wc);
  }

  const wsmand_provider_module module_;  // adopted: this wsmand's layout
  const wsmand_provider_module* m_;
};

base::StatusOr<std::shared_ptr<ClassDecl>> DeclFrom(
    const wsmand_class_decl& c) {
  auto d = std::make_shared<ClassDecl>();
  d->name = c.name ? c.name : "";
  if (d->name.empty()) {
    return base::Status::InvalidArgument("a class without a name");
  }
  for (size_t k = 0; k < c.property_count; ++k) {
    const wsmand_property_decl& p = c.properties[k];
    if (!p.name || !IsType(p.type)) {
      return base::Status::InvalidArgument("class " + d->name +
                                           ": a property without name or type");
    }
    d->properties.push_back({p.name, static_cast<CimType>(p.type),
                             p.is_array != 0, p.is_key != 0,
                             p.ref_class ? p.ref_class : ""});
  }
  for (size_t k = 0; k < c.method_count; ++k) {
    const wsmand_method_decl& m = c.methods[k];
    if (!m.name || !IsType(m.return_type)) {
      return base::Status::InvalidArgument("class " + d->name +
                                           ": a method without name or type");
    }
    MethodDecl md{
        m.name, static_cast<CimType>(m.return_type), {}, m.is_static != 0};
    for (size_t j = 0; j < m.param_count; ++j) {
      const wsmand_param_decl& p = m.params[j];
      if (!p.name || !IsType(p.type)) {
        return base::Status::InvalidArgument(
            "method " + md.name + ": a parameter without name or type");
      }
      md.params.push_back({p.name, static_cast<CimType>(p.type),
                           p.is_array != 0, p.in != 0, p.out != 0, ""});
    }
    d->methods.push_back(std::move(md));
  }
  return d;
}

// Loads one module into `registry` (counting its classes in `report`); why
// it was refused otherwise. The module stays mapped once its entry point
// ran, whatever follows: harmless.
base::Status LoadModule(const std::string& path, Registry* registry,
                        LoadReport* report) {
  // Checked before dlopen: a constructor runs as soon as the module maps.
  base::StatusOr<base::UniqueFd> checked =
      base::OpenTrusted(path, base::TrustedKind::kFile);
  if (!checked.ok()) return base::Status::PermissionDenied(checked.message());
  // dlopen takes a path. Every directory on the way to the file is one only
  // root (or the daemon's user) can write, so nobody else can swap the file
  // in between; a change by them (a package upgrade) is refused.
  struct stat held {
  }, now{};
  if (::fstat(checked->get(), &held) != 0 || ::stat(path.c_str(), &now) != 0 ||
      held.st_dev != now.st_dev || held.st_ino != now.st_ino) {
    return base::Status::FailedPrecondition(
        "the file changed while it was being checked");
  }
  void* handle = ::dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) {
    const char* e = ::dlerror();
    return base::Status::InvalidArgument(e ? e : "dlopen failed");
  }
  auto entry = reinterpret_cast<wsmand_provider_register_fn>(
      ::dlsym(handle, WSMAND_PROVIDER_ENTRY));
  if (!entry) {
    ::dlclose(handle);
    return base::Status::InvalidArgument(
        "no " + std::string(WSMAND_PROVIDER_ENTRY) + " entry point");
  }
  const wsmand_provider_module* returned = entry(&kHost);
  if (!returned) {
    ::dlclose(handle);
    return base::Status::InvalidArgument("the entry point returned no module");
  }
  base::StatusOr<wsmand_provider_module> adopted = AdoptModule(*returned);
  if (!adopted.ok()) {
    ::dlclose(handle);
    return adopted.status();
  }
  auto provider = std::make_shared<CProvider>(*adopted);
  const wsmand_provider_module* module = &*adopted;
  std::vector<ClassRegistration> regs;
  for (size_t k = 0; k < module->class_count; ++k) {
    base::StatusOr<std::shared_ptr<ClassDecl>> decl =
        DeclFrom(module->classes[k]);
    if (!decl.ok()) return decl.status();
    ClassRegistration r;
    r.namespace_name = module->classes[k].namespace_name
                           ? module->classes[k].namespace_name
                           : registry->default_namespace();
    r.decl = *std::move(decl);
    r.provider = provider;
    r.origin = path;
    regs.push_back(std::move(r));
  }
  for (ClassRegistration& r : regs) {
    std::string name = r.decl->name;
    base::Status registered = registry->Register(std::move(r));
    if (!registered.ok()) return registered;
    ++report->classes;
    log::Info("provider-class", {{"module", path}, {"class", name}});
  }
  ++report->modules_loaded;
  log::Info("provider-loaded",
            {{"module", path},
             {"name", module->name ? module->name : "-"},
             {"classes", std::to_string(module->class_count)}});
  return base::Status::Ok();
}

}  // namespace

LoadReport LoadProviderDirectory(const std::string& directory,
                                 Registry* registry) {
  LoadReport report;
  // The directory itself: a module others could add would run as root.
  base::StatusOr<base::UniqueFd> checked =
      base::OpenTrusted(directory, base::TrustedKind::kDirectory);
  if (!checked.ok()) {
    log::Error("provider-directory",
               {{"directory", directory}, {"error", checked.message()}});
    return report;
  }
  DIR* dir = ::fdopendir(checked->release());
  if (!dir) {
    log::Error("provider-directory",
               {{"directory", directory}, {"error", std::strerror(errno)}});
    return report;
  }
  std::vector<std::string> files;
  while (dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".so") == 0) {
      files.push_back(directory + "/" + name);
    }
  }
  ::closedir(dir);
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) {
    base::Status loaded = LoadModule(f, registry, &report);
    if (!loaded.ok()) {
      log::Error("provider-refused",
                 {{"module", f}, {"error", loaded.message()}});
      ++report.modules_refused;
    }
  }
  return report;
}

}  // namespace wsman::providers
