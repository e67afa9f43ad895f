#include "soap/envelope_parser.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::soap {
namespace {

namespace fs = std::filesystem;

const fs::path kVectors = WSMAND_VECTORS_DIR;

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The text of a vector file as a client would send it. Two OMI files are not
// bare requests: doc_xml_GetClassRequest.xml starts with the command line
// that printed it, and protocol_samples_identify.xml holds the request
// followed by the spec's commented response samples.
std::string RequestText(const fs::path& p) {
  std::string text = ReadFile(p);
  const std::string name = p.filename().string();
  if (name == "doc_xml_GetClassRequest.xml") {
    text.erase(0, text.find('<'));
  } else if (name == "protocol_samples_identify.xml") {
    const std::string end = "</s:Envelope>";
    text.erase(text.find(end) + end.size());
  }
  return text;
}

// Every SOAP request among the vectors. Responses, and the OMI enumerate
// sample (an EnumerateResponse fragment, not well-formed), are left out.
std::vector<fs::path> RequestVectors() {
  std::vector<fs::path> out;
  for (const auto& dir : fs::directory_iterator(kVectors / "windows")) {
    for (const auto& f : fs::directory_iterator(dir.path())) {
      const std::string n = f.path().filename().string();
      if (n.size() > 12 && n.ends_with(".request.xml")) out.push_back(f.path());
    }
  }
  for (const auto& dir : fs::directory_iterator(kVectors / "clients")) {
    for (const auto& f : fs::directory_iterator(dir.path())) {
      if (f.path().extension() == ".xml") out.push_back(f.path());
    }
  }
  for (const char* n :
       {"tests_protocol_posthttp_test1.request.xml",
        "tests_protocol_posthttp_test2.request.xml",
        "tests_protocol_posthttp_test3.request.xml", "wsman_samples_Put1.xml",
        "wsman_samples_Put2.xml", "xml_wsman_get.xml",
        "doc_xml_GetClassRequest.xml", "protocol_samples_identify.xml"}) {
    out.push_back(kVectors / "omi" / n);
  }
  std::sort(out.begin(), out.end());
  return out;
}

Result<Envelope> Parse(std::string_view xml, std::string* mid = nullptr,
                       const ParseLimits& limits = ParseLimits()) {
  return ParseEnvelope(xml, limits, mid);
}

Result<Envelope> ParseVector(const std::string& rel) {
  return Parse(RequestText(kVectors / rel));
}

constexpr char kHead[] =
    R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
    R"(xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" )"
    R"(xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" )"
    R"(xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">)";
constexpr char kAction[] =
    "<a:Action s:mustUnderstand=\"true\">"
    "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get</a:Action>";
constexpr char kMessageId[] =
    "<a:MessageID>uuid:11111111-2222-3333-4444-555555555555</a:MessageID>";
constexpr char kMid[] = "uuid:11111111-2222-3333-4444-555555555555";

// An envelope with Action and MessageID plus `extra` headers and `body`.
std::string Env(const std::string& extra, const std::string& body = "") {
  return std::string(kHead) + "<s:Header>" + kAction + kMessageId + extra +
         "</s:Header><s:Body>" + body + "</s:Body></s:Envelope>";
}

// An envelope with exactly `headers`.
std::string Bare(const std::string& headers, const std::string& body = "") {
  return std::string(kHead) + "<s:Header>" + headers + "</s:Header><s:Body>" +
         body + "</s:Body></s:Envelope>";
}

#define EXPECT_FAULT(result, fault_code)                                       \
  do {                                                                         \
    const auto& r_ = (result);                                                 \
    ASSERT_FALSE(r_.ok());                                                     \
    EXPECT_EQ(static_cast<int>(r_.fault().code), static_cast<int>(fault_code)) \
        << r_.fault().message;                                                 \
  } while (0)

#define EXPECT_FAULT_DETAIL(result, fault_code, fault_detail_uri) \
  do {                                                            \
    const auto& r2_ = (result);                                   \
    EXPECT_FAULT(r2_, fault_code);                                \
    EXPECT_EQ(r2_.fault().detail, fault_detail_uri);              \
  } while (0)

// --- Vectors ---------------------------------------------------------------

TEST(EnvelopeVectors, EveryRequestParses) {
  const auto files = RequestVectors();
  ASSERT_GT(files.size(), 100u);
  for (const auto& f : files) {
    SCOPED_TRACE(f.string());
    std::string mid;
    auto r = Parse(RequestText(f), &mid);
    if (f.string().ends_with(
            "psrp_is_alive_other_wsman_error/04.request.xml")) {
      // OperationTimeout PT-1S: Windows answered
      // InvalidMessageInformationHeader.
      EXPECT_FAULT(r, FaultCode::kInvalidMessageInformationHeader);
      EXPECT_NE(r.fault().message.find("PT-1S"), std::string::npos);
      EXPECT_EQ(mid, "uuid:6292D774-84D1-4421-8A5E-0EE2EA3831DA");
      continue;
    }
    ASSERT_TRUE(r.ok()) << r.fault().message;
    const Request& req = r->request();
    if (f.filename() == "protocol_samples_identify.xml") {
      EXPECT_TRUE(req.action.empty());
      EXPECT_TRUE(IsElement(req.body, ns::kIdentity, "Identify"));
      continue;
    }
    EXPECT_FALSE(req.action.empty());
    EXPECT_FALSE(req.message_id.empty());
    EXPECT_EQ(mid, req.message_id);
    EXPECT_EQ(req.reply_to, ns::kAnonymous);
  }
}

