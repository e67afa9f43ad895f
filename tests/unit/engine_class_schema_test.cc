// Class declarations with their hierarchy (engine/cim/class_schema.h,
// class_hierarchy.h, class_listing.h): DERIVATION, CLASSORIGIN and
// PROPAGATED, the class qualifiers, each Include* option on and off, a
// superclass resolved through the registry, the class listing's selection
// and the classes a polymorphic Enumerate reaches.
#include <gtest/gtest.h>

#include "engine/cim/class_hierarchy.h"
#include "engine/cim/class_listing.h"
#include "engine/cim/class_schema.h"
#include "providers/host/host_model.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::ClassDecl;

bool Has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

std::string Write(const ClassDecl& d, const ClassSchemaOptions& o = {},
                  const providers::Registry* registry = nullptr) {
  std::string out;
  soap::XmlWriter xml(&out);
  WriteClassSchema(xml, d, o, registry, "root/cimv2");
  return out;
}

// Test_Base (abstract: Id key, Caption, method Reset) <- Test_Derived
// (+ Size, method Grow) <- Test_Leaf (+ Color).
struct Hierarchy {
  std::shared_ptr<ClassDecl> base = std::make_shared<ClassDecl>();
  std::shared_ptr<ClassDecl> derived = std::make_shared<ClassDecl>();
  std::shared_ptr<ClassDecl> leaf = std::make_shared<ClassDecl>();
  Hierarchy() {
    base->name = "Test_Base";
    base->is_abstract = true;
    base->Key("Id", CimType::kString).Prop("Caption", CimType::kString);
    base->methods.push_back({"Reset", CimType::kUint32, {}, false});
    derived->name = "Test_Derived";
    derived->superclass = "Test_Base";
    derived->parent = base;
    *derived = [&] {
      ClassDecl d = *derived;
      d.properties = base->properties;
      d.methods = base->methods;
      d.Prop("Size", CimType::kUint64);
      d.methods.push_back({"Grow", CimType::kUint32, {}, true});
      return d;
    }();
    leaf->name = "Test_Leaf";
    leaf->superclass = "Test_Derived";  // resolved through the registry
    leaf->properties = derived->properties;
    leaf->methods = derived->methods;
    leaf->Prop("Color", CimType::kString);
  }
};

class CountingProvider : public providers::Provider {};

std::shared_ptr<providers::Registry> RegistryOf(
    std::vector<std::shared_ptr<ClassDecl>> decls) {
  auto r = std::make_shared<providers::Registry>();
  for (auto& d : decls) {
    providers::ClassRegistration reg;
    reg.decl = d;
    reg.provider = std::make_shared<CountingProvider>();
    EXPECT_TRUE(r->Register(std::move(reg)).ok());
  }
  return r;
}

TEST(ClassSchema, DerivationOriginAndPropagated) {
  Hierarchy h;
  std::string s = Write(*h.derived);
  EXPECT_TRUE(Has(s,
                  "<CLASS NAME=\"Test_Derived\" SUPERCLASS=\"Test_Base\" "
                  "DERIVATION=\"Test_Base\">"))
      << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Id\" TYPE=\"string\" "
                  "CLASSORIGIN=\"Test_Base\" PROPAGATED=\"true\">"
                  "<QUALIFIER NAME=\"Key\""))
      << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Size\" TYPE=\"uint64\" "
                  "CLASSORIGIN=\"Test_Derived\"/>"))
      << s;
  EXPECT_TRUE(Has(s,
                  "<METHOD NAME=\"Reset\" TYPE=\"uint32\" "
                  "CLASSORIGIN=\"Test_Base\" PROPAGATED=\"true\"/>"))
      << s;
  EXPECT_TRUE(Has(s,
                  "<METHOD NAME=\"Grow\" TYPE=\"uint32\" "
                  "CLASSORIGIN=\"Test_Derived\"><QUALIFIER "
                  "NAME=\"Static\""))
      << s;
  // The abstract root: no SUPERCLASS, the Abstract qualifier first.
  std::string b = Write(*h.base);
  EXPECT_EQ(b.rfind("<CLASS NAME=\"Test_Base\"><QUALIFIER NAME=\"Abstract\" "
                    "TYPE=\"boolean\" OVERRIDABLE=\"false\"><VALUE>true"
                    "</VALUE></QUALIFIER><PROPERTY NAME=\"Id\"",
                    0),
            0u)
      << b;
  EXPECT_FALSE(Has(b, "PROPAGATED"));
}

