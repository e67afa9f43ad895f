// wsmand: a WinRM-compatible WS-Management server for Linux.
//
//   wsmand [--config FILE] [--listen URL]... [--accounts FILE]
//          [--log-level LEVEL]
//   wsmand user add NAME --accounts FILE --password-stdin
//   wsmand user del NAME --accounts FILE
//   wsmand user list --accounts FILE
//   wsmand --version
//
// Exit codes: 0 clean stop, 1 runtime failure, 2 bad usage or config.
#include <CLI/CLI.hpp>

#include <iostream>

#include "server/auth/accounts_file.h"
#include "server/config.h"
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
      "SIGHUP reloads the config and accounts files.",
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
                 "http://[::1]:5985 (port 0 picks a free port)")
      ->take_all();
  app.add_option("--accounts", accounts,
                 "Local accounts file (name:hash lines, mode 0600) managed "
                 "with `wsmand user`; without it, root uses PAM");
  app.add_option("--log-level", log_level, "debug, info, warn or error");

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

  auto overrides = [&](Config* config) {
    if (!listen.empty()) config->listen = listen;
    if (!accounts.empty()) config->accounts_file = accounts;
    if (!log_level.empty()) config->log_level = log_level;
  };
  Config config;
  if (!config_path.empty()) {
    if (auto err = wsman::server::LoadConfigFile(config_path, &config)) {
      std::cerr << "wsmand: " << err->message << "\n";
      return kExitUsage;
    }
  }
  overrides(&config);
  if (auto err = wsman::server::ValidateConfig(config)) {
    std::cerr << "wsmand: " << err->message << "\n";
    return kExitUsage;
  }
  return wsman::server::RunDaemon(std::move(config), config_path, overrides);
}
