// winrm/config on the server side: the cfg:Config tree built from a Config
// (WinRM's names in Windows' order, wsmand's values and units, the Auth
// section telling what is enabled), Put changes back to config-file edits
// (read-only, restart-only and malformed values refused), the line editor
// that keeps comments, and who counts as an administrator.
#include <gtest/gtest.h>
#include <unistd.h>

#include "server/config_file_edit.h"
#include "server/winrm_config_map.h"
#include "server/winrm_config_store.h"

namespace wsman::server {
namespace {

using engine::config::Node;
using engine::config::Resolve;

std::vector<std::string> Names(const Node& n) {
  std::vector<std::string> out;
  for (const Node& c : n.children) out.push_back(c.name);
  return out;
}

std::string TextAt(const Node& root, const std::string& container,
                   const std::string& leaf) {
  const Node* c = Resolve(root, container);
  if (c == nullptr) return "<no " + container + ">";
  const Node* l = c->Child(leaf);
  return l ? l->text : "<no " + leaf + ">";
}

TEST(ConfigResourceMapTest, TreeHasWindowsSectionsInOrder) {
  Node root = WinrmConfigTree(Config(), ServiceFacts());
  EXPECT_EQ(root.name, "Config");
  EXPECT_EQ(Names(root),
            (std::vector<std::string>{"MaxEnvelopeSizekb", "MaxTimeoutms",
                                      "MaxBatchItems", "MaxProviderRequests",
                                      "Client", "Service", "Winrs"}));
  EXPECT_EQ(Names(*Resolve(root, "winrs")),
            (std::vector<std::string>{
                "AllowRemoteShellAccess", "IdleTimeout", "MaxConcurrentUsers",
                "MaxShellRunTime", "MaxProcessesPerShell",
                "MaxMemoryPerShellMB", "MaxShellsPerUser"}));
  // No RootSDDL (documented): access is the login and Unix rights.
  EXPECT_EQ(Resolve(root, "service")->Child("RootSDDL"), nullptr);
}

TEST(ConfigResourceMapTest, ValuesAreTheConfigsInWinrmUnits) {
  Config c;
  c.max_envelope_size = 153600;
  c.max_timeout = std::chrono::milliseconds(90000);
  c.max_operations_per_user = 0;  // no limit
  c.enumeration_default_expiry = std::chrono::seconds(240);
  c.max_connections = 300;
  c.shell_idle_timeout = std::chrono::seconds(60);
  c.shell_max_shells_per_user = 0;
  c.shell_max_memory_per_shell_mb = 150;
  Node root = WinrmConfigTree(c, ServiceFacts());
  EXPECT_EQ(root.Child("MaxEnvelopeSizekb")->text, "150");
  EXPECT_EQ(root.Child("MaxTimeoutms")->text, "90000");
  EXPECT_EQ(TextAt(root, "service", "MaxConcurrentOperationsPerUser"),
            "4294967295");
  EXPECT_EQ(TextAt(root, "service", "EnumerationTimeoutms"), "240000");
  EXPECT_EQ(TextAt(root, "service", "MaxConnections"), "300");
  EXPECT_EQ(TextAt(root, "winrs", "IdleTimeout"), "60000");
  EXPECT_EQ(TextAt(root, "winrs", "MaxShellsPerUser"), "2147483647");
  EXPECT_EQ(TextAt(root, "winrs", "MaxMemoryPerShellMB"), "150");
}

TEST(ConfigResourceMapTest, AuthSaysWhatIsEnabled) {
  Config c;
  c.accounts_file = "/etc/wsmand/accounts";
  ServiceFacts facts;
  facts.client_certificates = true;
  facts.basic_over_http = false;
  Node root = WinrmConfigTree(c, facts);
  EXPECT_EQ(TextAt(root, "service/auth", "Basic"), "true");
  EXPECT_EQ(TextAt(root, "service/auth", "Kerberos"), "false");
  EXPECT_EQ(TextAt(root, "service/auth", "Negotiate"), "false");
  EXPECT_EQ(TextAt(root, "service/auth", "Certificate"), "true");
  EXPECT_EQ(TextAt(root, "service/auth", "CredSSP"), "false");
  EXPECT_EQ(TextAt(root, "service", "AllowUnencrypted"), "false");
  c.accounts_file.clear();
  c.pam = "off";
  EXPECT_EQ(TextAt(WinrmConfigTree(c, ServiceFacts()), "service/auth", "Basic"),
            "false");
}

TEST(ConfigResourceMapTest, ListenersInWindowsShape) {
  ServiceFacts facts;
  facts.listeners.push_back({false, "0.0.0.0", 5985, "", ""});
  facts.listeners.push_back(
      {true, "127.0.0.1", 5986, "ABCDEF", "CN=host.example,O=x"});
  std::vector<Node> items = WinrmListeners(facts);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(Names(items[0]),
            (std::vector<std::string>{"Address", "Transport", "Port",
                                      "Hostname", "Enabled", "URLPrefix",
                                      "CertificateThumbprint", "ListeningOn"}));
  EXPECT_EQ(items[0].Child("Address")->text, "*");
  EXPECT_EQ(items[0].Child("Transport")->text, "HTTP");
  EXPECT_EQ(items[1].Child("Transport")->text, "HTTPS");
  EXPECT_EQ(items[1].Child("Port")->text, "5986");
  EXPECT_EQ(items[1].Child("Hostname")->text, "host.example");
  EXPECT_EQ(items[1].Child("CertificateThumbprint")->text, "ABCDEF");
}

TEST(ConfigResourceMapTest, PutChangesBecomeFileEditsInFileUnits) {
  auto edits = EditsForChanges(
      {{"MaxEnvelopeSizekb", "150"},
       {"Service/MaxConcurrentOperationsPerUser", "4294967295"}});
  ASSERT_TRUE(edits.ok()) << edits.status().message();
  ASSERT_EQ(edits->size(), 2u);
  EXPECT_EQ((*edits)[0].section, "http");
  EXPECT_EQ((*edits)[0].key, "max_envelope_size");
  EXPECT_EQ((*edits)[0].value, "153600");
  EXPECT_EQ((*edits)[1].key, "max_operations_per_user");
  EXPECT_EQ((*edits)[1].value, "0");
}

TEST(ConfigResourceMapTest, PutRefusesRestartOnlyReadOnlyAndBadValues) {
  auto restart = EditsForChanges({{"Winrs/MaxShellsPerUser", "5"}});
  ASSERT_FALSE(restart.ok());
  EXPECT_EQ(restart.status().code(), base::Status::Code::kFailedPrecondition);
  EXPECT_NE(restart.status().message().find("shell.max_shells_per_user"),
            std::string::npos);
  EXPECT_NE(restart.status().message().find("restart"), std::string::npos);
  auto fixed = EditsForChanges({{"Service/Auth/Kerberos", "true"}});
  ASSERT_FALSE(fixed.ok());
  EXPECT_EQ(fixed.status().code(), base::Status::Code::kInvalidArgument);
  for (const char* bad : {"abc", "-1", "12x", "", "99999999"}) {
    auto v = EditsForChanges({{"MaxEnvelopeSizekb", bad}});
    EXPECT_FALSE(v.ok()) << bad;
  }
}

TEST(ConfigResourceMapTest, EveryMappedKeyExistsInTheKeyTable) {
  // A Put of the current value of every mapped leaf makes a valid edit or
  // a restart refusal, never "fixed": the mapping names real keys.
  Node root = WinrmConfigTree(Config(), ServiceFacts());
  for (const std::string& path : std::vector<std::string>{
           "MaxEnvelopeSizekb", "MaxTimeoutms", "MaxProviderRequests",
           "Service/MaxConcurrentOperationsPerUser",
           "Service/EnumerationTimeoutms", "Service/MaxConnections",
           "Service/MaxPacketRetrievalTimeSeconds", "Service/AllowUnencrypted",
           "Winrs/IdleTimeout", "Winrs/MaxConcurrentUsers",
           "Winrs/MaxProcessesPerShell", "Winrs/MaxMemoryPerShellMB",
           "Winrs/MaxShellsPerUser"}) {
    auto edits = EditsForChanges({{path, "1000"}});
    if (!edits.ok()) {
      EXPECT_EQ(edits.status().code(), base::Status::Code::kFailedPrecondition)
          << path << ": " << edits.status().message();
    }
  }
}

TEST(ConfigResourceMapTest, FileEditKeepsCommentsAndOtherKeys) {
  const std::string text =
      "# wsmand\n"
      "[server]\n"
      "log_level = \"debug\"\n"
      "\n"
      "[http]\n"
      "max_envelope_size = 512000   # bytes\n"
      "worker_threads = 4\n"
      "\n"
      "[xml]\n"
      "max_depth = 64\n";
  std::string out =
      ApplyConfigEdits(text, {{"http", "max_envelope_size", "153600"},
                              {"http", "max_operations_per_user", "3"},
                              {"server", "admin_group", "\"ops\""},
                              {"auth", "max_failures", "7"}});
  EXPECT_EQ(out,
            "# wsmand\n"
            "[server]\n"
            "log_level = \"debug\"\n"
            "admin_group = \"ops\"\n"
            "\n"
            "[http]\n"
            "max_envelope_size = 153600   # bytes\n"
            "worker_threads = 4\n"
            "max_operations_per_user = 3\n"
            "\n"
            "[xml]\n"
            "max_depth = 64\n"
            "\n"
            "[auth]\n"
            "max_failures = 7\n");
}

TEST(ConfigResourceMapTest, FileEditOfAKeyInAnotherSectionAddsItsOwn) {
  // max_depth under [xml] is not [http]'s.
  std::string out = ApplyConfigEdits("[xml]\nmax_envelope_size = 1\n",
                                     {{"http", "max_envelope_size", "9000"}});
  EXPECT_EQ(out,
            "[xml]\nmax_envelope_size = 1\n\n[http]\n"
            "max_envelope_size = 9000\n");
}

TEST(ConfigResourceMapTest, AdministratorsAreRootAndTheAdminGroup) {
  providers::Identity root;
  root.user = "root";
  root.system_account = true;
  root.uid = 0;
  root.gid = 0;
  EXPECT_TRUE(IsConfigAdministrator(root, "no-such-group-wsmand"));
  providers::Identity file_user;
  file_user.user = "alice";
  EXPECT_FALSE(IsConfigAdministrator(file_user, "root"));
  // A system account in its own primary group's name.
  providers::Identity nobody;
  nobody.user = "nobody";
  nobody.system_account = true;
  nobody.uid = 65534;
  nobody.gid = 65534;
  EXPECT_FALSE(IsConfigAdministrator(nobody, "no-such-group-wsmand"));
  EXPECT_FALSE(IsConfigAdministrator(nobody, ""));
  EXPECT_TRUE(IsConfigAdministrator(nobody, "nogroup"));
}

}  // namespace
}  // namespace wsman::server
