// Password verification through PAM (libpam): one pam handle per call, so
// any number of threads may verify at once. The service name selects
// /etc/pam.d/<service> (default "wsmand", shipped as packaging/wsmand.pam).
// PAM's failure delay (pam_unix asks ~2 s) is not slept inside Verify: a
// PAM_FAIL_DELAY hook records it and Verify returns it, so the caller can
// give back its verification slot first and sleep afterwards.
#ifndef WSMAND_SERVER_AUTH_PAM_BACKEND_H_
#define WSMAND_SERVER_AUTH_PAM_BACKEND_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/auth/identity_for_user.h"

namespace wsman::auth {

class PamBackend {
 public:
  struct Result {
    bool ok = false;
    Identity identity;  // when ok: PAM_USER after authentication
    std::string error;  // when !ok: pam_strerror text, for the log only
    // The failure delay PAM asked for (0 on success): sleep it before
    // answering.
    std::chrono::microseconds fail_delay{0};
    // When ok: a digest of the user's shadow entry (password hash, last
    // change, expiry), 0 if it cannot be read (not root, not a local
    // account). A locked or re-passworded account has another stamp.
    uint64_t account_stamp = 0;
  };

  // `confdir` empty = the system default (/etc/pam.d); tests point it at a
  // private directory (pam_start_confdir).
  explicit PamBackend(std::string service = "wsmand", std::string confdir = "");

  // pam_start, pam_authenticate (PAM_DISALLOW_NULL_AUTHTOK), pam_acct_mgmt,
  // pam_end. `peer` is passed as PAM_RHOST. The password is handed to PAM
  // only through the conversation function and never logged.
  Result Verify(std::string_view user, std::string_view password,
                std::string_view peer = "") const;

  // The account part alone, for a login served from the cache: pam_start,
  // pam_acct_mgmt (expired, or refused by account modules), pam_end, and
  // the shadow stamp. pam_unix's account module does not look at the lock
  // mark (`!` before the hash, `passwd -l`), which is why the stamp is
  // compared as well (sshd likewise checks the mark itself).
  Result CheckAccount(std::string_view user, std::string_view peer = "") const;

  const std::string& service() const { return service_; }

 private:
  std::string service_;
  std::string confdir_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_PAM_BACKEND_H_
