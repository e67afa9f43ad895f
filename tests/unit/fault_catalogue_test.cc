#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <algorithm>
#include <fstream>
#include <memory>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include "soap/fault.h"
#include "soap/namespaces.h"
#include "soap/response_writer.h"
#include "tests/unit/testing/xml.h"

namespace wsman::soap {
namespace {

using DocPtr = testutil::XmlDocPtr;
using Envelope = testutil::XmlEnvelope;  // XPath with Windows' prefixes
using testutil::S;
using testutil::X;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Resolves the QName text/attribute value `qname` in the scope of `node`.
std::pair<std::string, std::string> ResolveQName(xmlNode* node,
                                                 const std::string& qname) {
  const auto colon = qname.find(':');
  std::string prefix, local = qname;
  if (colon != std::string::npos) {
    prefix = qname.substr(0, colon);
    local = qname.substr(colon + 1);
  }
  xmlNs* ns = xmlSearchNs(node->doc, node,
                          prefix.empty() ? nullptr : X(prefix.c_str()));
  return {ns ? S(ns->href) : "", local};
}

std::string_view CodeLocal(SoapCodeValue v) {
  switch (v) {
    case SoapCodeValue::kSender:
      return "Sender";
    case SoapCodeValue::kReceiver:
      return "Receiver";
    case SoapCodeValue::kVersionMismatch:
      return "VersionMismatch";
    case SoapCodeValue::kMustUnderstand:
      return "MustUnderstand";
  }
  return "";
}

constexpr size_t kCount = static_cast<size_t>(FaultCode::kCount);

TEST(FaultCatalogueTest, TableIsCompleteAndOrdered) {
  for (size_t i = 0; i < kCount; ++i) {
    const FaultInfo& info = Describe(static_cast<FaultCode>(i));
    SCOPED_TRACE(info.subcode_local);
    EXPECT_EQ(static_cast<size_t>(info.code), i);
    EXPECT_FALSE(info.reason.empty());
    EXPECT_FALSE(info.action.empty());
    EXPECT_NE(info.wsman_code, 0u);
    EXPECT_EQ(info.http_status, 500);
  }
}

TEST(FaultCatalogueTest, SubcodeNamespaceMatchesFaultAction) {
  for (size_t i = 0; i < kCount; ++i) {
    const FaultInfo& info = Describe(static_cast<FaultCode>(i));
    SCOPED_TRACE(info.subcode_local);
    if (info.soap_code == SoapCodeValue::kVersionMismatch ||
        info.soap_code == SoapCodeValue::kMustUnderstand) {
      EXPECT_TRUE(info.subcode_ns.empty());
      EXPECT_TRUE(info.subcode_local.empty());
      continue;
    }
    EXPECT_FALSE(info.subcode_local.empty());
    std::string want;
    if (info.subcode_ns == ns::kWsman) {
      want = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault";
    } else if (info.subcode_ns == ns::kAddressing) {
      want = "http://schemas.xmlsoap.org/ws/2004/08/addressing/fault";
    } else if (info.subcode_ns == ns::kEnumeration) {
      want = "http://schemas.xmlsoap.org/ws/2004/09/enumeration/fault";
    } else if (info.subcode_ns == ns::kEventing) {
      want = "http://schemas.xmlsoap.org/ws/2004/08/eventing/fault";
    } else if (info.subcode_ns == ns::kTransfer) {
      want = "http://schemas.xmlsoap.org/ws/2004/09/transfer/fault";
    }
    EXPECT_EQ(info.action, want);
  }
}

TEST(FaultCatalogueTest, WindowsCodesSeenOnTheWire) {
  EXPECT_EQ(Describe(FaultCode::kTimedOut).wsman_code, 2150858793u);
  EXPECT_EQ(Describe(FaultCode::kTimedOut).soap_code, SoapCodeValue::kReceiver);
  EXPECT_NE(Describe(FaultCode::kTimedOut).reason.find("OperationTimeout"),
            std::string_view::npos);
  EXPECT_EQ(Describe(FaultCode::kInvalidSelectors).wsman_code, 2150858843u);
  EXPECT_EQ(Describe(FaultCode::kInvalidMessageInformationHeader).wsman_code,
            2150858767u);
  EXPECT_EQ(Describe(FaultCode::kAccessDenied).wsman_code, 5u);
}

TEST(FaultCatalogueTest, OutOfRangeCodeFallsBackToInternalError) {
  EXPECT_EQ(Describe(FaultCode::kCount).code, FaultCode::kInternalError);
}

// Every entry, rendered and parsed back, says what the table says.
TEST(FaultCatalogueTest, EveryFaultRendersAsTheTableSays) {
  const std::regex uuid(
      "uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-"
      "[0-9A-F]{12}");
  const std::string relates = "uuid:9BE5F54A-6B47-487D-9ACD-65201E650446";
  for (size_t i = 0; i < kCount; ++i) {
    const auto code = static_cast<FaultCode>(i);
    const FaultInfo& info = Describe(code);
    SCOPED_TRACE("FaultCode " + std::to_string(i) + " " +
                 std::string(info.subcode_local));
    Fault fault(code);
    fault.not_understood_ns = std::string(ns::kWsman);
    fault.not_understood_local = "Locale";
    const std::string xml = RenderFault(fault, relates, "host.example");
    Envelope env(xml);
    ASSERT_TRUE(env.ok()) << xml;

    xmlNode* root = xmlDocGetRootElement(env.doc());
    ASSERT_NE(root->ns, nullptr);
    EXPECT_EQ(std::string(S(root->ns->href)), ns::kSoap12);  // SOAP 1.2
    EXPECT_STREQ(S(root->name), "Envelope");
    EXPECT_EQ(env.Text("/s:Envelope/@xml:lang"), "en-US");

    EXPECT_EQ(env.Text("/s:Envelope/s:Header/a:Action"), info.action);
    EXPECT_TRUE(
        std::regex_match(env.Text("/s:Envelope/s:Header/a:MessageID"), uuid));
    EXPECT_EQ(env.Text("/s:Envelope/s:Header/a:To"), ns::kAnonymous);
    EXPECT_EQ(env.Text("/s:Envelope/s:Header/a:RelatesTo"), relates);

    const std::string f = "/s:Envelope/s:Body/s:Fault";
    ASSERT_EQ(env.Count(f), 1u);
    auto value = env.Nodes(f + "/s:Code/s:Value");
    ASSERT_EQ(value.size(), 1u);
    auto [code_ns, code_local] =
        ResolveQName(value[0], env.Text(f + "/s:Code/s:Value"));
    EXPECT_EQ(code_ns, ns::kSoap12);
    EXPECT_EQ(code_local, CodeLocal(info.soap_code));

    auto sub = env.Nodes(f + "/s:Code/s:Subcode/s:Value");
    if (info.subcode_local.empty()) {
      EXPECT_TRUE(sub.empty());
    } else {
      ASSERT_EQ(sub.size(), 1u);
      auto [sub_ns, sub_local] =
          ResolveQName(sub[0], env.Text(f + "/s:Code/s:Subcode/s:Value"));
      EXPECT_EQ(sub_ns, info.subcode_ns);
      EXPECT_EQ(sub_local, info.subcode_local);
    }

    EXPECT_EQ(env.Text(f + "/s:Reason/s:Text"), info.reason);
    EXPECT_EQ(env.Text(f + "/s:Reason/s:Text/@xml:lang"), "en-US");
    if (info.default_detail.empty()) {
      EXPECT_EQ(env.Count(f + "/s:Detail/w:FaultDetail"), 0u);
    } else {
      EXPECT_EQ(env.Text(f + "/s:Detail/w:FaultDetail"), info.default_detail);
    }
    const std::string wf = f + "/s:Detail/f:WSManFault";
    EXPECT_EQ(env.Text(wf + "/@Code"), std::to_string(info.wsman_code));
    EXPECT_EQ(env.Text(wf + "/@Machine"), "host.example");
    EXPECT_EQ(env.Text(wf + "/f:Message"), info.reason);
    EXPECT_EQ(HttpStatusOf(fault), 500);

    if (info.soap_code == SoapCodeValue::kVersionMismatch) {
      auto se = env.Nodes("/s:Envelope/s:Header/s:Upgrade/s:SupportedEnvelope");
      ASSERT_EQ(se.size(), 1u);
      auto [q_ns, q_local] = ResolveQName(
          se[0], env.Text("/s:Envelope/s:Header/s:Upgrade/s:SupportedEnvelope"
                          "/@qname"));
      EXPECT_EQ(q_ns, ns::kSoap12);
      EXPECT_EQ(q_local, "Envelope");
    } else {
      EXPECT_EQ(env.Count("//s:Upgrade"), 0u);
    }
    if (info.soap_code == SoapCodeValue::kMustUnderstand) {
      auto nu = env.Nodes("/s:Envelope/s:Header/s:NotUnderstood");
      ASSERT_EQ(nu.size(), 1u);
      auto [q_ns, q_local] = ResolveQName(
          nu[0], env.Text("/s:Envelope/s:Header/s:NotUnderstood/@qname"));
      EXPECT_EQ(q_ns, ns::kWsman);
      EXPECT_EQ(q_local, "Locale");
    } else {
      EXPECT_EQ(env.Count("//s:NotUnderstood"), 0u);
    }
  }
}

TEST(FaultCatalogueTest, RelatesToOmittedWhenUnknown) {
  Envelope env(RenderFault(Fault(FaultCode::kSchemaValidationError), "", "m"));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env.Count("//a:RelatesTo"), 0u);
}

TEST(FaultCatalogueTest, MustUnderstandWithUnqualifiedHeader) {
  Fault fault(FaultCode::kMustUnderstand);
  fault.not_understood_local = "Bare";
  Envelope env(RenderFault(fault, "uuid:1", "m"));
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env.Text("/s:Envelope/s:Header/s:NotUnderstood/@qname"), "Bare");
}

