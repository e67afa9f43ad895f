// The server's TLS configuration as one shared SSL_CTX: certificate, key
// and chain from PEM files, TLS 1.2+ only, a modern cipher list, optional
// client certificates. TlsContextHolder swaps a new context in atomically
// (SIGHUP); connections keep the context they started with, because
// SSL_new() takes its own reference.
#ifndef WSMAND_CERTS_TLS_CONTEXT_H_
#define WSMAND_CERTS_TLS_CONTEXT_H_

#include <openssl/ssl.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

#include "base/snapshot.h"
#include "base/status.h"

namespace wsman::certs {

// TLS 1.2 suites: forward secrecy and AEAD only.
inline constexpr char kDefaultCiphers[] = "ECDHE+AESGCM:ECDHE+CHACHA20";
// TLS 1.3 suites.
inline constexpr char kDefaultCipherSuites[] =
    "TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"
    "TLS_AES_128_GCM_SHA256";

struct TlsSettings {
  std::string certificate;   // PEM: the server certificate, then optionally
                             // its chain
  std::string private_key;   // PEM, unencrypted
  std::string chain;         // PEM intermediates ("" = none)
  std::string ciphers;       // "" = kDefaultCiphers
  std::string ciphersuites;  // "" = kDefaultCipherSuites
  std::string min_version = "1.2";  // "1.2" or "1.3"
  std::string client_ca;  // PEM bundle; "" = no client certificates asked
};

// "1.2" / "1.3" (also "TLSv1.2", "TLSv1.3") to TLS1_2_VERSION /
// TLS1_3_VERSION; 1.0 and 1.1 are refused.
base::StatusOr<int> ParseTlsVersion(std::string_view text);

// Checks what can be checked without reading files.
base::Status ValidateTlsSettings(const TlsSettings& settings);

// What was loaded, for the log.
struct ServerCertificateInfo {
  std::string subject;
  std::string thumbprint;  // SHA-1
  std::string not_after;
  bool expired = false;
};

// Reads every file of `settings` only after the ownership checks of
// base/file_trust.h (root-owned, or the daemon user's, and not writable by
// group or others, nor any directory above it); a refused file is an error
// naming it and the fix.
base::StatusOr<std::shared_ptr<SSL_CTX>> BuildServerContext(
    const TlsSettings& settings, ServerCertificateInfo* info);

class TlsContextHolder {
 public:
  // Builds a context from `settings` and swaps it in; on error the current
  // one stays and the error is returned.
  base::Status Load(const TlsSettings& settings, ServerCertificateInfo* info);
  std::shared_ptr<SSL_CTX> Get() const { return ctx_.Load(); }
  bool client_certificates() const { return client_certs_.load(); }

 private:
  base::Snapshot<SSL_CTX> ctx_;
  std::atomic<bool> client_certs_{false};
};

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_TLS_CONTEXT_H_
