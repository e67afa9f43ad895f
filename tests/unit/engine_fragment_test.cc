// Fragment-level WS-Transfer (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18): the XPath
// level-1 subset parser, its check against the class, the w:XmlFragment a
// Get writes, and the property a Put's w:XmlFragment carries.
#include "engine/cim/fragment.h"

#include <gtest/gtest.h>

#include <string>

#include "soap/fault.h"
#include "testing/xml.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::ClassDecl;
using providers::Instance;
using providers::Scalar;
using providers::Value;
using soap::FaultCode;
namespace fd = soap::fault_detail;

constexpr char kW[] = "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd";

ClassDecl Decl() {
  ClassDecl d;
  d.name = "X_Thing";
  d.Key("Name", CimType::kString)
      .Prop("Value", CimType::kSint32)
      .Prop("Note", CimType::kString)
      .Prop("Scores", CimType::kUint16, true)
      .Prop("When", CimType::kDatetime);
  return d;
}

Instance Thing() {
  Instance i("X_Thing", "root/cimv2");
  i.SetKey("Name", Value::String("first"));
  i.Set("Value", Value::Sint32(7));
  i.Set("Note", Value::String("a & b"));
  i.Set("Scores", Value::Array(CimType::kUint16,
                               {Scalar(uint64_t{1}), Scalar(uint64_t{2})}));
  return i;
}

FragmentPath Path(std::string_view e) {
  auto p = ParseFragmentPath(e);
  EXPECT_TRUE(p.ok()) << e << ": " << (p.ok() ? "" : p.fault().message);
  return p.ok() ? *p : FragmentPath{};
}

void ExpectBeyondSubset(std::string_view e) {
  auto p = ParseFragmentPath(e);
  ASSERT_FALSE(p.ok()) << e;
  EXPECT_EQ(p.fault().code, FaultCode::kCannotProcessEnumerationFilter) << e;
}

TEST(EngineFragmentParse, PropertyAndTextForms) {
  FragmentPath p = Path("State");
  EXPECT_EQ(p.property, "State");
  EXPECT_FALSE(p.text);
  EXPECT_EQ(p.class_step, "");
  p = Path("  State/text()\n");
  EXPECT_EQ(p.property, "State");
  EXPECT_TRUE(p.text);
  p = Path("p:State");
  EXPECT_EQ(p.property, "State");
  p = Path("Win32_Service/State");
  EXPECT_EQ(p.class_step, "Win32_Service");
  EXPECT_EQ(p.property, "State");
  p = Path("/p:Win32_Service/p:State/text()");
  EXPECT_EQ(p.class_step, "Win32_Service");
  EXPECT_EQ(p.property, "State");
  EXPECT_TRUE(p.text);
}

TEST(EngineFragmentParse, BeyondTheSubset) {
  for (const char* e : {"",
                        "   ",
                        "text()",
                        "/State",
                        "//State",
                        "State[1]",
                        "@State",
                        "State/text()/x",
                        "a/b/c",
                        "State | Name",
                        "1abc",
                        "p:",
                        ":x",
                        "a::b",
                        "xpath expression",
                        "State/",
                        "count(State)",
                        "*",
                        ".",
                        "/a/b/c/text()"}) {
    SCOPED_TRACE(e);
    ExpectBeyondSubset(e);
  }
  ExpectBeyondSubset(std::string(2000, 'a'));
}

TEST(EngineFragmentParse, Dialects) {
  soap::FragmentTransfer h{"State", ""};
  EXPECT_TRUE(ParseFragmentTransfer(h).ok());
  h.dialect = std::string(kXPathDialect);
  EXPECT_TRUE(ParseFragmentTransfer(h).ok());
  h.dialect = std::string(kXPathLevel1Dialect);
  EXPECT_TRUE(ParseFragmentTransfer(h).ok());
  h.dialect = "http://www.w3.org/TR/xquery";
  auto r = ParseFragmentTransfer(h);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, FaultCode::kFragmentDialectNotSupported);
  // The dialect is checked before the expression.
  h.expression = "//bad[";
  r = ParseFragmentTransfer(h);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, FaultCode::kFragmentDialectNotSupported);
}

