#include "providers/host/host_hierarchy.h"

#include <map>
#include <string>
#include <string_view>

#include "providers/instance.h"

namespace wsman::providers::host {
namespace {

// A class nobody serves: its parent, its qualifiers and the properties
// DMTF (or WMI, for Win32_BaseService) declares in it.
struct BaseSpec {
  const char* name;
  const char* superclass;
  bool is_abstract;
  bool is_association;
  std::vector<const char*> properties;
};

// Roots first: a base's parent comes before it.
const std::vector<BaseSpec>& Bases() {
  static const std::vector<BaseSpec> bases = {
      {"CIM_ManagedElement",
       "",
       true,
       false,
       {"InstanceID", "Caption", "Description", "ElementName"}},
      {"CIM_ManagedSystemElement",
       "CIM_ManagedElement",
       true,
       false,
       {"InstallDate", "Name", "OperationalStatus", "StatusDescriptions",
        "Status", "HealthState"}},
      {"CIM_LogicalElement", "CIM_ManagedSystemElement", true, false, {}},
      {"CIM_EnabledLogicalElement",
       "CIM_LogicalElement",
       true,
       false,
       {"EnabledState", "OtherEnabledState", "RequestedState", "EnabledDefault",
        "TimeOfLastStateChange"}},
      {"CIM_System",
       "CIM_EnabledLogicalElement",
       true,
       false,
       {"CreationClassName", "NameFormat", "PrimaryOwnerName",
        "PrimaryOwnerContact", "Roles"}},
      {"CIM_UnitaryComputerSystem", "CIM_ComputerSystem", false, false, {}},
      {"CIM_LogicalDevice",
       "CIM_EnabledLogicalElement",
       true,
       false,
       {"SystemCreationClassName", "SystemName", "CreationClassName",
        "DeviceID"}},
      {"CIM_StorageExtent",
       "CIM_LogicalDevice",
       false,
       false,
       {"DataOrganization", "Purpose", "Access", "BlockSize",
        "NumberOfBlocks"}},
      {"CIM_LogicalDisk", "CIM_StorageExtent", false, false, {}},
      {"CIM_NetworkAdapter",
       "CIM_LogicalDevice",
       true,
       false,
       {"PermanentAddress", "NetworkAddresses", "Speed", "MaxSpeed"}},
      {"CIM_LogicalPort",
       "CIM_LogicalDevice",
       false,
       false,
       {"Speed", "MaxSpeed", "RequestedSpeed", "UsageRestriction", "PortType"}},
      {"CIM_NetworkPort",
       "CIM_LogicalPort",
       false,
       false,
       {"PortNumber", "LinkTechnology", "PermanentAddress", "NetworkAddresses",
        "FullDuplex", "ActiveMaximumTransmissionUnit"}},
      {"CIM_ServiceAccessPoint",
       "CIM_EnabledLogicalElement",
       true,
       false,
       {"SystemCreationClassName", "SystemName", "CreationClassName"}},
      {"CIM_ProtocolEndpoint",
       "CIM_ServiceAccessPoint",
       false,
       false,
       {"NameFormat", "ProtocolType", "ProtocolIFType",
        "OtherTypeDescription"}},
      {"CIM_Setting", "CIM_ManagedElement", true, false, {"SettingID"}},
      {"Win32_BaseService",
       "CIM_Service",
       false,
       false,
       {"AcceptPause", "AcceptStop", "DisplayName", "ExitCode", "PathName",
        "ServiceType", "StartName", "State"}},
      {"CIM_Dependency", "", true, true, {"Antecedent", "Dependent"}},
      {"CIM_Component", "", true, true, {"GroupComponent", "PartComponent"}},
      {"CIM_SystemComponent", "CIM_Component", false, true, {}},
  };
  return bases;
}

// Each served class's superclass.
struct Parent {
  const char* name;
  const char* superclass;
};
constexpr Parent kParents[] = {
    {"CIM_OperatingSystem", "CIM_EnabledLogicalElement"},
    {"Win32_OperatingSystem", "CIM_OperatingSystem"},
    {"CIM_ComputerSystem", "CIM_System"},
    {"Win32_ComputerSystem", "CIM_UnitaryComputerSystem"},
    {"CIM_Processor", "CIM_LogicalDevice"},
    {"Win32_Processor", "CIM_Processor"},
    {"CIM_Process", "CIM_EnabledLogicalElement"},
    {"Win32_Process", "CIM_Process"},
    {"CIM_FileSystem", "CIM_EnabledLogicalElement"},
    {"Win32_LogicalDisk", "CIM_LogicalDisk"},
    {"CIM_EthernetPort", "CIM_NetworkPort"},
    {"Win32_NetworkAdapter", "CIM_NetworkAdapter"},
    {"CIM_IPProtocolEndpoint", "CIM_ProtocolEndpoint"},
    {"Win32_NetworkAdapterConfiguration", "CIM_Setting"},
    {"CIM_Service", "CIM_EnabledLogicalElement"},
    {"Win32_Service", "Win32_BaseService"},
    {"CIM_RunningOS", "CIM_Dependency"},
    {"CIM_OSProcess", "CIM_Component"},
    {"CIM_HostedFileSystem", "CIM_SystemComponent"},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool Below(const ClassDecl* d, std::string_view base) {
  for (int depth = 0; d && depth < 32; ++depth, d = d->parent.get()) {
    if (NameEquals(d->name, base)) return true;
  }
  return false;
}

}  // namespace

std::vector<std::shared_ptr<const ClassDecl>> LinkHostHierarchy(
    const std::vector<std::shared_ptr<ClassDecl>>& served) {
  std::map<std::string, std::shared_ptr<ClassDecl>> by_name;
  for (const auto& d : served) by_name[Lower(d->name)] = d;
  std::vector<std::shared_ptr<ClassDecl>> bases;
  for (const BaseSpec& b : Bases()) {
    auto d = std::make_shared<ClassDecl>();
    d->name = b.name;
    d->superclass = b.superclass;
    d->is_abstract = b.is_abstract;
    d->is_association = b.is_association;
    by_name[Lower(d->name)] = d;
    bases.push_back(d);
  }
  for (const Parent& p : kParents) {
    auto it = by_name.find(Lower(p.name));
    if (it != by_name.end()) it->second->superclass = p.superclass;
  }
  for (auto& [name, d] : by_name) {
    if (d->superclass.empty()) continue;
    auto it = by_name.find(Lower(d->superclass));
    if (it != by_name.end()) d->parent = it->second;
  }
  for (const auto& d : served) {
    for (const ClassDecl* a = d->parent.get(); a; a = a->parent.get()) {
      if (a->is_association) d->is_association = true;
    }
  }
  // A base's properties: its parent's (inherited, as every class lists
  // them) and those of its own DMTF properties, each only when every
  // served class below it has it, typed as they have it, a key where all
  // key it; likewise its parent's methods. Roots first, so a parent base
  // is complete before its children.
  for (size_t i = 0; i < bases.size(); ++i) {
    ClassDecl& base = *bases[i];
    std::vector<const ClassDecl*> below;
    for (const auto& d : served) {
      if (Below(d.get(), base.name)) below.push_back(d.get());
    }
    if (below.empty()) continue;
    std::vector<std::string> names;
    if (base.parent) {
      for (const PropertyDecl& p : base.parent->properties) {
        names.push_back(p.name);
      }
    }
    for (const char* name : Bases()[i].properties) names.emplace_back(name);
    for (const std::string& name : names) {
      if (base.FindProperty(name)) continue;
      const PropertyDecl* first = nullptr;
      bool all = true;
      bool all_keys = true;
      for (const ClassDecl* d : below) {
        const PropertyDecl* p = d->FindProperty(name);
        if (!p) {
          all = false;
          break;
        }
        if (!first) first = p;
        all_keys = all_keys && p->key;
      }
      if (!all || !first) continue;
      PropertyDecl p = *first;
      p.key = all_keys;
      if (p.type == CimType::kReference) p.ref_class = "CIM_ManagedElement";
      base.properties.push_back(std::move(p));
    }
    if (!base.parent) continue;
    for (const MethodDecl& m : base.parent->methods) {
      bool all = true;
      for (const ClassDecl* d : below) all = all && d->FindMethod(m.name);
      if (all) base.methods.push_back(m);
    }
  }
  return {bases.begin(), bases.end()};
}

}  // namespace wsman::providers::host
