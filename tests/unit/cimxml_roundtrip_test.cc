// CIM XML per DSP0227/DSP0230: every CIM type written and parsed back.
#include <gtest/gtest.h>
#include <libxml/parser.h>

#include <cmath>
#include <fstream>
#include <limits>
#include <sstream>

#include "engine/cim/cim_xml.h"
#include "soap/envelope_parser.h"
#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::ClassDecl;
using providers::Datetime;
using providers::Instance;
using providers::Scalar;
using providers::Value;

constexpr std::string_view kUri =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/X_All";

ClassDecl InnerDecl() {
  ClassDecl d;
  d.name = "X_Inner";
  d.Key("K", CimType::kString).Prop("V", CimType::kSint32);
  return d;
}

ClassDecl AllDecl() {
  ClassDecl d;
  d.name = "X_All";
  d.Key("Key", CimType::kString);
  const CimType scalars[] = {
      CimType::kBoolean,  CimType::kUint8,  CimType::kSint8,  CimType::kUint16,
      CimType::kSint16,   CimType::kUint32, CimType::kSint32, CimType::kUint64,
      CimType::kSint64,   CimType::kReal32, CimType::kReal64, CimType::kChar16,
      CimType::kDatetime, CimType::kString};
  for (CimType t : scalars) {
    d.Prop("S_" + std::string(providers::CimTypeName(t)), t);
    d.Prop("A_" + std::string(providers::CimTypeName(t)), t, true);
  }
  d.Prop("Interval", CimType::kDatetime);
  d.Prop("Ref", CimType::kReference, false, "X_Inner");
  d.Prop("Refs", CimType::kReference, true, "X_Inner");
  d.Prop("Emb", CimType::kInstance, false, "X_Inner");
  d.Prop("Embs", CimType::kInstance, true, "X_Inner");
  d.Prop("Nothing", CimType::kString);
  d.Prop("NoArray", CimType::kUint16, true);
  return d;
}

std::shared_ptr<const Instance> Inner(const std::string& k, int v) {
  auto i = std::make_shared<Instance>("X_Inner", "root/cimv2");
  i->SetKey("K", Value::String(k));
  i->Set("V", Value::Sint32(v));
  return i;
}

Instance AllInstance() {
  Instance i("X_All", "root/cimv2");
  i.SetKey("Key", Value::String("k<&>\"'1"));
  i.Set("S_boolean", Value::Boolean(true));
  i.Set("A_boolean",
        Value::Array(CimType::kBoolean, {Scalar(true), Scalar(false)}));
  i.Set("S_uint8", Value::Uint8(255));
  i.Set("A_uint8", Value::Array(CimType::kUint8, {Scalar(uint64_t{0})}));
  i.Set("S_sint8", Value::Sint8(-128));
  i.Set("A_sint8", Value::Array(CimType::kSint8,
                                {Scalar(int64_t{127}), Scalar(int64_t{-1})}));
  i.Set("S_uint16", Value::Uint16(65535));
  i.Set("A_uint16", Value::Array(CimType::kUint16, {Scalar(uint64_t{7})}));
  i.Set("S_sint16", Value::Sint16(-32768));
  i.Set("A_sint16", Value::Array(CimType::kSint16, {Scalar(int64_t{5})}));
  i.Set("S_uint32", Value::Uint32(4294967295u));
  i.Set("A_uint32", Value::Array(CimType::kUint32, {Scalar(uint64_t{1})}));
  i.Set("S_sint32", Value::Sint32(-2147483647 - 1));
  i.Set("A_sint32", Value::Array(CimType::kSint32, {Scalar(int64_t{-3})}));
  i.Set("S_uint64", Value::Uint64(18446744073709551615ull));
  i.Set("A_uint64", Value::Array(CimType::kUint64, {Scalar(uint64_t{9})}));
  i.Set("S_sint64", Value::Sint64(std::numeric_limits<int64_t>::min()));
  i.Set("A_sint64", Value::Array(CimType::kSint64, {Scalar(int64_t{-9})}));
  i.Set("S_real32", Value::Real32(3.25f));
  i.Set("A_real32",
        Value::Array(CimType::kReal32,
                     {Scalar(double{std::numeric_limits<float>::infinity()}),
                      Scalar(double{0.1f})}));
  i.Set("S_real64", Value::Real64(-1.0e-300));
  i.Set("A_real64",
        Value::Array(
            CimType::kReal64,
            {Scalar(std::numeric_limits<double>::quiet_NaN()),
             Scalar(-std::numeric_limits<double>::infinity()), Scalar(0.1)}));
  i.Set("S_char16", Value::Char16(u'\u00e9'));
  i.Set("A_char16", Value::Array(CimType::kChar16, {Scalar(uint64_t{'x'}),
                                                    Scalar(uint64_t{0x20AC})}));
  i.Set("S_datetime", Value::DateTime(Datetime::Timestamp(2024, 2, 29, 23, 59,
                                                          58, 123456, -330)));
  i.Set("A_datetime",
        Value::Array(CimType::kDatetime,
                     {Scalar(Datetime::Timestamp(1999, 12, 31, 0, 0, 0)),
                      Scalar(Datetime::Interval(3, 4, 5, 6, 7))}));
  i.Set("S_string", Value::String("  spaced\ttext <&> \xc3\xa9  "));
  i.Set("A_string",
        Value::Array(CimType::kString,
                     {Scalar(std::string("")), Scalar(std::string("two"))}));
  i.Set("Interval",
        Value::DateTime(Datetime::Interval(12345678, 23, 59, 59, 999999)));
  i.Set("Ref", Value::Reference(std::make_shared<const Instance>(
                   Inner("r1", 0)->KeysOnly())));
  i.Set("Refs", Value::Array(CimType::kReference,
                             {Scalar(std::make_shared<const Instance>(
                                  Inner("r2", 0)->KeysOnly())),
                              Scalar(std::make_shared<const Instance>(
                                  Inner("r3", 0)->KeysOnly()))}));
  i.Set("Emb", Value::EmbeddedInstance(Inner("e1", 42)));
  i.Set(
      "Embs",
      Value::Array(CimType::kInstance,
                   {Scalar(std::shared_ptr<const Instance>(Inner("e2", -1)))}));
  i.Set("Nothing", Value::Null(CimType::kString));
  i.Set("NoArray", Value::Null(CimType::kUint16, true));
  return i;
}