TEST(FaultCatalogueTest, OverridesDetailMessageAndCode) {
  // A specific message with the catalogue's code: Reason stays generic,
  // f:Message is specific (as Windows answers a bad CommandId).
  Fault bad_id(FaultCode::kInvalidSelectors, {},
               "The Windows Remote Shell received a request to perform an "
               "operation on a command identifier that does not exist.");
  Envelope a(RenderFault(bad_id, "uuid:1", "m"));
  ASSERT_TRUE(a.ok());
  const std::string f = "/s:Envelope/s:Body/s:Fault";
  EXPECT_EQ(a.Text(f + "/s:Reason/s:Text"),
            Describe(FaultCode::kInvalidSelectors).reason);
  EXPECT_EQ(a.Text(f + "/s:Detail/f:WSManFault/f:Message"), bad_id.message);
  EXPECT_EQ(a.Text(f + "/s:Detail/w:FaultDetail"),
            fault_detail::kUnexpectedSelectors);

  // Another Windows error: its text is the Reason as well.
  Fault win32(FaultCode::kInvalidParameter, fault_detail::kInvalidValue,
              "The parameter is incorrect.");
  win32.wsman_code = 87;
  Envelope b(RenderFault(win32, "uuid:1", "m"));
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.Text(f + "/s:Reason/s:Text"), "The parameter is incorrect.");
  EXPECT_EQ(b.Text(f + "/s:Detail/f:WSManFault/@Code"), "87");
  EXPECT_EQ(b.Text(f + "/s:Detail/w:FaultDetail"), fault_detail::kInvalidValue);
}

