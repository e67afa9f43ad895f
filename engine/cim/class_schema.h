// Class declarations as clients discover them (DSP0227 15, [MS-WSMV]
// 3.1.4.1.38): a WS-Transfer Get on the resource URI
//   http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*
// with the selectors __cimnamespace and ClassName (what Get-CimClass
// sends; .../cim-schema/2/<Class> names the class in the URI instead)
// answers the class as a DSP0201 CIM-XML <CLASS> element: SUPERCLASS and
// DERIVATION, the class qualifiers (Abstract, Association, Indication),
// PROPERTY, PROPERTY.ARRAY and PROPERTY.REFERENCE with their types,
// CLASSORIGIN, PROPAGATED and the Key qualifier, METHOD with typed
// PARAMETERs (In/Out qualifiers) and the Static qualifier. The options
// IncludeInheritanceHierarchy, IncludeInheritedElements, IncludeQualifiers
// and IncludeClassOrigin (also with MI's "wmi:" prefix, [MS-WSMV] 3.1.4.2)
// select what is written. The class listing (Enumerate on the same URI)
// is engine/cim/class_listing.h.
//
// Thread rules: functions of their arguments and of a read-only registry.
#ifndef WSMAND_ENGINE_CIM_CLASS_SCHEMA_H_
#define WSMAND_ENGINE_CIM_CLASS_SCHEMA_H_

#include <string>
#include <string_view>

#include "engine/operation.h"
#include "providers/class_decl.h"
#include "providers/registry.h"
#include "soap/request.h"
#include "soap/xml_writer.h"

namespace wsman::engine::cim {

inline constexpr std::string_view kCimSchemaPrefix =
    "http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/";

// True when `uri` is a class-schema resource URI.
bool IsClassSchemaUri(std::string_view uri);
// The class a class-schema request names: the ClassName selector, else the
// last segment of the URI unless it is "*". "" when none.
std::string ClassSchemaTarget(const soap::Request& request);

// What a class answer includes. An option the request does not send is
// true: WinRM's clients expect the whole class (the MI client sends all
// four explicitly).
struct ClassSchemaOptions {
  bool inheritance_hierarchy = true;  // DERIVATION
  bool inherited_elements = true;     // members declared by a superclass
  bool qualifiers = true;             // every QUALIFIER element
  bool class_origin = true;           // CLASSORIGIN
};
ClassSchemaOptions ClassSchemaOptionsOf(const soap::Request& request);

// Writes `decl` as one DSP0201 <CLASS> element. The hierarchy is the
// declaration's linked parents, then `registry`'s classes of `ns` (when
// given) for a superclass named but not linked.
void WriteClassSchema(soap::XmlWriter& xml, const providers::ClassDecl& decl,
                      const ClassSchemaOptions& options = {},
                      const providers::Registry* registry = nullptr,
                      std::string_view ns = {});

// Answers a class-schema Get in namespace `ns`: the GetResponse with the
// class (registered, or a parent of a registered class), or a fault
// (InvalidSelectors without a class name, the invalid class fault for an
// unknown one, AccessDenied without a user).
soap::Outcome AnswerClassSchemaGet(const OperationContext& c,
                                   const providers::Registry& registry,
                                   std::string_view ns, std::string* out);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CLASS_SCHEMA_H_
