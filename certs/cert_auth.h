// Client-certificate login as WinRM does it: a request that names the
// https/mutual security profile in its Authorization header (pywinrm's
// certificate transport), or that carries no Authorization header on a TLS
// connection whose client sent a verified certificate, logs in as the user
// the certificate map gives.
#ifndef WSMAND_CERTS_CERT_AUTH_H_
#define WSMAND_CERTS_CERT_AUTH_H_

#include <string>
#include <string_view>

#include "certs/client_cert.h"
#include "certs/client_cert_map.h"

namespace wsman::certs {

inline constexpr std::string_view kMutualProfile =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/https/mutual";

struct CertLogin {
  enum Outcome {
    kNotAttempted,   // not a certificate login: go on with Basic
    kOk,             // `user` is set
    kNoCertificate,  // asked for, but no certificate (or plain HTTP)
    kUntrusted,      // not verified against client_ca (or expired)
    kUnmapped,       // verified, but no mapping names it
    kDisabled,       // no client_ca / client_cert_map configured
  };
  Outcome outcome = kNotAttempted;
  std::string user;
  std::string detail;  // for the log
};

// `cert`: the connection's client certificate, null on plain HTTP.
// `map`: null when client certificate authentication is not configured.
CertLogin TryCertificateLogin(std::string_view authorization,
                              const ClientCertInfo* cert,
                              ClientCertMapSource* map);

// The access-log word for an outcome ("cert-untrusted", ...).
std::string_view CertLoginOutcomeName(CertLogin::Outcome outcome);

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_CERT_AUTH_H_
