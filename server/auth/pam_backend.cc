#include "server/auth/pam_backend.h"

#include <openssl/crypto.h>
#include <security/pam_appl.h>
#include <shadow.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <utility>
#include <vector>

namespace wsman::auth {
namespace {

struct ConvData {
  const char* password;  // nullptr: refuse every prompt (account check)
  unsigned fail_delay_usec = 0;
};

// PAM_FAIL_DELAY: called by libpam at the end of pam_authenticate instead
// of sleeping; appdata is the conversation's.
void RecordFailDelay(int retval, unsigned usec, void* appdata) {
  if (retval == PAM_SUCCESS || appdata == nullptr) return;
  static_cast<ConvData*>(appdata)->fail_delay_usec = usec;
}

// A digest of the shadow entry's password hash, last change and expiry;
// 0 when there is none or it cannot be read (needs root).
uint64_t ShadowStamp(const std::string& user) {
  std::vector<char> buf(4096);
  struct spwd sp {};
  struct spwd* found = nullptr;
  while (getspnam_r(user.c_str(), &sp, buf.data(), buf.size(), &found) ==
             ERANGE &&
         buf.size() < (1u << 20)) {
    buf.resize(buf.size() * 2);
  }
  uint64_t stamp = 0;
  if (found != nullptr && found->sp_pwdp != nullptr) {
    std::string material(found->sp_pwdp);
    material += '\n' + std::to_string(found->sp_lstchg) + '\n' +
                std::to_string(found->sp_expire);
    stamp = std::hash<std::string>{}(material) | 1;  // never 0
    OPENSSL_cleanse(material.data(), material.size());
  }
  OPENSSL_cleanse(buf.data(), buf.size());
  return stamp;
}

void FreeResponses(struct pam_response* resp, int n) {
  if (resp == nullptr) return;
  for (int i = 0; i < n; ++i) {
    if (resp[i].resp != nullptr) {
      OPENSSL_cleanse(resp[i].resp, std::strlen(resp[i].resp));
      std::free(resp[i].resp);
    }
  }
  std::free(resp);
}

// Answers password prompts with the password; refuses anything interactive
// (echo-on prompts such as one-time codes); ignores info and error texts.
int Conversation(int num_msg, const struct pam_message** msg,
                 struct pam_response** resp, void* appdata_ptr) {
  if (num_msg <= 0 || num_msg > PAM_MAX_NUM_MSG || resp == nullptr) {
    return PAM_CONV_ERR;
  }
  *resp = nullptr;
  auto* data = static_cast<ConvData*>(appdata_ptr);
  auto* out = static_cast<struct pam_response*>(
      std::calloc(static_cast<size_t>(num_msg), sizeof(struct pam_response)));
  if (out == nullptr) return PAM_BUF_ERR;
  for (int i = 0; i < num_msg; ++i) {
    switch (msg[i]->msg_style) {
      case PAM_PROMPT_ECHO_OFF:
        if (data->password == nullptr) {
          FreeResponses(out, num_msg);
          return PAM_CONV_ERR;
        }
        out[i].resp = strdup(data->password);
        if (out[i].resp == nullptr) {
          FreeResponses(out, num_msg);
          return PAM_BUF_ERR;
        }
        break;
      case PAM_ERROR_MSG:
      case PAM_TEXT_INFO:
        break;
      default:  // PAM_PROMPT_ECHO_ON and anything unknown
        FreeResponses(out, num_msg);
        return PAM_CONV_ERR;
    }
  }
  *resp = out;
  return PAM_SUCCESS;
}

// RAII for a pam handle: pam_end with the last status.
class PamHandle {
 public:
  PamHandle() = default;
  PamHandle(const PamHandle&) = delete;
  PamHandle& operator=(const PamHandle&) = delete;
  ~PamHandle() {
    if (h_ != nullptr) pam_end(h_, last_ | PAM_DATA_SILENT);
  }
  pam_handle_t** out() { return &h_; }
  pam_handle_t* get() const { return h_; }
  int Track(int rc) {
    last_ = rc;
    return rc;
  }

