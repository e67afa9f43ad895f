// The [shell] keys of the job isolation and the output budget
// (server/config.cc; docs/configuration.md), and their names as the shell
// host parses them (providers/shell/job.h).
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <gtest/gtest.h>

#include "providers/shell/job.h"
#include "server/config.h"

namespace wsman::server {
namespace {

class ShellConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wsmand-shell-config-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  std::optional<ConfigError> Load(const std::string& text, Config* config) {
    std::ofstream(path_) << text;
    return LoadConfigFile(path_, config);
  }

  std::string path_;
};

TEST_F(ShellConfigTest, DefaultsMatchTheDocumentation) {
  Config c;
  EXPECT_EQ(c.shell_isolation, "auto");
  EXPECT_EQ(c.shell_max_output_per_shell_mb, 16);
}

TEST_F(ShellConfigTest, ReadsIsolationAndOutputBudget) {
  Config c;
  auto err = Load(
      "[shell]\nisolation = \"session\"\nmax_output_per_shell_mb = 4\n", &c);
  ASSERT_FALSE(err.has_value()) << err->message;
  EXPECT_EQ(c.shell_isolation, "session");
  EXPECT_EQ(c.shell_max_output_per_shell_mb, 4);
  providers::shell::Isolation iso = providers::shell::Isolation::kAuto;
  ASSERT_TRUE(providers::shell::ParseIsolation(c.shell_isolation, &iso));
  EXPECT_EQ(iso, providers::shell::Isolation::kSession);
}

TEST_F(ShellConfigTest, RefusesUnknownIsolationAndNegativeBudget) {
  Config c;
  auto err = Load("[shell]\nisolation = \"jail\"\n", &c);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("shell.isolation must be"), std::string::npos);
  err = Load("[shell]\nmax_output_per_shell_mb = -1\n", &c);
  ASSERT_TRUE(err.has_value());
  EXPECT_NE(err->message.find("max_output_per_shell_mb"), std::string::npos);
  providers::shell::Isolation iso;
  EXPECT_FALSE(providers::shell::ParseIsolation("Cgroup", &iso));
  for (auto i : {providers::shell::Isolation::kAuto,
                 providers::shell::Isolation::kCgroup,
                 providers::shell::Isolation::kSession}) {
    ASSERT_TRUE(providers::shell::ParseIsolation(
        providers::shell::IsolationName(i), &iso));
    EXPECT_EQ(iso, i);
  }
}

}  // namespace
}  // namespace wsman::server
