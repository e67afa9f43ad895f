// Config file loading, validation, listen URLs and the Content-Type rule;
// the keys Hardening II added (connection, header, operation, attribute and
// timeout limits, the auth throttle, shell isolation and output budget).
#include "server/config.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "providers/shell/job.h"
#include "server/content_type.h"
#include "server/http/listen_address.h"

namespace wsman::server {
namespace {

class ConfigFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/wsmand-config-XXXXXX";
    int fd = mkstemp(tmpl);
    ASSERT_GE(fd, 0);
    close(fd);
    path_ = tmpl;
  }
  void TearDown() override { std::remove(path_.c_str()); }

  base::Status Load(const std::string& text, Config* config) {
    std::ofstream(path_) << text;
    return LoadConfigFile(path_, config);
  }

  std::string path_;
};

TEST_F(ConfigFileTest, DefaultsMatchTheDocumentation) {
  Config c;
  EXPECT_EQ(c.listen, std::vector<std::string>{"http://127.0.0.1:5985"});
  EXPECT_EQ(c.max_envelope_size, 512000u);
  EXPECT_EQ(c.log_level, "info");
  EXPECT_EQ(c.pam_service, "wsmand");
  EXPECT_EQ(c.keep_alive_timeout.count(), 60);
  EXPECT_TRUE(ValidateConfig(c).ok());
}

TEST_F(ConfigFileTest, ReadsEveryTable) {
  Config c;
  auto err = Load(R"(
[server]
listen = ["http://[::1]:5985", "http://127.0.0.1:15985"]
log_level = "debug"
machine_name = "box"
[http]
worker_threads = 4
max_connections = 10
header_timeout = 3
body_timeout = 4
write_timeout = 5
keep_alive_timeout = 6
max_envelope_size = 153600
[auth]
accounts_file = "/etc/wsmand/accounts"
pam = "off"
pam_service = "login"
credential_cache_ttl = 30
max_failures = 3
failure_window = 20
max_backoff = 120
[xml]
max_depth = 32
max_nodes = 1000
)",
                  &c);
  ASSERT_TRUE(err.ok()) << err.message();
  EXPECT_EQ(c.listen.size(), 2u);
  EXPECT_EQ(c.log_level, "debug");
  EXPECT_EQ(c.machine_name, "box");
  EXPECT_EQ(c.worker_threads, 4);
  EXPECT_EQ(c.max_connections, 10);
  EXPECT_EQ(c.header_timeout.count(), 3);
  EXPECT_EQ(c.body_timeout.count(), 4);
  EXPECT_EQ(c.write_timeout.count(), 5);
  EXPECT_EQ(c.keep_alive_timeout.count(), 6);
  EXPECT_EQ(c.max_envelope_size, 153600u);
  EXPECT_EQ(c.accounts_file, "/etc/wsmand/accounts");
  EXPECT_FALSE(c.UsePam());
  EXPECT_EQ(c.pam_service, "login");
  EXPECT_EQ(c.credential_cache_ttl.count(), 30);
  EXPECT_EQ(c.max_auth_failures, 3);
  EXPECT_EQ(c.auth_failure_window.count(), 20);
  EXPECT_EQ(c.auth_max_backoff.count(), 120);
  EXPECT_EQ(c.xml_max_depth, 32);
  EXPECT_EQ(c.xml_max_nodes, 1000u);
}

