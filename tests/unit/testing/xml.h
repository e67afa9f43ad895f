// XML helpers shared by the unit tests (leveldb's util/testutil is the
// model): parsing a document into an owning pointer, reading a node's text
// and attributes, XPath over a WS-Man envelope with Windows' prefixes, and
// the substring probes the older tests use. Header-only (the unit-test
// build compiles *_test.cc files only). Plain helpers: no shared state;
// each XmlEnvelope is used by one thread.
#ifndef WSMAND_TESTS_UNIT_TESTING_XML_H_
#define WSMAND_TESTS_UNIT_TESTING_XML_H_

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "soap/namespaces.h"
#include "soap/xml_doc.h"

namespace wsman::testutil {

// An owned document (soap/xml_doc.h's owner).
using XmlDocPtr = soap::XmlDoc;

inline const char* S(const xmlChar* c) {
  return reinterpret_cast<const char*>(c);
}
inline const xmlChar* X(const char* c) {
  return reinterpret_cast<const xmlChar*>(c);
}

// Blank text nodes between elements: dropped (the shape checks) or kept
// (text round trips).
enum class Blanks { kDrop, kKeep };

// The document as UTF-8, no network, no error output; null when it is not
// well-formed.
inline XmlDocPtr ParseXml(std::string_view xml, Blanks blanks = Blanks::kDrop) {
  int options = XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING;
  if (blanks == Blanks::kDrop) options |= XML_PARSE_NOBLANKS;
  return XmlDocPtr(xmlReadMemory(xml.data(), static_cast<int>(xml.size()),
                                 "mem.xml", "UTF-8", options));
}

// True when `xml` parses (its encoding as it declares it).
inline bool WellFormed(std::string_view xml) {
  XmlDocPtr doc(xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr,
                              nullptr, XML_PARSE_NONET));
  return doc != nullptr;
}

// A node's text content ("" when none).
inline std::string NodeText(xmlNode* n) {
  xmlChar* c = xmlNodeGetContent(n);
  std::string s = c ? S(c) : "";
  xmlFree(c);
  return s;
}

// An attribute's value, "<missing>" when absent.
inline std::string AttrOf(xmlNode* n, const char* name) {
  xmlChar* c = xmlGetProp(n, X(name));
  std::string s = c ? S(c) : "<missing>";
  xmlFree(c);
  return s;
}

// XPath over a parsed envelope with Windows' prefixes registered (s, a, w,
// p, n, e, x, f).
class XmlEnvelope {
 public:
  explicit XmlEnvelope(const std::string& xml) : doc_(ParseXml(xml)) {
    if (!doc_) return;
    ctx_ = xmlXPathNewContext(doc_.get());
    const std::pair<const char*, std::string_view> prefixes[] = {
        {"s", soap::ns::kSoap12},      {"a", soap::ns::kAddressing},
        {"w", soap::ns::kWsman},       {"p", soap::ns::kMsWsman},
        {"n", soap::ns::kEnumeration}, {"e", soap::ns::kEventing},
        {"x", soap::ns::kTransfer},    {"f", soap::ns::kWsmanFault},
    };
    for (const auto& [p, uri] : prefixes) {
      std::string u(uri);
      xmlXPathRegisterNs(ctx_, X(p), X(u.c_str()));
    }
  }
  ~XmlEnvelope() {
    if (ctx_) xmlXPathFreeContext(ctx_);
  }
  XmlEnvelope(const XmlEnvelope&) = delete;
  XmlEnvelope& operator=(const XmlEnvelope&) = delete;

  bool ok() const { return doc_ != nullptr; }
  xmlDoc* doc() const { return doc_.get(); }

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
  size_t Count(const std::string& xpath) const { return Nodes(xpath).size(); }
  // The text of the one node `xpath` selects, else "<N nodes>".
  std::string Text(const std::string& xpath) const {
    auto n = Nodes(xpath);
    if (n.size() != 1) return "<" + std::to_string(n.size()) + " nodes>";
    return NodeText(n[0]);
  }

 private:
  XmlDocPtr doc_;
  xmlXPathContext* ctx_ = nullptr;
};

// The text between the first `open` and the next `close` ("" when `open`
// is absent).
inline std::string Between(const std::string& s, const std::string& open,
                           const std::string& close) {
  size_t a = s.find(open);
  if (a == std::string::npos) return {};
  a += open.size();
  return s.substr(a, s.find(close, a) - a);
}

// How often `what` occurs in `s` (overlaps included).
inline size_t Count(const std::string& s, const std::string& what) {
  size_t n = 0;
  for (size_t p = s.find(what); p != std::string::npos;
       p = s.find(what, p + 1)) {
    ++n;
  }
  return n;
}

}  // namespace wsman::testutil

#endif  // WSMAND_TESTS_UNIT_TESTING_XML_H_
