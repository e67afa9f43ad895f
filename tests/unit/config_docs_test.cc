// The documentation that lists the configuration keeps itself true: every
// key the code reads (ConfigKeys(), the one key table in server/config.cc)
// appears in docs/configuration.md and in the installed
// packaging/wsmand.toml with the same default, neither lists a key the code
// does not know, and the packaged file, uncommented, loads to the defaults.
// A key added to the table fails here until both documents have it.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "server/config.h"

namespace wsman::server {
namespace {

using KeyMap = std::map<std::string, std::string>;  // "section.key" -> value

std::string Read(const std::string& relative) {
  std::ifstream in(std::string(WSMAND_SOURCE_DIR) + "/" + relative);
  EXPECT_TRUE(in) << relative << " is missing";
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

KeyMap CodeKeys(const Config& config = Config()) {
  KeyMap keys;
  for (const ConfigKey& k : ConfigKeys(config)) {
    keys[std::string(k.section) + "." + std::string(k.key)] = k.value;
  }
  return keys;
}

// The first `code span` of a table cell; "unset" for an optional key.
std::string DefaultCell(const std::string& cell) {
  if (cell.rfind("unset", 0) == 0) return "unset";
  size_t open = cell.find('`');
  size_t close = cell.find('`', open + 1);
  if (open == std::string::npos || close == std::string::npos) return cell;
  return cell.substr(open + 1, close - open - 1);
}

// The "| `key` | default | meaning |" rows under each "## [section]".
KeyMap DocumentedKeys() {
  KeyMap keys;
  std::istringstream lines(Read("docs/configuration.md"));
  const std::regex section(R"(^## \[(\w+)\]\s*$)");
  const std::regex row(R"(^\| `(\w+)` \| ([^|]*) \|)");
  std::string current, line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (line.rfind("## ", 0) == 0) {
      current = std::regex_match(line, m, section) ? m[1].str() : "";
    } else if (!current.empty() && std::regex_search(line, m, row)) {
      keys[current + "." + m[1].str()] = DefaultCell(m[2].str());
    }
  }
  return keys;
}

// A TOML value at the start of `text`: a string, an array, or a bare word.
std::string ValueAt(const std::string& text) {
  if (text.empty()) return text;
  if (text[0] == '"') return text.substr(0, text.find('"', 1) + 1);
  if (text[0] == '[') return text.substr(0, text.find(']') + 1);
  return text.substr(0, text.find_first_of(" \t"));
}

// The "# key = value" lines under each "[section]" of the packaged file.
KeyMap PackagedKeys(std::string* uncommented = nullptr) {
  KeyMap keys;
  std::istringstream lines(Read("packaging/wsmand.toml"));
  const std::regex section(R"(^\[(\w+)\])");
  const std::regex key(R"(^# (\w+) = (.*)$)");
  std::string current, line;
  std::smatch m;
  while (std::getline(lines, line)) {
    if (std::regex_search(line, m, section)) {
      current = m[1].str();
      if (uncommented) *uncommented += "[" + current + "]\n";
    } else if (std::regex_match(line, m, key)) {
      std::string value = ValueAt(m[2].str());
      keys[current + "." + m[1].str()] = value;
      if (uncommented && value != "...") {
        *uncommented += m[1].str() + " = " + value + "\n";
      }
    }
  }
  return keys;
}

TEST(ConfigDocsTest, EveryKeyIsDocumentedWithItsDefault) {
  KeyMap code = CodeKeys();
  KeyMap docs = DocumentedKeys();
  ASSERT_GT(code.size(), 40u);
  for (const auto& [key, value] : code) {
    auto it = docs.find(key);
    if (it == docs.end()) {
      ADD_FAILURE() << key << " is missing from docs/configuration.md";
      continue;
    }
    EXPECT_EQ(it->second, value)
        << key << ": docs/configuration.md says " << it->second
        << ", the code's default is " << value;
  }
  for (const auto& [key, value] : docs) {
    EXPECT_TRUE(code.count(key))
        << "docs/configuration.md lists " << key << ", which the code does "
        << "not read";
  }
}

TEST(ConfigDocsTest, PackagedFileListsEveryKeyWithItsDefault) {
  KeyMap code = CodeKeys();
  KeyMap packaged = PackagedKeys();
  for (const auto& [key, value] : code) {
    auto it = packaged.find(key);
    if (it == packaged.end()) {
      ADD_FAILURE() << key << " is missing from packaging/wsmand.toml";
      continue;
    }
    // An optional key with no default shows no value ("...").
    if (value == "unset") {
      EXPECT_EQ(it->second, "...") << key;
    } else {
      EXPECT_EQ(it->second, value)
          << key << ": packaging/wsmand.toml says " << it->second
          << ", the code's default is " << value;
    }
  }
  for (const auto& [key, value] : packaged) {
    EXPECT_TRUE(code.count(key))
        << "packaging/wsmand.toml lists " << key << ", which the code does "
        << "not read";
  }
}

TEST(ConfigDocsTest, PackagedFileUncommentedLoadsToTheDefaults) {
  std::string text;
  PackagedKeys(&text);
  char tmpl[] = "/tmp/wsmand-packaged-XXXXXX";
  int fd = mkstemp(tmpl);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::ofstream(tmpl) << text;
  Config loaded;
  base::Status status = LoadConfigFile(tmpl, &loaded);
  std::remove(tmpl);
  ASSERT_TRUE(status.ok()) << status.message() << "\n" << text;
  EXPECT_EQ(CodeKeys(loaded), CodeKeys());
}

TEST(ConfigDocsTest, KeysRenderAsToml) {
  Config c;
  c.allow_unencrypted = false;
  c.providers_administrators = {"root", "%wheel"};
  KeyMap keys = CodeKeys(c);
  EXPECT_EQ(keys["server.listen"], "[\"http://127.0.0.1:5985\"]");
  EXPECT_EQ(keys["server.max_timeout_ms"], "60000");
  EXPECT_EQ(keys["http.header_timeout"], "10");
  EXPECT_EQ(keys["auth.pam"], "\"auto\"");
  EXPECT_EQ(keys["auth.allow_unencrypted"], "false");
  EXPECT_EQ(CodeKeys()["auth.allow_unencrypted"], "unset");
  EXPECT_EQ(keys["providers.administrators"], "[\"root\", \"%wheel\"]");
  EXPECT_EQ(keys["providers.host"], "true");
}

TEST(ConfigDocsTest, ReloadAppliesLogLevelEndpointLimitsAuthXmlAndTlsOnly) {
  for (const ConfigKey& k : ConfigKeys()) {
    bool expected =
        (k.section == "server" && k.key == "log_level") ||
        (k.section == "server" && k.key == "admin_group") ||
        (k.section == "http" && k.key == "max_envelope_size") ||
        (k.section == "http" && k.key == "max_operations_per_user") ||
        k.section == "xml" ||
        (k.section == "auth" && k.key != "allow_unencrypted") ||
        (k.section == "tls" && k.key != "client_cert_map");
    EXPECT_EQ(k.reloadable, expected) << k.section << "." << k.key;
  }
}

}  // namespace
}  // namespace wsman::server
