#include "certs/client_cert.h"

#include "certs/openssl_util.h"

namespace wsman::certs {

ClientCertInfo InspectClientCertificate(const SSL* ssl) {
  ClientCertInfo info;
  X509* peer = SSL_get0_peer_certificate(ssl);
  if (peer == nullptr) return info;
  info.present = true;
  info.thumbprint = Sha1Thumbprint(peer);
  info.subject = NameToString(X509_get_subject_name(peer));
  info.common_name = SubjectCommonName(peer);
  info.upns = UserPrincipalNames(peer);
  long result = SSL_get_verify_result(ssl);
  if (result != X509_V_OK) {
    info.verify_error = X509_verify_cert_error_string(result);
    return info;
  }
  STACK_OF(X509)* chain = SSL_get0_verified_chain(ssl);
  if (chain == nullptr || sk_X509_num(chain) < 1) {
    info.verify_error = "no verified chain";
    return info;
  }
  info.verified = true;
  const X509* issuer = sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1)
                                              : sk_X509_value(chain, 0);
  info.issuer_thumbprint = Sha1Thumbprint(issuer);
  return info;
}

}  // namespace wsman::certs
