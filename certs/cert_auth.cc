#include "certs/cert_auth.h"

namespace wsman::certs {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace

CertLogin TryCertificateLogin(std::string_view authorization,
                              const ClientCertInfo* cert,
                              ClientCertMapSource* map) {
  CertLogin login;
  authorization = Trim(authorization);
  bool mutual = EqualsIgnoreCase(authorization, kMutualProfile);
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
