// Identity: the authenticated user that travels with a request from the
// auth layer to dispatch and the providers.
#ifndef WSMAND_SERVER_AUTH_IDENTITY_FOR_USER_H_
#define WSMAND_SERVER_AUTH_IDENTITY_FOR_USER_H_

#include <sys/types.h>

#include <string>
#include <string_view>

#include "providers/identity.h"

namespace wsman::auth {

// The Identity type is shared with the layers below (providers/identity.h).
using Identity = providers::Identity;

// Builds the Identity for `user`: looks the name up with getpwnam_r and fills
// the system fields when found; otherwise system_account=false.
Identity IdentityForUser(std::string_view user);

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_IDENTITY_FOR_USER_H_