TEST(EnvelopeVectors, PywinrmCreate) {
  auto r = ParseVector("clients/pywinrm-run_cmd/01-Create.xml");
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const Request& q = r->request();
  EXPECT_EQ(q.action, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create");
  EXPECT_EQ(q.resource_uri,
            "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd");
  EXPECT_EQ(q.message_id, "uuid:29980b29-0a1c-4e6e-ae85-31510259301c");
  EXPECT_EQ(q.to, "http://windows-host:5985/wsman");
  ASSERT_TRUE(q.max_envelope_size.has_value());
  EXPECT_EQ(*q.max_envelope_size, 153600u);
  ASSERT_TRUE(q.operation_timeout.has_value());
  EXPECT_EQ(*q.operation_timeout, std::chrono::seconds(20));
  EXPECT_EQ(q.locale, "en-US");
  EXPECT_EQ(q.data_locale, "en-US");
  ASSERT_EQ(q.options.size(), 2u);
  ASSERT_NE(q.FindOption("WINRS_NOPROFILE"), nullptr);
  EXPECT_EQ(q.FindOption("WINRS_NOPROFILE")->value, "FALSE");
  ASSERT_NE(q.FindOption("WINRS_CODEPAGE"), nullptr);
  EXPECT_EQ(q.FindOption("WINRS_CODEPAGE")->value, "437");
  EXPECT_EQ(q.FindOption("WINRS_NOPROFILE")->must_comply, false);
  EXPECT_EQ(q.FindOption("nope"), nullptr);
  EXPECT_TRUE(q.selectors.empty());
  EXPECT_TRUE(IsElement(q.body, ns::kShell, "Shell"));
}

TEST(EnvelopeVectors, GoWinrmCommandWithCdataAndUnprefixedMustUnderstand) {
  auto r = ParseVector("clients/go-winrm-run/02-Command.xml");
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const Request& q = r->request();
  EXPECT_EQ(q.action,
            "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command");
  EXPECT_EQ(*q.operation_timeout, std::chrono::seconds(60));
  ASSERT_NE(q.FindSelector("ShellId"), nullptr);
  EXPECT_EQ(q.FindSelector("ShellId")->value,
            "E9D59D6E-1621-4990-8825-BBE76594DD0D");
  // Selector names are case-insensitive (MS-WSMV 3.1.4.1.2).
  EXPECT_NE(q.FindSelector("shellid"), nullptr);
  ASSERT_NE(q.FindOption("WINRS_CONSOLEMODE_STDIN"), nullptr);
  ASSERT_TRUE(IsElement(q.body, ns::kShell, "CommandLine"));
  const xmlNode* cmd = FirstChildElement(q.body, ns::kShell, "Command");
  ASSERT_NE(cmd, nullptr);
  EXPECT_EQ(TextOf(cmd), "echo go-hello");
}

TEST(EnvelopeVectors, OmiGetClassRequest) {
  auto r = ParseVector("omi/doc_xml_GetClassRequest.xml");
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const Request& q = r->request();
  EXPECT_EQ(q.action, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get");
  EXPECT_EQ(q.resource_uri,
            "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*");
  EXPECT_EQ(q.message_id, "uuid:5BB5A585-1ED7-4A26-A7FF-8FA70B5618ED");
  ASSERT_NE(q.FindSelector("__cimnamespace"), nullptr);
  EXPECT_EQ(q.FindSelector("__cimnamespace")->value, "root/cimv2");
  EXPECT_EQ(q.FindSelector("ClassName")->value, "CIM_VLANEndpoint");
  EXPECT_EQ(q.session_id, "uuid:4F5AC357-8435-40D7-8850-837FB54905B5");
  EXPECT_EQ(q.operation_id, "uuid:5026DEA2-D2C7-42B6-B121-1443C4975082");
  EXPECT_EQ(q.sequence_id, std::optional<uint64_t>(1));
  EXPECT_EQ(q.data_locale, "en-US");
  EXPECT_EQ(q.locale, "en-US");
  EXPECT_EQ(*q.max_envelope_size, 512000u);
  // wmiarray: options may repeat (MS-WSMV 3.1.4.1.10).
  EXPECT_EQ(q.options.size(), 10u);
  const Option* o = q.FindOption("IncludeQualifiers");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->type, "xs:boolean");
  EXPECT_EQ(o->value, "true");
  EXPECT_EQ(q.body, nullptr);  // empty body
}

TEST(EnvelopeVectors, OmiEnumerateOperationTimeoutWithFraction) {
  auto r = ParseVector("omi/tests_protocol_posthttp_test2.request.xml");
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_EQ(*r->request().operation_timeout, std::chrono::seconds(60));
  EXPECT_EQ(*r->request().max_envelope_size, 32768u);
}

TEST(EnvelopeVectors, PsrpOptionSetMustUnderstandAndMustComply) {
  auto r = ParseVector("windows/psrp_open_runspace/01.request.xml");
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const Request& q = r->request();
  EXPECT_TRUE(q.option_set_must_understand);
  ASSERT_NE(q.FindOption("protocolversion"), nullptr);
  EXPECT_TRUE(q.FindOption("protocolversion")->must_comply);
  EXPECT_EQ(q.FindOption("protocolversion")->value, "2.3");
}

TEST(EnvelopeVectors, IdentifyWithoutAnyHeader) {
  // No s:Header element at all.
  std::string xml =
      R"(<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" )"
      R"(xmlns:wsmid="http://schemas.dmtf.org/wbem/wsman/identity/1/)"
      R"(wsmanidentity.xsd"><s:Body><wsmid:Identify/></s:Body></s:Envelope>)";
  auto r = Parse(xml);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_TRUE(IsElement(r->request().body, ns::kIdentity, "Identify"));
}

