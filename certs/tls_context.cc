#include "certs/tls_context.h"

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>

#include <ctime>
#include <vector>

#include "base/file_trust.h"
#include "certs/openssl_util.h"

namespace wsman::certs {
namespace {

// Client certificates are verified during the handshake, but a failure does
// not abort it: the HTTP layer answers 401 (as WinRM does) and Basic still
// works on the same connection. ClientCertInfo carries the result.
int AcceptAndRecord(int /*preverify_ok*/, X509_STORE_CTX* /*ctx*/) { return 1; }

constexpr unsigned char kSessionIdContext[] = "wsmand";

// The daemon's TLS files are read after the ownership checks of
// base/file_trust.h (a key or client CA others could replace would hand out
// the server's identity or its logins), then parsed from memory.
base::StatusOr<std::vector<X509Ptr>> LoadTrustedCertificates(
    const std::string& path) {
  base::StatusOr<std::string> pem = base::ReadTrustedFile(path);
  if (!pem.ok()) return std::move(pem).status();
  return CertificatesFromPem(*pem, path);
}

base::StatusOr<EvpPkeyPtr> LoadTrustedPrivateKey(const std::string& path) {
  base::StatusOr<std::string> pem = base::ReadTrustedFile(path);
  if (!pem.ok()) return std::move(pem).status();
  base::StatusOr<EvpPkeyPtr> key = PrivateKeyFromPem(*pem, path);
  OPENSSL_cleanse(pem->data(), pem->size());
  return key;
}

// Every certificate (and CRL) of the client CA bundle goes into the
// verification store, and each certificate's subject into the list of CA
// names sent in the CertificateRequest, as SSL_CTX_load_verify_locations and
// SSL_load_client_CA_file would do from the path.
bool LoadClientCa(SSL_CTX* ctx, const std::string& path, std::string* error) {
  base::StatusOr<std::string> pem = base::ReadTrustedFile(path);
  if (!pem.ok()) {
    *error = pem.message();
    return false;
  }
  BioPtr bio(BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())));
  STACK_OF(X509_INFO)* infos =
      bio ? PEM_X509_INFO_read_bio(bio.get(), nullptr, nullptr, nullptr)
          : nullptr;
  ERR_clear_error();
  if (infos == nullptr) {
    *error = path + ": cannot load the client CA bundle";
    return false;
  }
  X509_STORE* store = SSL_CTX_get_cert_store(ctx);
  int cas = 0;
  bool ok = true;
  for (int i = 0; i < sk_X509_INFO_num(infos) && ok; ++i) {
    X509_INFO* info = sk_X509_INFO_value(infos, i);
    if (info->x509 != nullptr) {
      ok = X509_STORE_add_cert(store, info->x509) == 1 &&
           SSL_CTX_add_client_CA(ctx, info->x509) == 1;
      ++cas;
    }
    if (ok && info->crl != nullptr) {
      ok = X509_STORE_add_crl(store, info->crl) == 1;
    }
  }
  sk_X509_INFO_pop_free(infos, X509_INFO_free);
  if (!ok) {
    *error = path + ": cannot load the client CA bundle: " + OpenSslErrors();
    return false;
  }
  if (cas == 0) {
    *error = path + ": no CA certificate found";
    return false;
  }
  return true;
}

}  // namespace

base::StatusOr<int> ParseTlsVersion(std::string_view text) {
  if (text.starts_with("TLSv")) text.remove_prefix(4);
  if (text == "1.2") return TLS1_2_VERSION;
  if (text == "1.3") return TLS1_3_VERSION;
  if (text == "1.0" || text == "1.1" || text == "1") {
    return base::Status::InvalidArgument(
        "TLS " + std::string(text) +
        " is not supported; min_version must be 1.2 or 1.3");
  }
  return base::Status::InvalidArgument(
      "min_version must be 1.2 or 1.3, not \"" + std::string(text) + "\"");
}

base::Status ValidateTlsSettings(const TlsSettings& s) {
  base::StatusOr<int> version = ParseTlsVersion(s.min_version);
  if (!version.ok()) return version.status();
  if (s.certificate.empty() || s.private_key.empty()) {
    return base::Status::InvalidArgument(
        "https listeners need [tls] certificate and private_key (--tls-cert, "
        "--tls-key; `wsmand cert create` makes them)");
  }
  return base::Status::Ok();
}

