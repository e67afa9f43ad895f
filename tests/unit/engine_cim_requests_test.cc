// The CIM engine's typed requests: Enumerate bodies with the three filter
// dialects parsed once (selector sets through soap::ParseSelectorSet, with
// its trimming, limits and duplicate checks), Pull and Renew options, and
// the context id of the context operations.
#include "engine/cim/cim_requests.h"

#include <gtest/gtest.h>

#include <string>

#include "soap/envelope_parser.h"

namespace wsman::engine::cim {
namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kMaxExpiry = 1h;

soap::Envelope Parse(const std::string& body) {
  std::string xml =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
      "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" "
      "xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\" "
      "xmlns:b=\"http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd\">"
      "<s:Header><a:Action>urn:x</a:Action><a:MessageID>uuid:1</a:MessageID>"
      "<w:ResourceURI>urn:r</w:ResourceURI></s:Header><s:Body>" +
      body + "</s:Body></s:Envelope>";
  auto parsed = soap::ParseEnvelope(xml, soap::ParseLimits{});
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.fault().message);
  return std::move(parsed).value();
}

std::string Filter(std::string_view dialect, const std::string& content) {
  return "<n:Enumerate><w:Filter Dialect=\"" + std::string(dialect) + "\">" +
         content + "</w:Filter></n:Enumerate>";
}

TEST(CimRequests, EnumerateOptions) {
  auto e = Parse(
      "<n:Enumerate><n:Expires>PT2H</n:Expires><w:OptimizeEnumeration/>"
      "<w:MaxElements>7</w:MaxElements>"
      "<w:EnumerationMode>EnumerateEPR</w:EnumerationMode></n:Enumerate>");
  auto r = ParseEnumerate(e.request(), kMaxExpiry);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_TRUE(r->optimize);
  EXPECT_EQ(r->max_elements, 7u);
  EXPECT_EQ(r->mode, EnumerationMode::kEpr);
  EXPECT_EQ(r->expires, kMaxExpiry);  // PT2H clamped
  EXPECT_TRUE(std::holds_alternative<std::monostate>(r->filter));
}

TEST(CimRequests, EnumerateRefusals) {
  struct Case {
    std::string body;
    soap::FaultCode code;
  } cases[] = {
      {"<n:Pull/>", soap::FaultCode::kSchemaValidationError},
      {"<n:Enumerate><n:Expires>2030-01-01T00:00:00Z</n:Expires>"
       "</n:Enumerate>",
       soap::FaultCode::kUnsupportedExpirationType},
      {"<n:Enumerate><n:Expires>PT0S</n:Expires></n:Enumerate>",
       soap::FaultCode::kInvalidExpirationTime},
      {"<n:Enumerate><w:MaxElements>0</w:MaxElements></n:Enumerate>",
       soap::FaultCode::kInvalidParameter},
      {"<n:Enumerate><w:EnumerationMode>Odd</w:EnumerationMode>"
       "</n:Enumerate>",
       soap::FaultCode::kUnsupportedFeature},
      {Filter("urn:no-such-dialect", ""),
       soap::FaultCode::kFilterDialectRequestedUnavailable},
      {Filter(kWqlDialect, "SELECT FROM"),
       soap::FaultCode::kCannotProcessFilter},
      {Filter(kSelectorDialect, ""), soap::FaultCode::kCannotProcessFilter},
      {Filter(kAssociationDialect, "<b:Nothing/>"),
       soap::FaultCode::kCannotProcessFilter},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.body);
    auto e = Parse(c.body);
    auto r = ParseEnumerate(e.request(), kMaxExpiry);
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.fault().code, c.code) << r.fault().message;
  }
}

TEST(CimRequests, WqlFilterIsParsedOnce) {
  auto e = Parse(
      Filter(kWqlDialect, "  SELECT Name FROM WSMAN_TestItem WHERE Id = 1 "));
  auto r = ParseEnumerate(e.request(), kMaxExpiry);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const auto* wql = std::get_if<WqlFilter>(&r->filter);
  ASSERT_NE(wql, nullptr);
  EXPECT_EQ(wql->text, "SELECT Name FROM WSMAN_TestItem WHERE Id = 1");
  ASSERT_TRUE(wql->query);
  EXPECT_EQ(wql->query->class_name(), "WSMAN_TestItem");
}