TEST(FaultCatalogueTest, EscapesEverything) {
  const std::string nasty = "a<b>&c\"d'e]]>\r\n\t\x01 \xC3\xA9";
  const std::string clean = "a<b>&c\"d'e]]>\r\n\t\xEF\xBF\xBD \xC3\xA9";
  Fault fault(FaultCode::kInternalError, "urn:detail?a=1&b=<2>", nasty);
  fault.wsman_code = 2147942402u;
  Envelope env(RenderFault(fault, "uuid:<&>", "ma\"chine<&>"));
  ASSERT_TRUE(env.ok());
  const std::string f = "/s:Envelope/s:Body/s:Fault";
  EXPECT_EQ(env.Text(f + "/s:Reason/s:Text"), clean);
  EXPECT_EQ(env.Text(f + "/s:Detail/f:WSManFault/f:Message"), clean);
  EXPECT_EQ(env.Text(f + "/s:Detail/f:WSManFault/@Machine"), "ma\"chine<&>");
  EXPECT_EQ(env.Text(f + "/s:Detail/w:FaultDetail"), "urn:detail?a=1&b=<2>");
  EXPECT_EQ(env.Text("/s:Envelope/s:Header/a:RelatesTo"), "uuid:<&>");
}

// ---- structure compared with real Windows faults --------------------------

// One line per element: depth, {namespace}name and its attributes (sorted,
// namespace declarations excluded), plus whether it holds text. Ids, hosts
// and texts themselves are left out.
void Signature(xmlNode* n, int depth, bool with_text,
               std::vector<std::string>* out) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    std::string line = std::string(depth * 2, ' ') + "{" +
                       (n->ns ? S(n->ns->href) : "") + "}" + S(n->name);
    std::vector<std::string> attrs;
    for (xmlAttr* a = n->properties; a; a = a->next) {
      attrs.push_back(std::string("{") + (a->ns ? S(a->ns->href) : "") + "}" +
                      S(a->name));
    }
    std::sort(attrs.begin(), attrs.end());
    for (const auto& a : attrs) line += " @" + a;
    if (with_text && n->children && n->children->type == XML_TEXT_NODE) {
      line += " #text";
    }
    out->push_back(line);
    Signature(n->children, depth + 1, with_text, out);
  }
}

