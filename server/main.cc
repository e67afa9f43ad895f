// wsmand: a WinRM-compatible WS-Management server for Linux.
//
//   wsmand [--config FILE] [--listen URL]... [--accounts FILE]
//          [--log-level LEVEL]
//   wsmand user add NAME --accounts FILE --password-stdin
//   wsmand user del NAME --accounts FILE
//   wsmand user list --accounts FILE
//   wsmand cert create --out-dir DIR [--hostname NAME]... [--days N]
//                      [--key-type rsa|ecdsa] [--force]
//   wsmand cert show FILE
//   wsmand cert map add USER --map FILE (--thumbprint HEX | --cert PEM |
//                      --subject PATTERN (--issuer HEX | --issuer-cert PEM))
//   wsmand cert map del USER --map FILE [--thumbprint HEX | --subject PAT]
//   wsmand cert map list --map FILE
//   wsmand config check [--config FILE]
//   wsmand --version
//
// Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage or config.
#include <CLI/CLI.hpp>

#include <iostream>

#include "certs/cert_create.h"
#include "certs/client_cert_map.h"
#include "server/auth/accounts_file.h"
#include "server/config.h"
#include "server/config_check.h"
#include "server/daemon.h"
#include "server/version.h"

namespace {

constexpr int kExitUsage = 2;

}  // namespace

