// Certificate creation for `wsmand cert create`: a small local CA (kept in
// the output directory, so re-running renews the server certificate under
// the same trust anchor) and a server certificate whose subject alternative
// names are the host's names and every local address, with the
// serverAuth extended key usage.
#ifndef WSMAND_CERTS_CERT_CREATE_H_
#define WSMAND_CERTS_CERT_CREATE_H_

#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "certs/openssl_util.h"

namespace wsman::certs {

// What one certificate says. Used for the CA, server and (in tests) client
// certificates.
struct CertSpec {
  std::string common_name;
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;
  std::vector<std::string> upns;  // userPrincipalName SANs (client certs)
  bool is_ca = false;
  bool server_auth = false;  // extendedKeyUsage serverAuth
  bool client_auth = false;  // extendedKeyUsage clientAuth
  int days = 365;
  // notBefore relative to now (a little in the past for clock skew).
  long not_before_offset_seconds = -3600;
};

// "rsa" (3072 bits) or "ecdsa" (P-256).
base::StatusOr<EvpPkeyPtr> GenerateKey(std::string_view key_type);

// Signs `spec` for `subject_key` with `issuer`/`issuer_key` (both null:
// self-signed). SHA-256, random 128-bit serial, v3 extensions.
base::StatusOr<X509Ptr> IssueCertificate(const CertSpec& spec,
                                         EVP_PKEY* subject_key,
                                         const X509* issuer,
                                         EVP_PKEY* issuer_key);

// The host's addresses (getifaddrs, up interfaces, IPv6 link-local left
// out) plus 127.0.0.1 and ::1, without duplicates.
std::vector<std::string> LocalAddresses();

struct CreateOptions {
  std::string out_dir;
  std::vector<std::string> hostnames;  // empty: the host name
  int days = 365;                      // server certificate validity
  std::string key_type = "rsa";
  bool force = false;  // replace an existing server certificate
};

struct CreatedCertificate {
  std::string ca_cert_path, ca_key_path, cert_path, key_path;
  bool reused_ca = false;
  X509Ptr ca;
  X509Ptr cert;
};

// Usage errors (missing directory, bad days, key type or host name).
base::Status ValidateCreateOptions(const CreateOptions& options);

// Writes ca.pem + ca-key.pem (unless both exist: reused), server.pem and
// server-key.pem under out_dir (created 0700 when missing); keys 0600.
base::Status CreateServerCertificate(const CreateOptions& options,
                                     CreatedCertificate* created);

// `wsmand cert create`: exit 0 ok, 1 I/O or OpenSSL failure, 2 bad usage.
int RunCertCreate(const CreateOptions& options, std::ostream& out,
                  std::ostream& err);
// `wsmand cert show FILE`: prints subject, issuer, names, validity and
// thumbprints of every certificate in a PEM file. 0 ok, 1 failure.
int RunCertShow(const std::string& path, std::ostream& out, std::ostream& err);

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_CERT_CREATE_H_
