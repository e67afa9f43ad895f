#include "providers/testing/test_providers.h"
#include "base/mutex.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <thread>

namespace wsman::providers::testing {
namespace {

std::string Option(const CallInfo& call, std::string_view name,
                   std::string dflt) {
  for (const auto& [k, v] : call.options) {
    if (NameEquals(k, name)) return v;
  }
  return dflt;
}

uint64_t OptionNumber(const CallInfo& call, std::string_view name,
                      uint64_t dflt) {
  std::string v = Option(call, name, "");
  if (v.empty()) return dflt;
  return std::strtoull(v.c_str(), nullptr, 10);
}

std::shared_ptr<ClassDecl> ItemDecl() {
  auto d = std::make_shared<ClassDecl>();
  d->name = "WSMAN_TestItem";
  d->Key("Id", CimType::kUint32)
      .Prop("Name", CimType::kString)
      .Prop("Flag", CimType::kBoolean)
      .Prop("Small", CimType::kSint8)
      .Prop("Big", CimType::kUint64)
      .Prop("Ratio", CimType::kReal64)
      .Prop("Single", CimType::kReal32)
      .Prop("Letter", CimType::kChar16)
      .Prop("When", CimType::kDatetime)
      .Prop("Tags", CimType::kString, /*array=*/true);
  return d;
}

class ItemProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    uint64_t n = OptionNumber(call, "Count", 10);
    for (uint64_t i = 0; i < n; ++i) {
      MiResult r = ctx->PostInstance(
          MakeTestItem(static_cast<uint32_t>(i), call.namespace_name));
      if (r != MiResult::kOk) break;  // cancelled
    }
    ctx->PostResult(MiResult::kOk);
  }
  void GetInstance(const CallInfo& call, const Instance& keys,
                   ContextPtr ctx) override {
    const Value* id = keys.Get("Id");
    auto v = id ? id->AsUint() : std::nullopt;
    if (!v || *v >= 1000000000) {
      ctx->PostResult(MiResult::kNotFound);
      return;
    }
    ctx->PostInstance(
        MakeTestItem(static_cast<uint32_t>(*v), call.namespace_name));
    ctx->PostResult(MiResult::kOk);
  }
};

std::shared_ptr<ClassDecl> SimpleDecl(std::string name) {
  auto d = std::make_shared<ClassDecl>();
  d->name = std::move(name);
  d->Key("Id", CimType::kUint32).Prop("Text", CimType::kString);
  return d;
}

Instance Simple(const std::string& cls, uint32_t i) {
  Instance inst(cls);
  inst.SetKey("Id", Value::Uint32(i));
  inst.Set("Text", Value::String("item " + std::to_string(i)));
  return inst;
}

class FailingProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    uint64_t n = OptionNumber(call, "Count", 3);
    for (uint64_t i = 0; i < n; ++i) {
      ctx->PostInstance(Simple("WSMAN_TestFailing", static_cast<uint32_t>(i)));
    }
    auto r =
        MiResultFromInt(static_cast<uint32_t>(OptionNumber(call, "Result", 1)));
    ctx->PostResult(
        r.value_or(MiResult::kFailed), std::nullopt,
        "The test provider failed after " + std::to_string(n) + " instances.");
  }
  void GetInstance(const CallInfo& call, const Instance&,
                   ContextPtr ctx) override {
    auto r =
        MiResultFromInt(static_cast<uint32_t>(OptionNumber(call, "Result", 1)));
    // A CIM error instance of its own, as MI_Context_PostCimError gives.
    Instance error("CIM_Error", call.namespace_name);
    error.Set("MessageID", Value::String("WSMAN_TEST_0042"));
    error.Set("OwningEntity", Value::String("wsmand test provider"));
    error.Set("Message", Value::String("The test row is locked."));
    ctx->PostResult(r.value_or(MiResult::kFailed), std::move(error));
  }
};

class ThrowingProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo&, ContextPtr ctx) override {
    ctx->PostInstance(Simple("WSMAN_TestThrowing", 0));
    throw std::runtime_error("test provider exploded");
  }
  void GetInstance(const CallInfo&, const Instance&, ContextPtr) override {
    throw std::runtime_error("test provider exploded");
  }
};

class SilentProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo&, ContextPtr ctx) override {
    ctx->PostInstance(Simple("WSMAN_TestSilent", 0));
  }
  void GetInstance(const CallInfo&, const Instance&, ContextPtr) override {}
};

class LateProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo&, ContextPtr ctx) override {
    ctx->PostInstance(Simple("WSMAN_TestLate", 0));
    ctx->PostInstance(Simple("WSMAN_TestLate", 1));
    ctx->PostResult(MiResult::kOk);
    // Both refused with kFailed; neither reaches the client.
    MiResult late_post = ctx->PostInstance(Simple("WSMAN_TestLate", 2));
    MiResult late_result = ctx->PostResult(MiResult::kFailed);
    if (late_post != MiResult::kFailed || late_result != MiResult::kFailed) {
      throw std::logic_error("a post after PostResult was accepted");
    }
  }
};

class AsyncProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    uint64_t n = OptionNumber(call, "Count", 3);
    std::thread([ctx, n] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      for (uint64_t i = 0; i < n; ++i) {
        ctx->PostInstance(Simple("WSMAN_TestAsync", static_cast<uint32_t>(i)));
      }
      ctx->PostResult(MiResult::kOk);
    }).detach();
  }
};

class SlowProvider : public Provider {
 public:
  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    uint64_t n = OptionNumber(call, "Count", 3);
    auto delay = std::chrono::milliseconds(OptionNumber(call, "DelayMs", 1000));
    for (uint64_t i = 0; i < n && !ctx->IsCancelled(); ++i) {
      std::this_thread::sleep_for(delay);
      ctx->PostInstance(Simple("WSMAN_TestSlow", static_cast<uint32_t>(i)));
    }
    ctx->PostResult(ctx->IsCancelled() ? MiResult::kFailed : MiResult::kOk);
  }
};

// ------------------------------------------------------------------ table

std::shared_ptr<ClassDecl> TableDecl() {
  auto d = std::make_shared<ClassDecl>();
  d->name = "WSMAN_TestTable";
  d->Key("Name", CimType::kString)
      .Prop("Value", CimType::kSint32)
      .Prop("Note", CimType::kString)
      .Prop("Created", CimType::kDatetime)
      .Prop("Scores", CimType::kUint16, true);
  MethodDecl add{"Add", CimType::kUint32, {}, true};
  add.params.push_back({"A", CimType::kSint32, false, true, false, {}});
  add.params.push_back({"B", CimType::kSint32, false, true, false, {}});
  add.params.push_back({"Sum", CimType::kSint64, false, false, true, {}});
  d->methods.push_back(add);
  MethodDecl echo{"Echo", CimType::kUint32, {}, true};
  echo.params.push_back({"S", CimType::kString, false, true, true, {}});
  echo.params.push_back({"N", CimType::kSint64, false, true, true, {}});
  echo.params.push_back({"B", CimType::kBoolean, false, true, true, {}});
  echo.params.push_back({"D", CimType::kDatetime, false, true, true, {}});
  echo.params.push_back({"L", CimType::kUint16, true, true, true, {}});
  d->methods.push_back(echo);
  MethodDecl rename{"Rename", CimType::kUint32, {}, false};
  rename.params.push_back(
      {"NewName", CimType::kString, false, true, false, {}});
  d->methods.push_back(rename);
  return d;
}

