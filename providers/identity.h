// Identity: the authenticated user a request runs for. It travels from the
// auth layer through dispatch to the operations and providers, which use it
// for ownership (shells, enumeration contexts) and to act with the user's
// rights on the host.
#ifndef WSMAND_PROVIDERS_IDENTITY_H_
#define WSMAND_PROVIDERS_IDENTITY_H_

#include <sys/types.h>

#include <string>

namespace wsman::providers {

struct Identity {
  // The user name as authenticated (for PAM: PAM_USER after authentication).
  std::string user;
  // True when `user` names a system account (getpwnam_r); only then are
  // uid, gid, home and shell meaningful.
  bool system_account = false;
  uid_t uid = static_cast<uid_t>(-1);
  gid_t gid = static_cast<gid_t>(-1);
  std::string home;
  std::string shell;
};

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_IDENTITY_H_