TEST_F(ConfigFileTest, HardeningKeysDefaultsAndValues) {
  Config d;
  EXPECT_EQ(d.max_connections, 1024);
  EXPECT_EQ(d.max_connections_per_peer, 128);
  EXPECT_EQ(d.max_header_bytes, 65536u);
  EXPECT_EQ(d.max_header_fields, 100);
  EXPECT_EQ(d.max_operations_per_user, 256);
  EXPECT_FALSE(d.allow_unencrypted.has_value());  // loopback only
  EXPECT_EQ(d.xml_max_attributes, 256u);
  EXPECT_EQ(d.max_timeout.count(), 60000);
  EXPECT_EQ(d.max_auth_failures_per_address, 20);
  EXPECT_EQ(d.max_auth_failures_per_user, 10);
  EXPECT_EQ(d.max_verifications_per_peer, 2);
  EXPECT_EQ(d.verification_wait.count(), 10);
  EXPECT_EQ(d.account_recheck_interval.count(), 5);
  EXPECT_TRUE(d.providers_administrators.empty());

  Config c;
  auto err = Load(R"(
[server]
max_timeout_ms = 5000
[http]
max_connections_per_peer = 0
max_header_bytes = 4096
max_header_fields = 20
max_operations_per_user = 7
[auth]
allow_unencrypted = false
max_failures_per_address = 3
max_failures_per_user = 0
max_verifications_per_peer = 1
verification_wait = 2
account_recheck_interval = 9
[xml]
max_attributes = 32
[providers]
administrators = ["ops", "%wheel"]
)",
                  &c);
  ASSERT_TRUE(err.ok()) << err.message();
  EXPECT_EQ(c.max_timeout.count(), 5000);
  EXPECT_EQ(c.max_connections_per_peer, 0);
  EXPECT_EQ(c.max_header_bytes, 4096u);
  EXPECT_EQ(c.max_header_fields, 20);
  EXPECT_EQ(c.max_operations_per_user, 7);
  ASSERT_TRUE(c.allow_unencrypted.has_value());
  EXPECT_FALSE(*c.allow_unencrypted);
  EXPECT_EQ(c.max_auth_failures_per_address, 3);
  EXPECT_EQ(c.max_auth_failures_per_user, 0);
  EXPECT_EQ(c.max_verifications_per_peer, 1);
  EXPECT_EQ(c.verification_wait.count(), 2);
  EXPECT_EQ(c.account_recheck_interval.count(), 9);
  EXPECT_EQ(c.xml_max_attributes, 32u);
  EXPECT_EQ(c.providers_administrators,
            (std::vector<std::string>{"ops", "%wheel"}));
}

TEST_F(ConfigFileTest, HardeningKeysOutOfRangeNameTheKey) {
  for (const char* text :
       {"[http]\nmax_header_bytes = 10\n", "[http]\nmax_header_fields = 1\n",
        "[http]\nmax_operations_per_user = -1\n",
        "[auth]\nallow_unencrypted = \"yes\"\n", "[xml]\nmax_attributes = 1\n",
        "[server]\nmax_timeout_ms = 1\n"}) {
    Config c;
    auto err = Load(text, &c);
    ASSERT_FALSE(err.ok()) << text;
    std::string key = std::string(text).substr(
        std::string(text).find('\n') + 1,
        std::string(text).find(' ') - std::string(text).find('\n') - 1);
    EXPECT_NE(err.message().find(key), std::string::npos) << err.message();
  }
}

TEST_F(ConfigFileTest, ShellIsolationDefaults) {
  Config c;
  EXPECT_EQ(c.shell_isolation, "auto");
  EXPECT_EQ(c.shell_max_output_per_shell_mb, 16);
}

TEST_F(ConfigFileTest, ReadsIsolationAndOutputBudget) {
  Config c;
  auto err = Load(
      "[shell]\nisolation = \"session\"\nmax_output_per_shell_mb = 4\n", &c);
  ASSERT_TRUE(err.ok()) << err.message();
  EXPECT_EQ(c.shell_isolation, "session");
  EXPECT_EQ(c.shell_max_output_per_shell_mb, 4);
  providers::shell::Isolation iso = providers::shell::Isolation::kAuto;
  ASSERT_TRUE(providers::shell::ParseIsolation(c.shell_isolation, &iso));
  EXPECT_EQ(iso, providers::shell::Isolation::kSession);
}