TEST(CimRequests, SelectorFilterGoesThroughParseSelectorSet) {
  auto e = Parse(Filter(kSelectorDialect,
                        "<w:SelectorSet><w:Selector Name=\" Name \"> item-1 "
                        "</w:Selector><w:Selector Name=\"Id\">1</w:Selector>"
                        "</w:SelectorSet>"));
  auto r = ParseEnumerate(e.request(), kMaxExpiry);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const auto* sel = std::get_if<SelectorFilter>(&r->filter);
  ASSERT_NE(sel, nullptr);
  ASSERT_EQ(sel->selectors.size(), 2u);
  // Trimmed, as the header's selectors are (the hand loop kept the spaces).
  EXPECT_EQ(sel->selectors[0].name, "Name");
  EXPECT_EQ(sel->selectors[0].value, "item-1");
  // Duplicates (case-insensitive) and nameless selectors are refused.
  for (const char* bad :
       {"<w:Selector Name=\"Id\">1</w:Selector>"
        "<w:Selector Name=\"id\">2</w:Selector>",
        "<w:Selector>1</w:Selector>", "<w:Other Name=\"Id\">1</w:Other>"}) {
    SCOPED_TRACE(bad);
    auto be = Parse(Filter(kSelectorDialect, std::string("<w:SelectorSet>") +
                                                 bad + "</w:SelectorSet>"));
    auto br = ParseEnumerate(be.request(), kMaxExpiry);
    ASSERT_FALSE(br.ok());
    EXPECT_EQ(br.fault().code, soap::FaultCode::kInvalidSelectors);
  }
  // And more than the limit.
  std::string many = "<w:SelectorSet>";
  for (int i = 0; i < 65; ++i) {
    many += "<w:Selector Name=\"P" + std::to_string(i) + "\">1</w:Selector>";
  }
  many += "</w:SelectorSet>";
  auto me = Parse(Filter(kSelectorDialect, many));
  auto mr = ParseEnumerate(me.request(), kMaxExpiry);
  ASSERT_FALSE(mr.ok());
  EXPECT_EQ(mr.fault().code, soap::FaultCode::kEncodingLimit);
}

TEST(CimRequests, AssociationFilter) {
  auto e = Parse(Filter(
      kAssociationDialect,
      "<b:AssociationInstances><b:Object>"
      "<a:Address>urn:anon</a:Address><a:ReferenceParameters>"
      "<w:ResourceURI> urn:person </w:ResourceURI><w:SelectorSet>"
      "<w:Selector Name=\"Name\">ann</w:Selector></w:SelectorSet>"
      "</a:ReferenceParameters></b:Object>"
      "<b:ResultClassName>Pet</b:ResultClassName><b:Role> Owner </b:Role>"
      "</b:AssociationInstances>"));
  auto r = ParseEnumerate(e.request(), kMaxExpiry);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const auto* a = std::get_if<AssociationFilter>(&r->filter);
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->associators);  // references
  EXPECT_EQ(a->object_uri, "urn:person");
  ASSERT_EQ(a->object_selectors.size(), 1u);
  EXPECT_EQ(a->object_selectors[0].value, "ann");
  EXPECT_EQ(a->result_class, "Pet");
  EXPECT_EQ(a->role, "Owner");
  EXPECT_EQ(a->assoc_class, "");
  // The object must be an EPR.
  auto bad = Parse(
      Filter(kAssociationDialect,
             "<b:AssociatedInstances><b:Object/></b:AssociatedInstances>"));
  auto br = ParseEnumerate(bad.request(), kMaxExpiry);
  ASSERT_FALSE(br.ok());
  EXPECT_EQ(br.fault().code, soap::FaultCode::kCannotProcessFilter);
}

