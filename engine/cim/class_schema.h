// Class declarations as clients discover them: a WS-Transfer Get on the
// resource URI
//   http://schemas.dmtf.org/wbem/cim-xml/2/cim-schema/2/*
// with the selectors __cimnamespace and ClassName (what Get-CimClass
// sends; .../cim-schema/2/<Class> names the class in the URI instead)
// answers the class as a DSP0201 CIM-XML <CLASS> element: PROPERTY,
// PROPERTY.ARRAY and PROPERTY.REFERENCE with their types and the Key
// qualifier, METHOD with typed PARAMETERs (In/Out qualifiers) and the
// Static qualifier.
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

// Writes `decl` as one DSP0201 <CLASS> element.
void WriteClassSchema(soap::XmlWriter& xml, const providers::ClassDecl& decl);

// Answers a class-schema Get in namespace `ns`: the GetResponse with the
// class, or a fault (InvalidSelectors without a class name, the invalid
// class fault for an unknown one, AccessDenied without a user).
soap::Outcome AnswerClassSchemaGet(const OperationContext& c,
                                   const providers::Registry& registry,
                                   std::string_view ns, std::string* out);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CLASS_SCHEMA_H_
