#include "server/winrm_config_store.h"

#include <sys/stat.h>

#include <algorithm>

#include "base/file_trust.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/user.h"
#include "server/config_file_edit.h"

namespace wsman::server {

bool IsConfigAdministrator(const providers::Identity& who,
                           const std::string& admin_group) {
  if (!who.system_account) return false;
  if (who.uid == 0) return true;
  if (admin_group.empty()) return false;
  std::optional<gid_t> group = base::GroupId(admin_group);
  if (!group) return false;
  std::vector<gid_t> groups = base::GroupsOf(who.user, who.gid);
  return std::find(groups.begin(), groups.end(), *group) != groups.end();
}

WinrmConfigStore::WinrmConfigStore(Config running, std::string path,
                                   std::function<void(Config*)> overrides,
                                   ServiceFacts facts)
    : path_(std::move(path)),
      overrides_(std::move(overrides)),
      facts_(std::move(facts)),
      running_(std::move(running)) {}

void WinrmConfigStore::SetApplier(Applier applier) {
  base::MutexLock lock(&mu_);
  applier_ = std::move(applier);
}

base::Status WinrmConfigStore::ApplyLocked(const Config& fresh) {
  if (applier_) {
    if (base::Status applied = applier_(fresh); !applied.ok()) return applied;
  }
  running_ = fresh;
  return base::Status::Ok();
}

base::Status WinrmConfigStore::Reload() {
  base::MutexLock lock(&mu_);
  Config fresh;
  if (!path_.empty()) {
    if (base::Status loaded = LoadConfigFile(path_, &fresh); !loaded.ok()) {
      return loaded;
    }
  }
  if (overrides_) overrides_(&fresh);
  if (base::Status valid = ValidateConfig(fresh); !valid.ok()) return valid;
  return ApplyLocked(fresh);
}

engine::config::Node WinrmConfigStore::Current() const {
  base::MutexLock lock(&mu_);
  return WinrmConfigTree(running_, facts_);
}

std::vector<engine::config::Node> WinrmConfigStore::Listeners() const {
  return WinrmListeners(facts_);
}

base::Status WinrmConfigStore::Put(
    const providers::Identity& who,
    const std::vector<engine::config::Change>& changes) {
  base::MutexLock lock(&mu_);
  if (!IsConfigAdministrator(who, running_.admin_group)) {
    return base::Status::PermissionDenied(
        "Only root and the members of the group \"" + running_.admin_group +
        "\" ([server] admin_group) may change winrm/config.");
  }
  if (changes.empty()) return base::Status::Ok();
  base::StatusOr<std::vector<ConfigEdit>> edits = EditsForChanges(changes);
  if (!edits.ok()) return edits.status();
  if (path_.empty()) {
    return base::Status::FailedPrecondition(
        "wsmand runs without a config file (--config): there is nowhere to "
        "keep a change");
  }
  // The file as it is now: it may have been edited since the last reload;
  // a Put applies all of it, as SIGHUP would.
  base::StatusOr<std::string> text = base::ReadTrustedFile(path_);
  if (!text.ok()) return base::Status::IoError(text.message());
  std::string edited = ApplyConfigEdits(*text, *edits);
  Config fresh;
  if (base::Status loaded = LoadConfigText(edited, path_, &fresh);
      !loaded.ok()) {
    return base::Status::InvalidArgument(loaded.message());
  }
  if (overrides_) overrides_(&fresh);
  if (base::Status valid = ValidateConfig(fresh); !valid.ok()) {
    return base::Status::InvalidArgument(valid.message());
  }
  // A command-line flag over the key would hide the change.
  const std::vector<ConfigKey> keys = ConfigKeys(fresh);
  for (const ConfigEdit& edit : *edits) {
    for (const ConfigKey& k : keys) {
      if (k.section == edit.section && k.key == edit.key &&
          k.value != edit.value) {
        return base::Status::FailedPrecondition(
            edit.section + "." + edit.key +
            " is set on wsmand's command line, which wins over the file");
      }
    }
  }
  struct stat st {};
  mode_t mode = 0600;
  if (::stat(path_.c_str(), &st) == 0) mode = st.st_mode & 07777;
  if (base::Status written = base::WriteFileAtomic(path_, edited, mode);
      !written.ok()) {
    return written;
  }
  if (base::Status applied = ApplyLocked(fresh); !applied.ok()) {
    return base::Status::Internal("written to " + path_ +
                                  " but not applied: " + applied.message());
  }
  std::vector<std::string> names;
  for (const ConfigEdit& edit : *edits) {
    names.push_back(edit.section + "." + edit.key);
  }
  std::vector<log::Field> fields = {{"user", who.user}, {"file", path_}};
  for (size_t i = 0; i < names.size(); ++i) {
    fields.push_back({names[i], (*edits)[i].value});
  }
  log::Write(log::Level::kInfo, "config-put", fields);
  return base::Status::Ok();
}

}  // namespace wsman::server