 private:
  pam_handle_t* h_ = nullptr;
  int last_ = PAM_SUCCESS;
};

// pam_start (or pam_start_confdir for a private directory) with PAM_RHOST
// set to the peer; the PAM status, with *error set when it failed.
int StartPam(const std::string& service, const std::string& confdir,
             const std::string& user, const pam_conv* conv,
             std::string_view peer, PamHandle* pamh, std::string* error) {
  int rc = confdir.empty()
               ? pam_start(service.c_str(), user.c_str(), conv, pamh->out())
               : pam_start_confdir(service.c_str(), user.c_str(), conv,
                                   confdir.c_str(), pamh->out());
  if (rc != PAM_SUCCESS) {
    *error = pamh->get() ? pam_strerror(pamh->get(), rc) : "pam_start";
    pamh->Track(rc);
    return rc;
  }
  if (!peer.empty()) {
    std::string rhost(peer);
    pam_set_item(pamh->get(), PAM_RHOST, rhost.c_str());
  }
  return rc;
}

}  // namespace

PamBackend::PamBackend(std::string service, std::string confdir)
    : service_(std::move(service)), confdir_(std::move(confdir)) {}

PamBackend::Result PamBackend::Verify(std::string_view user,
                                      std::string_view password,
                                      std::string_view peer) const {
  Result result;
  std::string u(user);
  std::string pw(password);
  if (u.empty() || pw.empty() || u.find('\0') != std::string::npos ||
      pw.find('\0') != std::string::npos) {
    result.error = "empty user or password";
    OPENSSL_cleanse(pw.data(), pw.size());
    return result;
  }
  ConvData data{pw.c_str()};
  struct pam_conv conv {
    &Conversation, &data
  };
  {
    PamHandle pamh;
    int rc = StartPam(service_, confdir_, u, &conv, peer, &pamh, &result.error);
    if (rc == PAM_SUCCESS) {
      pam_set_item(pamh.get(), PAM_FAIL_DELAY,
                   reinterpret_cast<const void*>(&RecordFailDelay));
      rc = pamh.Track(
          pam_authenticate(pamh.get(), PAM_SILENT | PAM_DISALLOW_NULL_AUTHTOK));
      result.fail_delay = std::chrono::microseconds(data.fail_delay_usec);
      if (rc == PAM_SUCCESS) {
        rc = pamh.Track(pam_acct_mgmt(pamh.get(), PAM_SILENT));
      }
      if (rc == PAM_SUCCESS) {
        const void* item = nullptr;
        std::string name = u;
        if (pam_get_item(pamh.get(), PAM_USER, &item) == PAM_SUCCESS &&
            item != nullptr) {
          name = static_cast<const char*>(item);
        }
        result.ok = true;
        result.identity = IdentityForUser(name);
        result.fail_delay = std::chrono::microseconds(0);
        result.account_stamp = ShadowStamp(u);
      } else {
        result.error = pam_strerror(pamh.get(), rc);
      }
    }
  }
  OPENSSL_cleanse(pw.data(), pw.size());
  return result;
}

PamBackend::Result PamBackend::CheckAccount(std::string_view user,
                                            std::string_view peer) const {
  Result result;
  std::string u(user);
  if (u.empty() || u.find('\0') != std::string::npos) {
    result.error = "empty user";
    return result;
  }
  ConvData data{nullptr};
  struct pam_conv conv {
    &Conversation, &data
  };
  PamHandle pamh;
  int rc = StartPam(service_, confdir_, u, &conv, peer, &pamh, &result.error);
  if (rc != PAM_SUCCESS) return result;
  rc = pamh.Track(pam_acct_mgmt(pamh.get(), PAM_SILENT));
  if (rc != PAM_SUCCESS) {
    result.error = pam_strerror(pamh.get(), rc);
    return result;
  }
  result.ok = true;
  result.identity.user = u;
  result.account_stamp = ShadowStamp(u);
  return result;
}

}  // namespace wsman::auth
