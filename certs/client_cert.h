// What the server knows about a TLS client's certificate after the
// handshake: whether one was sent, whether it chains to the configured
// client CA bundle, and the fields the certificate map matches on.
#ifndef WSMAND_CERTS_CLIENT_CERT_H_
#define WSMAND_CERTS_CLIENT_CERT_H_

#include <openssl/ssl.h>

#include <string>
#include <vector>

namespace wsman::certs {

struct ClientCertInfo {
  bool present = false;      // the client sent a certificate
  bool verified = false;     // it chains to [tls] client_ca and is in date
  std::string verify_error;  // why not, when present && !verified
  std::string thumbprint;    // SHA-1, upper-case hex
  // SHA-1 of the certificate that signed it in the verified chain (itself
  // when a self-signed certificate is trusted directly). "" if unverified.
  std::string issuer_thumbprint;
  std::string subject;  // RFC 2253
  std::string common_name;
  std::vector<std::string> upns;  // userPrincipalName SANs
};

// Reads the peer certificate and the verification result of a finished
// server-side handshake.
ClientCertInfo InspectClientCertificate(const SSL* ssl);

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_CLIENT_CERT_H_
