// Password verification through PAM (libpam): one pam handle per call, so
// any number of threads may verify at once. The service name selects
// /etc/pam.d/<service> (default "wsmand", shipped as packaging/wsmand.pam).
#ifndef WSMAND_SERVER_AUTH_PAM_BACKEND_H_
#define WSMAND_SERVER_AUTH_PAM_BACKEND_H_

#include <string>
#include <string_view>

#include "server/auth/identity.h"

namespace wsman::auth {

class PamBackend {
 public:
  struct Result {
    bool ok = false;
    Identity identity;  // when ok: PAM_USER after authentication
    std::string error;  // when !ok: pam_strerror text, for the log only
  };

  // `confdir` empty = the system default (/etc/pam.d); tests point it at a
  // private directory (pam_start_confdir).
  explicit PamBackend(std::string service = "wsmand", std::string confdir = "");

  // pam_start, pam_authenticate (PAM_DISALLOW_NULL_AUTHTOK), pam_acct_mgmt,
  // pam_end. `peer` is passed as PAM_RHOST. The password is handed to PAM
  // only through the conversation function and never logged.
  Result Verify(std::string_view user, std::string_view password,
                std::string_view peer = "") const;

  const std::string& service() const { return service_; }

 private:
  std::string service_;
  std::string confdir_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_PAM_BACKEND_H_