class CimXmlTest : public ::testing::Test {
 protected:
  CimXmlTest() : all_(AllDecl()), inner_(InnerDecl()) {
    resolver_ = [this](std::string_view cls, std::string_view) {
      ResolvedClass r;
      r.resource_uri = "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/" +
                       std::string(cls);
      if (providers::NameEquals(cls, "X_All")) r.decl = &all_;
      if (providers::NameEquals(cls, "X_Inner")) r.decl = &inner_;
      return r;
    };
  }

  // Writes `inst` inside a root that declares a: and w:, parses it back.
  soap::Result<Instance> RoundTrip(const Instance& inst, std::string* xml) {
    soap::XmlWriter w(xml);
    w.Open("root")
        .Xmlns("a", soap::ns::kAddressing)
        .Xmlns("w", soap::ns::kWsman);
    WriteOptions o;
    o.class_uri = kUri;
    o.resolver = &resolver_;
    WriteInstance(w, inst, o);
    w.CloseAll();
    doc_.reset(xmlReadMemory(xml->data(), static_cast<int>(xml->size()),
                             "x.xml", "UTF-8", XML_PARSE_NONET));
    EXPECT_TRUE(doc_) << *xml;
    xmlNode* root = xmlDocGetRootElement(doc_.get());
    return ParseInstance(soap::FirstChildElement(root), &all_, "root/cimv2",
                         &resolver_);
  }

  ClassDecl all_, inner_;
  ClassResolver resolver_;
  soap::XmlDoc doc_;
};

TEST_F(CimXmlTest, EveryTypeRoundTrips) {
  Instance in = AllInstance();
  std::string xml;
  auto out = RoundTrip(in, &xml);
  ASSERT_TRUE(out.ok()) << out.fault().message << "\n" << xml;
  for (const auto& p : in.properties()) {
    const providers::Property* q = out->Find(p.name);
    ASSERT_NE(q, nullptr) << p.name;
    if (p.value.type() == CimType::kReference) {
      // References come back with the namespace from __cimnamespace.
      EXPECT_EQ(q->value.type(), CimType::kReference);
      continue;
    }
    if (p.value.type() == CimType::kInstance && !p.value.is_array()) {
      EXPECT_EQ(*q->value.AsInstance(), *p.value.AsInstance());
      continue;
    }
    EXPECT_TRUE(q->value == p.value) << p.name << "\n" << xml;
  }
  EXPECT_TRUE(out->Find("Key")->key);
  const Value& ref = out->Find("Ref")->value;
  EXPECT_EQ(ref.AsInstance()->class_name(), "X_Inner");
  EXPECT_EQ(*ref.AsInstance()->Get("K")->AsString(), "r1");
  EXPECT_EQ(out->Find("Refs")->value.elements().size(), 2u);
}

