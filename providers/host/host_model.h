// The host as CIM instances: the class declarations of the built-in
// providers (DMTF CIM_* classes and the Win32_* classes PowerShell users
// query, same data) and the builders that turn what the readers return into
// instances. Values come only from the readers (providers/host/readers.h),
// so tests build instances from fixture trees and compare them exactly.
#ifndef WSMAND_PROVIDERS_HOST_HOST_MODEL_H_
#define WSMAND_PROVIDERS_HOST_HOST_MODEL_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/class_decl.h"
#include "providers/host/process_view.h"
#include "providers/host/readers.h"
#include "providers/instance.h"
#include "providers/provider.h"

namespace wsman::providers::host {

// The families of classes: each has a DMTF and a Win32 class.
enum class Family {
  kOperatingSystem,  // CIM_OperatingSystem, Win32_OperatingSystem
  kComputerSystem,   // CIM_ComputerSystem, Win32_ComputerSystem
  kProcessor,        // CIM_Processor, Win32_Processor
  kProcess,          // CIM_Process, Win32_Process
  kFileSystem,       // CIM_FileSystem, Win32_LogicalDisk
  kNetworkAdapter,   // CIM_EthernetPort, Win32_NetworkAdapter
  kIpEndpoint,       // CIM_IPProtocolEndpoint,
                     // Win32_NetworkAdapterConfiguration
  kService,          // CIM_Service, Win32_Service
  kAssociation,      // CIM_RunningOS, CIM_OSProcess, CIM_HostedFileSystem
};

struct HostClass {
  std::string name;
  Family family;
  bool win32 = false;
  std::shared_ptr<const ClassDecl> decl;
};

// Every class the host providers serve, with its declaration.
const std::vector<HostClass>& HostClasses();
const HostClass* FindHostClass(std::string_view name);
// The parents of the host classes that nobody serves (CIM_ManagedElement,
// CIM_LogicalDevice, ...; providers/host/host_hierarchy.h), roots first.
const std::vector<std::shared_ptr<const ClassDecl>>& HostBaseClasses();

// Seconds since the epoch and a UTC offset -> a CIM timestamp in local time.
Datetime LocalTimestamp(time_t t, int utc_offset_minutes);

// Keeps the properties `decl` declares, in its order, with its key flags.
Instance Shape(const Instance& full, const ClassDecl& decl);
// True when every property of `keys` has the same value in `candidate`
// (strings compared without case).
bool MatchesKeys(const Instance& candidate, const Instance& keys);

// What one call reads once and shares between instances.
struct HostFacts {
  std::string host_name;
  std::string domain;
  std::string os_name;  // the OS instance's Name
  std::optional<time_t> boot_time;
};

class HostModel {
 public:
  explicit HostModel(HostEnv env);

  const HostEnv& env() const { return env_; }
  HostFacts Facts() const;

  // `cls` names the class to build (CIM_* or Win32_*).
  Instance OperatingSystem(const HostClass& cls, const std::string& ns,
                           const HostFacts& f) const;
  Instance ComputerSystem(const HostClass& cls, const std::string& ns,
                          const HostFacts& f) const;
  std::vector<Instance> Processors(const HostClass& cls, const std::string& ns,
                                   const HostFacts& f) const;
  // Processes as `viewer` may see them (providers/host/process_view.h):
  // nullopt also when hidden from it.
  std::optional<Instance> Process(const HostClass& cls, const std::string& ns,
                                  const HostFacts& f, pid_t pid,
                                  const ProcessViewer& viewer) const;
  // Calls `post` for each process until it returns false.
  void ForEachProcess(const HostClass& cls, const std::string& ns,
                      const HostFacts& f, const ProcessViewer& viewer,
                      const std::function<bool(Instance)>& post) const;
  std::vector<Instance> FileSystems(const HostClass& cls, const std::string& ns,
                                    const HostFacts& f) const;
  std::vector<Instance> NetworkAdapters(const HostClass& cls,
                                        const std::string& ns,
                                        const HostFacts& f) const;
  std::vector<Instance> IpEndpoints(const HostClass& cls, const std::string& ns,
                                    const HostFacts& f) const;

  // Builds every instance of a non-service, non-association class
  // (processes as `viewer` sees them).
  void ForEach(const HostClass& cls, const std::string& ns,
               const ProcessViewer& viewer,
               const std::function<bool(Instance)>& post) const;

  // The association filter: posts the instances associated with `source`
  // (associators) or the association instances referring to it.
  void Associations(const std::string& ns, const Instance& source,
                    const AssociationQuery& q, bool associators,
                    const ProcessViewer& viewer,
                    const std::function<bool(Instance)>& post) const;
  // Every instance of an association class.
  void AssociationInstances(const HostClass& cls, const std::string& ns,
                            const ProcessViewer& viewer,
                            const std::function<bool(Instance)>& post) const;

 private:
  HostEnv env_;
};

}  // namespace wsman::providers::host

#endif  // WSMAND_PROVIDERS_HOST_HOST_MODEL_H_
