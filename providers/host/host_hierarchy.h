// The class hierarchy of the host classes: each served class's superclass
// (the DMTF chain for the CIM_* classes, WMI's for the Win32_* ones:
// Win32_Process : CIM_Process : CIM_EnabledLogicalElement : ...) and the
// declarations of the parents nobody serves (CIM_ManagedElement,
// CIM_LogicalDevice, CIM_Dependency, ...), with their Abstract and
// Association qualifiers. A base lists, as every class does, the
// properties it inherits and those DMTF declares in it, each only when
// every host class below it carries it: CLASSORIGIN then names the class
// that declares a property (DSP0201), a WQL query on a base may use them,
// and no class below a base lacks one of the base's properties.
//
// Thread rules: runs once, while HostClasses() builds its static list;
// everything is immutable afterwards.
#ifndef WSMAND_PROVIDERS_HOST_HOST_HIERARCHY_H_
#define WSMAND_PROVIDERS_HOST_HOST_HIERARCHY_H_

#include <memory>
#include <vector>

#include "providers/class_decl.h"

namespace wsman::providers::host {

// Sets superclass, parent and the class qualifiers of every declaration in
// `served` (found by name in the hierarchy table) and creates the bases
// they derive from. Returns the bases, roots first.
std::vector<std::shared_ptr<const ClassDecl>> LinkHostHierarchy(
    const std::vector<std::shared_ptr<ClassDecl>>& served);

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_HOST_HIERARCHY_H_
