#include "certs/cert_auth.h"

#include "base/strings.h"

namespace wsman::certs {
CertLogin TryCertificateLogin(std::string_view authorization,
                              const ClientCertInfo* cert,
                              ClientCertMapSource* map) {
  CertLogin login;
  authorization = base::Trim(authorization, base::kSpaceTab);
  bool mutual = base::EqualsIgnoreCase(authorization, kMutualProfile);
  if (!mutual) {
    bool implicit = authorization.empty() && cert != nullptr && cert->present &&
                    cert->verified && map != nullptr;
    if (!implicit) return login;
  }
  if (cert == nullptr) {
    login.outcome = CertLogin::kNoCertificate;
    login.detail = "certificate login over plain HTTP";
    return login;
  }
  if (map == nullptr) {
    login.outcome = CertLogin::kDisabled;
    login.detail = "client certificate authentication is not configured";
    return login;
  }
  if (!cert->present) {
    login.outcome = CertLogin::kNoCertificate;
    login.detail = "the client sent no certificate";
    return login;
  }
  if (!cert->verified) {
    login.outcome = CertLogin::kUntrusted;
    login.detail = cert->verify_error;
    return login;
  }
  std::string why;
  std::optional<std::string> user = map->Current()->Match(*cert, &why);
  if (!user) {
    login.outcome = CertLogin::kUnmapped;
    login.detail = "no mapping for thumbprint " + cert->thumbprint +
                   (why.empty() ? "" : ": " + why);
    return login;
  }
  login.outcome = CertLogin::kOk;
  login.user = *user;
  return login;
}

std::string_view CertLoginOutcomeName(CertLogin::Outcome outcome) {
  switch (outcome) {
    case CertLogin::kNotAttempted:
      return "-";
    case CertLogin::kOk:
      return "ok";
    case CertLogin::kNoCertificate:
      return "cert-missing";
    case CertLogin::kUntrusted:
      return "cert-untrusted";
    case CertLogin::kUnmapped:
      return "cert-unmapped";
    case CertLogin::kDisabled:
      return "cert-disabled";
  }
  return "-";
}

}  // namespace wsman::certs
