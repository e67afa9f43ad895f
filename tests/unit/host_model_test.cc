// The host classes built from the fixture tree: exact values, keys as the
// declarations say, provider calls and the association filter.
#include "providers/host/host_model.h"

#include <gtest/gtest.h>

#include "providers/host/host_providers.h"
#include "providers/host/services.h"
#include "tests/unit/host_test_env.h"

namespace wsman::providers::host {
namespace {

using testing::FixtureEnv;
const std::string kNs = "root/cimv2";

const HostClass& Cls(std::string_view name) {
  const HostClass* c = FindHostClass(name);
  EXPECT_NE(c, nullptr) << name;
  return *c;
}

std::string Text(const Instance& i, std::string_view name) {
  const Value* v = i.Get(name);
  if (!v) return "<absent>";
  if (v->is_null()) return "<null>";
  if (v->is_array()) {
    std::string out;
    for (const Scalar& s : v->elements()) {
      out += (out.empty() ? "" : ",") + ScalarToText(v->type(), s);
    }
    return "[" + out + "]";
  }
  if (v->type() == CimType::kDatetime) {
    return std::get<Datetime>(v->scalar()).ToCimString();
  }
  return ScalarToText(v->type(), v->scalar());
}

std::vector<std::string> KeyNames(const Instance& i) {
  std::vector<std::string> out;
  for (const Property* p : i.Keys()) out.push_back(p->name);
  return out;
}

class HostModelTest : public ::testing::Test {
 protected:
  HostModel model{FixtureEnv()};
  HostFacts facts = model.Facts();
};

TEST_F(HostModelTest, Facts) {
  EXPECT_EQ(facts.host_name, "testhost");
  EXPECT_EQ(facts.os_name, "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(facts.boot_time, 1700000000);
}

TEST_F(HostModelTest, Win32OperatingSystem) {
  Instance os = model.OperatingSystem(Cls("Win32_OperatingSystem"), kNs, facts);
  EXPECT_EQ(os.class_name(), "Win32_OperatingSystem");
  EXPECT_EQ(KeyNames(os), std::vector<std::string>{"Name"});
  EXPECT_EQ(Text(os, "Caption"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(Text(os, "Version"), "12");
  EXPECT_EQ(Text(os, "BuildNumber"), "6.1.0-18-amd64");
  EXPECT_EQ(Text(os, "OSArchitecture"), "64-bit");
  EXPECT_EQ(Text(os, "Manufacturer"), "Debian GNU/Linux");
  EXPECT_EQ(Text(os, "OSType"), "36");
  EXPECT_EQ(Text(os, "CSName"), "testhost");
  // btime 1700000000 = 2023-11-14 22:13:20 UTC, shown at UTC+60 minutes.
  EXPECT_EQ(Text(os, "LastBootUpTime"), "20231114231320.000000+060");
  EXPECT_EQ(Text(os, "LocalDateTime"), "20231115001320.000000+060");
  EXPECT_EQ(Text(os, "CurrentTimeZone"), "60");
  EXPECT_EQ(Text(os, "TimeZone"), "Europe/Paris");
  EXPECT_EQ(Text(os, "Locale"), "fr_FR.UTF-8");
  EXPECT_EQ(Text(os, "TotalVisibleMemorySize"), "16314336");
  EXPECT_EQ(Text(os, "FreePhysicalMemory"), "8765432");
  EXPECT_EQ(Text(os, "TotalVirtualMemorySize"), "18411484");
  EXPECT_EQ(Text(os, "FreeVirtualMemory"), "10765432");
  EXPECT_EQ(Text(os, "SizeStoredInPagingFiles"), "2097148");
  EXPECT_EQ(Text(os, "FreeSpaceInPagingFiles"), "2000000");
  EXPECT_EQ(Text(os, "NumberOfProcesses"), "2");
}

TEST_F(HostModelTest, CimOperatingSystemKeys) {
  Instance os = model.OperatingSystem(Cls("CIM_OperatingSystem"), kNs, facts);
  EXPECT_EQ(KeyNames(os),
            (std::vector<std::string>{"CSCreationClassName", "CSName",
                                      "CreationClassName", "Name"}));
  EXPECT_EQ(Text(os, "CSCreationClassName"), "CIM_ComputerSystem");
  EXPECT_EQ(Text(os, "CreationClassName"), "CIM_OperatingSystem");
  EXPECT_EQ(Text(os, "BuildNumber"), "<absent>");  // Win32 only
}

TEST_F(HostModelTest, ComputerSystem) {
  Instance cs = model.ComputerSystem(Cls("Win32_ComputerSystem"), kNs, facts);
  EXPECT_EQ(Text(cs, "Name"), "testhost");
  EXPECT_EQ(Text(cs, "DNSHostName"), "testhost");
  EXPECT_EQ(Text(cs, "Domain"), "WORKGROUP");
  EXPECT_EQ(Text(cs, "PartOfDomain"), "false");
  EXPECT_EQ(Text(cs, "Manufacturer"), "QEMU");
  EXPECT_EQ(Text(cs, "Model"), "<null>");  // product_name unreadable
  EXPECT_EQ(Text(cs, "TotalPhysicalMemory"), "16705880064");
  EXPECT_EQ(Text(cs, "NumberOfProcessors"), "2");
  EXPECT_EQ(Text(cs, "NumberOfLogicalProcessors"), "4");
  EXPECT_EQ(Text(cs, "SystemType"), "x64-based PC");
  Instance cim = model.ComputerSystem(Cls("CIM_ComputerSystem"), kNs, facts);
  EXPECT_EQ(KeyNames(cim),
            (std::vector<std::string>{"CreationClassName", "Name"}));
}

TEST_F(HostModelTest, Processors) {
  auto cpus = model.Processors(Cls("Win32_Processor"), kNs, facts);
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(Text(cpus[1], "DeviceID"), "CPU1");
  EXPECT_EQ(Text(cpus[0], "Name"), "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
  EXPECT_EQ(Text(cpus[0], "Manufacturer"), "GenuineIntel");
  EXPECT_EQ(Text(cpus[0], "NumberOfCores"), "2");
  EXPECT_EQ(Text(cpus[0], "NumberOfLogicalProcessors"), "2");
  EXPECT_EQ(Text(cpus[0], "CurrentClockSpeed"), "2100");
  EXPECT_EQ(Text(cpus[0], "MaxClockSpeed"), "2100");
  EXPECT_EQ(Text(cpus[1], "MaxClockSpeed"), "3900");
  EXPECT_EQ(Text(cpus[0], "Architecture"), "9");
  EXPECT_EQ(Text(cpus[0], "AddressWidth"), "64");
  // load 1.50 over 4 logical processors.
  EXPECT_EQ(Text(cpus[0], "LoadPercentage"), "38");
  EXPECT_EQ(Text(cpus[0], "Description"), "Family 6 Model 85 Stepping 7");
}

TEST_F(HostModelTest, Process) {
  auto p = model.Process(Cls("Win32_Process"), kNs, facts, 4242,
                         ProcessViewer::Administrator());
  ASSERT_TRUE(p);
  EXPECT_EQ(KeyNames(*p), std::vector<std::string>{"Handle"});
  EXPECT_EQ(Text(*p, "Handle"), "4242");
  EXPECT_EQ(Text(*p, "ProcessId"), "4242");
  EXPECT_EQ(Text(*p, "ParentProcessId"), "1");
  EXPECT_EQ(Text(*p, "Name"), "my (odd) proc");
  EXPECT_EQ(Text(*p, "CommandLine"), "python3 -c print(1)");
  EXPECT_EQ(Text(*p, "ExecutablePath"), "/usr/bin/python3.11");
  // Started 250.50 s after boot.
  EXPECT_EQ(Text(*p, "CreationDate"), "20231114231730.500000+060");
  EXPECT_EQ(Text(*p, "WorkingSetSize"), "1024000");
  EXPECT_EQ(Text(*p, "PeakWorkingSetSize"), "1100");
  EXPECT_EQ(Text(*p, "VirtualSize"), "8192000");
  EXPECT_EQ(Text(*p, "PeakVirtualSize"), "9216000");
  EXPECT_EQ(Text(*p, "ThreadCount"), "4");
  EXPECT_EQ(Text(*p, "KernelModeTime"), "300000");
  EXPECT_EQ(Text(*p, "UserModeTime"), "700000");
  EXPECT_EQ(Text(*p, "ExecutionState"), "3");
  EXPECT_EQ(Text(*p, "OSName"), "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(Text(*p, "CSName"), "testhost");
  EXPECT_FALSE(model.Process(Cls("Win32_Process"), kNs, facts, 999,
                             ProcessViewer::Administrator()));
  auto cim = model.Process(Cls("CIM_Process"), kNs, facts, 1,
                           ProcessViewer::Administrator());
  ASSERT_TRUE(cim);
  EXPECT_EQ(KeyNames(*cim).size(), 6u);
  EXPECT_EQ(Text(*cim, "OSCreationClassName"), "CIM_OperatingSystem");
}

TEST_F(HostModelTest, FileSystems) {
  auto disks = model.FileSystems(Cls("Win32_LogicalDisk"), kNs, facts);
  // /, /run, /mnt/my disk; proc, sysfs, cgroup2 are no disks; /srv/nfs
  // fails statvfs.
  ASSERT_EQ(disks.size(), 3u);
  EXPECT_EQ(Text(disks[0], "DeviceID"), "/");
  EXPECT_EQ(Text(disks[0], "FileSystem"), "ext4");
  EXPECT_EQ(Text(disks[0], "Size"), "4096000000");
  EXPECT_EQ(Text(disks[0], "FreeSpace"), "1433600000");
  EXPECT_EQ(Text(disks[0], "DriveType"), "3");
  EXPECT_EQ(Text(disks[0], "VolumeName"), "/dev/sda1");
  EXPECT_EQ(Text(disks[1], "DriveType"), "6");  // tmpfs
  EXPECT_EQ(Text(disks[2], "DeviceID"), "/mnt/my disk");
  EXPECT_EQ(Text(disks[2], "Access"), "1");
  auto fs = model.FileSystems(Cls("CIM_FileSystem"), kNs, facts);
  ASSERT_EQ(fs.size(), 3u);
  EXPECT_EQ(Text(fs[2], "ReadOnly"), "true");
  EXPECT_EQ(Text(fs[2], "FileSystemSize"), "1024000");
  EXPECT_EQ(Text(fs[2], "AvailableSpace"), "512000");
  EXPECT_EQ(Text(fs[2], "BlockSize"), "512");
  EXPECT_EQ(Text(fs[0], "Root"), "/");
}

TEST_F(HostModelTest, NetworkAdapters) {
  auto nics = model.NetworkAdapters(Cls("Win32_NetworkAdapter"), kNs, facts);
  ASSERT_EQ(nics.size(), 2u);
  EXPECT_EQ(Text(nics[1], "DeviceID"), "2");
  EXPECT_EQ(Text(nics[1], "NetConnectionID"), "eth0");
  EXPECT_EQ(Text(nics[1], "MACAddress"), "02:42:AC:11:00:02");
  EXPECT_EQ(Text(nics[1], "Speed"), "1000000000");
  EXPECT_EQ(Text(nics[1], "NetEnabled"), "true");
  EXPECT_EQ(Text(nics[1], "NetConnectionStatus"), "2");
  EXPECT_EQ(Text(nics[1], "AdapterType"), "Ethernet 802.3");
  EXPECT_EQ(Text(nics[1], "PhysicalAdapter"), "true");
  EXPECT_EQ(Text(nics[0], "MACAddress"), "<null>");
  EXPECT_EQ(Text(nics[0], "Speed"), "<null>");
  EXPECT_EQ(Text(nics[0], "NetEnabled"), "true");  // unknown, has addresses
  auto ports = model.NetworkAdapters(Cls("CIM_EthernetPort"), kNs, facts);
  EXPECT_EQ(Text(ports[1], "DeviceID"), "eth0");
  EXPECT_EQ(Text(ports[1], "PermanentAddress"), "0242AC110002");
  EXPECT_EQ(Text(ports[1], "ActiveMaximumTransmissionUnit"), "1500");
}

TEST_F(HostModelTest, IpConfiguration) {
  auto cfg =
      model.IpEndpoints(Cls("Win32_NetworkAdapterConfiguration"), kNs, facts);
  ASSERT_EQ(cfg.size(), 2u);
  EXPECT_EQ(KeyNames(cfg[1]), std::vector<std::string>{"Index"});
  EXPECT_EQ(Text(cfg[1], "Index"), "2");
  EXPECT_EQ(Text(cfg[1], "IPAddress"), "[172.17.0.2,fe80::42:acff:fe11:2]");
  EXPECT_EQ(Text(cfg[1], "IPSubnet"), "[255.255.0.0,64]");
  EXPECT_EQ(Text(cfg[1], "MTU"), "1500");
  EXPECT_EQ(Text(cfg[1], "IPEnabled"), "true");
  auto ep = model.IpEndpoints(Cls("CIM_IPProtocolEndpoint"), kNs, facts);
  ASSERT_EQ(ep.size(), 4u);
  EXPECT_EQ(Text(ep[0], "Name"), "IPv4_lo_127.0.0.1");
  EXPECT_EQ(Text(ep[0], "SubnetMask"), "255.0.0.0");
  EXPECT_EQ(Text(ep[1], "IPv6Address"), "::1");
  EXPECT_EQ(Text(ep[1], "ProtocolIFType"), "4097");
  EXPECT_EQ(Text(ep[3], "PrefixLength"), "64");
}

TEST(HostServices, WindowsViewOfUnits) {
  ServiceUnit u{"ssh.service",
                "OpenBSD Secure Shell server",
                "loaded",
                "active",
                "running",
                "enabled",
                812};
  Instance i = ServiceInstance(*FindHostClass("Win32_Service"), kNs, "h", u);
  EXPECT_EQ(Text(i, "Name"), "ssh");
  EXPECT_EQ(Text(i, "DisplayName"), "OpenBSD Secure Shell server");
  EXPECT_EQ(Text(i, "State"), "Running");
  EXPECT_EQ(Text(i, "Started"), "true");
  EXPECT_EQ(Text(i, "StartMode"), "Auto");
  EXPECT_EQ(Text(i, "Status"), "OK");
  EXPECT_EQ(Text(i, "ProcessId"), "812");
  u.active_state = "failed";
  u.unit_file_state = "disabled";
  EXPECT_EQ(ServiceState(u), "Stopped");
  EXPECT_EQ(ServiceStatus(u), "Degraded");
  EXPECT_EQ(ServiceStartMode(u), "Disabled");
  u.unit_file_state = "static";
  EXPECT_EQ(ServiceStartMode(u), "Manual");
  u.active_state = "activating";
  EXPECT_EQ(ServiceState(u), "Start Pending");
}

TEST(HostServices, WindowsOnlyProperties) {
  ServiceUnit u;
  u.unit = "cron.service";
  u.load_state = "loaded";
  u.active_state = "active";
  u.command_line = "/usr/sbin/cron -f";
  u.exit_status = 0;
  const HostClass& w32 = *FindHostClass("Win32_Service");
  Instance i = ServiceInstance(w32, kNs, "h", u);
  EXPECT_EQ(Text(i, "PathName"), "/usr/sbin/cron -f");
  EXPECT_EQ(Text(i, "StartName"), "root");
  EXPECT_EQ(Text(i, "ServiceType"), "Own Process");
  EXPECT_EQ(Text(i, "AcceptStop"), "true");
  EXPECT_EQ(Text(i, "AcceptPause"), "false");
  u.can_stop = false;
  u.user = "daemon";
  u.command_line.clear();
  u.active_state = "failed";
  u.exit_status = 3;
  i = ServiceInstance(w32, kNs, "h", u);
  EXPECT_EQ(Text(i, "AcceptStop"), "false");
  EXPECT_EQ(Text(i, "StartName"), "daemon");
  EXPECT_EQ(Text(i, "ExitCode"), "3");
  ASSERT_NE(i.Get("PathName"), nullptr);
  EXPECT_TRUE(i.Get("PathName")->is_null());
  // CIM_Service has none of Windows' own properties.
  Instance c = ServiceInstance(*FindHostClass("CIM_Service"), kNs, "h", u);
  EXPECT_EQ(c.Get("PathName"), nullptr);
  EXPECT_EQ(Text(c, "EnabledState"), "3");
}

TEST(HostServices, StatusOfLoadStates) {
  ServiceUnit u;
  u.active_state = "inactive";
  u.load_state = "masked";
  EXPECT_EQ(ServiceStatus(u), "OK");
  EXPECT_EQ(ServiceStartMode(u), "Disabled");
  u.load_state = "bad-setting";
  EXPECT_EQ(ServiceStatus(u), "Error");
  u.load_state = "";
  EXPECT_EQ(ServiceStatus(u), "Unknown");
  u.unit_file_state = "enabled-runtime";
  EXPECT_EQ(ServiceStartMode(u), "Auto");
  u.unit_file_state = "masked-runtime";
  EXPECT_EQ(ServiceStartMode(u), "Disabled");
}

TEST(HostServices, UnitNamesAndCommandLines) {
  EXPECT_EQ(ServiceUnitName("ssh"), "ssh.service");
  EXPECT_EQ(ServiceUnitName("ssh.service"), "ssh.service");
  EXPECT_EQ(ServiceCommandLine("/usr/sbin/sshd", {"sshd", "-D"}),
            "/usr/sbin/sshd -D");
  // The path replaces argv[0]; blanks and quotes are quoted.
  EXPECT_EQ(ServiceCommandLine("/bin/echo", {"echo", "a b", "say \"hi\"", ""}),
            "/bin/echo \"a b\" \"say \\\"hi\\\"\" \"\"");
  EXPECT_EQ(ServiceCommandLine("/bin/true", {}), "/bin/true");
}

TEST(HostServices, JobResultsAsWindowsReturnValues) {
  EXPECT_EQ(JobResultReturnValue("done"), 0u);
  EXPECT_EQ(JobResultReturnValue("skipped"), 0u);
  EXPECT_EQ(JobResultReturnValue("timeout"), 7u);
  EXPECT_EQ(JobResultReturnValue("dependency"), 13u);
  EXPECT_EQ(JobResultReturnValue("unsupported"), 1u);
  EXPECT_EQ(JobResultReturnValue("failed"), 8u);
  EXPECT_EQ(JobResultReturnValue("canceled"), 8u);
}

// ------------------------------------------------------- provider calls

std::vector<Instance> Drain(const ContextPtr& ctx, MiResult* result) {
  std::vector<Instance> out;
  while (auto p = ctx->TryTake()) out.push_back(std::move(p->instance));
  *result = ctx->result();
  return out;
}

class HostProviderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base::Status s = RegisterHostProviders(&registry, FixtureEnv());
    ASSERT_TRUE(s.ok()) << s.message();
  }
  std::vector<Instance> Enumerate(const std::string& cls, MiResult* r) {
    const ClassRegistration* reg = registry.Find(kNs, cls);
    EXPECT_NE(reg, nullptr);
    auto ctx = std::make_shared<Context>(100000, false);
    CallInfo call;
    call.namespace_name = kNs;
    call.class_name = cls;
    reg->provider->EnumerateInstances(call, ctx);
    return Drain(ctx, r);
  }
  std::vector<Instance> Assoc(const Instance& source, AssociationQuery q,
                              bool associators, MiResult* r) {
    const ClassRegistration* reg = registry.Find(kNs, source.class_name());
    auto ctx = std::make_shared<Context>(100000, false);
    CallInfo call;
    call.namespace_name = kNs;
    if (associators) {
      reg->provider->AssociatorInstances(call, source, q, ctx);
    } else {
      reg->provider->ReferenceInstances(call, source, q, ctx);
    }
    return Drain(ctx, r);
  }
  Registry registry;
};

TEST_F(HostProviderTest, RegistersEveryClass) {
  for (const char* c :
       {"CIM_OperatingSystem", "Win32_OperatingSystem", "CIM_ComputerSystem",
        "Win32_ComputerSystem", "CIM_Processor", "Win32_Processor",
        "CIM_Process", "Win32_Process", "CIM_FileSystem", "Win32_LogicalDisk",
        "CIM_EthernetPort", "Win32_NetworkAdapter", "CIM_IPProtocolEndpoint",
        "Win32_NetworkAdapterConfiguration", "CIM_Service", "Win32_Service",
        "CIM_RunningOS", "CIM_OSProcess", "CIM_HostedFileSystem"}) {
    EXPECT_NE(registry.Find(kNs, c), nullptr) << c;
  }
  const ClassDecl* p = registry.Find(kNs, "Win32_Process")->decl.get();
  ASSERT_NE(p->FindMethod("Create"), nullptr);
  EXPECT_TRUE(p->FindMethod("Create")->is_static);
  EXPECT_NE(p->FindMethod("Terminate"), nullptr);
  EXPECT_NE(p->FindMethod("GetOwner"), nullptr);
}

TEST_F(HostProviderTest, EnumerateAndGetProcess) {
  MiResult r;
  auto all = Enumerate("Win32_Process", &r);
  EXPECT_EQ(r, MiResult::kOk);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(Text(all[0], "Name"), "systemd");
  const ClassRegistration* reg = registry.Find(kNs, "Win32_Process");
  Instance keys("Win32_Process", kNs);
  keys.SetKey("Handle", Value::String("4242"));
  auto ctx = std::make_shared<Context>(64, false);
  CallInfo call;
  call.namespace_name = kNs;
  reg->provider->GetInstance(call, keys, ctx);
  auto got = Drain(ctx, &r);
  EXPECT_EQ(r, MiResult::kOk);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Text(got[0], "Name"), "my (odd) proc");
  keys.SetKey("Handle", Value::String("77"));
  ctx = std::make_shared<Context>(64, false);
  reg->provider->GetInstance(call, keys, ctx);
  EXPECT_EQ(ctx->result(), MiResult::kNotFound);
}

TEST_F(HostProviderTest, GetOwner) {
  const ClassRegistration* reg = registry.Find(kNs, "Win32_Process");
  Instance target("Win32_Process", kNs);
  target.SetKey("Handle", Value::String("1"));
  auto ctx = std::make_shared<Context>(64, false);
  CallInfo call;
  call.namespace_name = kNs;
  reg->provider->Invoke(call, "GetOwner", &target, Instance(), ctx);
  MiResult r;
  auto out = Drain(ctx, &r);
  ASSERT_EQ(r, MiResult::kOk);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(Text(out[0], "User"), "root");
  EXPECT_EQ(Text(out[0], "Domain"), "testhost");
  EXPECT_EQ(Text(out[0], "ReturnValue"), "0");
}

TEST_F(HostProviderTest, GetByKeysOfOtherClasses) {
  const ClassRegistration* reg = registry.Find(kNs, "Win32_LogicalDisk");
  Instance keys("Win32_LogicalDisk", kNs);
  keys.SetKey("DeviceID", Value::String("/mnt/my disk"));
  auto ctx = std::make_shared<Context>(64, false);
  CallInfo call;
  call.namespace_name = kNs;
  reg->provider->GetInstance(call, keys, ctx);
  MiResult r;
  auto got = Drain(ctx, &r);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(Text(got[0], "FileSystem"), "vfat");
}

TEST_F(HostProviderTest, Associations) {
  HostModel model(FixtureEnv());
  HostFacts f = model.Facts();
  Instance os =
      model.OperatingSystem(Cls("CIM_OperatingSystem"), kNs, f).KeysOnly();
  MiResult r;
  auto procs = Assoc(os, {"CIM_OSProcess", "", "", ""}, true, &r);
  EXPECT_EQ(r, MiResult::kOk);
  ASSERT_EQ(procs.size(), 2u);
  EXPECT_EQ(procs[1].class_name(), "CIM_Process");
  auto cs = Assoc(os, {"", "CIM_ComputerSystem", "", ""}, true, &r);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(Text(cs[0], "Name"), "testhost");
  auto refs = Assoc(os, {"CIM_RunningOS", "", "", ""}, false, &r);
  ASSERT_EQ(refs.size(), 1u);
  EXPECT_EQ(refs[0].class_name(), "CIM_RunningOS");
  InstancePtr dep = refs[0].Get("Dependent")->AsInstance();
  ASSERT_TRUE(dep);
  EXPECT_EQ(dep->class_name(), "CIM_ComputerSystem");
  // From a process back to its OS, with roles.
  Instance proc("CIM_Process", kNs);
  proc.SetKey("Handle", Value::String("4242"));
  auto up = Assoc(
      proc, {"CIM_OSProcess", "", "PartComponent", "GroupComponent"}, true, &r);
  ASSERT_EQ(up.size(), 1u);
  EXPECT_EQ(up[0].class_name(), "CIM_OperatingSystem");
  auto wrong_role =
      Assoc(proc, {"CIM_OSProcess", "", "GroupComponent", ""}, true, &r);
  EXPECT_TRUE(wrong_role.empty());
  // The computer system hosts the three file systems.
  Instance host =
      model.ComputerSystem(Cls("CIM_ComputerSystem"), kNs, f).KeysOnly();
  auto fs = Assoc(host, {"CIM_HostedFileSystem", "", "", ""}, true, &r);
  EXPECT_EQ(fs.size(), 3u);
  // A source that does not exist has no associations.
  Instance ghost("CIM_Process", kNs);
  ghost.SetKey("Handle", Value::String("31337"));
  EXPECT_TRUE(Assoc(ghost, {}, true, &r).empty());
  // Enumerating the association class itself.
  auto links = Enumerate("CIM_OSProcess", &r);
  EXPECT_EQ(links.size(), 2u);
}

}  // namespace
}  // namespace wsman::providers::host