std::vector<std::string> SignatureOf(xmlDoc* doc) {
  std::vector<std::string> out;
  Signature(xmlDocGetRootElement(doc), 0, true, &out);
  return out;
}

std::vector<std::string> RootNamespaces(xmlDoc* doc) {
  std::vector<std::string> out;
  for (xmlNs* ns = xmlDocGetRootElement(doc)->nsDef; ns; ns = ns->next) {
    out.push_back(std::string(ns->prefix ? S(ns->prefix) : "") + "=" +
                  S(ns->href));
  }
  return out;
}

std::string VectorPath(const std::string& rel) {
  return std::string(WSMAND_VECTORS_DIR) + "/windows/" + rel;
}

TEST(FaultCatalogueTest, TimedOutHasWindowsShape) {
  const std::string windows_xml =
      ReadFile(VectorPath("winrs_operation_timeout/04.response.xml"));
  ASSERT_FALSE(windows_xml.empty());
  Envelope windows(windows_xml);
  ASSERT_TRUE(windows.ok());
  Envelope ours(RenderFault(Fault(FaultCode::kTimedOut),
                            "uuid:9BE5F54A-6B47-487D-9ACD-65201E650446",
                            "192.168.56.11"));
  ASSERT_TRUE(ours.ok());

  EXPECT_EQ(SignatureOf(ours.doc()), SignatureOf(windows.doc()));
  EXPECT_EQ(RootNamespaces(ours.doc()), RootNamespaces(windows.doc()));
  for (const char* path : {
           "/s:Envelope/s:Header/a:Action",
           "/s:Envelope/s:Header/a:To",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Detail/f:WSManFault/@Code",
       }) {
    EXPECT_EQ(ours.Text(path), windows.Text(path)) << path;
  }
  // Windows pads its message texts with trailing spaces; the words match.
  auto trim = [](std::string s) {
    while (!s.empty() && s.back() == ' ') s.pop_back();
    return s;
  };
  EXPECT_EQ(ours.Text("//s:Reason/s:Text"),
            trim(windows.Text("//s:Reason/s:Text")));
}

TEST(FaultCatalogueTest, InvalidSelectorsHasWindowsShape) {
  // winrs_bad_cmd_id adds p:ActivityId to the header, so compare the Body.
  Envelope windows(ReadFile(VectorPath("winrs_bad_cmd_id/03.response.xml")));
  ASSERT_TRUE(windows.ok());
  Fault fault(FaultCode::kInvalidSelectors, {},
              "The Windows Remote Shell received a request to perform an "
              "operation on a command identifier that does not exist.");
  Envelope ours(RenderFault(fault, "uuid:1", "m"));
  ASSERT_TRUE(ours.ok());
  auto body = [](const Envelope& e) {
    std::vector<std::string> out;
    auto nodes = e.Nodes("/s:Envelope/s:Body");
    if (!nodes.empty()) Signature(nodes[0], 0, true, &out);
    return out;
  };
  EXPECT_EQ(body(ours), body(windows));
  for (const char* path : {
           "/s:Envelope/s:Header/a:Action",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Detail/w:FaultDetail",
           "/s:Envelope/s:Body/s:Fault/s:Detail/f:WSManFault/@Code",
       }) {
    EXPECT_EQ(ours.Text(path), windows.Text(path)) << path;
  }
}

TEST(FaultCatalogueTest, InvalidHeaderHasWindowsShape) {
  Envelope windows(
      ReadFile(VectorPath("psrp_is_alive_other_wsman_error/04.response.xml")));
  ASSERT_TRUE(windows.ok());
  Fault fault(FaultCode::kInvalidMessageInformationHeader, {},
              "The WS-Management service cannot process the request. The XML "
              "contains an invalid timeout field in the SOAP header: PT-1S.");
  Envelope ours(RenderFault(fault, "uuid:1", "m"));
  ASSERT_TRUE(ours.ok());
  EXPECT_EQ(SignatureOf(ours.doc()), SignatureOf(windows.doc()));
  for (const char* path : {
           "/s:Envelope/s:Header/a:Action",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Code/s:Subcode/s:Value",
           "/s:Envelope/s:Body/s:Fault/s:Detail/f:WSManFault/@Code",
       }) {
    EXPECT_EQ(ours.Text(path), windows.Text(path)) << path;
  }
}

}  // namespace
}  // namespace wsman::soap
