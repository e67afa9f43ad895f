#include "soap/response_writer.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <fstream>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "soap/namespaces.h"
#include "tests/unit/testing/xml.h"

namespace wsman::soap {
namespace {

using DocPtr = testutil::XmlDocPtr;
using testutil::S;
DocPtr Parse(const std::string& xml) { return testutil::ParseXml(xml); }

std::vector<std::string> RootPrefixes(xmlDoc* doc) {
  std::vector<std::string> out;
  for (xmlNs* ns = xmlDocGetRootElement(doc)->nsDef; ns; ns = ns->next) {
    out.push_back(ns->prefix ? S(ns->prefix) : "");
  }
  return out;
}

// {namespace}name of each child element of the header.
std::vector<std::string> HeaderChildren(xmlDoc* doc) {
  std::vector<std::string> out;
  xmlNode* root = xmlDocGetRootElement(doc);
  for (xmlNode* h = root->children; h; h = h->next) {
    if (h->type != XML_ELEMENT_NODE || std::string(S(h->name)) != "Header") {
      continue;
    }
    for (xmlNode* c = h->children; c; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      out.push_back(std::string("{") + (c->ns ? S(c->ns->href) : "") + "}" +
                    S(c->name));
    }
  }
  return out;
}

const std::regex kMessageId(
    "uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}");

TEST(ResponseWriterTest, EnvelopeHasWindowsShape) {
  std::string out;
  ResponseWriter w(&out);
  w.StartEnvelope(
      "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse",
      "uuid:FC40E3CD-53E9-4315-B486-6D538B25D1F5");
  w.StartBody();
  w.Finish();
  const std::regex whole(
      "<s:Envelope xml:lang=\"en-US\" "
      "xmlns:s=\"http://www\\.w3\\.org/2003/05/soap-envelope\" "
      "xmlns:a=\"http://schemas\\.xmlsoap\\.org/ws/2004/08/addressing\" "
      "xmlns:w=\"http://schemas\\.dmtf\\.org/wbem/wsman/1/wsman\\.xsd\" "
      "xmlns:p=\"http://schemas\\.microsoft\\.com/wbem/wsman/1/wsman\\.xsd\">"
      "<s:Header>"
      "<a:Action>http://schemas\\.xmlsoap\\.org/ws/2004/09/transfer/"
      "DeleteResponse</a:Action>"
      "<a:MessageID>uuid:[0-9A-F-]{36}</a:MessageID>"
      "<a:To>http://schemas\\.xmlsoap\\.org/ws/2004/08/addressing/role/"
      "anonymous</a:To>"
      "<a:RelatesTo>uuid:FC40E3CD-53E9-4315-B486-6D538B25D1F5</a:RelatesTo>"
      "</s:Header><s:Body/></s:Envelope>");
  EXPECT_TRUE(std::regex_match(out, whole)) << out;
  EXPECT_NE(Parse(out), nullptr);
}

TEST(ResponseWriterTest, OmitsRelatesToWhenEmpty) {
  std::string out;
  ResponseWriter w(&out);
  w.StartEnvelope("urn:action", "");
  w.StartBody();
  w.Finish();
  EXPECT_EQ(out.find("RelatesTo"), std::string::npos);
  EXPECT_NE(out.find("<a:To>"), std::string::npos);
}

TEST(ResponseWriterTest, ExtraNamespacesFollowWindowsOrder) {
  std::string out;
  ResponseWriter w(&out);
  w.StartEnvelope("urn:action", "uuid:1",
                  {{"wsmid", ns::kIdentity},
                   {"rsp", ns::kShell},
                   {"x", ns::kTransfer},
                   {"w", ns::kWsman},  // already declared: not repeated
                   {"n", ns::kEnumeration},
                   {"wsmid", ns::kIdentity}});
  w.StartBody();
  w.Finish();
  DocPtr doc = Parse(out);
  ASSERT_NE(doc, nullptr) << out;
  EXPECT_EQ(
      RootPrefixes(doc.get()),
      (std::vector<std::string>{"s", "a", "x", "n", "w", "rsp", "p", "wsmid"}));
}

TEST(ResponseWriterTest, ExtraHeadersAndBodyThroughXml) {
  std::string out;
  ResponseWriter w(&out);
  w.StartEnvelope("urn:action", "uuid:1", {{"rsp", ns::kShell}});
  w.xml().Element("p:ActivityId", "1A2F2108-D2BA-0000-2F7D-301ABAD2D301");
  w.StartBody();
  w.xml().Open("rsp:Shell").Element("rsp:ShellId", "ABC").Close();
  const size_t predicted = w.xml().size();
  w.Finish();
  EXPECT_EQ(out.size(), predicted);
  DocPtr doc = Parse(out);
  ASSERT_NE(doc, nullptr) << out;
  const std::string a(ns::kAddressing);
  EXPECT_EQ(HeaderChildren(doc.get()),
            (std::vector<std::string>{
                "{" + a + "}Action", "{" + a + "}MessageID", "{" + a + "}To",
                "{" + a + "}RelatesTo",
                "{" + std::string(ns::kMsWsman) + "}ActivityId"}));
  EXPECT_NE(out.find("<s:Body><rsp:Shell><rsp:ShellId>ABC</rsp:ShellId>"
                     "</rsp:Shell></s:Body></s:Envelope>"),
            std::string::npos);
}

TEST(ResponseWriterTest, HeaderMatchesRecordedWindowsResponse) {
  std::ifstream in(std::string(WSMAND_VECTORS_DIR) +
                   "/windows/winrs_standard/01.response.xml");
  std::stringstream ss;
  ss << in.rdbuf();
  DocPtr windows = Parse(ss.str());
  ASSERT_NE(windows, nullptr);

  std::string out;
  ResponseWriter w(&out);
  w.StartEnvelope(
      "http://schemas.xmlsoap.org/ws/2004/09/transfer/"
      "CreateResponse",
      "uuid:FC40E3CD-53E9-4315-B486-6D538B25D1F5",
      {{"rsp", ns::kShell}, {"x", ns::kTransfer}});
  w.StartBody();
  w.Finish();
  DocPtr ours = Parse(out);
  ASSERT_NE(ours, nullptr);
  EXPECT_EQ(HeaderChildren(ours.get()), HeaderChildren(windows.get()));
  EXPECT_EQ(RootPrefixes(ours.get()), RootPrefixes(windows.get()));
}

TEST(ResponseWriterTest, MessageIdsAreRandomUpperCaseV4) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string id = NewMessageId();
    ASSERT_TRUE(std::regex_match(id, kMessageId)) << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(ResponseWriterTest, FaultHttpStatus) {
  EXPECT_EQ(HttpStatusOf(Fault(FaultCode::kTimedOut)), 500);
  EXPECT_EQ(HttpStatusOf(Fault(FaultCode::kAccessDenied)), 500);
}

}  // namespace
}  // namespace wsman::soap
