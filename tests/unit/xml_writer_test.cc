#include "soap/xml_writer.h"

#include <gtest/gtest.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "tests/unit/testing/xml.h"

namespace wsman::soap {
namespace {

using DocPtr = testutil::XmlDocPtr;
using testutil::AttrOf;
DocPtr Parse(const std::string& xml) {
  return testutil::ParseXml(xml, testutil::Blanks::kKeep);
}
std::string Content(xmlNode* n) { return testutil::NodeText(n); }

// Writes <r v="s">s</r>, parses it back and returns {text, attribute}.
std::pair<std::string, std::string> RoundTrip(std::string_view s) {
  std::string out;
  XmlWriter w(&out);
  w.Open("r").Attr("v", s).Text(s).Close();
  DocPtr doc = Parse(out);
  EXPECT_NE(doc, nullptr) << "not well-formed: " << out;
  if (!doc) return {};
  xmlNode* root = xmlDocGetRootElement(doc.get());
  return {Content(root), AttrOf(root, "v")};
}

const std::string kReplacement = "\xEF\xBF\xBD";

TEST(XmlWriterTest, EscapesTextAndAttributes) {
  std::string t;
  XmlWriter::EscapeText("a<b>&\r\"'\t\n]]>", &t);
  EXPECT_EQ(t, "a&lt;b&gt;&amp;&#13;\"'\t\n]]&gt;");
  std::string a;
  XmlWriter::EscapeAttr("a<b>&\r\"'\t\n", &a);
  EXPECT_EQ(a, "a&lt;b&gt;&amp;&#13;&quot;'&#9;&#10;");
}

TEST(XmlWriterTest, NastyStringsRoundTrip) {
  const std::vector<std::string> cases = {
      "",
      "plain",
      "double \" and single ' quotes",
      "<tag attr=\"x\">not a tag</tag>",
      "& &amp; &#38; &lt;",
      "]]> and <![CDATA[ x ]]>",
      "\r\n",
      "line1\nline2\r\nline3\rline4",
      "\ttab\t\t",
      "  leading and trailing spaces  ",
      "h\xC3\xA9llo \xC3\xBCn\xC3\xAF"
      "code \xE6\x97\xA5\xE6\x9C\xAC "
      "\xF0\x9F\x98\x80",
      "DEL \x7F and C1 \xC2\x85 are allowed",
      "\xEF\xBF\xBD already a replacement char",
      "\xF4\x8F\xBF\xBF highest code point",
  };
  for (const std::string& s : cases) {
    SCOPED_TRACE(s);
    auto [text, attr] = RoundTrip(s);
    EXPECT_EQ(text, s);
    EXPECT_EQ(attr, s);
  }
}

TEST(XmlWriterTest, ControlCharactersBecomeReplacementChars) {
  const std::string in(
      "a\x01"
      "b\x1F\x00"
      "c\x0B\x0C",
      8);
  const std::string want = "a" + kReplacement + "b" + kReplacement +
                           kReplacement + "c" + kReplacement + kReplacement;
  auto [text, attr] = RoundTrip(in);
  EXPECT_EQ(text, want);
  EXPECT_EQ(attr, want);
}

TEST(XmlWriterTest, MalformedUtf8AndNonCharactersStayWellFormed) {
  const std::vector<std::string> cases = {
      "\xFF",              // never valid
      "\xC3",              // truncated
      "\xC3(",             // bad continuation
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong
      "\xED\xA0\x80",      // UTF-16 surrogate
      "\xEF\xBF\xBE",      // U+FFFE: not an XML character
      "\xEF\xBF\xBF",      // U+FFFF: not an XML character
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\x80stray",         // stray continuation
      "ok\xE2\x82",        // truncated at the end
  };
  for (const std::string& s : cases) {
    SCOPED_TRACE(testing::PrintToString(s));
    auto [text, attr] = RoundTrip(s);
    EXPECT_EQ(text, attr);
    EXPECT_NE(text.find(kReplacement), std::string::npos);
  }
  EXPECT_EQ(RoundTrip("\xEF\xBF\xBE").first, kReplacement);
  EXPECT_EQ(RoundTrip("\xC3(").first, kReplacement + "(");
}

TEST(XmlWriterTest, NestingAndEmptyElements) {
  std::string out;
  XmlWriter w(&out);
  w.Open("a");
  EXPECT_EQ(w.depth(), 1u);
  w.Open("b").Close();
  w.Text("x");
  w.Open("c");
  w.Element("d", "");
  w.Element("e", "1<2");
  EXPECT_EQ(w.depth(), 2u);
  w.CloseAll();
  EXPECT_EQ(w.depth(), 0u);
  EXPECT_EQ(out, "<a><b/>x<c><d/><e>1&lt;2</e></c></a>");
}

TEST(XmlWriterTest, AttributesAndNamespaces) {
  std::string out;
  XmlWriter w(&out);
  w.Open("s:E").Xmlns("s", "urn:s").Xmlns("", "urn:default").Attr("k", "v");
  w.Open("s:F").Attr("s:q", "a\"b").Text("t").Close();
  w.Close();
  EXPECT_EQ(out,
            "<s:E xmlns:s=\"urn:s\" xmlns=\"urn:default\" k=\"v\">"
            "<s:F s:q=\"a&quot;b\">t</s:F></s:E>");
  DocPtr doc = Parse(out);
  ASSERT_NE(doc, nullptr);
  xmlNode* root = xmlDocGetRootElement(doc.get());
  ASSERT_NE(root->ns, nullptr);
  EXPECT_STREQ(reinterpret_cast<const char*>(root->ns->href), "urn:s");
}

TEST(XmlWriterTest, RawIsVerbatimAndEndsTheStartTag) {
  std::string out;
  XmlWriter w(&out);
  w.Open("a").Attr("k", "1").Raw("<b x=\"&amp;\"/>").Raw("").Close();
  EXPECT_EQ(out, "<a k=\"1\"><b x=\"&amp;\"/></a>");
}

TEST(XmlWriterTest, QNamesMayBeTemporaries) {
  std::string out;
  XmlWriter w(&out);
  for (int i = 0; i < 3; ++i) {
    std::string name = "rsp:VeryLongElementNameNumber" + std::to_string(i);
    w.Open(name);
  }
  w.CloseAll();
  EXPECT_EQ(out,
            "<rsp:VeryLongElementNameNumber0><rsp:VeryLongElementNameNumber1>"
            "<rsp:VeryLongElementNameNumber2/></rsp:VeryLongElementNameNumber1>"
            "</rsp:VeryLongElementNameNumber0>");
}

// size() must predict, after any prefix of operations, the length the output
// will have once every open element is closed.
TEST(XmlWriterTest, SizeEqualsFinalLengthAfterCloseAllAtAnyPoint) {
  using Op = std::function<void(XmlWriter&)>;
  const std::vector<Op> ops = {
      [](XmlWriter& w) { w.Open("s:Envelope"); },
      [](XmlWriter& w) { w.Attr("xml:lang", "en-US"); },
      [](XmlWriter& w) { w.Xmlns("s", "http://www.w3.org/2003/05/soap"); },
      [](XmlWriter& w) { w.Open("s:Header"); },
      [](XmlWriter& w) { w.Element("a:Action", "urn:x&y"); },
      [](XmlWriter& w) { w.Open("w:SelectorSet"); },
      [](XmlWriter& w) { w.Open("w:Selector"); },
      [](XmlWriter& w) { w.Attr("Name", "Shell\"Id\""); },
      [](XmlWriter& w) { w.Text("1234<>"); },
      [](XmlWriter& w) { w.Close(); },
      [](XmlWriter& w) { w.Close(); },
      [](XmlWriter& w) { w.Close(); },
      [](XmlWriter& w) { w.Open("s:Body"); },
      [](XmlWriter& w) { w.Open("rsp:Stream"); },
      [](XmlWriter& w) { w.Raw("<x/>"); },
      [](XmlWriter& w) { w.Open("empty"); },
      [](XmlWriter& w) { w.Text(""); },
      [](XmlWriter& w) { w.Close(); },
      [](XmlWriter& w) { w.Text("\r\n\x01"); },
  };
  for (const std::string& prefix : {std::string(), std::string("HTTP/")}) {
    for (size_t k = 0; k <= ops.size(); ++k) {
      std::string out = prefix;
      XmlWriter w(&out);
      for (size_t i = 0; i < k; ++i) ops[i](w);
      const size_t predicted = w.size();
      EXPECT_EQ(w.BytesToCloseAll(), predicted - out.size());
      w.CloseAll();
      EXPECT_EQ(out.size(), predicted) << "after " << k << " ops: " << out;
      EXPECT_EQ(w.size(), out.size());
      if (k > 0) {
        EXPECT_NE(Parse(out.substr(prefix.size())), nullptr) << out;
      }
    }
  }
}

TEST(XmlWriterTest, ReusesBuffersAcrossDocuments) {
  // After a first document has grown the writer's buffers, writing the same
  // shape again must not need more capacity in the output string.
  std::string out;
  out.reserve(4096);
  XmlWriter w(&out);
  auto write = [&] {
    for (int i = 0; i < 8; ++i) w.Open("rsp:CommandStateElement");
    w.Text("x");
    w.CloseAll();
  };
  write();
  const size_t first = out.size();
  const size_t cap = out.capacity();
  out.clear();
  write();
  EXPECT_EQ(out.size(), first);
  EXPECT_EQ(out.capacity(), cap);
}

}  // namespace
}  // namespace wsman::soap