TEST_F(CimXmlTest, WireShapes) {
  std::string xml;
  ASSERT_TRUE(RoundTrip(AllInstance(), &xml).ok());
  EXPECT_NE(xml.find("<p:X_All xmlns:p=\"" + std::string(kUri) + "\""),
            std::string::npos);
  EXPECT_NE(xml.find("xsi:type=\"p:X_All_Type\""), std::string::npos);
  EXPECT_NE(xml.find("<p:Nothing xsi:nil=\"true\"/>"), std::string::npos);
  EXPECT_NE(xml.find("<p:S_datetime><cim:Datetime>2024-02-29T23:59:58.123456"
                     "-05:30</cim:Datetime></p:S_datetime>"),
            std::string::npos);
  EXPECT_NE(xml.find("<cim:Interval>P12345678DT23H59M59.999999S"
                     "</cim:Interval>"),
            std::string::npos);
  EXPECT_NE(xml.find("<p:A_string/><p:A_string>two</p:A_string>"),
            std::string::npos);
  EXPECT_NE(xml.find("<p:A_real64>NaN</p:A_real64><p:A_real64>-INF"),
            std::string::npos);
  EXPECT_NE(xml.find("<p:Ref><a:Address>"), std::string::npos);
  EXPECT_NE(xml.find("<w:Selector Name=\"K\">r1</w:Selector>"),
            std::string::npos);
  EXPECT_NE(xml.find("<p:Emb xmlns:q1=\"http://schemas.dmtf.org/wbem/wscim/1/"
                     "cim-schema/2/X_Inner\" xsi:type=\"q1:X_Inner_Type\">"
                     "<q1:K>e1</q1:K><q1:V>42</q1:V></p:Emb>"),
            std::string::npos)
      << xml;
}

TEST_F(CimXmlTest, ParseErrors) {
  auto parse = [&](const std::string& body) {
    std::string xml = "<p:X_All xmlns:p=\"" + std::string(kUri) +
                      "\" xmlns:xsi=\"http://www.w3.org/2001/"
                      "XMLSchema-instance\">" +
                      body + "</p:X_All>";
    doc_.reset(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), "x.xml",
                             "UTF-8", XML_PARSE_NONET));
    return ParseInstance(xmlDocGetRootElement(doc_.get()), &all_, "root/cimv2",
                         &resolver_);
  };
  EXPECT_TRUE(parse("<p:S_uint8>255</p:S_uint8>").ok());
  EXPECT_FALSE(parse("<p:S_uint8>256</p:S_uint8>").ok());
  EXPECT_FALSE(parse("<p:S_sint8>-129</p:S_sint8>").ok());
  EXPECT_FALSE(parse("<p:S_boolean>yes</p:S_boolean>").ok());
  EXPECT_FALSE(parse("<p:S_char16>ab</p:S_char16>").ok());
  EXPECT_FALSE(parse("<p:S_datetime>tomorrow</p:S_datetime>").ok());
  EXPECT_FALSE(parse("<p:S_uint8>1</p:S_uint8><p:S_uint8>2</p:S_uint8>").ok());
  auto unknown = parse("<p:Unknown>1</p:Unknown>");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.fault().code, soap::FaultCode::kInvalidRepresentation);
  auto trimmed =
      parse("<p:S_uint32> 12 </p:S_uint32><p:S_string> a </p:S_string>");
  ASSERT_TRUE(trimmed.ok());
  EXPECT_EQ(*trimmed->Get("S_uint32")->AsUint(), 12u);
  EXPECT_EQ(*trimmed->Get("S_string")->AsString(), " a ");
  auto nil = parse("<p:S_sint64 xsi:nil=\"true\"/>");
  ASSERT_TRUE(nil.ok());
  EXPECT_TRUE(nil->Get("S_sint64")->is_null());
  EXPECT_EQ(nil->Get("S_sint64")->type(), CimType::kSint64);
}

TEST_F(CimXmlTest, KeysFromSelectors) {
  std::vector<soap::Selector> sels = {{"__cimnamespace", "root/cimv2"},
                                      {"Key", "abc"}};
  auto keys = KeysFromSelectors(sels, &all_, "X_All", "root/cimv2", &resolver_);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(keys->properties().size(), 1u);
  EXPECT_TRUE(keys->Find("key")->key);
  auto missing =
      KeysFromSelectors({}, &all_, "X_All", "root/cimv2", &resolver_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.fault().detail, soap::fault_detail::kInsufficientSelectors);
  sels.push_back({"S_uint8", "1"});
  auto extra =
      KeysFromSelectors(sels, &all_, "X_All", "root/cimv2", &resolver_);
  ASSERT_FALSE(extra.ok());
  EXPECT_EQ(extra.fault().detail, soap::fault_detail::kUnexpectedSelectors);
  ClassDecl typed;
  typed.name = "T";
  typed.Key("N", CimType::kUint16);
  auto bad = KeysFromSelectors({{"N", "70000"}}, &typed, "T", "", &resolver_);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.fault().detail, soap::fault_detail::kTypeMismatch);
}