// --- Well-formedness and hardening ------------------------------------------

TEST(EnvelopeMalformed, NotXml) {
  auto r = Parse("this is not xml");
  EXPECT_FAULT(r, FaultCode::kSchemaValidationError);
  EXPECT_EQ(r.fault().wsman_code, 2150858819u);
  EXPECT_FAULT(Parse(Env("") + "<trailing/>"),
               FaultCode::kSchemaValidationError);
  EXPECT_FAULT(Parse(std::string(kHead) + "<s:Header>"),
               FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, Empty) {
  EXPECT_FAULT(Parse(""), FaultCode::kSchemaValidationError);
  EXPECT_FAULT(Parse("  \r\n "), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, NothingOnStderr) {
  testing::internal::CaptureStderr();
  (void)Parse("<a><b></a>");
  (void)Parse("<s:Envelope><undeclared:x/></s:Envelope>");
  (void)Parse("<!DOCTYPE x [<!ENTITY e 'x'>]><x>&e;</x>");
  (void)Parse("<x>&undefined;</x>");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

TEST(EnvelopeMalformed, UndeclaredPrefix) {
  std::string xml = Env("<q:Thing>1</q:Thing>");
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, UndefinedEntity) {
  EXPECT_FAULT(Parse(Env("<a:To>&nope;</a:To>")),
               FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, PredefinedEntitiesAndCharRefsAreFine) {
  auto r = Parse(Env("<a:To>x&amp;y&#65;&lt;</a:To>"));
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_EQ(r->request().to, "x&yA<");
}

TEST(EnvelopeMalformed, InvalidUtf8) {
  std::string xml = Env("<a:To>\xC0\xAF</a:To>");
  EXPECT_FAULT_DETAIL(Parse(xml), FaultCode::kEncodingLimit,
                      fault_detail::kCharacterSet);
}

TEST(EnvelopeMalformed, EncodingDeclarationIsIgnored) {
  // A UTF-16 request decoded to UTF-8 upstream still declares UTF-16.
  std::string xml = "<?xml version=\"1.0\" encoding=\"utf-16\"?>" +
                    Env("<a:To>h\xC3\xA9</a:To>");
  auto r = Parse(xml);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_EQ(r->request().to, "h\xC3\xA9");
  // And a UTF-8 BOM is accepted.
  ASSERT_TRUE(Parse("\xEF\xBB\xBF" + Env("")).ok());
}

TEST(EnvelopeMalformed, Soap11IsVersionMismatch) {
  std::string xml =
      R"(<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">)"
      R"(<e:Header/><e:Body/></e:Envelope>)";
  EXPECT_FAULT(Parse(xml), FaultCode::kVersionMismatch);
}

TEST(EnvelopeMalformed, WrongEnvelopeNamespaceIsVersionMismatch) {
  EXPECT_FAULT(Parse(R"(<Envelope xmlns="urn:other"><Body/></Envelope>)"),
               FaultCode::kVersionMismatch);
  EXPECT_FAULT(Parse("<Envelope><Body/></Envelope>"),
               FaultCode::kVersionMismatch);
}

TEST(EnvelopeMalformed, WrongRoot) {
  EXPECT_FAULT(
      Parse(R"(<s:Body xmlns:s="http://www.w3.org/2003/05/soap-envelope"/>)"),
      FaultCode::kSchemaValidationError);
  EXPECT_FAULT(Parse("<root/>"), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, WrongNamespaceHeaderAndBody) {
  // Header and Body in the wrong namespace are not a SOAP 1.2 Header/Body.
  std::string xml = std::string(kHead) + "<a:Header/><a:Body/></s:Envelope>";
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, MissingBody) {
  std::string xml = std::string(kHead) + "<s:Header>" + kAction + kMessageId +
                    "</s:Header></s:Envelope>";
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, BodyBeforeHeaderOrTwice) {
  std::string xml = std::string(kHead) + "<s:Body/><s:Header>" + kAction +
                    kMessageId + "</s:Header></s:Envelope>";
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
  xml = std::string(kHead) + "<s:Header>" + kAction + kMessageId +
        "</s:Header><s:Body/><s:Body/></s:Envelope>";
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeMalformed, MissingHeaderElement) {
  std::string xml = std::string(kHead) + "<s:Body/></s:Envelope>";
  EXPECT_FAULT(Parse(xml), FaultCode::kMessageInformationHeaderRequired);
}

TEST(EnvelopeHardening, Doctype) {
  std::string xml = "<!DOCTYPE s:Envelope>" + Env("");
  auto r = Parse(xml);
  EXPECT_FAULT(r, FaultCode::kSchemaValidationError);
  EXPECT_NE(r.fault().message.find("DTD"), std::string::npos);
}

TEST(EnvelopeHardening, InternalEntity) {
  std::string xml = "<!DOCTYPE s:Envelope [<!ENTITY e \"expanded\">]>" +
                    Env("<a:To>&e;</a:To>");
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeHardening, ExternalEntity) {
  std::string xml =
      "<!DOCTYPE s:Envelope [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>" +
      Env("<a:To>&xxe;</a:To>");
  auto r = Parse(xml);
  EXPECT_FAULT(r, FaultCode::kSchemaValidationError);
  EXPECT_EQ(r.fault().message.find("root:"), std::string::npos);
}

TEST(EnvelopeHardening, ExternalDtd) {
  std::string xml =
      "<!DOCTYPE s:Envelope SYSTEM \"http://127.0.0.1:1/evil.dtd\">" + Env("");
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeHardening, ParameterEntity) {
  std::string xml =
      "<!DOCTYPE s:Envelope [<!ENTITY % p SYSTEM \"file:///etc/passwd\"> "
      "%p;]>" +
      Env("");
  EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
}

TEST(EnvelopeHardening, BillionLaughsFailsFast) {
  std::string dtd = "<!DOCTYPE s:Envelope [<!ENTITY l0 \"lol\">";
  for (int i = 1; i < 10; ++i) {
    std::string prev = "&l" + std::to_string(i - 1) + ";";
    std::string rep;
    for (int j = 0; j < 10; ++j) rep += prev;
    dtd += "<!ENTITY l" + std::to_string(i) + " \"" + rep + "\">";
  }
  dtd += "]>";
  std::string xml = dtd + Env("<a:To>&l9;</a:To>");
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 10; ++i) {
    EXPECT_FAULT(Parse(xml), FaultCode::kSchemaValidationError);
  }
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_LT(elapsed, std::chrono::milliseconds(500));
}

std::string Nested(int depth) {
  std::string open, close;
  for (int i = 0; i < depth; ++i) {
    open += "<x>";
    close += "</x>";
  }
  return open + close;
}

TEST(EnvelopeHardening, DeepNesting) {
  auto r = Parse(Env("", Nested(10000)));
  EXPECT_FAULT(r, FaultCode::kEncodingLimit);
  // Above libxml2's own limit of 256 our limit is not reached first; the
  // document is refused all the same.
  ParseLimits loose;
  loose.max_depth = 100000;
  EXPECT_FAULT(Parse(Env("", Nested(10000)), nullptr, loose),
               FaultCode::kSchemaValidationError);
}

TEST(EnvelopeHardening, DepthLimitIsExact) {
  ParseLimits limits;
  limits.max_depth = 10;
  // Envelope and Body are two levels.
  EXPECT_TRUE(Parse(Env("", Nested(8)), nullptr, limits).ok());
  EXPECT_FAULT(Parse(Env("", Nested(9)), nullptr, limits),
               FaultCode::kEncodingLimit);
}

TEST(EnvelopeHardening, NodeLimit) {
  std::string many;
  for (int i = 0; i < 60000; ++i) many += "<y/>";
  EXPECT_FAULT(Parse(Env("", "<x>" + many + "</x>")),
               FaultCode::kEncodingLimit);
  ParseLimits limits;
  limits.max_nodes = 30;
  std::string attrs = "<y";
  for (int i = 0; i < 40; ++i) attrs += " a" + std::to_string(i) + "=\"1\"";
  attrs += "/>";
  EXPECT_FAULT(Parse(Env("", attrs), nullptr, limits),
               FaultCode::kEncodingLimit);
}

TEST(EnvelopeHardening, AttributeLimitPerElement) {
  auto element = [](int n, const char* name) {
    std::string e = "<y";
    for (int i = 0; i < n; ++i) {
      e += std::string(" ") + name + std::to_string(i) + "=\"\"";
    }
    return e + "/>";
  };
  ParseLimits limits;
  limits.max_attributes = 20;
  EXPECT_TRUE(Parse(Env("", element(20, "a")), nullptr, limits).ok());
  EXPECT_FAULT(Parse(Env("", element(21, "a")), nullptr, limits),
               FaultCode::kEncodingLimit);
  // Namespace declarations count too.
  EXPECT_FAULT(Parse(Env("", element(21, "xmlns:p")), nullptr, limits),
               FaultCode::kEncodingLimit);
  // The default limit refuses the audit's 49,000 attributes (340 KB, under
  // the node limit's old reach) before any tree is built.
  std::string big = "<y";
  for (int i = 0; i < 30000; ++i) big += " a" + std::to_string(i) + "=''";
  big += "/>";
  EXPECT_FAULT(Parse(Env("", big)), FaultCode::kEncodingLimit);
}

TEST(EnvelopeHardening, LargeTextIsOneNode) {
  ParseLimits limits;
  limits.max_nodes = 50;
  std::string body = "<x>" + std::string(200000, 'A') + "</x>";
  EXPECT_TRUE(Parse(Env("", body), nullptr, limits).ok());
}

TEST(EnvelopeHardening, Oversize) {
  ParseLimits limits;
  limits.max_bytes = 1000;
  std::string xml = Env("", std::string(1000, ' '));
  EXPECT_FAULT_DETAIL(Parse(xml, nullptr, limits), FaultCode::kEncodingLimit,
                      fault_detail::kServiceEnvelopeLimit);
  EXPECT_FAULT_DETAIL(Parse(std::string(600000, '<')),
                      FaultCode::kEncodingLimit,
                      fault_detail::kServiceEnvelopeLimit);
}

// --- Headers ----------------------------------------------------------------

TEST(EnvelopeHeaders, MissingActionOrMessageId) {
  EXPECT_FAULT(Parse(Bare(kMessageId)),
               FaultCode::kMessageInformationHeaderRequired);
  EXPECT_FAULT(Parse(Bare(kAction)),
               FaultCode::kMessageInformationHeaderRequired);
  EXPECT_FAULT(Parse(Bare("")), FaultCode::kMessageInformationHeaderRequired);
}

TEST(EnvelopeHeaders, EmptyActionOrMessageId) {
  EXPECT_FAULT(
      Parse(Bare(std::string(kAction) + "<a:MessageID> </a:MessageID>")),
      FaultCode::kInvalidMessageInformationHeader);
  EXPECT_FAULT(Parse(Bare(std::string(kMessageId) + "<a:Action/>")),
               FaultCode::kInvalidMessageInformationHeader);
}

TEST(EnvelopeHeaders, Duplicates) {
  for (const std::string& h :
       {std::string(kAction), std::string(kMessageId),
        std::string("<w:ResourceURI>u</w:ResourceURI><w:ResourceURI>u"
                    "</w:ResourceURI>"),
        std::string("<a:To>x</a:To><a:To>x</a:To>"),
        std::string("<w:OperationTimeout>PT1S</w:OperationTimeout>"
                    "<w:OperationTimeout>PT1S</w:OperationTimeout>"),
        std::string("<w:MaxEnvelopeSize>9000</w:MaxEnvelopeSize>"
                    "<w:MaxEnvelopeSize>9000</w:MaxEnvelopeSize>"),
        std::string("<w:SelectorSet/><w:SelectorSet/>"),
        std::string("<w:OptionSet/><w:OptionSet/>"),
        std::string("<p:SessionId>a</p:SessionId><p:SessionId>b</p:SessionId>"),
        std::string(
            "<w:Locale xml:lang=\"en\"/><w:Locale xml:lang=\"en\"/>")}) {
    SCOPED_TRACE(h);
    EXPECT_FAULT(Parse(Env(h)), FaultCode::kInvalidMessageInformationHeader);
  }
}

TEST(EnvelopeHeaders, BadOperationTimeout) {
  for (const char* v : {"PT-1S", "-PT1S", "garbage", "", "P", "PT", "PT1.S",
                        "PT99999999999999999999S"}) {
    SCOPED_TRACE(v);
    auto r = Parse(
        Env(std::string("<w:OperationTimeout>") + v + "</w:OperationTimeout>"));
    EXPECT_FAULT(r, FaultCode::kInvalidMessageInformationHeader);
    EXPECT_NE(r.fault().message.find("invalid timeout"), std::string::npos);
  }
  auto r = Parse(Env("<w:OperationTimeout> PT0.5S </w:OperationTimeout>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->request().operation_timeout, std::chrono::milliseconds(500));
}

TEST(EnvelopeHeaders, MaxEnvelopeSize) {
  auto h = [](const char* v) {
    return Env(std::string("<w:MaxEnvelopeSize s:mustUnderstand=\"true\">") +
               v + "</w:MaxEnvelopeSize>");
  };
  EXPECT_FAULT_DETAIL(Parse(h("8191")), FaultCode::kEncodingLimit,
                      fault_detail::kMinimumEnvelopeLimit);
  EXPECT_FAULT_DETAIL(Parse(h("0")), FaultCode::kEncodingLimit,
                      fault_detail::kMinimumEnvelopeLimit);
  for (const char* bad : {"abc", "-5", "", "12k", "1e6", "+9000"}) {
    SCOPED_TRACE(bad);
    EXPECT_FAULT(Parse(h(bad)), FaultCode::kInvalidMessageInformationHeader);
  }
  auto r = Parse(h("8192"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->request().max_envelope_size, 8192u);
  r = Parse(h("99999999999999999999999"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->request().max_envelope_size, UINT32_MAX);
}

TEST(EnvelopeHeaders, SequenceId) {
  EXPECT_FAULT(Parse(Env("<p:SequenceId>x</p:SequenceId>")),
               FaultCode::kInvalidMessageInformationHeader);
  EXPECT_FAULT(Parse(Env("<p:SequenceId>-1</p:SequenceId>")),
               FaultCode::kInvalidMessageInformationHeader);
  auto r = Parse(Env("<p:SequenceId>18446744073709551615</p:SequenceId>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r->request().sequence_id, UINT64_MAX);
  EXPECT_FAULT(Parse(Env("<p:SequenceId>18446744073709551616</p:SequenceId>")),
               FaultCode::kInvalidMessageInformationHeader);
}

TEST(EnvelopeHeaders, ActivityIdLength) {
  EXPECT_TRUE(
      Parse(Env("<p:ActivityId>" + std::string(2048, 'a') + "</p:ActivityId>"))
          .ok());
  EXPECT_FAULT(
      Parse(Env("<p:ActivityId>" + std::string(2049, 'a') + "</p:ActivityId>")),
      FaultCode::kInvalidMessageInformationHeader);
}

TEST(EnvelopeHeaders, UnknownMustUnderstandHeader) {
  auto r = Parse(
      Env("<z:Thing xmlns:z=\"urn:z\" s:mustUnderstand=\"true\">1</z:Thing>"));
  EXPECT_FAULT(r, FaultCode::kMustUnderstand);
  EXPECT_EQ(r.fault().not_understood_ns, "urn:z");
  EXPECT_EQ(r.fault().not_understood_local, "Thing");
  // "1" and the unprefixed attribute count too.
  EXPECT_FAULT(Parse(Env("<z:T xmlns:z=\"urn:z\" s:mustUnderstand=\"1\"/>")),
               FaultCode::kMustUnderstand);
  EXPECT_FAULT(Parse(Env("<z:T xmlns:z=\"urn:z\" mustUnderstand=\"true\"/>")),
               FaultCode::kMustUnderstand);
  // A known namespace but unknown element.
  r = Parse(Env("<w:Frobnicate s:mustUnderstand=\"true\"/>"));
  EXPECT_FAULT(r, FaultCode::kMustUnderstand);
  EXPECT_EQ(r.fault().not_understood_ns, ns::kWsman);
}

TEST(EnvelopeHeaders, UnknownOptionalHeaderIsIgnored) {
  EXPECT_TRUE(Parse(Env("<z:T xmlns:z=\"urn:z\">1</z:T>")).ok());
  EXPECT_TRUE(
      Parse(Env("<z:T xmlns:z=\"urn:z\" s:mustUnderstand=\"false\"/>")).ok());
  EXPECT_TRUE(Parse(Env("<z:T xmlns:z=\"urn:z\" s:mustUnderstand=\"true\" "
                        "s:role=\"http://www.w3.org/2003/05/soap-envelope/role/"
                        "none\"/>"))
                  .ok());
}

TEST(EnvelopeHeaders, MustUnderstandComesFirst) {
  // Even with another broken header before it, the MustUnderstand fault wins
  // (SOAP 1.2 processing model).
  auto r =
      Parse(Env("<w:OperationTimeout>bad</w:OperationTimeout>"
                "<z:T xmlns:z=\"urn:z\" s:mustUnderstand=\"true\"/>"));
  EXPECT_FAULT(r, FaultCode::kMustUnderstand);
}

// DSP0226 7.7, [MS-WSMV] 3.1.4.1.18: FragmentTransfer is understood on Get
// and Put (the engine interprets it), refused elsewhere, and an explicit
// mustUnderstand="false" is an invalid header.
TEST(EnvelopeHeaders, FragmentTransfer) {
  auto r =
      Parse(Env("<w:FragmentTransfer s:mustUnderstand=\"true\" Dialect=\" "
                "http://www.w3.org/TR/1999/REC-xpath-19991116 \"> State/text() "
                "</w:FragmentTransfer>"));
  ASSERT_TRUE(r.ok()) << r.fault().message;
  ASSERT_TRUE(r->request().fragment.has_value());
  EXPECT_EQ(r->request().fragment->expression, "State/text()");
  EXPECT_EQ(r->request().fragment->dialect,
            "http://www.w3.org/TR/1999/REC-xpath-19991116");
  // OMI's sample sends no mustUnderstand and no Dialect: honoured.
  r = Parse(Env("<w:FragmentTransfer>xpath expression</w:FragmentTransfer>"));
  ASSERT_TRUE(r.ok());
  ASSERT_TRUE(r->request().fragment.has_value());
  EXPECT_EQ(r->request().fragment->expression, "xpath expression");
  EXPECT_EQ(r->request().fragment->dialect, "");
  EXPECT_FALSE(Parse(Env("")).value().request().fragment.has_value());
  EXPECT_FAULT(Parse(Env("<w:FragmentTransfer s:mustUnderstand=\"false\">x"
                         "</w:FragmentTransfer>")),
               FaultCode::kInvalidMessageInformationHeader);
  EXPECT_FAULT(Parse(Env("<w:FragmentTransfer mustUnderstand=\"0\">x"
                         "</w:FragmentTransfer>")),
               FaultCode::kInvalidMessageInformationHeader);
  EXPECT_FAULT(Parse(Env("<w:FragmentTransfer>a</w:FragmentTransfer>"
                         "<w:FragmentTransfer>b</w:FragmentTransfer>")),
               FaultCode::kInvalidMessageInformationHeader);
  // Put is served too; Delete (any other action) is not.
  std::string put = Bare(
      std::string("<a:Action>http://schemas.xmlsoap.org/ws/2004/09/transfer/"
                  "Put</a:Action>") +
      kMessageId +
      "<w:FragmentTransfer s:mustUnderstand=\"true\">x"
      "</w:FragmentTransfer>");
  EXPECT_TRUE(Parse(put).ok());
  std::string del = Bare(
      std::string("<w:FragmentTransfer s:mustUnderstand=\"true\">x"
                  "</w:FragmentTransfer><a:Action>http://schemas.xmlsoap.org/"
                  "ws/2004/09/transfer/Delete</a:Action>") +
      kMessageId);
  EXPECT_FAULT_DETAIL(Parse(del), FaultCode::kUnsupportedFeature,
                      fault_detail::kFragmentLevelAccess);
}

TEST(EnvelopeHeaders, KnownButUnsupported) {
  EXPECT_FAULT_DETAIL(
      Parse(Env("<w:Locale xml:lang=\"en-US\" s:mustUnderstand=\"true\"/>")),
      FaultCode::kUnsupportedFeature, fault_detail::kLocale);
  auto r = Parse(
      Env("<p:DataLocale xml:lang=\"en-US\" s:mustUnderstand=\"true\"/>"));
  EXPECT_FAULT(r, FaultCode::kUnsupportedFeature);
  // Known headers that are simply ignored.
  EXPECT_TRUE(Parse(Env("<w:RequestEPR s:mustUnderstand=\"true\"/>"
                        "<w:RequestTotalItemsCountEstimate/>"
                        "<p:CompressionType s:mustUnderstand=\"true\">"
                        "xpress</p:CompressionType>"))
                  .ok());
}

TEST(EnvelopeHeaders, ReplyToAndFaultTo) {
  const std::string anon = std::string(ns::kAnonymous);
  EXPECT_FAULT_DETAIL(
      Parse(Env("<a:ReplyTo><a:Address>http://evil.example/x</a:Address>"
                "</a:ReplyTo>")),
      FaultCode::kUnsupportedFeature, fault_detail::kAddressingMode);
  EXPECT_FAULT_DETAIL(
      Parse(Env("<a:FaultTo><a:Address>http://evil.example/x</a:Address>"
                "</a:FaultTo>")),
      FaultCode::kUnsupportedFeature, fault_detail::kAddressingMode);
  EXPECT_FAULT(Parse(Env("<a:ReplyTo/>")),
               FaultCode::kInvalidMessageInformationHeader);
  EXPECT_TRUE(
      Parse(Env("<a:FaultTo><a:Address>" + anon + "/</a:Address></a:FaultTo>"))
          .ok());
  auto r = Parse(
      Env("<a:ReplyTo><a:Address> " + anon + " </a:Address></a:ReplyTo>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request().reply_to, anon);
}

TEST(EnvelopeHeaders, ToIsNeverRejected) {
  auto r = Parse(Env("<a:To>http://windows-host:5985/wsman</a:To>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request().to, "http://windows-host:5985/wsman");
}

TEST(EnvelopeHeaders, MessageIdReportedEvenWhenALaterHeaderFails) {
  std::string mid;
  auto r = Parse(Bare("<w:OperationTimeout>bad</w:OperationTimeout>" +
                      std::string(kMessageId) + kAction),
                 &mid);
  EXPECT_FAULT(r, FaultCode::kInvalidMessageInformationHeader);
  EXPECT_EQ(mid, kMid);
  mid = "stale";
  r = Parse(Bare(kAction), &mid);
  EXPECT_FAULT(r, FaultCode::kMessageInformationHeaderRequired);
  EXPECT_EQ(mid, "");
  mid = "stale";
  (void)Parse("garbage", &mid);
  EXPECT_EQ(mid, "");
}

TEST(EnvelopeHeaders, IdentifyNeedsNoHeaders) {
  const std::string body =
      "<wsmid:Identify xmlns:wsmid=\"http://schemas.dmtf.org/wbem/wsman/"
      "identity/1/wsmanidentity.xsd\"/>";
  EXPECT_TRUE(Parse(Bare("", body)).ok());
  // Headers that are present are still checked.
  EXPECT_FAULT(Parse(Bare("<w:OperationTimeout>x</w:OperationTimeout>", body)),
               FaultCode::kInvalidMessageInformationHeader);
  // Other bodies do need them.
  EXPECT_FAULT(Parse(Bare("", "<wsmid:Other xmlns:wsmid=\"urn:x\"/>")),
               FaultCode::kMessageInformationHeaderRequired);
}

// --- Selectors and options
// ----------------------------------------------------

TEST(EnvelopeSelectors, Duplicates) {
  auto r =
      Parse(Env("<w:SelectorSet><w:Selector Name=\"ShellId\">1</w:Selector>"
                "<w:Selector Name=\"ShellId\">2</w:Selector></w:SelectorSet>"));
  EXPECT_FAULT_DETAIL(r, FaultCode::kInvalidSelectors,
                      fault_detail::kDuplicateSelectors);
  r =
      Parse(Env("<w:SelectorSet><w:Selector Name=\"ShellId\">1</w:Selector>"
                "<w:Selector Name=\"SHELLID\">2</w:Selector></w:SelectorSet>"));
  EXPECT_FAULT_DETAIL(r, FaultCode::kInvalidSelectors,
                      fault_detail::kDuplicateSelectors);
}

TEST(EnvelopeSelectors, MissingNameOrBadChild) {
  EXPECT_FAULT(Parse(Env("<w:SelectorSet><w:Selector>1</w:Selector>"
                         "</w:SelectorSet>")),
               FaultCode::kInvalidSelectors);
  EXPECT_FAULT(Parse(Env("<w:SelectorSet><w:Other/></w:SelectorSet>")),
               FaultCode::kInvalidSelectors);
  EXPECT_FAULT(Parse(Env("<w:SelectorSet><w:Selector Name=\"a\"><w:x/>"
                         "</w:Selector></w:SelectorSet>")),
               FaultCode::kInvalidSelectors);
}

TEST(EnvelopeSelectors, Limits) {
  ParseLimits limits;
  limits.max_selectors = 3;
  limits.max_name_length = 8;
  std::string set = "<w:SelectorSet>";
  for (int i = 0; i < 4; ++i) {
    set += "<w:Selector Name=\"n" + std::to_string(i) + "\">v</w:Selector>";
  }
  set += "</w:SelectorSet>";
  EXPECT_FAULT_DETAIL(Parse(Env(set), nullptr, limits),
                      FaultCode::kEncodingLimit, fault_detail::kSelectorLimit);
  EXPECT_FAULT_DETAIL(
      Parse(Env("<w:SelectorSet><w:Selector Name=\"123456789\">v"
                "</w:Selector></w:SelectorSet>"),
            nullptr, limits),
      FaultCode::kEncodingLimit, fault_detail::kSelectorLimit);
}

TEST(EnvelopeSelectors, EndpointReferenceValue) {
  auto r = Parse(
      Env("<w:SelectorSet><w:Selector Name=\"Ref\"><a:EndpointReference>"
          "<a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/"
          "anonymous</a:Address><a:ReferenceParameters>"
          "<w:ResourceURI>http://x/cim/Foo</w:ResourceURI><w:SelectorSet>"
          "<w:Selector Name=\"Key\">7</w:Selector></w:SelectorSet>"
          "</a:ReferenceParameters></a:EndpointReference></w:Selector>"
          "<w:Selector Name=\"Plain\"> v </w:Selector></w:SelectorSet>"));
  ASSERT_TRUE(r.ok()) << r.fault().message;
  const Selector* s = r->request().FindSelector("Ref");
  ASSERT_NE(s, nullptr);
  EXPECT_TRUE(s->is_reference);
  EXPECT_EQ(s->value, "");
  EXPECT_EQ(s->reference_address, ns::kAnonymous);
  EXPECT_EQ(s->reference_resource_uri, "http://x/cim/Foo");
  ASSERT_EQ(s->reference_selectors.size(), 1u);
  EXPECT_EQ(s->reference_selectors[0].name, "Key");
  EXPECT_EQ(s->reference_selectors[0].value, "7");
  EXPECT_EQ(r->request().FindSelector("plain")->value, "v");
  EXPECT_FALSE(r->request().FindSelector("Plain")->is_reference);
}

TEST(EnvelopeOptions, DuplicatesAndRepeatableNames) {
  EXPECT_FAULT(Parse(Env("<w:OptionSet><w:Option Name=\"A\">1</w:Option>"
                         "<w:Option Name=\"A\">2</w:Option>"
                         "</w:OptionSet>")),
               FaultCode::kInvalidOptions);
  auto r =
      Parse(Env("<w:OptionSet><w:Option Name=\"wmiarray:X\">1</w:Option>"
                "<w:Option Name=\"wmiarray:X\">2</w:Option></w:OptionSet>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request().options.size(), 2u);
  EXPECT_EQ(r->request().FindOption("wmiarray:X")->value, "1");
}

TEST(EnvelopeOptions, AttributesAndErrors) {
  auto r =
      Parse(Env("<w:OptionSet s:mustUnderstand=\"true\"><w:Option Name=\"A\" "
                "Type=\"xs:int\" MustComply=\"1\">5</w:Option></w:OptionSet>"));
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->request().option_set_must_understand);
  const Option* o = r->request().FindOption("A");
  ASSERT_NE(o, nullptr);
  EXPECT_EQ(o->type, "xs:int");
  EXPECT_TRUE(o->must_comply);
  EXPECT_EQ(o->value, "5");
  EXPECT_FAULT(Parse(Env("<w:OptionSet><w:Option>1</w:Option>"
                         "</w:OptionSet>")),
               FaultCode::kInvalidOptions);
  EXPECT_FAULT(Parse(Env("<w:OptionSet><w:Bogus/></w:OptionSet>")),
               FaultCode::kInvalidOptions);
  ParseLimits limits;
  limits.max_options = 1;
  EXPECT_FAULT_DETAIL(Parse(Env("<w:OptionSet><w:Option Name=\"A\"/><w:Option "
                                "Name=\"B\"/></w:OptionSet>"),
                            nullptr, limits),
                      FaultCode::kEncodingLimit, fault_detail::kOptionLimit);
}

TEST(EnvelopeBody, CdataAndEmptyBody) {
  auto r = Parse(Env("",
                     "<q:Cmd xmlns:q=\"urn:q\">a<![CDATA[<b> & c]]>d"
                     "</q:Cmd>"));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(TextOf(r->request().body), "a<b> & cd");
  r = Parse(Env("", "  "));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->request().body, nullptr);
}

TEST(EnvelopeBody, EnvelopeOutlivesMove) {
  auto r = Parse(Env("", "<q:Cmd xmlns:q=\"urn:q\">x</q:Cmd>"));
  ASSERT_TRUE(r.ok());
  soap::Envelope env = std::move(r).value();
  soap::Envelope moved = std::move(env);
  EXPECT_EQ(TextOf(moved.request().body), "x");
}

TEST(EnvelopeThreads, ConcurrentParsesAreIndependent) {
  const std::string good = Env("<a:To>t</a:To>");
  const std::string bad = "<!DOCTYPE x [<!ENTITY e 'x'>]>" + Env("");
  const std::string broken = Env("") + "<junk";
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        std::string mid;
        auto a = Parse(good, &mid);
        if (!a.ok() || a->request().to != "t" || mid != kMid) ++failures[t];
        auto b = Parse(bad);
        if (b.ok() || b.fault().code != FaultCode::kSchemaValidationError) {
          ++failures[t];
        }
        auto c = Parse(broken);
        if (c.ok() || c.fault().code != FaultCode::kSchemaValidationError) {
          ++failures[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int f : failures) EXPECT_EQ(f, 0);
}

}  // namespace
}  // namespace wsman::soap