TEST_F(ConfigFileTest, RefusesUnknownIsolationAndNegativeBudget) {
  Config c;
  auto err = Load("[shell]\nisolation = \"jail\"\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("shell.isolation must be"), std::string::npos);
  err = Load("[shell]\nmax_output_per_shell_mb = -1\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("max_output_per_shell_mb"), std::string::npos);
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

TEST_F(ConfigFileTest, UnknownKeyNamesFileAndLine) {
  Config c;
  auto err = Load("[http]\nworker_threads = 2\nworkers = 3\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.message(), path_ + ":3: unknown key http.workers");
}

TEST_F(ConfigFileTest, WrongTypeNamesFileAndLine) {
  Config c;
  auto err = Load("\n[http]\nmax_connections = \"many\"\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.message(),
            path_ + ":3: http.max_connections must be an integer");
}

TEST_F(ConfigFileTest, OutOfRangeIsAnError) {
  Config c;
  auto err = Load("[http]\nmax_envelope_size = 10\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find(":2: http.max_envelope_size must be between"),
            std::string::npos);
}

TEST_F(ConfigFileTest, SyntaxErrorNamesFileAndLine) {
  Config c;
  auto err = Load("[server]\nlisten = [\n\n= 3\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.message().rfind(path_ + ":", 0), 0u) << err.message();
}

TEST_F(ConfigFileTest, UnknownTableAndBadListen) {
  Config c;
  auto err = Load("[nope]\nx = 1\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_EQ(err.message(), path_ + ":1: unknown table [nope]");
  Config d;
  err = Load("[server]\nlisten = [\"ftp://x\"]\n", &d);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("ftp://x"), std::string::npos);
}

TEST(ListenAddressTest, ParsesIpv4Ipv6AndDefaults) {
  auto a = ParseListenUrl("http://127.0.0.1:5985");
  ASSERT_TRUE(a.ok);
  EXPECT_EQ(a.host, "127.0.0.1");
  EXPECT_EQ(a.port, 5985);
  EXPECT_FALSE(a.ipv6);
  auto b = ParseListenUrl("http://[::1]:0/wsman");
  ASSERT_TRUE(b.ok);
  EXPECT_TRUE(b.ipv6);
  EXPECT_EQ(b.host, "::1");
  EXPECT_EQ(b.port, 0);
  EXPECT_EQ(ParseListenUrl("https://0.0.0.0").port, 5986);
  EXPECT_TRUE(ParseListenUrl("https://0.0.0.0").tls);
  EXPECT_EQ(ParseListenUrl("http://[::1]:5985").ToUrl(), "http://[::1]:5985");
}

TEST(ListenAddressTest, RejectsNonsense) {
  EXPECT_FALSE(ParseListenUrl("127.0.0.1:5985").ok);
  EXPECT_FALSE(ParseListenUrl("http://example.com:80").ok);
  EXPECT_FALSE(ParseListenUrl("http://[::1:80").ok);
  EXPECT_FALSE(ParseListenUrl("http://127.0.0.1:99999").ok);
  EXPECT_FALSE(ParseListenUrl("http://127.0.0.1:80/other").ok);
  EXPECT_FALSE(ParseListenUrl("http://::1:80").ok);
}

TEST(ContentTypeTest, AcceptsSoapWithUtf8AndUtf16) {
  EXPECT_EQ(SoapCharsetOf("application/soap+xml;charset=UTF-8"),
            soap::Charset::kUtf8);
  EXPECT_EQ(SoapCharsetOf("application/soap+xml"), soap::Charset::kUtf8);
  EXPECT_EQ(SoapCharsetOf("Application/SOAP+XML; charset=\"utf-16\""),
            soap::Charset::kUtf16BE);
  EXPECT_EQ(SoapCharsetOf("application/soap+xml;charset=UTF-16LE"),
            soap::Charset::kUtf16LE);
  EXPECT_EQ(SoapCharsetOf("application/soap+xml;charset=UTF-16BE"),
            soap::Charset::kUtf16BE);
  EXPECT_EQ(SoapCharsetOf("application/soap+xml; action=\"x\"; charset=utf-8"),
            soap::Charset::kUtf8);
  EXPECT_EQ(SoapCharsetOf("application/soap+xml;a=1;b=2;c;charset=utf-16le;"),
            soap::Charset::kUtf16LE);
}

TEST(ContentTypeTest, RejectsOtherTypesAndCharsets) {
  EXPECT_FALSE(SoapCharsetOf("text/xml;charset=UTF-8"));
  EXPECT_FALSE(SoapCharsetOf("application/soap+xml;charset=ISO-8859-1"));
  EXPECT_FALSE(SoapCharsetOf(""));
  EXPECT_FALSE(SoapCharsetOf("application/soap+xmlx"));
}

}  // namespace
}  // namespace wsman::server