TEST(CimXmlDatetime, CimAndXsdForms) {
  auto d = Datetime::FromCimString("20240506070809.123456-060");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->ToXsd(), "2024-05-06T07:08:09.123456-01:00");
  EXPECT_EQ(d->ToCimString(), "20240506070809.123456-060");
  auto i = Datetime::FromCimString("00000001020304.000005:000");
  ASSERT_TRUE(i && i->is_interval);
  EXPECT_EQ(i->ToXsd(), "P1DT2H3M4.000005S");
  EXPECT_EQ(Datetime::FromXsdDuration("PT90M")->ToXsd(), "P0DT1H30M0.000000S");
  EXPECT_FALSE(Datetime::Parse("2024-13-01T00:00:00Z"));
  EXPECT_FALSE(Datetime::Parse("P"));
  EXPECT_EQ(Datetime::Parse("2024-01-01T00:00:00+01:00")->TotalMicroseconds(),
            Datetime::Parse("2023-12-31T23:00:00Z")->TotalMicroseconds());
}

// The xs:duration lexer is the one wsman:OperationTimeout uses
// (base/duration.h): designators strictly in order, so "PT1S1M" is not an
// interval in a Put body either (it once was, while the header refused it).
TEST(CimXmlDatetime, DurationDesignatorsInStrictOrder) {
  EXPECT_FALSE(Datetime::FromXsdDuration("PT1S1M"));
  EXPECT_FALSE(Datetime::Parse("PT1S1M"));
  EXPECT_FALSE(Datetime::FromXsdDuration("PT1M1H"));
  EXPECT_FALSE(Datetime::FromXsdDuration("PT1S1S"));
  EXPECT_FALSE(Datetime::FromXsdDuration("P1DT"));
  EXPECT_FALSE(Datetime::FromXsdDuration("PT1.0M"));
  EXPECT_FALSE(Datetime::FromXsdDuration("-PT1S"));
  auto d = Datetime::FromXsdDuration("P1Y2M3DT4H5M6.1234567S");
  ASSERT_TRUE(d && d->is_interval);
  EXPECT_EQ(d->ToXsd(), "P428DT4H5M6.123456S");
  EXPECT_EQ(Datetime::FromXsdDuration("PT86401S")->ToXsd(),
            "P1DT0H0M1.000000S");
  EXPECT_FALSE(Datetime::FromXsdDuration("P100000000D"));
}

// OMI's Put sample (shared/vectors/omi/wsman_samples_Put2.xml): the body as
// Windows sends it, with xsi:type="cim:cimString" and xsi:nil properties.
TEST(CimXmlVectors, OmiPutBodyParsesTyped) {
  std::ifstream in(std::string(WSMAND_VECTORS_DIR) +
                   "/omi/wsman_samples_Put2.xml");
  ASSERT_TRUE(in);
  std::stringstream text;
  text << in.rdbuf();
  auto env = soap::ParseEnvelope(text.str(), soap::ParseLimits{});
  ASSERT_TRUE(env.ok()) << env.fault().message;
  const soap::Request& r = env->request();
  ClassDecl person;
  person.name = "MSFT_Person";
  person.Key("Key", CimType::kUint32)
      .Prop("Species", CimType::kString)
      .Prop("Last", CimType::kString)
      .Prop("First", CimType::kString)
      .Prop("ExpensiveProperty", CimType::kUint64);
  auto inst = ParseInstance(r.body, &person, "root/cimv2", nullptr);
  ASSERT_TRUE(inst.ok()) << inst.fault().message;
  EXPECT_EQ(*inst->Get("Key")->AsUint(), 1u);
  EXPECT_TRUE(inst->Find("Key")->key);
  EXPECT_EQ(*inst->Get("Last")->AsString(), "Osama");
  EXPECT_TRUE(inst->Get("First")->is_null());
  EXPECT_EQ(inst->Get("ExpensiveProperty")->type(), CimType::kUint64);
  auto keys = KeysFromSelectors(r.selectors, &person, "MSFT_Person",
                                "root/cimv2", nullptr);
  ASSERT_TRUE(keys.ok());
  EXPECT_EQ(*keys->Get("Key")->AsUint(), 1u);
}

}  // namespace
}  // namespace wsman::engine::cim
