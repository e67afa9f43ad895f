// RAII owners for the OpenSSL handles used by certs/ and server/http/, and
// small helpers around X.509 certificates: thumbprints in the forms WinRM
// users know, names, UPN subject alternative names, PEM loading.
#ifndef WSMAND_CERTS_OPENSSL_UTIL_H_
#define WSMAND_CERTS_OPENSSL_UTIL_H_

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace wsman::certs {

template <auto Free>
struct OpenSslDeleter {
  template <typename T>
  void operator()(T* p) const {
    Free(p);
  }
};

using BioPtr = std::unique_ptr<BIO, OpenSslDeleter<BIO_free_all>>;
using X509Ptr = std::unique_ptr<X509, OpenSslDeleter<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, OpenSslDeleter<X509_NAME_free>>;
using X509ExtensionPtr =
    std::unique_ptr<X509_EXTENSION, OpenSslDeleter<X509_EXTENSION_free>>;
using X509StorePtr =
    std::unique_ptr<X509_STORE, OpenSslDeleter<X509_STORE_free>>;
using X509StoreCtxPtr =
    std::unique_ptr<X509_STORE_CTX, OpenSslDeleter<X509_STORE_CTX_free>>;
using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, OpenSslDeleter<EVP_PKEY_free>>;
using EvpPkeyCtxPtr =
    std::unique_ptr<EVP_PKEY_CTX, OpenSslDeleter<EVP_PKEY_CTX_free>>;
using GeneralNamesPtr =
    std::unique_ptr<GENERAL_NAMES, OpenSslDeleter<GENERAL_NAMES_free>>;
using AsnIntegerPtr =
    std::unique_ptr<ASN1_INTEGER, OpenSslDeleter<ASN1_INTEGER_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, OpenSslDeleter<BN_free>>;
using SslCtxPtr = std::unique_ptr<SSL_CTX, OpenSslDeleter<SSL_CTX_free>>;
using SslPtr = std::unique_ptr<SSL, OpenSslDeleter<SSL_free>>;

// Drains this thread's OpenSSL error queue into one line ("" when empty).
std::string OpenSslErrors();

// SHA-1 of the DER certificate as 40 upper-case hex digits, no separators:
// the "Thumbprint" Windows shows.
std::string Sha1Thumbprint(const X509* cert);
// SHA-256 of the DER certificate, upper-case hex pairs joined by ':'.
std::string Sha256Fingerprint(const X509* cert);

// A thumbprint as typed by a user (any case, spaces or ':' between digits)
// in the canonical form; "" when it is not 40 hex digits.
std::string NormalizeThumbprint(std::string_view text);

// RFC 2253 form of a name ("CN=host,O=wsmand").
std::string NameToString(const X509_NAME* name);
// The subject's last commonName, "" if none.
std::string SubjectCommonName(const X509* cert);
// userPrincipalName values (otherName 1.3.6.1.4.1.311.20.2.3) in the
// subject alternative names.
std::vector<std::string> UserPrincipalNames(const X509* cert);
// Subject alternative names as text: "DNS:host", "IP:127.0.0.1",
// "UPN:user@domain", "email:...".
std::vector<std::string> AltNamesText(const X509* cert);
// notAfter as "YYYY-MM-DD HH:MM:SS UTC".
std::string NotAfterText(const X509* cert);
// True when notAfter is before `now`.
bool IsExpired(const X509* cert, time_t now);

// Reads every certificate of a PEM file (at least one).
base::StatusOr<std::vector<X509Ptr>> LoadCertificates(const std::string& path);
// Reads a PEM private key (unencrypted).
base::StatusOr<EvpPkeyPtr> LoadPrivateKey(const std::string& path);
// The same from PEM text already read (the daemon reads its TLS files with
// the ownership checks of base/file_trust.h); `label` names it in errors.
base::StatusOr<std::vector<X509Ptr>> CertificatesFromPem(
    std::string_view pem, const std::string& label);
base::StatusOr<EvpPkeyPtr> PrivateKeyFromPem(std::string_view pem,
                                             const std::string& label);

// The DER-PEM text of a certificate / private key (PKCS#8).
std::string CertificateToPem(const X509* cert);
std::string PrivateKeyToPem(const EVP_PKEY* key);

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_OPENSSL_UTIL_H_
