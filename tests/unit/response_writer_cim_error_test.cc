// A fault's CIM error detail (docs/faults.md, "CIM error detail"): the
// MSFT_WmiError instance in the shape of a recorded Windows answer, the
// OMI_Error instance after f:WSManFault, and the XPaths pywinrm, WinRb/WinRM
// and OMI's MI client read them with.
#include <gtest/gtest.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <string>
#include <vector>

#include "soap/fault.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "tests/unit/testing/xml.h"

namespace wsman::soap {
namespace {

using testutil::S;
using testutil::X;

constexpr const char* kWmiErrorNs =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError";
constexpr const char* kOmiErrorNs =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Error";

// XPath over a rendered fault with the prefixes the clients use: pywinrm's
// soapenv/wsmanfault/wmierror, plus the OMI_Error and binding namespaces.
class FaultXml {
 public:
  explicit FaultXml(const std::string& xml) : doc_(testutil::ParseXml(xml)) {
    if (!doc_) return;
    ctx_ = xmlXPathNewContext(doc_.get());
    const std::pair<const char*, std::string> prefixes[] = {
        {"soapenv", std::string(ns::kSoap12)},
        {"wsmanfault", std::string(ns::kWsmanFault)},
        {"wmierror", kWmiErrorNs},
        {"omi", kOmiErrorNs},
        {"w", std::string(ns::kWsman)},
        {"b", std::string(ns::kCimBinding)},
        {"xsi", std::string(ns::kXsi)},
    };
    for (const auto& [p, uri] : prefixes) {
      xmlXPathRegisterNs(ctx_, X(p), X(uri.c_str()));
    }
  }
  ~FaultXml() {
    if (ctx_) xmlXPathFreeContext(ctx_);
  }
  FaultXml(const FaultXml&) = delete;
  FaultXml& operator=(const FaultXml&) = delete;

  bool ok() const { return doc_ != nullptr; }
  std::vector<xmlNode*> Nodes(const std::string& xpath) const {
    std::vector<xmlNode*> out;
    xmlXPathObject* r = xmlXPathEvalExpression(X(xpath.c_str()), ctx_);
    if (r && r->nodesetval) {
      for (int i = 0; i < r->nodesetval->nodeNr; ++i) {
        out.push_back(r->nodesetval->nodeTab[i]);
      }
    }
    xmlXPathFreeObject(r);
    return out;
  }
  std::string Text(const std::string& xpath) const {
    auto n = Nodes(xpath);
    if (n.size() != 1) return "<" + std::to_string(n.size()) + " nodes>";
    return testutil::NodeText(n[0]);
  }
  // The local names of the element children of the one node `xpath` selects.
  std::vector<std::string> Children(const std::string& xpath) const {
    std::vector<std::string> names;
    auto n = Nodes(xpath);
    if (n.size() != 1) return names;
    for (xmlNode* c = n[0]->children; c; c = c->next) {
      if (c->type == XML_ELEMENT_NODE) names.push_back(S(c->name));
    }
    return names;
  }

