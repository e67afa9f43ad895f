// The winrm/config resource as a tree of elements ([MS-WSMV] 3.1.4.2): what
// the server reports (names in Windows' order, text leaves), how one
// resource of it is addressed (`config`, `config/service`,
// `config/service/auth`, ... each a sub-tree), how a tree is written in
// Windows' shape (prefix cfg, namespace = the resource URI), and how a Put
// body is read against it into a list of changed leaves.
//
// Thread rules: plain values and pure functions; any thread.
#ifndef WSMAND_ENGINE_CONFIG_CONFIG_TREE_H_
#define WSMAND_ENGINE_CONFIG_CONFIG_TREE_H_

#include <string>
#include <string_view>
#include <vector>

#include "soap/request.h"
#include "soap/result.h"
#include "soap/xml_writer.h"

namespace wsman::engine::config {

// http://schemas.microsoft.com/wbem/wsman/1/config: the root resource and
// the prefix of every sub-resource URI.
inline constexpr std::string_view kConfigUri =
    "http://schemas.microsoft.com/wbem/wsman/1/config";
inline constexpr std::string_view kListenerUri =
    "http://schemas.microsoft.com/wbem/wsman/1/config/listener";

// One element: a leaf (text, no children) or a container.
struct Node {
  std::string name;  // local name, e.g. "MaxEnvelopeSizekb"
  std::string text;
  std::vector<Node> children;

  static Node Leaf(std::string name, std::string text) {
    return Node{std::move(name), std::move(text), {}};
  }
  const Node* Child(std::string_view name) const;  // case-insensitive
  bool leaf() const { return children.empty(); }
};

// The resource URI's path below kConfigUri ("" for the root, "service",
// "service/auth", ...), lower-cased as Windows accepts any case; false when
// `uri` is not kConfigUri or below it.
bool ConfigPathOf(std::string_view uri, std::string* path);

// The sub-tree `path` names under `root` (a cfg:Config tree); nullptr when
// there is none. "" is the root itself. `canonical` (optional) gets the path
// in the tree's own spelling, "Service/Auth" for "service/auth".
const Node* Resolve(const Node& root, std::string_view path,
                    std::string* canonical = nullptr);

// The namespace Windows gives a resource's elements: its own URI in lower
// case (kConfigUri + "/" + path).
std::string NamespaceOf(std::string_view path);

// Writes `node` and its children as cfg:<Name> elements, the outermost one
// declaring xmlns:cfg=`ns`.
void WriteTree(const Node& node, std::string_view ns, soap::XmlWriter* xml);

// A leaf a Put changes: its path from cfg:Config in the tree's spelling
// ("MaxEnvelopeSizekb", "Service/MaxConcurrentOperationsPerUser"), whatever
// resource the Put addressed.
struct Change {
  std::string path;
  std::string value;
};

// Reads a Put body (`body`: its first element, the resource) against the
// resource's current tree `current` at `path` (`canonical`: Resolve's
// spelling of it, the changes' prefix): the root element must be
// {NamespaceOf(path)}current.name; every element must name one of
// `current`'s (a fault naming the first that does not, DSP0226 7.5 /
// WS-Transfer InvalidRepresentation); leaves whose text differs from the
// current one are the changes (a client may send back the whole Get answer
// with one value edited).
soap::Result<std::vector<Change>> ReadPut(const xmlNode* body,
                                          const Node& current,
                                          std::string_view path,
                                          std::string_view canonical);

}  // namespace wsman::engine::config

#endif  // WSMAND_ENGINE_CONFIG_CONFIG_TREE_H_
