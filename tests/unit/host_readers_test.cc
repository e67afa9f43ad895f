// The host readers against the fixture tree tests/unit/testdata/host/root.
#include <gtest/gtest.h>

#include "providers/host/readers.h"
#include "tests/unit/host_test_env.h"

namespace wsman::providers::host {
namespace {

using testing::FixtureEnv;

TEST(HostReaders, OsRelease) {
  auto os = ReadOsRelease(FixtureEnv());
  EXPECT_EQ(os["PRETTY_NAME"], "Debian GNU/Linux 12 (bookworm)");
  EXPECT_EQ(os["NAME"], "Debian GNU/Linux");
  EXPECT_EQ(os["VERSION_ID"], "12");
  EXPECT_EQ(os["VERSION_CODENAME"], "bookworm");
  EXPECT_EQ(os.count("# a comment"), 0u);
}

TEST(HostReaders, MemInfo) {
  auto m = ReadMemInfo(FixtureEnv());
  EXPECT_EQ(m["MemTotal"], 16314336u);
  EXPECT_EQ(m["MemAvailable"], 8765432u);
  EXPECT_EQ(m["SwapFree"], 2000000u);
  EXPECT_EQ(m["HugePages_Total"], 0u);
}

TEST(HostReaders, UptimeBootTimeLoad) {
  HostEnv env = FixtureEnv();
  EXPECT_DOUBLE_EQ(*ReadUptime(env), 12345.67);
  EXPECT_EQ(*ReadBootTime(env), 1700000000);
  auto l = ReadLoadAvg(env);
  ASSERT_TRUE(l);
  EXPECT_DOUBLE_EQ(l->one, 1.5);
  EXPECT_DOUBLE_EQ(l->fifteen, 0.25);
  EXPECT_EQ(l->running, 3u);
  EXPECT_EQ(l->total, 456u);
}

TEST(HostReaders, CpuInfoGroupsSockets) {
  auto cpus = ReadCpuInfo(FixtureEnv());
  ASSERT_EQ(cpus.size(), 2u);
  EXPECT_EQ(cpus[0].physical_id, 0u);
  EXPECT_EQ(cpus[1].physical_id, 1u);
  EXPECT_EQ(cpus[0].logical, 2u);
  EXPECT_EQ(cpus[0].cores, 2u);
  EXPECT_EQ(cpus[0].vendor, "GenuineIntel");
  EXPECT_EQ(cpus[0].model_name, "Intel(R) Xeon(R) Gold 6230 CPU @ 2.10GHz");
  EXPECT_DOUBLE_EQ(cpus[0].mhz, 2100.0);
  // Socket 1's first processor (cpu2) has cpufreq; socket 0 has only the
  // model name's nominal clock.
  EXPECT_EQ(cpus[1].first_cpu, 2u);
  EXPECT_EQ(cpus[1].max_mhz, 3900u);
  EXPECT_EQ(cpus[0].max_mhz, 2100u);
  EXPECT_TRUE(cpus[0].long_mode);
  EXPECT_EQ(CountLogicalCpus(FixtureEnv()), 4u);
}

TEST(HostReaders, Processes) {
  HostEnv env = FixtureEnv();
  EXPECT_EQ(ListPids(env), (std::vector<pid_t>{1, 4242}));
  auto p = ReadProcess(env, 4242);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "my (odd) proc");
  EXPECT_EQ(p->state, 'R');
  EXPECT_EQ(p->ppid, 1);
  EXPECT_EQ(p->utime, 7u);
  EXPECT_EQ(p->stime, 3u);
  EXPECT_EQ(p->threads, 4u);
  EXPECT_EQ(p->start_ticks, 25050u);
  EXPECT_EQ(p->vsize, 8192000u);
  EXPECT_EQ(p->rss_pages, 250u);
  EXPECT_EQ(p->uid, 1000u);
  EXPECT_EQ(p->vm_peak_kb, 9000u);
  EXPECT_EQ(p->vm_hwm_kb, 1100u);
  EXPECT_EQ(p->cmdline, "python3 -c print(1)");
  EXPECT_EQ(p->exe, "/usr/bin/python3.11");  // " (deleted)" dropped
  auto init = ReadProcess(env, 1);
  ASSERT_TRUE(init);
  EXPECT_EQ(init->cmdline, "/sbin/init splash");
  EXPECT_EQ(init->exe, "/usr/lib/systemd/systemd");
  EXPECT_EQ(init->uid, 0u);
  EXPECT_FALSE(ReadProcess(env, 999));
}

TEST(HostReaders, Mounts) {
  auto mounts = ReadMounts(FixtureEnv());
  ASSERT_EQ(mounts.size(), 7u);
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].fs_type, "ext4");
  EXPECT_EQ(mounts[0].source, "/dev/sda1");
  EXPECT_EQ(mounts[0].major, 8u);
  EXPECT_EQ(mounts[0].minor, 1u);
  EXPECT_EQ(mounts[4].mount_point, "/mnt/my disk");  // \040 decoded
  EXPECT_EQ(mounts[4].options, "ro,relatime");
  EXPECT_TRUE(IsPseudoFs("proc"));
  EXPECT_TRUE(IsPseudoFs("cgroup2"));
  EXPECT_FALSE(IsPseudoFs("tmpfs"));
  EXPECT_FALSE(IsPseudoFs("ext4"));
}

