// RAII ownership of a libxml2 document and small, allocation-free helpers for
// walking its elements by namespace URI and local name.
#ifndef WSMAND_SOAP_XML_DOC_H_
#define WSMAND_SOAP_XML_DOC_H_

#include <libxml/tree.h>

#include <memory>
#include <string>
#include <string_view>

namespace wsman::soap {

struct XmlDocDeleter {
  void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

// True when `node` is an element named {ns}local.
bool IsElement(const xmlNode* node, std::string_view ns,
               std::string_view local);
// The namespace URI of an element or attribute ("" when none).
std::string_view NamespaceOf(const xmlNode* node);
std::string_view LocalName(const xmlNode* node);
// First element child, optionally only one named {ns}local.
xmlNode* FirstChildElement(const xmlNode* node);
xmlNode* FirstChildElement(const xmlNode* node, std::string_view ns,
                           std::string_view local);
// Next element sibling.
xmlNode* NextElement(const xmlNode* node);
// Concatenated text and CDATA content of the element's direct children.
std::string TextOf(const xmlNode* node);
// The attribute's value, or nullopt-like empty + false.
bool GetAttr(const xmlNode* node, std::string_view ns, std::string_view local,
             std::string* value);
// Attribute lookup that ignores the namespace (matches prefixed or not).
bool GetAttrAnyNs(const xmlNode* node, std::string_view local,
                  std::string* value);
// `s` without leading and trailing XML white space (space, tab, CR, LF).
std::string_view TrimXmlSpace(std::string_view s);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_XML_DOC_H_