class TableProvider : public Provider {
 public:
  TableProvider() {
    Instance a("WSMAN_TestTable");
    a.SetKey("Name", Value::String("first"));
    a.Set("Value", Value::Sint32(1));
    a.Set("Note", Value::String("the first row"));
    a.Set("Created", Value::DateTime(Datetime::Timestamp(2024, 1, 2, 3, 4, 5)));
    a.Set("Scores", Value::Array(CimType::kUint16,
                                 {Scalar(uint64_t{1}), Scalar(uint64_t{2})}));
    rows_["first"] = a;
  }
  void EnumerateInstances(const CallInfo&, ContextPtr ctx) override {
    std::vector<Instance> rows;
    {
      base::MutexLock lock(&mu_);
      for (const auto& [k, v] : rows_) rows.push_back(v);
    }
    for (Instance& r : rows) ctx->PostInstance(std::move(r));
    ctx->PostResult(MiResult::kOk);
  }
  void GetInstance(const CallInfo&, const Instance& keys,
                   ContextPtr ctx) override {
    base::MutexLock lock(&mu_);
    auto it = rows_.find(KeyOf(keys));
    if (it == rows_.end()) {
      ctx->PostResult(MiResult::kNotFound);
      return;
    }
    ctx->PostInstance(it->second);
    ctx->PostResult(MiResult::kOk);
  }
  void CreateInstance(const CallInfo&, const Instance& inst,
                      ContextPtr ctx) override {
    std::string key = KeyOf(inst);
    if (key.empty()) {
      ctx->PostResult(MiResult::kInvalidParameter, std::nullopt,
                      "Name is required.");
      return;
    }
    base::MutexLock lock(&mu_);
    if (rows_.count(key)) {
      ctx->PostResult(MiResult::kAlreadyExists);
      return;
    }
    rows_[key] = inst;
    ctx->PostInstance(inst);
    ctx->PostResult(MiResult::kOk);
  }
  void ModifyInstance(const CallInfo&, const Instance& inst,
                      ContextPtr ctx) override {
    base::MutexLock lock(&mu_);
    auto it = rows_.find(KeyOf(inst));
    if (it == rows_.end()) {
      ctx->PostResult(MiResult::kNotFound);
      return;
    }
    for (const Property& p : inst.properties()) {
      it->second.Set(p.name, p.value, p.key);
    }
    ctx->PostInstance(it->second);
    ctx->PostResult(MiResult::kOk);
  }
  void DeleteInstance(const CallInfo&, const Instance& keys,
                      ContextPtr ctx) override {
    base::MutexLock lock(&mu_);
    if (rows_.erase(KeyOf(keys)) == 0) {
      ctx->PostResult(MiResult::kNotFound);
      return;
    }
    ctx->PostResult(MiResult::kOk);
  }
  void Invoke(const CallInfo&, const std::string& method,
              const Instance* target, const Instance& in,
              ContextPtr ctx) override {
    Instance out("__" + method + "_OUTPUT");
    if (method == "Add") {
      const Value* a = in.Get("A");
      const Value* b = in.Get("B");
      if (!a || !b || a->is_null() || b->is_null()) {
        ctx->PostResult(MiResult::kInvalidParameter, std::nullopt,
                        "A and B are required.");
        return;
      }
      out.Set("Sum", Value::Sint64(*a->AsInt() + *b->AsInt()));
      out.Set("ReturnValue", Value::Uint32(0));
    } else if (method == "Echo") {
      for (const Property& p : in.properties()) out.Set(p.name, p.value);
      out.Set("ReturnValue", Value::Uint32(0));
    } else if (method == "Rename") {
      const Value* nn = in.Get("NewName");
      base::MutexLock lock(&mu_);
      auto it = target ? rows_.find(KeyOf(*target)) : rows_.end();
      if (it == rows_.end()) {
        ctx->PostResult(MiResult::kNotFound);
        return;
      }
      if (!nn || !nn->AsString()) {
        ctx->PostResult(MiResult::kInvalidParameter);
        return;
      }
      Instance row = it->second;
      rows_.erase(it);
      row.SetKey("Name", Value::String(*nn->AsString()));
      rows_[*nn->AsString()] = row;
      out.Set("ReturnValue", Value::Uint32(0));
    } else {
      ctx->PostResult(MiResult::kMethodNotFound);
      return;
    }
    ctx->PostInstance(std::move(out));
    ctx->PostResult(MiResult::kOk);
  }