int main(int argc, char** argv) {
  using wsman::server::Config;

  CLI::App app{
      "wsmand: a WinRM-compatible WS-Management server for Linux.\n"
      "Serves http://127.0.0.1:5985/wsman by default. Runs in the "
      "foreground; SIGTERM stops it after in-flight requests finish, "
      "SIGHUP reloads the config, accounts files and TLS certificate.",
      "wsmand"};
  app.set_version_flag("--version", std::string("wsmand ") + WSMAND_VERSION);
  app.require_subcommand(0, 1);

  std::string config_path;
  std::vector<std::string> listen;
  std::string accounts;
  std::string log_level;
  app.add_option("--config", config_path,
                 "TOML config file (see docs/configuration.md); flags given "
                 "here override it")
      ->check(CLI::ExistingFile);
  app.add_option("--listen", listen,
                 "Listen URL, repeatable: http://127.0.0.1:5985, "
                 "http://[::1]:5985, https://0.0.0.0:5986 (port 0 picks a "
                 "free port)")
      ->take_all();
  app.add_option("--accounts", accounts,
                 "Local accounts file (name:hash lines, mode 0600) managed "
                 "with `wsmand user`; without it, root uses PAM");
  app.add_option("--log-level", log_level, "debug, info, warn or error");
  std::string tls_cert, tls_key, tls_client_ca, tls_client_cert_map;
  app.add_option("--tls-cert", tls_cert,
                 "PEM server certificate (then its chain) for https:// "
                 "listeners ([tls] certificate; `wsmand cert create`)");
  app.add_option("--tls-key", tls_key,
                 "PEM private key of --tls-cert ([tls] private_key)");
  app.add_option("--tls-client-ca", tls_client_ca,
                 "PEM CA bundle that client certificates must chain to "
                 "([tls] client_ca); enables certificate logins");
  app.add_option("--tls-client-cert-map", tls_client_cert_map,
                 "Client certificate map file ([tls] client_cert_map), "
                 "managed with `wsmand cert map`");

  CLI::App* user = app.add_subcommand("user", "Manage the local accounts file");
  user->require_subcommand(1);
  std::string user_name;
  std::string user_accounts;
  bool password_stdin = false;
  CLI::App* add = user->add_subcommand(
      "add", "Add a user or change its password (read from stdin)");
  add->add_option("NAME", user_name, "User name")->required();
  add->add_option("--accounts", user_accounts, "Accounts file")->required();
  add->add_flag("--password-stdin", password_stdin,
                "Read the password from the first line of standard input")
      ->required();
  CLI::App* del = user->add_subcommand("del", "Remove a user");
  del->add_option("NAME", user_name, "User name")->required();
  del->add_option("--accounts", user_accounts, "Accounts file")->required();
  CLI::App* list = user->add_subcommand("list", "List the users");
  list->add_option("--accounts", user_accounts, "Accounts file")->required();

  CLI::App* cert = app.add_subcommand(
      "cert", "Create and inspect certificates; map client certificates");
  cert->require_subcommand(1);
  wsman::certs::CreateOptions create_options;
  CLI::App* cert_create = cert->add_subcommand(
      "create",
      "Create a server certificate (server.pem, server-key.pem) signed by a "
      "local CA (ca.pem, ca-key.pem; reused when present) in DIR. SANs: "
      "the host names, localhost, every local address, 127.0.0.1, ::1. "
      "Prints the SHA-1 thumbprint and SHA-256 fingerprint");
  cert_create
      ->add_option("--out-dir", create_options.out_dir,
                   "Directory for the files (created 0700)")
      ->required();
  cert_create->add_option("--hostname", create_options.hostnames,
                          "DNS name for the certificate, repeatable; the "
                          "first is the subject CN (default: the host name)");
  cert_create->add_option("--days", create_options.days,
                          "Validity of the server certificate in days "
                          "(default 365; the CA: 10 years)");
  cert_create->add_option("--key-type", create_options.key_type,
                          "rsa (3072 bits, default) or ecdsa (P-256)");
  cert_create->add_flag("--force", create_options.force,
                        "Replace an existing server certificate (renewal)");
  std::string show_path;
  CLI::App* cert_show = cert->add_subcommand(
      "show",
      "Print subject, names, validity and thumbprints of PEM "
      "certificates");
  cert_show->add_option("FILE", show_path, "PEM file")->required();

  CLI::App* cert_map = cert->add_subcommand(
      "map", "Manage the client certificate map (docs/https.md)");
  cert_map->require_subcommand(1);
  wsman::certs::MapAddOptions map_add;
  CLI::App* map_add_cmd = cert_map->add_subcommand(
      "add",
      "Map a client certificate to USER: by its thumbprint (--thumbprint or "
      "--cert), or by issuing CA and subject/UPN pattern (--subject with "
      "--issuer or --issuer-cert)");
  map_add_cmd->add_option("USER", map_add.user, "Local user")->required();
  map_add_cmd->add_option("--map", map_add.map_file, "Map file (mode 0600)")
      ->required();
  map_add_cmd->add_option("--thumbprint", map_add.thumbprint,
                          "SHA-1 thumbprint of the client certificate");
  map_add_cmd->add_option("--cert", map_add.cert_file,
                          "PEM client certificate (its thumbprint is used)");
  map_add_cmd->add_option("--subject", map_add.subject,
                          "UPN or subject CN pattern: exact, \"*suffix\" or "
                          "\"*\"");
  map_add_cmd->add_option("--issuer", map_add.issuer,
                          "SHA-1 thumbprint of the issuing CA certificate");
  map_add_cmd->add_option("--issuer-cert", map_add.issuer_cert_file,
                          "PEM issuing CA certificate");
  std::string map_file, map_user, map_thumbprint, map_subject;
  CLI::App* map_del_cmd = cert_map->add_subcommand(
      "del",
      "Remove USER's mappings (all, or those with the given "
      "thumbprint or subject)");
  map_del_cmd->add_option("USER", map_user, "Local user")->required();
  map_del_cmd->add_option("--map", map_file, "Map file")->required();
  map_del_cmd->add_option("--thumbprint", map_thumbprint,
                          "Only the mapping of this thumbprint");
  map_del_cmd->add_option("--subject", map_subject,
                          "Only the mapping with this subject pattern");
  CLI::App* map_list_cmd =
      cert_map->add_subcommand("list", "List the mappings");
  map_list_cmd->add_option("--map", map_file, "Map file")->required();

  CLI::App* config_cmd =
      app.add_subcommand("config", "Check a configuration file");
  config_cmd->require_subcommand(1);
  std::string check_path;
  CLI::App* config_check = config_cmd->add_subcommand(
      "check",
      "Validate a config file and the files it names (accounts file, TLS "
      "certificate, key and client CA, certificate map, provider "
      "directory: that they parse, and their ownership and modes) without "
      "starting the daemon. Exit 0 when the daemon would start with it, 2 "
      "otherwise, with one line per problem");
  config_check->add_option("--config", check_path,
                           "TOML config file (default: the --config before "
                           "the subcommand, else the built-in defaults)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return kExitUsage;
  }

  if (*add) {
    return wsman::auth::RunUserAdd(user_accounts, user_name, std::cin,
                                   std::cout, std::cerr);
  }
  if (*del) {
    return wsman::auth::RunUserDel(user_accounts, user_name, std::cout,
                                   std::cerr);
  }
  if (*list) {
    return wsman::auth::RunUserList(user_accounts, std::cout, std::cerr);
  }

  if (*config_check) {
    return wsman::server::RunConfigCheck(
        check_path.empty() ? config_path : check_path, std::cout, std::cerr);
  }

  if (*cert_create) {
    return wsman::certs::RunCertCreate(create_options, std::cout, std::cerr);
  }
  if (*cert_show) {
    return wsman::certs::RunCertShow(show_path, std::cout, std::cerr);
  }
  if (*map_add_cmd) {
    return wsman::certs::RunCertMapAdd(map_add, std::cout, std::cerr);
  }
  if (*map_del_cmd) {
    return wsman::certs::RunCertMapDel(map_file, map_user, map_thumbprint,
                                       map_subject, std::cout, std::cerr);
  }
  if (*map_list_cmd) {
    return wsman::certs::RunCertMapList(map_file, std::cout, std::cerr);
  }

  auto overrides = [&](Config* config) {
    if (!listen.empty()) config->listen = listen;
    if (!accounts.empty()) config->accounts_file = accounts;
    if (!log_level.empty()) config->log_level = log_level;
    if (!tls_cert.empty()) config->tls_certificate = tls_cert;
    if (!tls_key.empty()) config->tls_private_key = tls_key;
    if (!tls_client_ca.empty()) config->tls_client_ca = tls_client_ca;
    if (!tls_client_cert_map.empty()) {
      config->tls_client_cert_map = tls_client_cert_map;
    }
  };
  Config config;
  if (!config_path.empty()) {
    wsman::base::Status loaded =
        wsman::server::LoadConfigFile(config_path, &config);
    if (!loaded.ok()) {
      std::cerr << "wsmand: " << loaded.message() << "\n";
      return kExitUsage;
    }
  }
  overrides(&config);
  if (wsman::base::Status valid = wsman::server::ValidateConfig(config);
      !valid.ok()) {
    std::cerr << "wsmand: " << valid.message() << "\n";
    return kExitUsage;
  }
  return wsman::server::RunDaemon(std::move(config), config_path, overrides);
}
