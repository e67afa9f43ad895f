// CIM instances as XML, per DSP0227 (WS-Management CIM binding) and DSP0230
// (WS-CIM mapping): one element per property in the class's namespace (the
// class resource URI), xsi:nil="true" for null, arrays as repeated
// elements, references as EPRs (a:Address + a:ReferenceParameters),
// embedded instances with xsi:type="q:<Class>_Type", datetimes wrapped in
// cim:Datetime / cim:Interval. And back: typed parsing of Put/Create bodies
// and Invoke input by the class (or method) declaration.
#ifndef WSMAND_ENGINE_CIM_CIM_XML_H_
#define WSMAND_ENGINE_CIM_CIM_XML_H_

#include <libxml/tree.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/class_decl.h"
#include "providers/instance.h"
#include "soap/request.h"
#include "soap/result.h"
#include "soap/xml_writer.h"

namespace wsman::engine::cim {

inline constexpr std::string_view kCimCommonNs =
    "http://schemas.dmtf.org/wbem/wscim/1/common";
inline constexpr std::string_view kCimNamespaceSelector = "__cimnamespace";

// What the engine knows about a class by name: the resource URI that names
// it in XML and EPRs, and its declaration (nullptr when unknown).
struct ResolvedClass {
  std::string resource_uri;
  const providers::ClassDecl* decl = nullptr;
  // The URI holds the namespace (the WMI plugin's form): EPRs naming it
  // carry no __cimnamespace selector ([MS-WSMV] 3.1.4.1.1 <45>).
  bool namespace_in_uri = false;
};
using ClassResolver = std::function<ResolvedClass(std::string_view class_name,
                                                  std::string_view ns)>;

struct WriteOptions {
  // The class element's namespace (the resource URI).
  std::string_view class_uri;
  // Resolves referenced and embedded classes to their URIs.
  const ClassResolver* resolver = nullptr;
  // Include xsi:type="p:<Class>_Type" on the class element.
  bool type_attribute = true;
  // Only these properties (case-insensitive); empty = all.
  const std::vector<std::string>* property_list = nullptr;
  // The element's local name instead of the class name (e.g.
  // "Method_OUTPUT").
  std::string_view element_name = {};
};

// Writes `instance` as one <p:Class ...> element.
void WriteInstance(soap::XmlWriter& xml, const providers::Instance& instance,
                   const WriteOptions& options);

// Writes a WQL projection's result the way Windows answers one under a WMI
// plugin URI ([MS-WSMV] 3.1.4.1.13 <58>, <59>; DSP0227 8.1): a
// w:XmlFragment holding exactly the selected properties, in alphabetical
// order, as elements in no namespace.
void WriteProjectionFragment(soap::XmlWriter& xml,
                             const providers::Instance& instance,
                             const std::vector<std::string>& properties,
                             const ClassResolver* resolver);

// Writes a:Address + a:ReferenceParameters (w:ResourceURI, w:SelectorSet of
// the key properties plus, when `namespace_selector`, __cimnamespace) into
// the open element. `namespace_name` is also the default namespace of
// reference-valued keys. Windows leaves __cimnamespace out of EPRs whose
// URI holds the namespace (the WMI plugin's, [MS-WSMV] 3.1.4.1.1 <45>).
void WriteEprContent(soap::XmlWriter& xml, std::string_view address,
                     std::string_view resource_uri,
                     const providers::Instance& instance,
                     std::string_view namespace_name,
                     const ClassResolver* resolver,
                     bool namespace_selector = true);

// Parses a class element (Put/Create body) into an instance of `decl`
// (untyped strings when `decl` is null). Faults: the MI mappings of
// kNoSuchProperty / kTypeMismatch (x:InvalidRepresentation).
soap::Result<providers::Instance> ParseInstance(
    const xmlNode* element, const providers::ClassDecl* decl,
    std::string_view namespace_name, const ClassResolver* resolver);

// Parses <p:Method_INPUT> into an instance holding the in-parameters, typed
// by `method`. Unknown parameter -> w:InvalidParameter.
soap::Result<providers::Instance> ParseMethodInput(
    const xmlNode* element, const providers::MethodDecl* method,
    std::string_view namespace_name, const ClassResolver* resolver);

// The instance name addressed by a SelectorSet (__cimnamespace left out),
// typed and checked against `decl`'s keys: unknown or non-key selectors ->
// w:InvalidSelectors/UnexpectedSelectors, missing keys ->
// InsufficientSelectors, bad values -> TypeMismatch.
soap::Result<providers::Instance> KeysFromSelectors(
    const std::vector<soap::Selector>& selectors,
    const providers::ClassDecl* decl, std::string_view class_name,
    std::string_view namespace_name, const ClassResolver* resolver);

// The instance an EPR-valued selector or reference property names.
providers::Instance InstanceFromReference(
    std::string_view resource_uri, const std::vector<soap::Selector>& selectors,
    std::string_view default_namespace, const ClassResolver* resolver);

// The class name at the end of a resource URI ("" when none).
std::string ClassNameFromUri(std::string_view uri);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CIM_XML_H_