TEST(EngineFragmentResolve, AgainstTheClass) {
  ClassDecl d = Decl();
  FragmentPath p = Path("value");
  ASSERT_TRUE(ResolveFragment(&p, &d, "X_Thing").ok());
  EXPECT_EQ(p.property, "Value");  // the declared spelling
  p = Path("x_thing/Note/text()");
  EXPECT_TRUE(ResolveFragment(&p, &d, "X_Thing").ok());

  p = Path("Nope");
  auto r = ResolveFragment(&p, &d, "X_Thing");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, FaultCode::kInvalidRepresentation);
  EXPECT_EQ(r.fault().detail, fd::kInvalidFragment);

  for (const char* e : {"Other/Value", "Note/Sub", "Scores/text()"}) {
    SCOPED_TRACE(e);
    p = Path(e);
    r = ResolveFragment(&p, &d, "X_Thing");
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.fault().code, FaultCode::kCannotProcessEnumerationFilter);
  }
  // No declaration: any name, checked by what the instance holds.
  p = Path("Anything");
  EXPECT_TRUE(ResolveFragment(&p, nullptr, "X_Thing").ok());
}

std::string Written(const Instance& i, std::string_view expr) {
  std::string out;
  soap::XmlWriter xml(&out);
  WriteFragment(xml, i, Path(expr), nullptr);
  xml.CloseAll();
  return out;
}

TEST(EngineFragmentWrite, ElementAndTextForms) {
  Instance i = Thing();
  std::string e = Written(i, "Value");
  EXPECT_NE(e.find("<w:XmlFragment"), std::string::npos) << e;
  EXPECT_NE(e.find("<Value>7</Value>"), std::string::npos) << e;
  EXPECT_EQ(e.find("Note"), std::string::npos) << e;
  EXPECT_EQ(e.find("Name"), std::string::npos) << e;

  e = Written(i, "Scores");
  EXPECT_NE(e.find("<Scores>1</Scores><Scores>2</Scores>"), std::string::npos)
      << e;

  e = Written(i, "Note/text()");
  EXPECT_EQ(e, "<w:XmlFragment>a &amp; b</w:XmlFragment>");

  i.Set("Note", Value::Null(CimType::kString));
  e = Written(i, "Note");
  EXPECT_NE(e.find("<Note xsi:nil=\"true\"/>"), std::string::npos) << e;
  e = Written(i, "Note/text()");
  EXPECT_EQ(e, "<w:XmlFragment/>");
  // A property the instance does not hold: an empty fragment.
  e = Written(i, "When");
  EXPECT_EQ(e.find("When"), std::string::npos) << e;
}

// Parses `body` (inside an element declaring w) and applies it.
soap::Outcome Apply(std::string_view body, std::string_view expr,
                    Instance* target, const ClassDecl* decl) {
  std::string xml =
      std::string("<r xmlns:w=\"") + kW + "\">" + std::string(body) + "</r>";
  testutil::XmlDocPtr doc = testutil::ParseXml(xml, testutil::Blanks::kKeep);
  EXPECT_TRUE(doc) << xml;
  if (!doc) return soap::Fault(FaultCode::kInternalError, {}, "parse");
  const xmlNode* b = soap::FirstChildElement(xmlDocGetRootElement(doc.get()));
  FragmentPath p = Path(expr);
  soap::Outcome resolved = ResolveFragment(&p, decl, "X_Thing");
  if (!resolved.ok()) return resolved;
  return ApplyFragment(b, p, decl, "root/cimv2", nullptr, target);
}