TEST(ClassSchema, SuperclassThroughTheRegistryAndUnknownParents) {
  Hierarchy h;
  auto registry = RegistryOf({h.derived, h.leaf});
  std::string s = Write(*h.leaf, {}, registry.get());
  EXPECT_TRUE(Has(s, "DERIVATION=\"Test_Derived,Test_Base\">")) << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Size\" TYPE=\"uint64\" "
                  "CLASSORIGIN=\"Test_Derived\" PROPAGATED=\"true\"/>"))
      << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Color\" TYPE=\"string\" "
                  "CLASSORIGIN=\"Test_Leaf\"/>"))
      << s;
  // Without the registry the chain stops at the name it knows.
  s = Write(*h.leaf);
  EXPECT_TRUE(Has(s, "DERIVATION=\"Test_Derived\">")) << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Size\" TYPE=\"uint64\" "
                  "CLASSORIGIN=\"Test_Leaf\"/>"))
      << s;
}

TEST(ClassSchema, EachIncludeOption) {
  Hierarchy h;
  ClassSchemaOptions o;
  o.inheritance_hierarchy = false;
  std::string s = Write(*h.derived, o);
  EXPECT_TRUE(Has(s, "<CLASS NAME=\"Test_Derived\" SUPERCLASS=\"Test_Base\">"))
      << s;
  EXPECT_FALSE(Has(s, "DERIVATION"));

  o = {};
  o.inherited_elements = false;
  s = Write(*h.derived, o);
  EXPECT_FALSE(Has(s, "NAME=\"Id\"")) << s;
  EXPECT_FALSE(Has(s, "NAME=\"Reset\"")) << s;
  EXPECT_TRUE(Has(s, "NAME=\"Size\"")) << s;
  EXPECT_TRUE(Has(s, "NAME=\"Grow\"")) << s;

  o = {};
  o.qualifiers = false;
  s = Write(*h.derived, o);
  EXPECT_FALSE(Has(s, "QUALIFIER")) << s;
  EXPECT_FALSE(Has(Write(*h.base, o), "QUALIFIER"));
  EXPECT_TRUE(Has(s, "CLASSORIGIN=\"Test_Base\""));

  o = {};
  o.class_origin = false;
  s = Write(*h.derived, o);
  EXPECT_FALSE(Has(s, "CLASSORIGIN")) << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY NAME=\"Id\" TYPE=\"string\" "
                  "PROPAGATED=\"true\">"))
      << s;
  EXPECT_TRUE(Has(s, "DERIVATION=\"Test_Base\""));
}

TEST(ClassSchema, OptionsFromTheRequest) {
  soap::Request r;
  ClassSchemaOptions o = ClassSchemaOptionsOf(r);
  EXPECT_TRUE(o.inheritance_hierarchy && o.inherited_elements && o.qualifiers &&
              o.class_origin);
  r.options.push_back({"IncludeInheritanceHierarchy", " false ", "xs:boolean"});
  r.options.push_back({"wmi:IncludeQualifiers", "0", "xs:boolean"});
  r.options.push_back({"WMI:IncludeClassOrigin", "FALSE", ""});
  r.options.push_back({"IncludeInheritedElements", "maybe", ""});
  o = ClassSchemaOptionsOf(r);
  EXPECT_FALSE(o.inheritance_hierarchy);
  EXPECT_FALSE(o.qualifiers);
  EXPECT_FALSE(o.class_origin);
  EXPECT_TRUE(o.inherited_elements);  // not an xs:boolean: the default
}

