// WMI's association queries: ASSOCIATORS OF / REFERENCES OF object paths
// (named keys, the single unnamed key, singletons, quotes and escapes,
// namespace prefixes), the WHERE keywords, and every error naming its
// offset; plus the offsets of plain WQL errors.
#include <gtest/gtest.h>

#include <string>

#include "engine/cim/wql.h"

namespace wsman::engine::cim {
namespace {

WqlAssociation Parsed(std::string_view text) {
  auto q = ParseWqlAssociation(text);
  EXPECT_TRUE(q.ok()) << text << ": " << q.status().message();
  return q.ok() ? std::move(q).value() : WqlAssociation{};
}

std::string ErrorOf(std::string_view text) {
  auto q = ParseWqlAssociation(text);
  EXPECT_FALSE(q.ok()) << text;
  if (!q.ok()) {
    EXPECT_EQ(q.status().code(), base::Status::Code::kInvalidArgument);
    return q.status().message();
  }
  return "";
}

TEST(WqlAssociation, Recognised) {
  EXPECT_TRUE(IsWqlAssociationQuery("  associators of {X.A=1}"));
  EXPECT_TRUE(IsWqlAssociationQuery("REFERENCES OF {X.A=1}"));
  EXPECT_FALSE(IsWqlAssociationQuery("SELECT * FROM X"));
  EXPECT_FALSE(IsWqlAssociationQuery("AssociatorsX"));
}

TEST(WqlAssociation, NamedKeysAndWhere) {
  WqlAssociation q = Parsed(
      "ASSOCIATORS OF {CIM_ComputerSystem.Name=\"host\","
      "CreationClassName='CIM_ComputerSystem'} WHERE AssocClass = "
      "CIM_RunningOS ResultClass=CIM_OperatingSystem Role = Dependent "
      "ResultRole=Antecedent KeysOnly");
  EXPECT_TRUE(q.associators);
  EXPECT_EQ(q.object.class_name, "CIM_ComputerSystem");
  ASSERT_EQ(q.object.keys.size(), 2u);
  EXPECT_EQ(q.object.keys[0].first, "Name");
  EXPECT_EQ(q.object.keys[0].second, "host");
  EXPECT_EQ(q.object.keys[1].first, "CreationClassName");
  EXPECT_EQ(q.object.keys[1].second, "CIM_ComputerSystem");
  EXPECT_EQ(q.assoc_class, "CIM_RunningOS");
  EXPECT_EQ(q.result_class, "CIM_OperatingSystem");
  EXPECT_EQ(q.role, "Dependent");
  EXPECT_EQ(q.result_role, "Antecedent");
  EXPECT_TRUE(q.keys_only);
  EXPECT_FALSE(q.class_defs_only);
  EXPECT_TRUE(q.object.namespace_name.empty());
}

TEST(WqlAssociation, SingleKeyNumbersEscapesAndSingletons) {
  WqlAssociation q = Parsed("associators of {Win32_Service='ssh'}");
  ASSERT_EQ(q.object.keys.size(), 1u);
  EXPECT_EQ(q.object.keys[0].first, "");
  EXPECT_EQ(q.object.keys[0].second, "ssh");
  q = Parsed("REFERENCES OF {CIM_Process.Handle=1}");
  EXPECT_FALSE(q.associators);
  EXPECT_EQ(q.object.keys[0].second, "1");
  q = Parsed(R"(ASSOCIATORS OF {X.P="a \"q\" \\ } b"} WHERE ClassDefsOnly)");
  EXPECT_EQ(q.object.keys[0].second, R"(a "q" \ } b)");
  EXPECT_TRUE(q.class_defs_only);
  q = Parsed("ASSOCIATORS OF {Single=@}");
  EXPECT_EQ(q.object.class_name, "Single");
  EXPECT_TRUE(q.object.keys.empty());
}

TEST(WqlAssociation, NamespacePrefixes) {
  EXPECT_EQ(
      Parsed(R"(ASSOCIATORS OF {\\host\root\cimv2:Win32_Service.Name="a"})")
          .object.namespace_name,
      "root/cimv2");
  EXPECT_EQ(Parsed(R"(ASSOCIATORS OF {\\.\root\cimv2:Win32_Service="a"})")
                .object.namespace_name,
            "root/cimv2");
  EXPECT_EQ(Parsed("ASSOCIATORS OF {root/interop:X.A=1}").object.namespace_name,
            "root/interop");
  // A colon inside a value is not a namespace separator.
  WqlAssociation q = Parsed("ASSOCIATORS OF {X.Path=\"C:\\\\x\"}");
  EXPECT_TRUE(q.object.namespace_name.empty());
  EXPECT_EQ(q.object.keys[0].second, "C:\\x");
}

TEST(WqlAssociation, ReferencesKeywords) {
  WqlAssociation q = Parsed(
      "REFERENCES OF {X.A=1} WHERE ResultClass = CIM_RunningOS Role = "
      "\"Antecedent\" RequiredQualifier = Q");
  EXPECT_EQ(q.result_class, "CIM_RunningOS");
  EXPECT_EQ(q.role, "Antecedent");
  EXPECT_EQ(q.required_qualifier, "Q");
  // AssocClass and ResultRole belong to ASSOCIATORS OF only.
  EXPECT_NE(
      ErrorOf("REFERENCES OF {X.A=1} WHERE AssocClass = Y")
          .find("not a keyword of REFERENCES OF (at character offset 28)"),
      std::string::npos);
  EXPECT_NE(ErrorOf("REFERENCES OF {X.A=1} WHERE ResultRole = Y").find("28"),
            std::string::npos);
}

TEST(WqlAssociation, ErrorsNameTheirOffset) {
  struct Case {
    std::string_view text;
    std::string_view want;
  } cases[] = {
      {"ASSOCIATORS {X.A=1}", "expected OF (at character offset 12)"},
      {"ASSOCIATORS OF X.A=1",
       "expected { before the object path (at "
       "character offset 15)"},
      {"ASSOCIATORS OF {X.A=1", "no closing } (at character offset 16)"},
      {"ASSOCIATORS OF {X}", "names no key"},
      {"ASSOCIATORS OF {.A=1}",
       "expected a class name in the object path "
       "(at character offset 16)"},
      {"ASSOCIATORS OF {X.A=1,}",
       "expected a key property name (at "
       "character offset 22)"},
      {"ASSOCIATORS OF {X.A 1}",
       "expected = after the key (at character "
       "offset 20)"},
      {"ASSOCIATORS OF {X.A=1 2}",
       "unexpected text in the object path (at "
       "character offset 22)"},
      {"ASSOCIATORS OF {X.A=1} HAVING",
       "expected WHERE or the end (at "
       "character offset 23)"},
      {"ASSOCIATORS OF {X.A=1} WHERE Bogus", "(at character offset 29)"},
      {"ASSOCIATORS OF {X.A=1} WHERE AssocClass",
       "expected = after "
       "AssocClass"},
      {"ASSOCIATORS OF {X.A=1} WHERE AssocClass = ", "expected a name"},
      {"ASSOCIATORS OF {X.A=1} WHERE Role = 'x", "unterminated string"},
      {"ASSOCIATORS OF {X.A=1} WHERE Role = a Role = b", "given twice"},
      {"ASSOCIATORS OF {\\\\host:X.A=1}", "names a host but no namespace"},
      {"ASSOCIATORS OF {:X.A=1}", "namespace is empty"},
  };
  for (const Case& c : cases) {
    std::string error = ErrorOf(c.text);
    EXPECT_NE(error.find(c.want), std::string::npos)
        << c.text << " -> " << error;
    EXPECT_NE(error.find("at character offset"), std::string::npos) << error;
  }
}

TEST(WqlAssociation, Limits) {
  WqlLimits small;
  small.max_length = 10;
  auto q = ParseWqlAssociation("ASSOCIATORS OF {X.A=1}", small);
  ASSERT_FALSE(q.ok());
  EXPECT_NE(q.status().message().find("too long"), std::string::npos);
  std::string many = "ASSOCIATORS OF {X.A=1} WHERE";
  for (int i = 0; i < 20; ++i) many += " KeysOnly";
  EXPECT_NE(ErrorOf(many).find("too many WHERE keywords"), std::string::npos);
}

TEST(WqlOffsets, SelectErrorsNameTheirOffset) {
  struct Case {
    std::string_view text;
    std::string_view want;
  } cases[] = {
      {"SELECT * FROM X WHERE {",
       "unexpected character '{' (at character "
       "offset 22)"},
      {"SELECT * FROM X WHERE A = 'x",
       "unterminated string (at character "
       "offset 26)"},
      {"SELECT * FROM X WHERE",
       "the condition ends too early (at character "
       "offset 21)"},
      {"SELECT FROM X",
       "expected a property name or * (at character "
       "offset 7)"},
      {"SELECT * FROM X WHERE A = 1 B",
       "unexpected \"B\" (at character "
       "offset 28)"},
  };
  for (const Case& c : cases) {
    auto q = ParseWql(c.text);
    ASSERT_FALSE(q.ok()) << c.text;
    EXPECT_NE(q.status().message().find(c.want), std::string::npos)
        << c.text << " -> " << q.status().message();
  }
}

}  // namespace
}  // namespace wsman::engine::cim
