// The one home for system account lookups: a user by name or uid
// (getpwnam_r / getpwuid_r), a user's groups (getgrouplist) and a group's
// id (getgrnam_r), each with the same buffer-growing retry (ERANGE or a
// short group list grow the buffer, up to a bound), so no caller guesses a
// buffer size.
//
// Thread rules: plain functions over the reentrant libc calls; any thread.
// Not async-signal-safe (they allocate and may talk to NSS): a forked child
// gets what it needs prepared before fork (base/child_process.h).
#ifndef WSMAND_BASE_USER_H_
#define WSMAND_BASE_USER_H_

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wsman::base {

struct UserAccount {
  std::string name;
  uid_t uid = 0;
  gid_t gid = 0;      // the primary group
  std::string home;   // "" when the entry has none
  std::string shell;  // "" when the entry has none
};

// NotFound when no account has that name (an empty name or one holding a
// NUL never does); IoError when the lookup itself failed.
StatusOr<UserAccount> LookUpUser(std::string_view name);
StatusOr<UserAccount> LookUpUser(uid_t uid);

// The account name of `uid`; nullopt when there is none.
std::optional<std::string> UserName(uid_t uid);

// `user`'s groups with `gid` (its primary group) among them, as
// getgrouplist(3) lists them; {gid} when the list cannot be read.
std::vector<gid_t> GroupsOf(std::string_view user, gid_t gid);

// The id of the group called `name`; nullopt when there is none.
std::optional<gid_t> GroupId(std::string_view name);

}  // namespace wsman::base

#endif  // WSMAND_BASE_USER_H_