 private:
  static std::string KeyOf(const Instance& inst) {
    const Value* v = inst.Get("Name");
    return v && v->AsString() ? *v->AsString() : std::string();
  }
  base::Mutex mu_;
  std::map<std::string, Instance> rows_ GUARDED_BY(mu_);
};

// ------------------------------------------------------------ associations

struct Ownership {
  const char* person;
  const char* pet;
  const char* species;
};
constexpr Ownership kOwnerships[] = {
    {"alice", "Tom", "cat"}, {"alice", "Rex", "dog"}, {"bob", "Nemo", "fish"}};

Instance Person(const std::string& name, const std::string& ns) {
  Instance p("WSMAN_TestPerson", ns);
  p.SetKey("Name", Value::String(name));
  p.Set("Age", Value::Uint8(name == "alice" ? 30 : 40));
  return p;
}

Instance Pet(const Ownership& o, const std::string& ns) {
  Instance p("WSMAN_TestPet", ns);
  p.SetKey("Name", Value::String(o.pet));
  p.Set("Species", Value::String(o.species));
  return p;
}

Instance Link(const Ownership& o, const std::string& ns) {
  Instance l("WSMAN_TestOwnership", ns);
  l.SetKey("Owner", Value::Reference(std::make_shared<const Instance>(
                        Person(o.person, ns).KeysOnly())));
  l.SetKey("Pet", Value::Reference(
                      std::make_shared<const Instance>(Pet(o, ns).KeysOnly())));
  return l;
}

class PetsProvider : public Provider {
 public:
  explicit PetsProvider(std::string cls) : cls_(std::move(cls)) {}
  void EnumerateInstances(const CallInfo& call, ContextPtr ctx) override {
    const std::string& ns = call.namespace_name;
    if (cls_ == "WSMAN_TestPerson") {
      ctx->PostInstance(Person("alice", ns));
      ctx->PostInstance(Person("bob", ns));
    } else {
      for (const Ownership& o : kOwnerships) {
        ctx->PostInstance(cls_ == "WSMAN_TestPet" ? Pet(o, ns) : Link(o, ns));
      }
    }
    ctx->PostResult(MiResult::kOk);
  }
  void GetInstance(const CallInfo& call, const Instance& keys,
                   ContextPtr ctx) override {
    const Value* name = keys.Get("Name");
    std::string n = name && name->AsString() ? *name->AsString() : "";
    for (const Ownership& o : kOwnerships) {
      if (cls_ == "WSMAN_TestPerson" && n == o.person) {
        ctx->PostInstance(Person(n, call.namespace_name));
        ctx->PostResult(MiResult::kOk);
        return;
      }
      if (cls_ == "WSMAN_TestPet" && n == o.pet) {
        ctx->PostInstance(Pet(o, call.namespace_name));
        ctx->PostResult(MiResult::kOk);
        return;
      }
    }
    ctx->PostResult(MiResult::kNotFound);
  }
  void AssociatorInstances(const CallInfo& call, const Instance& source,
                           const AssociationQuery& q, ContextPtr ctx) override {
    Walk(call, source, q, ctx, /*associators=*/true);
  }
  void ReferenceInstances(const CallInfo& call, const Instance& source,
                          const AssociationQuery& q, ContextPtr ctx) override {
    Walk(call, source, q, ctx, /*associators=*/false);
  }

 private:
  void Walk(const CallInfo& call, const Instance& source,
            const AssociationQuery& q, const ContextPtr& ctx,
            bool associators) {
    const std::string& ns = call.namespace_name;
    const Value* name = source.Get("Name");
    std::string n = name && name->AsString() ? *name->AsString() : "";
    bool from_person = NameEquals(source.class_name(), "WSMAN_TestPerson");
    if (!q.assoc_class.empty() &&
        !NameEquals(q.assoc_class, "WSMAN_TestOwnership")) {
      ctx->PostResult(MiResult::kOk);
      return;
    }
    if (!q.role.empty() && !NameEquals(q.role, from_person ? "Owner" : "Pet")) {
      ctx->PostResult(MiResult::kOk);
      return;
    }
    for (const Ownership& o : kOwnerships) {
      if ((from_person && n != o.person) || (!from_person && n != o.pet)) {
        continue;
      }
      Instance result = !associators  ? Link(o, ns)
                        : from_person ? Pet(o, ns)
                                      : Person(o.person, ns);
      if (!q.result_class.empty() &&
          !NameEquals(q.result_class, result.class_name())) {
        continue;
      }
      ctx->PostInstance(std::move(result));
    }
    ctx->PostResult(MiResult::kOk);
  }
  std::string cls_;
};

}  // namespace

