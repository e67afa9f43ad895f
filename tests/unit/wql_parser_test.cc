// WQL: parsing (valid, malformed, limits) and evaluation.
#include "engine/cim/wql.h"

#include <gtest/gtest.h>

#include <optional>

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::Datetime;
using providers::Instance;
using providers::Scalar;
using providers::Value;

// ParseWql's answer with its message in `error`, for the assertions below;
// a refusal is always InvalidArgument.
std::optional<WqlQuery> Wql(std::string_view text, std::string* error,
                            const WqlLimits& limits = {}) {
  auto q = ParseWql(text, limits);
  if (!q.ok()) {
    EXPECT_EQ(q.status().code(), base::Status::Code::kInvalidArgument);
    *error = q.status().message();
    return std::nullopt;
  }
  error->clear();
  return std::move(q).value();
}

Instance Sample() {
  Instance i("Thing");
  i.SetKey("Id", Value::Uint32(7));
  i.Set("Name", Value::String("Alpha-Seven"));
  i.Set("Temp", Value::Sint16(-12));
  i.Set("Ratio", Value::Real64(0.5));
  i.Set("On", Value::Boolean(true));
  i.Set("Note", Value::Null(CimType::kString));
  i.Set("When", Value::DateTime(Datetime::Timestamp(2024, 5, 6, 7, 8, 9)));
  i.Set("Tags", Value::Array(CimType::kString, {Scalar(std::string("a"))}));
  return i;
}

bool Match(const std::string& where) {
  std::string error;
  auto q = Wql("SELECT * FROM Thing WHERE " + where, &error);
  EXPECT_TRUE(q) << where << ": " << error;
  return q && q->Matches(Sample());
}