TEST(CimRequests, WqlAssociationQueryBecomesTheAssociationFilter) {
  auto e = Parse(
      Filter(kWqlDialect,
             "ASSOCIATORS OF {\\\\.\\root\\cimv2:Win32_Service=\"ssh\"} "
             "WHERE AssocClass = A ResultClass = R Role = r ResultRole = rr "
             "KeysOnly"));
  auto r = ParseEnumerate(e.request(), kMaxExpiry);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const auto* a = std::get_if<AssociationFilter>(&r->filter);
  ASSERT_NE(a, nullptr);
  EXPECT_TRUE(a->associators);
  EXPECT_EQ(a->object_class, "Win32_Service");
  EXPECT_EQ(a->object_uri, "");
  ASSERT_EQ(a->object_selectors.size(), 2u);
  EXPECT_EQ(a->object_selectors[0].name, "");  // the single key
  EXPECT_EQ(a->object_selectors[0].value, "ssh");
  EXPECT_EQ(a->object_selectors[1].name, "__cimnamespace");
  EXPECT_EQ(a->object_selectors[1].value, "root/cimv2");
  EXPECT_EQ(a->assoc_class, "A");
  EXPECT_EQ(a->result_class, "R");
  EXPECT_EQ(a->role, "r");
  EXPECT_EQ(a->result_role, "rr");
  EXPECT_TRUE(a->keys_only);
  EXPECT_EQ(r->mode, EnumerationMode::kEpr);  // KeysOnly: EPRs

  auto refs =
      Parse(Filter(kWqlDialect, "references of {X.A=1} where resultclass = Y"));
  auto rr = ParseEnumerate(refs.request(), kMaxExpiry);
  ASSERT_TRUE(rr.ok()) << rr.fault().message;
  a = std::get_if<AssociationFilter>(&rr->filter);
  ASSERT_NE(a, nullptr);
  EXPECT_FALSE(a->associators);
  EXPECT_EQ(a->result_class, "Y");
  EXPECT_EQ(rr->mode, EnumerationMode::kObject);

  for (std::string q : {"ASSOCIATORS OF {X.A=1} WHERE ClassDefsOnly",
                        "ASSOCIATORS OF {X.A=1} WHERE RequiredQualifier = Q",
                        "ASSOCIATORS OF {X.A=1} WHERE "
                        "RequiredAssocQualifier = Q",
                        "ASSOCIATORS OF {X.A=1"}) {
    auto bad = Parse(Filter(kWqlDialect, q));
    auto br = ParseEnumerate(bad.request(), kMaxExpiry);
    ASSERT_FALSE(br.ok()) << q;
    EXPECT_EQ(br.fault().code, soap::FaultCode::kCannotProcessFilter) << q;
  }
  auto defs =
      Parse(Filter(kWqlDialect, "ASSOCIATORS OF {X.A=1} WHERE ClassDefsOnly"));
  EXPECT_NE(ParseEnumerate(defs.request(), kMaxExpiry)
                .fault()
                .message.find("ClassDefsOnly is not supported"),
            std::string::npos);
  auto open = Parse(Filter(kWqlDialect, "ASSOCIATORS OF {X.A=1"));
  EXPECT_NE(ParseEnumerate(open.request(), kMaxExpiry)
                .fault()
                .message.find("at character offset 16"),
            std::string::npos);
}

providers::ClassDecl FilterClass() {
  providers::ClassDecl d;
  d.name = "Thing";
  d.properties = {{"Name", providers::CimType::kString, false, true, ""},
                  {"Count", providers::CimType::kUint32, false, false, ""},
                  {"Tags", providers::CimType::kString, true, false, ""},
                  {"When", providers::CimType::kDatetime, false, false, ""},
                  {"Ref", providers::CimType::kReference, false, false, ""},
                  {"Obj", providers::CimType::kInstance, false, false, ""}};
  return d;
}

SelectorFilter Selectors(
    std::vector<std::pair<std::string, std::string>> pairs) {
  SelectorFilter f;
  for (auto& [n, v] : pairs) {
    soap::Selector s;
    s.name = n;
    s.value = v;
    f.selectors.push_back(std::move(s));
  }
  return f;
}