TEST(EngineFragmentApply, ElementFormChangesOnlyThatProperty) {
  ClassDecl d = Decl();
  Instance i = Thing();
  ASSERT_TRUE(
      Apply("<w:XmlFragment><Value>42</Value></w:XmlFragment>", "Value", &i, &d)
          .ok());
  EXPECT_EQ(*i.Get("Value")->AsInt(), 42);
  EXPECT_EQ(*i.Get("Note")->AsString(), "a & b");
  EXPECT_EQ(*i.Get("Name")->AsString(), "first");
  // Any namespace on the element; case-insensitive names.
  ASSERT_TRUE(Apply("<w:XmlFragment><q:note xmlns:q=\"urn:q\">new</q:note>"
                    "</w:XmlFragment>",
                    "Note", &i, &d)
                  .ok());
  EXPECT_EQ(*i.Get("Note")->AsString(), "new");
  // Arrays: the repeated elements.
  ASSERT_TRUE(Apply("<w:XmlFragment><Scores>5</Scores><Scores>6</Scores>"
                    "<Scores>7</Scores></w:XmlFragment>",
                    "Scores", &i, &d)
                  .ok());
  EXPECT_EQ(i.Get("Scores")->elements().size(), 3u);
  // xsi:nil and an empty fragment both clear it.
  ASSERT_TRUE(Apply("<w:XmlFragment><Note xmlns:xsi=\"http://www.w3.org/2001/"
                    "XMLSchema-instance\" xsi:nil=\"true\"/></w:XmlFragment>",
                    "Note", &i, &d)
                  .ok());
  EXPECT_TRUE(i.Get("Note")->is_null());
  i.Set("Value", Value::Sint32(1));
  ASSERT_TRUE(Apply("<w:XmlFragment/>", "Value", &i, &d).ok());
  EXPECT_TRUE(i.Get("Value")->is_null());
}

TEST(EngineFragmentApply, TextForm) {
  ClassDecl d = Decl();
  Instance i = Thing();
  ASSERT_TRUE(
      Apply("<w:XmlFragment> 13 </w:XmlFragment>", "Value/text()", &i, &d)
          .ok());
  EXPECT_EQ(*i.Get("Value")->AsInt(), 13);
  ASSERT_TRUE(Apply("<w:XmlFragment> keep spaces </w:XmlFragment>",
                    "Note/text()", &i, &d)
                  .ok());
  EXPECT_EQ(*i.Get("Note")->AsString(), " keep spaces ");
  auto r =
      Apply("<w:XmlFragment>twelve</w:XmlFragment>", "Value/text()", &i, &d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, FaultCode::kInvalidRepresentation);
  EXPECT_EQ(*i.Get("Value")->AsInt(), 13);  // unchanged on a fault
  r = Apply("<w:XmlFragment><Value>1</Value></w:XmlFragment>", "Value/text()",
            &i, &d);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().detail, fd::kInvalidFragment);
}

TEST(EngineFragmentApply, Refusals) {
  ClassDecl d = Decl();
  Instance i = Thing();
  const Instance before = i;
  struct Case {
    const char* body;
    const char* expr;
    FaultCode code;
    std::string_view detail;
  } cases[] = {
      // Not an XmlFragment (the whole class element).
      {"<X_Thing><Value>1</Value></X_Thing>", "Value",
       FaultCode::kInvalidRepresentation, fd::kInvalidFragment},
      // Another property besides the selected one.
      {"<w:XmlFragment><Value>1</Value><Note>x</Note></w:XmlFragment>", "Value",
       FaultCode::kInvalidRepresentation, fd::kInvalidFragment},
      // A property the class does not declare.
      {"<w:XmlFragment><Nope>1</Nope></w:XmlFragment>", "Value",
       FaultCode::kInvalidRepresentation, fd::kInvalidValues},
      {"<w:XmlFragment><Nope>1</Nope></w:XmlFragment>", "Nope",
       FaultCode::kInvalidRepresentation, fd::kInvalidFragment},
      // The key: the selectors name the instance.
      {"<w:XmlFragment><Name>other</Name></w:XmlFragment>", "Name",
       FaultCode::kInvalidRepresentation, fd::kInvalidFragment},
      // A value of the wrong type.
      {"<w:XmlFragment><Value>x</Value></w:XmlFragment>", "Value",
       FaultCode::kInvalidRepresentation, fd::kInvalidValues},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto r = Apply(c.body, c.expr, &i, &d);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.fault().code, c.code) << r.fault().message;
    EXPECT_EQ(r.fault().detail, c.detail) << r.fault().message;
    EXPECT_TRUE(i == before);
  }
  auto r = ApplyFragment(nullptr, Path("Value"), &d, "root/cimv2", nullptr, &i);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().detail, fd::kInvalidFragment);
}

}  // namespace
}  // namespace wsman::engine::cim
