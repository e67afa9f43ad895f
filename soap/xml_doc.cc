#include "soap/xml_doc.h"

#include <cstring>

namespace wsman::soap {
namespace {

std::string_view View(const xmlChar* s) {
  return s == nullptr ? std::string_view()
                      : std::string_view(reinterpret_cast<const char*>(s));
}

// Elements and attributes keep their namespace in the same member position;
// read it through the right type all the same.
const xmlNs* NsOf(const xmlNode* node) {
  if (node == nullptr) return nullptr;
  if (node->type == XML_ATTRIBUTE_NODE) {
    return reinterpret_cast<const xmlAttr*>(node)->ns;
  }
  if (node->type == XML_ELEMENT_NODE) return node->ns;
  return nullptr;
}

void AppendAttrValue(const xmlAttr* attr, std::string* out) {
  for (const xmlNode* c = attr->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content != nullptr) {
      out->append(reinterpret_cast<const char*>(c->content));
    }
  }
}

}  // namespace

bool IsElement(const xmlNode* node, std::string_view ns,
               std::string_view local) {
  return node != nullptr && node->type == XML_ELEMENT_NODE &&
         View(node->name) == local && NamespaceOf(node) == ns;
}

std::string_view NamespaceOf(const xmlNode* node) {
  const xmlNs* ns = NsOf(node);
  return ns == nullptr ? std::string_view() : View(ns->href);
}

std::string_view LocalName(const xmlNode* node) {
  return node == nullptr ? std::string_view() : View(node->name);
}

xmlNode* FirstChildElement(const xmlNode* node) {
  if (node == nullptr) return nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return c;
  }
  return nullptr;
}

xmlNode* FirstChildElement(const xmlNode* node, std::string_view ns,
                           std::string_view local) {
  if (node == nullptr) return nullptr;
  for (xmlNode* c = node->children; c != nullptr; c = c->next) {
    if (IsElement(c, ns, local)) return c;
  }
  return nullptr;
}

xmlNode* NextElement(const xmlNode* node) {
  if (node == nullptr) return nullptr;
  for (xmlNode* c = node->next; c != nullptr; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) return c;
  }
  return nullptr;
}

std::string TextOf(const xmlNode* node) {
  std::string text;
  if (node == nullptr) return text;
  for (const xmlNode* c = node->children; c != nullptr; c = c->next) {
    if ((c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) &&
        c->content != nullptr) {
      text.append(reinterpret_cast<const char*>(c->content));
    }
  }
  return text;
}

bool GetAttr(const xmlNode* node, std::string_view ns, std::string_view local,
             std::string* value) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    std::string_view a_ns =
        a->ns == nullptr ? std::string_view() : View(a->ns->href);
    if (View(a->name) == local && a_ns == ns) {
      if (value != nullptr) {
        value->clear();
        AppendAttrValue(a, value);
      }
      return true;
    }
  }
  if (value != nullptr) value->clear();
  return false;
}

bool GetAttrAnyNs(const xmlNode* node, std::string_view local,
                  std::string* value) {
  if (node == nullptr || node->type != XML_ELEMENT_NODE) return false;
  for (const xmlAttr* a = node->properties; a != nullptr; a = a->next) {
    if (View(a->name) == local) {
      if (value != nullptr) {
        value->clear();
        AppendAttrValue(a, value);
      }
      return true;
    }
  }
  if (value != nullptr) value->clear();
  return false;
}

std::string_view TrimXmlSpace(std::string_view s) {
  auto is_space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
  };
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

}  // namespace wsman::soap
