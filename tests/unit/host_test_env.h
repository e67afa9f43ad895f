// The fixture host of the host provider tests: readers pointed at
// tests/unit/testdata/host/root, with fixed statvfs, getifaddrs, uname,
// environment, clock and UTC offset.
#ifndef WSMAND_TESTS_UNIT_HOST_TEST_ENV_H_
#define WSMAND_TESTS_UNIT_HOST_TEST_ENV_H_

#include <sys/socket.h>

#include <string>

#include "providers/host/readers.h"

namespace wsman::providers::host::testing {

inline std::string FixtureRoot() {
  return std::string(WSMAND_SOURCE_DIR) + "/tests/unit/testdata/host/root";
}

inline HostEnv FixtureEnv() {
  HostEnv env;
  env.root = FixtureRoot();
  std::string root = env.root;
  env.statvfs = [root](const std::string& path) -> std::optional<FsStats> {
    FsStats f;
    if (path == root + "/") {
      f = {4096, 1000000, 400000, 350000, false};
    } else if (path == root + "/run") {
      f = {4096, 1000, 999, 999, false};
    } else if (path == root + "/mnt/my disk") {
      f = {512, 2000, 1000, 1000, true};
    } else {
      return std::nullopt;  // /srv/nfs: unreachable
    }
    return f;
  };
  env.ifaddrs = [] {
    return std::vector<IfAddress>{
        {"lo", AF_INET, "127.0.0.1", 8},
        {"eth0", AF_INET, "172.17.0.2", 16},
        {"lo", AF_INET6, "::1", 128},
        {"eth0", AF_INET6, "fe80::42:acff:fe11:2", 64},
    };
  };
  env.uname = [] {
    return UnameInfo{"Linux", "unamehost", "6.1.0-18-amd64",
                     "#1 SMP PREEMPT_DYNAMIC Debian 6.1.76-1", "x86_64"};
  };
  env.getenv = [](const char* name) -> std::optional<std::string> {
    if (std::string(name) == "LANG") return std::string("fr_FR.UTF-8");
    return std::nullopt;
  };
  env.utc_offset_minutes = [](time_t) { return 60; };
  env.now = [] {
    return std::chrono::system_clock::from_time_t(
        static_cast<time_t>(1700003600));
  };
  env.clock_ticks = 100;
  env.page_size = 4096;
  // Owners a checkout cannot carry: /proc/4242 belongs to its uid 1000
  // (dumpable), /proc/1 to root; any other pid (a copied tree's) to 1000.
  env.proc_owner = [](pid_t pid, int) -> std::optional<uid_t> {
    return pid == 1 ? 0 : 1000;
  };
  // uid 1000 "carol" is in groups 1000 and 27 ("sudo"); "wsmanadm" is 4000.
  env.user_groups = [](const std::string& user, gid_t gid) {
    std::vector<gid_t> groups{gid};
    if (user == "carol") groups.push_back(27);
    return groups;
  };
  env.group_id = [](const std::string& name) -> std::optional<gid_t> {
    if (name == "sudo") return 27;
    if (name == "wsmanadm") return 4000;
    return std::nullopt;
  };
  return env;
}

}  // namespace wsman::providers::host::testing

#endif  // WSMAND_TESTS_UNIT_HOST_TEST_ENV_H_