TEST(WqlParser, SelectStarAndPropertyLists) {
  std::string error;
  auto q = Wql("select * from Win32_Process", &error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(q->class_name(), "Win32_Process");
  EXPECT_TRUE(q->properties().empty());
  EXPECT_EQ(q->where(), nullptr);
  q = Wql("SELECT Name,Id , Temp FROM Thing", &error);
  ASSERT_TRUE(q) << error;
  EXPECT_EQ(q->properties(), (std::vector<std::string>{"Name", "Id", "Temp"}));
}

TEST(WqlParser, MalformedQueriesAreRejected) {
  for (const char* bad : {"",
                          "SELECT",
                          "SELECT *",
                          "SELECT * FROM",
                          "FROM Thing",
                          "SELECT , FROM Thing",
                          "SELECT a, FROM Thing",
                          "SELECT * FROM Thing WHERE",
                          "SELECT * FROM Thing WHERE Id",
                          "SELECT * FROM Thing WHERE Id =",
                          "SELECT * FROM Thing WHERE = 1",
                          "SELECT * FROM Thing WHERE (Id = 1",
                          "SELECT * FROM Thing WHERE Id = 1)",
                          "SELECT * FROM Thing WHERE Id = 'open",
                          "SELECT * FROM Thing WHERE Id IS 5",
                          "SELECT * FROM Thing WHERE Id LIKE 5",
                          "SELECT * FROM Thing WHERE Id = 1 AND",
                          "SELECT * FROM Thing extra",
                          "SELECT * FROM Thing WHERE Id # 1",
                          "SELECT * FROM Thing WHERE Id = 1.2.3",
                          "SELECT * FROM WHERE",
                          "SELECT * FROM Thing WHERE NOT",
                          "SELECT * FROM Thing WHERE Id NOT 3"}) {
    std::string error;
    EXPECT_FALSE(Wql(bad, &error)) << bad;
    EXPECT_FALSE(error.empty()) << bad;
  }
}

TEST(WqlParser, LimitsOnDepthLengthAndTokens) {
  std::string deep = "SELECT * FROM Thing WHERE " + std::string(100, '(') +
                     "Id = 1" + std::string(100, ')');
  std::string error;
  EXPECT_FALSE(Wql(deep, &error));
  EXPECT_NE(error.find("deep"), std::string::npos);
  std::string nots = "SELECT * FROM Thing WHERE ";
  for (int i = 0; i < 100; ++i) nots += "NOT ";
  EXPECT_FALSE(Wql(nots + "Id = 1", &error));
  std::string shallow = "SELECT * FROM Thing WHERE " + std::string(10, '(') +
                        "Id = 7" + std::string(10, ')');
  auto q = Wql(shallow, &error);
  ASSERT_TRUE(q) << error;
  EXPECT_TRUE(q->Matches(Sample()));
  EXPECT_FALSE(Wql(std::string(20000, ' ') + "SELECT * FROM T", &error));
  std::string many = "SELECT * FROM Thing WHERE Id = 1";
  for (int i = 0; i < 1000; ++i) many += " OR Id = 1";
  EXPECT_FALSE(Wql(many, &error));
}

TEST(WqlEval, Comparisons) {
  EXPECT_TRUE(Match("Id = 7"));
  EXPECT_TRUE(Match("7 = Id"));
  EXPECT_TRUE(Match("Id <> 8 AND Id != 9"));
  EXPECT_TRUE(Match("Id >= 7 AND Id <= 7 AND Id > 6 AND Id < 8"));
  EXPECT_TRUE(Match("8 > Id"));
  EXPECT_FALSE(Match("Id > 7"));
  EXPECT_TRUE(Match("Temp < 0 AND Temp = -12"));
  EXPECT_TRUE(Match("Ratio = 0.5 AND Ratio < 1e3"));
  EXPECT_TRUE(Match("Name = 'alpha-seven'"));  // case-insensitive
  EXPECT_TRUE(Match("Name = \"ALPHA-SEVEN\""));
  EXPECT_TRUE(Match("Name > 'Alpha' AND Name < 'B'"));
  EXPECT_TRUE(Match("On = TRUE AND On <> FALSE"));
  EXPECT_TRUE(Match("When > '2024-01-01T00:00:00Z'"));
  EXPECT_TRUE(Match("When = '20240506070809.000000+000'"));
  EXPECT_TRUE(Match("Id = '7'"));
}

TEST(WqlEval, LogicAndNulls) {
  EXPECT_TRUE(Match("Id = 1 OR Id = 7"));
  EXPECT_FALSE(Match("Id = 1 AND Id = 7"));
  EXPECT_TRUE(Match("NOT Id = 1"));
  EXPECT_TRUE(Match("NOT (Id = 1 OR Name = 'x')"));
  EXPECT_TRUE(Match("Note IS NULL AND Name IS NOT NULL"));
  EXPECT_TRUE(Match("Note = NULL"));
  EXPECT_TRUE(Match("Missing IS NULL"));
  // A comparison with a null is unknown: neither it nor its negation holds.
  EXPECT_FALSE(Match("Note = 'x'"));
  EXPECT_FALSE(Match("NOT Note = 'x'"));
  EXPECT_TRUE(Match("Note = 'x' OR Id = 7"));
  // Arrays do not compare.
  EXPECT_FALSE(Match("Tags = 'a'"));
  EXPECT_TRUE(Match("Id = 7 AND (Temp < 0 OR Ratio > 100) AND NOT On = FALSE"));
}

TEST(WqlEval, Like) {
  EXPECT_TRUE(Match("Name LIKE 'alpha%'"));
  EXPECT_TRUE(Match("Name LIKE '%SEVEN'"));
  EXPECT_TRUE(Match("Name LIKE 'A_pha-%'"));
  EXPECT_TRUE(Match("Name NOT LIKE 'beta%'"));
  EXPECT_TRUE(Match("Name LIKE '[a-c]lpha-[^x]even'"));
  EXPECT_FALSE(Match("Name LIKE 'alpha'"));
  EXPECT_TRUE(Match("Id LIKE '7'"));
  EXPECT_TRUE(WqlLike("", "%"));
  EXPECT_TRUE(WqlLike("abc", "%%%"));
  EXPECT_FALSE(WqlLike("", "_"));
  EXPECT_TRUE(WqlLike("a[b", "a[b"));
  EXPECT_TRUE(WqlLike("aXbXc", "a%b%c"));
  EXPECT_FALSE(WqlLike("aXbXd", "a%b%c"));
  // Pathological patterns stay fast.
  EXPECT_FALSE(WqlLike(std::string(5000, 'a'), std::string(50, '%') + "b"));
}

TEST(WqlParser, CheckAgainstDeclaration) {
  providers::ClassDecl decl;
  decl.name = "Thing";
  decl.Key("Id", CimType::kUint32).Prop("Name", CimType::kString);
  std::string error;
  auto ok = Wql("SELECT Name FROM Thing WHERE id = 1", &error);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->CheckAgainst(decl), "");
  auto bad = Wql("SELECT * FROM Thing WHERE Nope = 1", &error);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->CheckAgainst(decl).find("Nope"), std::string::npos);
}