Instance MakeTestItem(uint32_t i, const std::string& ns) {
  Instance inst("WSMAN_TestItem", ns);
  inst.SetKey("Id", Value::Uint32(i));
  inst.Set("Name", Value::String("item-" + std::to_string(i)));
  inst.Set("Flag", Value::Boolean(i % 2 == 0));
  inst.Set("Small", Value::Sint8(static_cast<int8_t>(i % 256 - 128)));
  inst.Set("Big", Value::Uint64(uint64_t{i} * 1000003ull));
  inst.Set("Ratio", Value::Real64(i / 4.0));
  inst.Set("Single", Value::Real32(static_cast<float>(i % 1000) / 8.0f));
  inst.Set("Letter", Value::Char16(static_cast<char16_t>('A' + i % 26)));
  inst.Set("When", Value::DateTime(Datetime::Timestamp(
                       2024, 1 + i % 12, 1 + i % 28, i % 24, i % 60, i % 60)));
  if (i % 10 == 9) {
    inst.Set("Tags", Value::Null(CimType::kString, true));
  } else {
    inst.Set("Tags", Value::Array(CimType::kString,
                                  {Scalar(std::string("even")),
                                   Scalar("t" + std::to_string(i % 7))}));
  }
  return inst;
}

base::Status RegisterTestProviders(Registry* registry) {
  base::Status status;
  auto reg = [&](std::shared_ptr<ClassDecl> decl,
                 std::shared_ptr<Provider> provider) {
    ClassRegistration r;
    r.namespace_name = "root/cimv2";
    r.decl = std::move(decl);
    r.provider = std::move(provider);
    r.origin = "test";
    status = registry->Register(std::move(r));
    return status.ok();
  };
  auto persons = std::make_shared<ClassDecl>();
  persons->name = "WSMAN_TestPerson";
  persons->Key("Name", CimType::kString).Prop("Age", CimType::kUint8);
  auto pets = std::make_shared<ClassDecl>();
  pets->name = "WSMAN_TestPet";
  pets->Key("Name", CimType::kString).Prop("Species", CimType::kString);
  auto links = std::make_shared<ClassDecl>();
  links->name = "WSMAN_TestOwnership";
  links->properties.push_back(
      {"Owner", CimType::kReference, false, true, "WSMAN_TestPerson"});
  links->properties.push_back(
      {"Pet", CimType::kReference, false, true, "WSMAN_TestPet"});
  reg(ItemDecl(), std::make_shared<ItemProvider>()) &&
      reg(SimpleDecl("WSMAN_TestFailing"),
          std::make_shared<FailingProvider>()) &&
      reg(SimpleDecl("WSMAN_TestThrowing"),
          std::make_shared<ThrowingProvider>()) &&
      reg(SimpleDecl("WSMAN_TestSilent"), std::make_shared<SilentProvider>()) &&
      reg(SimpleDecl("WSMAN_TestLate"), std::make_shared<LateProvider>()) &&
      reg(SimpleDecl("WSMAN_TestAsync"), std::make_shared<AsyncProvider>()) &&
      reg(SimpleDecl("WSMAN_TestSlow"), std::make_shared<SlowProvider>()) &&
      reg(TableDecl(), std::make_shared<TableProvider>()) &&
      reg(persons, std::make_shared<PetsProvider>("WSMAN_TestPerson")) &&
      reg(pets, std::make_shared<PetsProvider>("WSMAN_TestPet")) &&
      reg(links, std::make_shared<PetsProvider>("WSMAN_TestOwnership"));
  return status;
}

}  // namespace wsman::providers::testing