 private:
  testutil::XmlDocPtr doc_;
  xmlXPathContext* ctx_ = nullptr;
};

std::string NsAttr(xmlNode* n, const char* name, const char* ns) {
  xmlChar* c = xmlGetNsProp(n, X(name), X(ns));
  std::string s = c ? S(c) : "<missing>";
  xmlFree(c);
  return s;
}

CimError NotFound() {
  CimError e;
  e.cim_status_code = 6;
  e.message = "No such process <999>";
  e.message_id = "MI RESULT 6";
  e.error_code = 6;
  e.error_category = 13;
  e.error_type_name = "MI";
  e.windows_error_message = "The service cannot find the resource.";
  return e;
}

std::string Render(const CimError& e) {
  Fault f(FaultCode::kDestinationUnreachable, {}, "not there");
  f.cim_error = e;
  return RenderFault(f, "uuid:1", "host");
}

TEST(ResponseWriterCimError, NoCimErrorNoInstances) {
  const std::string xml = RenderFault(
      Fault(FaultCode::kDestinationUnreachable, {}, "x"), "uuid:1", "host");
  EXPECT_EQ(xml.find("MSFT_WmiError"), std::string::npos);
  EXPECT_EQ(xml.find("OMI_Error"), std::string::npos);
}

TEST(ResponseWriterCimError, DetailOrderWsmanFaultThenWmiErrorThenOmiError) {
  FaultXml doc(Render(NotFound()));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(
      doc.Children("//soapenv:Fault/soapenv:Detail"),
      (std::vector<std::string>{"WSManFault", "MSFT_WmiError", "OMI_Error"}));
}

TEST(ResponseWriterCimError, MsftWmiErrorHasWindowsShape) {
  FaultXml doc(Render(NotFound()));
  ASSERT_TRUE(doc.ok());
  auto root = doc.Nodes("//soapenv:Detail/wmierror:MSFT_WmiError");
  ASSERT_EQ(root.size(), 1u);
  EXPECT_EQ(NsAttr(root[0], "IsCIM_Error",
                   "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"),
            "true");
  EXPECT_EQ(
      NsAttr(root[0], "type", "http://www.w3.org/2001/XMLSchema-instance"),
      "p:MSFT_WmiError_Type");
  // p in xsi:type resolves to the class namespace where it is used.
  xmlNs* p = xmlSearchNs(root[0]->doc, root[0], X("p"));
  ASSERT_NE(p, nullptr);
  EXPECT_STREQ(S(p->href), kWmiErrorNs);
  // The properties of Windows' recorded MSFT_WmiError, in its order.
  EXPECT_EQ(doc.Children("//wmierror:MSFT_WmiError"),
            (std::vector<std::string>{
                "CIMStatusCode", "CIMStatusCodeDescription", "ErrorSource",
                "ErrorSourceFormat", "ErrorType", "Message", "MessageID",
                "OtherErrorSourceFormat", "OtherErrorType", "OwningEntity",
                "PerceivedSeverity", "ProbableCause",
                "ProbableCauseDescription", "error_Category", "error_Code",
                "error_Type", "error_WindowsErrorMessage"}));
  const std::string w = "//wmierror:MSFT_WmiError/wmierror:";
  EXPECT_EQ(doc.Text(w + "CIMStatusCode"), "6");
  EXPECT_EQ(doc.Text(w + "Message"), "No such process <999>");
  EXPECT_EQ(doc.Text(w + "MessageID"), "MI RESULT 6");
  EXPECT_EQ(doc.Text(w + "error_Category"), "13");
  EXPECT_EQ(doc.Text(w + "error_Type"), "MI");
  EXPECT_EQ(doc.Text(w + "error_WindowsErrorMessage"),
            "The service cannot find the resource.");
  // Types as Windows writes them.
  auto type_of = [&](const std::string& prop) {
    auto n = doc.Nodes(w + prop);
    return n.size() == 1 ? NsAttr(n[0], "type",
                                  "http://www.w3.org/2001/XMLSchema-instance")
                         : "<none>";
  };
  EXPECT_EQ(type_of("CIMStatusCode"), "cim:cimUnsignedInt");
  EXPECT_EQ(type_of("ErrorType"), "cim:cimUnsignedShort");
  EXPECT_EQ(type_of("PerceivedSeverity"), "cim:cimUnsignedShort");
  EXPECT_EQ(type_of("error_Category"), "cim:cimUnsignedInt");
  EXPECT_EQ(type_of("error_Code"), "cim:cimUnsignedInt");
  EXPECT_EQ(type_of("Message"), "cim:cimString");
  // Unset strings are nil, as Windows sends them.
  EXPECT_EQ(doc.Nodes(w + "OwningEntity[@xsi:nil='true']").size(), 1u);
  EXPECT_EQ(doc.Nodes(w + "CIMStatusCodeDescription[@xsi:nil='true']").size(),
            1u);
  EXPECT_EQ(doc.Nodes(w + "Message[@xsi:nil]").size(), 0u);
}

TEST(ResponseWriterCimError, PywinrmAndWinRbReadErrorCode) {
  FaultXml doc(Render(NotFound()));
  ASSERT_TRUE(doc.ok());
  // pywinrm (winrm/protocol.py): the path relative to s:Fault.
  EXPECT_EQ(
      doc.Text("/soapenv:Envelope/soapenv:Body/soapenv:Fault/soapenv:Detail/"
               "wmierror:MSFT_WmiError/wmierror:error_Code"),
      "6");
  // and its WSManFault code stays where it was.
  EXPECT_EQ(doc.Nodes("//soapenv:Fault/soapenv:Detail/"
                      "wsmanfault:WSManFault[@Code='2150858752']")
                .size(),
            1u);
  // WinRb/WinRM: //*[local-name()='MSFT_WmiError'] then error_Code.
  EXPECT_EQ(doc.Text("//*[local-name()='MSFT_WmiError']/"
                     "*[local-name()='error_Code']"),
            "6");
}

TEST(ResponseWriterCimError, OmiErrorCarriesMiResultForOmiClient) {
  FaultXml doc(Render(NotFound()));
  ASSERT_TRUE(doc.ok());
  auto root = doc.Nodes("//soapenv:Detail/omi:OMI_Error");
  ASSERT_EQ(root.size(), 1u);
  // OMI reads b:IsCIM_Error in the cimbinding namespace.
  EXPECT_EQ(NsAttr(root[0], "IsCIM_Error",
                   "http://schemas.dmtf.org/wbem/wsman/1/cimbinding.xsd"),
            "true");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:MessageID"), "OMI:MI_Result:6");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:Message"), "No such process <999>");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:CIMStatusCode"), "6");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:OMI_Code"), "6");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:OMI_Category"), "13");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:OMI_Type"), "MI");
}

