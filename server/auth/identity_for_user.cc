#include "server/auth/identity_for_user.h"

#include "base/user.h"

namespace wsman::auth {

Identity IdentityForUser(std::string_view user) {
  Identity id;
  id.user = std::string(user);
  auto account = base::LookUpUser(user);
  if (!account.ok()) return id;
  id.system_account = true;
  id.uid = account->uid;
  id.gid = account->gid;
  id.home = account->home;
  id.shell = account->shell;
  return id;
}

}  // namespace wsman::auth