namespace {

std::shared_ptr<SSL_CTX> BuildContext(const TlsSettings& s, int min_version,
                                      ServerCertificateInfo* info,
                                      std::string* error) {
  SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
  if (!ctx) {
    *error = "cannot create a TLS context: " + OpenSslErrors();
    return nullptr;
  }
  SSL_CTX_set_min_proto_version(ctx.get(), min_version);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_RENEGOTIATION |
                                     SSL_OP_CIPHER_SERVER_PREFERENCE |
                                     SSL_OP_NO_COMPRESSION);
  // Whole-record writes only (no partial writes): each response goes out
  // with one SSL_write. The buffer may move between retries.
  SSL_CTX_clear_mode(ctx.get(), SSL_MODE_ENABLE_PARTIAL_WRITE);
  SSL_CTX_set_mode(ctx.get(), SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER |
                                  SSL_MODE_RELEASE_BUFFERS);
  // No session resumption: a reload must not be bypassed by an old ticket,
  // and WinRM clients keep their connections alive instead.
  SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
  SSL_CTX_set_num_tickets(ctx.get(), 0);
  SSL_CTX_set_options(ctx.get(), SSL_OP_NO_TICKET);
  SSL_CTX_set_session_id_context(ctx.get(), kSessionIdContext,
                                 sizeof kSessionIdContext - 1);

  const std::string& ciphers = s.ciphers.empty() ? kDefaultCiphers : s.ciphers;
  if (SSL_CTX_set_cipher_list(ctx.get(), ciphers.c_str()) != 1) {
    *error = "[tls] ciphers \"" + ciphers + "\" selects no usable cipher";
    ERR_clear_error();
    return nullptr;
  }
  const std::string& suites =
      s.ciphersuites.empty() ? kDefaultCipherSuites : s.ciphersuites;
  if (SSL_CTX_set_ciphersuites(ctx.get(), suites.c_str()) != 1) {
    *error = "[tls] ciphersuites \"" + suites + "\" is not valid";
    ERR_clear_error();
    return nullptr;
  }

  base::StatusOr<std::vector<X509Ptr>> loaded =
      LoadTrustedCertificates(s.certificate);
  if (!loaded.ok()) {
    *error = loaded.message();
    return nullptr;
  }
  std::vector<X509Ptr> certs = std::move(*loaded);
  base::StatusOr<EvpPkeyPtr> key = LoadTrustedPrivateKey(s.private_key);
  if (!key.ok()) {
    *error = key.message();
    return nullptr;
  }
  if (SSL_CTX_use_certificate(ctx.get(), certs[0].get()) != 1) {
    *error = s.certificate + ": " + OpenSslErrors();
    return nullptr;
  }
  if (SSL_CTX_use_PrivateKey(ctx.get(), key->get()) != 1 ||
      SSL_CTX_check_private_key(ctx.get()) != 1) {
    ERR_clear_error();
    *error = s.private_key + " does not belong to " + s.certificate;
    return nullptr;
  }
  std::vector<X509Ptr> chain;
  if (!s.chain.empty()) {
    base::StatusOr<std::vector<X509Ptr>> extra =
        LoadTrustedCertificates(s.chain);
    if (!extra.ok()) {
      *error = extra.message();
      return nullptr;
    }
    chain = std::move(*extra);
  }
  for (size_t i = 1; i < certs.size(); ++i)
    chain.push_back(std::move(certs[i]));
  for (const X509Ptr& c : chain) {
    if (SSL_CTX_add1_chain_cert(ctx.get(), c.get()) != 1) {
      *error = "cannot add a chain certificate: " + OpenSslErrors();
      return nullptr;
    }
  }

  if (!s.client_ca.empty()) {
    if (!LoadClientCa(ctx.get(), s.client_ca, error)) return nullptr;
    // Ask for a certificate, never require one: Basic and Identify without
    // credentials keep working over HTTPS.
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, AcceptAndRecord);
    SSL_CTX_set_verify_depth(ctx.get(), 8);
  }

  if (info != nullptr) {
    X509* leaf = SSL_CTX_get0_certificate(ctx.get());
    info->subject = NameToString(X509_get_subject_name(leaf));
    info->thumbprint = Sha1Thumbprint(leaf);
    info->not_after = NotAfterText(leaf);
    info->expired = IsExpired(leaf, std::time(nullptr));
  }
  return std::shared_ptr<SSL_CTX>(ctx.release(), SSL_CTX_free);
}

}  // namespace

base::StatusOr<std::shared_ptr<SSL_CTX>> BuildServerContext(
    const TlsSettings& s, ServerCertificateInfo* info) {
  ERR_clear_error();
  if (base::Status valid = ValidateTlsSettings(s); !valid.ok()) return valid;
  std::string error;
  std::shared_ptr<SSL_CTX> ctx =
      BuildContext(s, *ParseTlsVersion(s.min_version), info, &error);
  if (!ctx) return base::Status::InvalidArgument(error);
  return ctx;
}

base::Status TlsContextHolder::Load(const TlsSettings& settings,
                                    ServerCertificateInfo* info) {
  base::StatusOr<std::shared_ptr<SSL_CTX>> ctx =
      BuildServerContext(settings, info);
  if (!ctx.ok()) return ctx.status();
  client_certs_.store(!settings.client_ca.empty());
  ctx_.Store(std::move(*ctx));
  return base::Status::Ok();
}

}  // namespace wsman::certs
