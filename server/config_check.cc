#include "server/config_check.h"

#include <dirent.h>
#include <unistd.h>

#include <memory>

#include "base/file_trust.h"
#include "certs/client_cert_map.h"
#include "certs/tls_context.h"
#include "server/auth/accounts_file.h"
#include "server/http/listen_address.h"

namespace wsman::server {
namespace {

constexpr int kExitBadConfig = 2;

bool AnyHttps(const Config& config) {
  for (const std::string& url : config.listen) {
    if (ParseListenUrl(url).tls) return true;
  }
  return false;
}

// The TLS files, read and parsed as the daemon's start-up does.
void CheckTls(const Config& config, std::vector<std::string>* problems,
              std::vector<std::string>* warnings) {
  certs::TlsSettings tls = TlsSettingsFrom(config);
  certs::ServerCertificateInfo info;
  base::StatusOr<std::shared_ptr<SSL_CTX>> built =
      certs::BuildServerContext(tls, &info);
  if (!built.ok()) {
    problems->push_back("tls: " + built.message());
    return;
  }
  if (info.expired) {
    warnings->push_back("tls.certificate " + config.tls_certificate +
                        " expired on " + info.not_after +
                        "; clients will refuse it");
  }
}

// The provider directory and each *.so in it, as the loader opens them.
void CheckProviderDirectory(const std::string& directory,
                            std::vector<std::string>* problems) {
  base::StatusOr<base::UniqueFd> dir =
      base::OpenTrusted(directory, base::TrustedKind::kDirectory);
  if (!dir.ok()) {
    problems->push_back("providers.directory: " + dir.message());
    return;
  }
  std::unique_ptr<DIR, int (*)(DIR*)> listing(::opendir(directory.c_str()),
                                              ::closedir);
  if (!listing) return;
  while (const dirent* entry = ::readdir(listing.get())) {
    std::string_view name = entry->d_name;
    if (name.size() < 4 || name.substr(name.size() - 3) != ".so") continue;
    std::string path = directory + "/" + std::string(name);
    base::StatusOr<base::UniqueFd> module =
        base::OpenTrusted(path, base::TrustedKind::kFile);
    if (!module.ok()) {
      problems->push_back("providers.directory: " + module.message());
    }
  }
}

}  // namespace

certs::TlsSettings TlsSettingsFrom(const Config& config) {
  certs::TlsSettings tls;
  tls.certificate = config.tls_certificate;
  tls.private_key = config.tls_private_key;
  tls.chain = config.tls_chain;
  tls.ciphers = config.tls_ciphers;
  tls.ciphersuites = config.tls_ciphersuites;
  tls.min_version = config.tls_min_version;
  tls.client_ca = config.tls_client_ca;
  return tls;
}

std::vector<std::string> CheckNamedFiles(const Config& config,
                                         std::vector<std::string>* warnings) {
  std::vector<std::string> problems;
  if (!config.accounts_file.empty()) {
    base::StatusOr<auth::AccountsFile> accounts =
        auth::AccountsFile::Load(config.accounts_file);
    if (!accounts.ok()) {
      problems.push_back("auth.accounts_file: " + accounts.message());
    } else if (accounts->entries().empty()) {
      warnings->push_back("auth.accounts_file " + config.accounts_file +
                          " has no accounts");
    }
  } else if (!config.UsePam()) {
    warnings->push_back("no accounts file and PAM is off: nobody can log in");
  }
  if (AnyHttps(config) || !config.tls_certificate.empty()) {
    CheckTls(config, &problems, warnings);
  }
  if (!config.tls_client_cert_map.empty()) {
    certs::ClientCertMap map;
    base::Status loaded =
        certs::ClientCertMap::Load(config.tls_client_cert_map, &map);
    if (!loaded.ok() &&
        ::access(config.tls_client_cert_map.c_str(), F_OK) != 0) {
      // The daemon starts with an empty map and picks the file up later.
      warnings->push_back("tls.client_cert_map " + config.tls_client_cert_map +
                          " does not exist yet (an empty map)");
    } else if (!loaded.ok()) {
      problems.push_back("tls.client_cert_map: " + loaded.message());
    }
  }
  if (!config.providers_directory.empty()) {
    CheckProviderDirectory(config.providers_directory, &problems);
  }
  return problems;
}

int RunConfigCheck(const std::string& path, std::ostream& out,
                   std::ostream& err) {
  Config config;
  base::Status loaded =
      path.empty() ? ValidateConfig(config) : LoadConfigFile(path, &config);
  if (!loaded.ok()) {
    // The file's own problem (trust, TOML, a key or a value): the files it
    // names cannot be known before it loads.
    err << "wsmand: " << loaded.message() << "\n";
    return kExitBadConfig;
  }
  std::vector<std::string> warnings;
  std::vector<std::string> problems = CheckNamedFiles(config, &warnings);
  for (const std::string& warning : warnings) {
    out << "warning: " << warning << "\n";
  }
  for (const std::string& problem : problems) {
    err << "wsmand: " << problem << "\n";
  }
  if (!problems.empty()) return kExitBadConfig;
  out << (path.empty() ? std::string("built-in defaults") : path) << ": OK\n";
  return 0;
}

}  // namespace wsman::server