TEST(ResponseWriterCimError, OmiErrorMessageNeverEmpty) {
  // OMI's parser fails on a Message without text; fall back.
  CimError e = NotFound();
  e.message.clear();
  FaultXml doc(Render(e));
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:Message"),
            "The service cannot find the resource.");
  EXPECT_EQ(
      doc.Nodes("//wmierror:MSFT_WmiError/wmierror:Message[@xsi:nil]").size(),
      1u);
  e.windows_error_message.clear();
  FaultXml bare(Render(e));
  ASSERT_TRUE(bare.ok());
  EXPECT_FALSE(bare.Text("//omi:OMI_Error/omi:Message").empty());
}

TEST(ResponseWriterCimError, ProviderSetFieldsAreWritten) {
  CimError e = NotFound();
  e.owning_entity = "wsmand:test";
  e.perceived_severity = 7;
  e.probable_cause = 42;
  e.probable_cause_description = "cause & \"effect\"";
  e.cim_status_code_description = "not there";
  e.error_type = 4;
  FaultXml doc(Render(e));
  ASSERT_TRUE(doc.ok());
  const std::string w = "//wmierror:MSFT_WmiError/wmierror:";
  EXPECT_EQ(doc.Text(w + "OwningEntity"), "wsmand:test");
  EXPECT_EQ(doc.Text(w + "PerceivedSeverity"), "7");
  EXPECT_EQ(doc.Text(w + "ProbableCause"), "42");
  EXPECT_EQ(doc.Text(w + "ProbableCauseDescription"), "cause & \"effect\"");
  EXPECT_EQ(doc.Text(w + "CIMStatusCodeDescription"), "not there");
  EXPECT_EQ(doc.Text(w + "ErrorType"), "4");
  EXPECT_EQ(doc.Text("//omi:OMI_Error/omi:OwningEntity"), "wsmand:test");
}

}  // namespace
}  // namespace wsman::soap
