// The server's side of winrm/config (engine/config): the running Config
// and service facts behind a Get, and a Put made real — admin check (root,
// or a member of [server] admin_group), the file edited line by line
// (server/config_file_edit.h: comments and other keys kept), the result
// parsed and validated as a reload would, written with WriteFileAtomic
// (same mode, owner kept), then applied through the same function SIGHUP
// uses. SIGHUP's reload goes through Reload() so that the two never apply
// at once.
//
// Thread rules: thread-safe. One mutex serialises Put and Reload (and
// guards the running Config); Current() copies under it. The applier is
// called with the mutex held and must not call back into the store.
#ifndef WSMAND_SERVER_WINRM_CONFIG_STORE_H_
#define WSMAND_SERVER_WINRM_CONFIG_STORE_H_

#include <functional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "base/status.h"
#include "engine/config/config_routes.h"
#include "server/config.h"
#include "server/winrm_config_map.h"

namespace wsman::server {

class WinrmConfigStore : public engine::config::ConfigHost {
 public:
  // Applies `fresh` to the running service as a reload does; returns what
  // stopped it (then the running config stays).
  using Applier = std::function<base::Status(const Config& fresh)>;

  // `path`: the config file ("" = none: a Put is refused); `overrides`:
  // the command-line flags, re-applied over every fresh config.
  WinrmConfigStore(Config running, std::string path,
                   std::function<void(Config*)> overrides, ServiceFacts facts);

  // Set once, before the first request.
  void SetApplier(Applier applier) EXCLUDES(mu_);

  // SIGHUP: re-reads the file and applies it; an error keeps the running
  // config (the caller logs it).
  base::Status Reload() EXCLUDES(mu_);

  engine::config::Node Current() const override EXCLUDES(mu_);
  std::vector<engine::config::Node> Listeners() const override;
  base::Status Put(const providers::Identity& who,
                   const std::vector<engine::config::Change>& changes) override
      EXCLUDES(mu_);

 private:
  base::Status ApplyLocked(const Config& fresh) REQUIRES(mu_);

  const std::string path_;
  const std::function<void(Config*)> overrides_;
  const ServiceFacts facts_;
  mutable base::Mutex mu_;
  Config running_ GUARDED_BY(mu_);
  Applier applier_ GUARDED_BY(mu_);
};

// True when `who` may change the config: uid 0, or a system account in
// the group `admin_group`.
bool IsConfigAdministrator(const providers::Identity& who,
                           const std::string& admin_group);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_WINRM_CONFIG_STORE_H_