TEST(CimRequests, SelectorFilterRefusesWhatWindowsRefuses) {
  providers::ClassDecl d = FilterClass();
  EXPECT_TRUE(
      CheckSelectorFilter(Selectors({{"name", "x"}, {"COUNT", "1"}}), d).ok());
  for (auto f : {Selectors({{"Tags", "a"}}), Selectors({{"When", "x"}}),
                 Selectors({{"Ref", "x"}}), Selectors({{"Obj", "x"}}),
                 Selectors({{"Name", "a\"b"}}), Selectors({{"Name", "a'b"}}),
                 Selectors({{"Name", "a"}, {"NAME", "b"}}),
                 Selectors({{"Nope", "a"}})}) {
    soap::Outcome o = CheckSelectorFilter(f, d);
    ASSERT_FALSE(o.ok()) << f.selectors[0].name;
    EXPECT_EQ(o.fault().code, soap::FaultCode::kCannotProcessEnumerationFilter)
        << f.selectors[0].name;
  }
}

TEST(CimRequests, NameSingleKey) {
  providers::ClassDecl d = FilterClass();
  auto f = Selectors({{"", "x"}, {"__cimnamespace", "root/cimv2"}});
  ASSERT_TRUE(NameSingleKey(d, &f.selectors).ok());
  EXPECT_EQ(f.selectors[0].name, "Name");
  EXPECT_EQ(f.selectors[1].name, "__cimnamespace");
  d.properties[1].key = true;  // two keys: the name cannot be left out
  auto g = Selectors({{"", "x"}});
  soap::Outcome o = NameSingleKey(d, &g.selectors);
  ASSERT_FALSE(o.ok());
  EXPECT_EQ(o.fault().code, soap::FaultCode::kInvalidSelectors);
}

TEST(CimRequests, ContextOperations) {
  auto pull = Parse(
      "<n:Pull><n:EnumerationContext> uuid:abc </n:EnumerationContext>"
      "<n:MaxElements>5</n:MaxElements><n:MaxCharacters>900"
      "</n:MaxCharacters><n:MaxTime>PT3S</n:MaxTime></n:Pull>");
  EXPECT_EQ(EnumerationContextOf(pull.request(), "Pull"), "uuid:abc");
  // Another operation's body names no context of this one.
  EXPECT_EQ(EnumerationContextOf(pull.request(), "Release"), "");
  auto p = ParsePull(pull.request());
  ASSERT_TRUE(p.ok()) << p.fault().message;
  EXPECT_EQ(p->max_elements, 5u);
  EXPECT_EQ(p->max_characters, 900u);
  EXPECT_EQ(p->max_time, 3s);
  auto defaults = ParsePull(Parse("<n:Pull/>").request());
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->max_elements, 1u);
  EXPECT_FALSE(defaults->max_time);
  auto bad_time = ParsePull(
      Parse("<n:Pull><n:MaxTime>soon</n:MaxTime></n:Pull>").request());
  ASSERT_FALSE(bad_time.ok());
  EXPECT_EQ(bad_time.fault().code, soap::FaultCode::kInvalidParameter);

  auto renew = ParseRenew(
      Parse("<n:Renew><n:Expires>P1D</n:Expires></n:Renew>").request(),
      kMaxExpiry);
  ASSERT_TRUE(renew.ok());
  EXPECT_EQ(renew->expires, kMaxExpiry);
  auto no_expiry = ParseRenew(Parse("<n:Renew/>").request(), kMaxExpiry);
  ASSERT_TRUE(no_expiry.ok());
  EXPECT_FALSE(no_expiry->expires);
  auto bad = ParseRenew(
      Parse("<n:Renew><n:Expires>-PT1S</n:Expires></n:Renew>").request(),
      kMaxExpiry);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.fault().code, soap::FaultCode::kInvalidExpirationTime);
}

}  // namespace
}  // namespace wsman::engine::cim