TEST(ClassSchema, HostHierarchyAndQualifiers) {
  using providers::host::FindHostClass;
  const ClassDecl& running = *FindHostClass("CIM_RunningOS")->decl;
  std::string s = Write(running);
  EXPECT_TRUE(Has(s,
                  "<CLASS NAME=\"CIM_RunningOS\" SUPERCLASS="
                  "\"CIM_Dependency\" DERIVATION=\"CIM_Dependency\">"
                  "<QUALIFIER NAME=\"Association\""))
      << s;
  EXPECT_TRUE(Has(s,
                  "<PROPERTY.REFERENCE NAME=\"Antecedent\" "
                  "REFERENCECLASS=\"CIM_OperatingSystem\" "
                  "CLASSORIGIN=\"CIM_Dependency\" PROPAGATED=\"true\">"))
      << s;
  EXPECT_EQ(Derivation(nullptr, "", *FindHostClass("Win32_Service")->decl),
            (std::vector<std::string>{
                "Win32_BaseService", "CIM_Service", "CIM_EnabledLogicalElement",
                "CIM_LogicalElement", "CIM_ManagedSystemElement",
                "CIM_ManagedElement"}));
  EXPECT_EQ(
      Derivation(nullptr, "", *FindHostClass("Win32_ComputerSystem")->decl)
          .front(),
      "CIM_UnitaryComputerSystem");
  EXPECT_EQ(FindHostClass("Win32_OperatingSystem")->decl->superclass,
            "CIM_OperatingSystem");
  EXPECT_EQ(FindHostClass("Win32_LogicalDisk")->decl->superclass,
            "CIM_LogicalDisk");
  // Every base is known, and no class below a base lacks its properties.
  for (const auto& base : providers::host::HostBaseClasses()) {
    for (const providers::host::HostClass& c : providers::host::HostClasses()) {
      if (!IsA(nullptr, "", *c.decl, base->name)) continue;
      for (const providers::PropertyDecl& p : base->properties) {
        EXPECT_NE(c.decl->FindProperty(p.name), nullptr)
            << c.name << " lacks " << base->name << "." << p.name;
      }
    }
  }
  // A base lists what it inherits too.
  const ClassDecl* logical = nullptr;
  for (const auto& base : providers::host::HostBaseClasses()) {
    if (base->name == "CIM_LogicalElement") logical = base.get();
  }
  ASSERT_NE(logical, nullptr);
  std::string le = Write(*logical);
  EXPECT_TRUE(Has(le,
                  "<PROPERTY NAME=\"Caption\" TYPE=\"string\" "
                  "CLASSORIGIN=\"CIM_ManagedElement\" PROPAGATED=\"true\"/>"))
      << le;
  EXPECT_TRUE(Has(le,
                  "<PROPERTY NAME=\"Name\" TYPE=\"string\" "
                  "CLASSORIGIN=\"CIM_ManagedSystemElement\" "
                  "PROPAGATED=\"true\"/>"))
      << le;
  const ClassDecl& base_service = *FindHostClass("Win32_Service")->decl->parent;
  EXPECT_EQ(base_service.name, "Win32_BaseService");
  EXPECT_NE(base_service.FindMethod("StartService"), nullptr);
  EXPECT_NE(base_service.FindProperty("State"), nullptr);
  const ClassDecl* managed = providers::host::HostBaseClasses().front().get();
  EXPECT_EQ(managed->name, "CIM_ManagedElement");
  EXPECT_TRUE(managed->is_abstract);
  EXPECT_TRUE(Has(Write(*managed), "<QUALIFIER NAME=\"Abstract\""));
}

TEST(ClassHierarchy, ListingOrderAndSelection) {
  Hierarchy h;
  auto registry = RegistryOf({h.leaf, h.derived});
  std::vector<const ClassDecl*> all = ClassesIn(*registry, "root/cimv2");
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[0]->name, "Test_Base");  // parents first
  EXPECT_EQ(all[1]->name, "Test_Derived");
  EXPECT_EQ(all[2]->name, "Test_Leaf");
  EXPECT_EQ(FindClassDecl(*registry, "root/cimv2", "test_base"), h.base.get());
  EXPECT_EQ(FindClassDecl(*registry, "root/other", "Test_Base"), nullptr);

  auto names = [&](std::vector<soap::Selector> sels) {
    soap::Request r;
    r.selectors = std::move(sels);
    auto got = SelectClasses(*registry, "root/cimv2", r);
    std::vector<std::string> out;
    if (!got.ok()) return std::vector<std::string>{"fault"};
    for (const ClassDecl* d : *got) out.push_back(d->name);
    return out;
  };
  EXPECT_EQ(names({}).size(), 3u);
  EXPECT_EQ(names({{"ClassName", ""}}).size(), 3u);
  EXPECT_EQ(names({{"ClassName", "Test_Base"}}),
            (std::vector<std::string>{"Test_Derived", "Test_Leaf"}));
  EXPECT_EQ(names({{"ClassName", "test_*d"}}),
            (std::vector<std::string>{"Test_Derived"}));
  EXPECT_EQ(names({{"ClassName", "*"}}).size(), 3u);
  EXPECT_EQ(names({{"ClassName", "Test_?eaf"}}),
            (std::vector<std::string>{"Test_Leaf"}));
  EXPECT_EQ(names({{"ClassName", "Nope_*"}}), std::vector<std::string>{});
  EXPECT_EQ(names({{"ClassName", "Nope"}}), std::vector<std::string>{"fault"});
}

TEST(ClassHierarchy, PolymorphicTargetsAreTheMostDerived) {
  Hierarchy h;
  auto other = std::make_shared<ClassDecl>();
  other->name = "Test_Other";
  other->superclass = "Test_Base";
  other->parent = h.base;
  auto registry = RegistryOf({h.derived, h.leaf, other});
  auto names = [&](std::string_view base) {
    std::vector<std::string> out;
    for (const auto* r : PolymorphicTargets(*registry, "root/cimv2", base)) {
      out.push_back(r->decl->name);
    }
    return out;
  };
  // Test_Derived is served and has a served subclass: reported once, as
  // Test_Leaf.
  EXPECT_EQ(names("Test_Base"),
            (std::vector<std::string>{"Test_Leaf", "Test_Other"}));
  EXPECT_EQ(names("Test_Derived"), std::vector<std::string>{"Test_Leaf"});
  EXPECT_EQ(names("Test_Leaf"), std::vector<std::string>{"Test_Leaf"});
  EXPECT_TRUE(names("Nope").empty());
}

}  // namespace
}  // namespace wsman::engine::cim
