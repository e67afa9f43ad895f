// Fragment-level WS-Transfer on CIM instances (DSP0226 7.7, [MS-WSMV]
// 3.1.4.1.18): the w:FragmentTransfer expression parsed into the one
// property it selects, the w:XmlFragment a fragment Get answers, and the
// property a fragment Put's w:XmlFragment body carries.
//
// The expression language is the XPath level-1 subset that selects one
// property of the instance, evaluated with the class element as the
// context node (what `winrm get ... -fragment:State` sends):
//   Prop            the property element(s) (repeated for an array)
//   Prop/text()     the property's value alone
// each with an optional namespace prefix (p:Prop) and an optional leading
// class step ("Class/Prop", "/Class/Prop", "/p:Class/p:Prop/text()").
// Anything else (predicates, axes, "//", functions, nested steps into
// embedded instances) is beyond the subset: wsen:CannotProcessFilter, as
// [MS-WSMV] 3.1.4.1.18 has Windows answer.
//
// Thread rules: pure functions of their arguments.
#ifndef WSMAND_ENGINE_CIM_FRAGMENT_H_
#define WSMAND_ENGINE_CIM_FRAGMENT_H_

#include <libxml/tree.h>

#include <string>
#include <string_view>

#include "engine/cim/cim_xml.h"
#include "providers/class_decl.h"
#include "providers/instance.h"
#include "soap/request.h"
#include "soap/result.h"
#include "soap/xml_writer.h"

namespace wsman::engine::cim {

// The XPath 1.0 dialect URI, DSP0226 7.7's default when Dialect is absent.
inline constexpr std::string_view kXPathDialect =
    "http://www.w3.org/TR/1999/REC-xpath-19991116";
// The XPath level-1 dialect of DSP0226 Annex D.1.
inline constexpr std::string_view kXPathLevel1Dialect =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/XPath-Level-1";

// What an expression selects.
struct FragmentPath {
  std::string class_step;  // the leading class step's local name, or ""
  std::string property;    // the property's local name, as written
  bool text = false;       // "/text()": the value, not the element
};

// Parses the header: a dialect other than absent, kXPathDialect or
// kXPathLevel1Dialect -> w:FragmentDialectNotSupported; an expression outside
// the subset -> wsen:CannotProcessFilter.
soap::Result<FragmentPath> ParseFragmentTransfer(
    const soap::FragmentTransfer& header);

// The expression parser alone (the dialect already accepted).
soap::Result<FragmentPath> ParseFragmentPath(std::string_view expression);

// Checks `path` against the class: a property `decl` does not declare ->
// x:InvalidRepresentation + InvalidFragment (DSP0226's fault detail for a
// fragment that does not fit the resource); a class step naming another
// class (or "Prop/Sub", a step into an embedded instance), or text() on a
// value with no text form (arrays, references, embedded instances) ->
// wsen:CannotProcessFilter. On success `path->property` is the declared
// spelling.
soap::Outcome ResolveFragment(FragmentPath* path,
                              const providers::ClassDecl* decl,
                              std::string_view class_name);

// Writes the fragment Get answer: w:XmlFragment holding the property
// element(s) as WriteProjectionFragment writes them (elements in no
// namespace, xsi:nil for null), or, for text(), the value's text alone (empty
// for null). A property the instance lacks writes an empty w:XmlFragment.
void WriteFragment(soap::XmlWriter& xml, const providers::Instance& instance,
                   const FragmentPath& path, const ClassResolver* resolver);

// Reads a fragment Put body (`body`, which must be w:XmlFragment) into the
// new value of `path`'s property and sets it on `instance`. Element form:
// the fragment holds that property's element(s) (any namespace; none means
// null) and nothing else; text() form: its text is the value. A body that is
// not a w:XmlFragment, holds other elements, or a key property ->
// x:InvalidRepresentation + InvalidFragment; a value of the wrong type ->
// the InvalidRepresentation of ParseInstance.
soap::Outcome ApplyFragment(const xmlNode* body, const FragmentPath& path,
                            const providers::ClassDecl* decl,
                            std::string_view namespace_name,
                            const ClassResolver* resolver,
                            providers::Instance* instance);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_FRAGMENT_H_