TEST(HostReaders, Interfaces) {
  auto n = ReadInterfaces(FixtureEnv());
  ASSERT_EQ(n.size(), 2u);
  EXPECT_EQ(n[0].name, "lo");
  EXPECT_EQ(n[0].index, 1u);
  EXPECT_FALSE(n[0].speed_mbps);  // no speed file
  EXPECT_EQ(n[0].type, 772u);
  EXPECT_FALSE(n[0].physical);
  EXPECT_EQ(n[1].name, "eth0");
  EXPECT_EQ(n[1].mac, "02:42:ac:11:00:02");
  EXPECT_EQ(n[1].mtu, 1500u);
  EXPECT_EQ(n[1].speed_mbps, 1000);
  EXPECT_EQ(n[1].operstate, "up");
  EXPECT_TRUE(n[1].physical);
}

TEST(HostReaders, DmiNamesTimeZoneLocale) {
  HostEnv env = FixtureEnv();
  Dmi d = ReadDmi(env);
  EXPECT_EQ(d.vendor, "QEMU");
  EXPECT_FALSE(d.product);  // unreadable -> null
  EXPECT_EQ(ReadHostName(env), "testhost");
  EXPECT_EQ(ReadDomainName(env), "");  // "(none)"
  EXPECT_EQ(ReadTimeZone(env), "Europe/Paris");
  EXPECT_EQ(ReadLocale(env), "fr_FR.UTF-8");
}

TEST(HostReaders, MissingRootReadsNothing) {
  HostEnv env = FixtureEnv();
  env.root = "/nonexistent-wsmand-root";
  EXPECT_TRUE(ReadOsRelease(env).empty());
  EXPECT_TRUE(ReadMemInfo(env).empty());
  EXPECT_FALSE(ReadBootTime(env));
  EXPECT_TRUE(ListPids(env).empty());
  EXPECT_TRUE(ReadMounts(env).empty());
  EXPECT_TRUE(ReadInterfaces(env).empty());
  EXPECT_EQ(ReadHostName(env), "unamehost");
  EXPECT_EQ(ReadTimeZone(env), "UTC");
}

TEST(HostReaders, RealHostBasics) {
  HostEnv env = HostEnv::Real();
  EXPECT_FALSE(ReadHostName(env).empty());
  auto pids = ListPids(env);
  pid_t self = ::getpid();
  EXPECT_NE(std::find(pids.begin(), pids.end(), self), pids.end());
  auto me = ReadProcess(env, self);
  ASSERT_TRUE(me);
  EXPECT_EQ(me->ppid, ::getppid());
  EXPECT_TRUE(ReadBootTime(env));
}

}  // namespace
}  // namespace wsman::providers::host