TEST(WqlEval, IsAOnEmbeddedObjectsAndReferences) {
  Instance i("Holder");
  i.Set("Embedded", Value::EmbeddedInstance(std::make_shared<const Instance>(
                        Instance("Win32_Process", "root/cimv2"))));
  i.Set("Ref", Value::Reference(std::make_shared<const Instance>(
                   Instance("CIM_OperatingSystem", "root/cimv2"))));
  i.Set("Nothing", Value::Null(CimType::kInstance));
  i.Set("Name", Value::String("x"));
  std::string error;
  auto q = [&](const std::string& where) {
    auto parsed = Wql("SELECT * FROM Holder WHERE " + where, &error);
    EXPECT_TRUE(parsed) << error;
    return parsed;
  };
  // Without a hierarchy: the class itself only (any case, quoted or not).
  EXPECT_TRUE(q("Embedded ISA \"win32_process\"")->Matches(i));
  EXPECT_TRUE(q("Embedded ISA Win32_Process")->Matches(i));
  EXPECT_FALSE(q("Embedded ISA 'CIM_Process'")->Matches(i));
  EXPECT_TRUE(q("Ref ISA 'CIM_OperatingSystem'")->Matches(i));
  // A null or scalar property is unknown: neither ISA nor NOT ISA holds.
  EXPECT_FALSE(q("Nothing ISA 'X'")->Matches(i));
  EXPECT_FALSE(q("NOT Nothing ISA 'X'")->Matches(i));
  // With one: derived classes too.
  WqlClassTest hierarchy = [](std::string_view cls, std::string_view base) {
    return providers::NameEquals(cls, base) ||
           (providers::NameEquals(cls, "Win32_Process") &&
            providers::NameEquals(base, "CIM_Process"));
  };
  EXPECT_TRUE(q("Embedded ISA 'CIM_Process'")->Matches(i, &hierarchy));
  EXPECT_FALSE(q("Embedded ISA 'CIM_Service'")->Matches(i, &hierarchy));
  EXPECT_TRUE(
      q("Embedded ISA 'CIM_Process' AND Name = 'X'")->Matches(i, &hierarchy));
  // Malformed.
  for (const char* bad : {"Embedded ISA", "Embedded ISA ''", "Embedded ISA 5",
                          "Embedded ISA AND"}) {
    EXPECT_FALSE(Wql(std::string("SELECT * FROM Holder WHERE ") + bad, &error))
        << bad;
    EXPECT_NE(error.find("offset"), std::string::npos) << error;
  }
}

TEST(WqlParser, IsANeedsAnObjectProperty) {
  providers::ClassDecl decl;
  decl.name = "Holder";
  decl.Key("Id", CimType::kUint32)
      .Prop("Name", CimType::kString)
      .Prop("Embedded", CimType::kInstance);
  std::string error;
  auto ok = Wql("SELECT * FROM Holder WHERE Embedded ISA 'X'", &error);
  ASSERT_TRUE(ok);
  EXPECT_EQ(ok->CheckAgainst(decl), "");
  auto bad = Wql("SELECT * FROM Holder WHERE Name ISA 'X'", &error);
  ASSERT_TRUE(bad);
  EXPECT_NE(bad->CheckAgainst(decl).find("ISA needs"), std::string::npos);
}

}  // namespace
}  // namespace wsman::engine::cim
