#include "certs/cert_create.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/rand.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <ostream>

#include "base/file_util.h"

namespace wsman::certs {

namespace {

// Host names go into an OpenSSL extension string: allow DNS characters only
// (and a leading "*." for wildcards).
bool ValidHostName(std::string_view name) {
  if (name.empty() || name.size() > 253) return false;
  if (name.starts_with("*.")) name.remove_prefix(2);
  for (char c : name) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' ||
          c == '_')) {
      return false;
    }
  }
  return true;
}

bool IsIpLiteral(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 ||
         inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

bool AddExtension(X509* cert, const X509* issuer, int nid,
                  const std::string& value, std::string* error) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, const_cast<X509*>(issuer ? issuer : cert), cert, nullptr,
                 nullptr, 0);
  X509ExtensionPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    *error = std::string("cannot add ") + OBJ_nid2sn(nid) + " \"" + value +
             "\": " + OpenSslErrors();
    return false;
  }
  return true;
}

bool RandomSerial(X509* cert) {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) return false;
  raw[0] &= 0x7f;  // positive
  raw[0] |= 0x01;  // and never short
  BignumPtr bn(BN_bin2bn(raw, sizeof raw, nullptr));
  if (!bn) return false;
  AsnIntegerPtr serial(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  return serial && X509_set_serialNumber(cert, serial.get()) == 1;
}

std::string HostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
    return "localhost";
  }
  return buf;
}

base::Status MakeDirectory(const std::string& dir) {
  std::string partial;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = dir.find('/', pos + 1);
    partial = dir.substr(0, pos);
    if (partial.empty()) continue;
    if (::mkdir(partial.c_str(), 0700) != 0 && errno != EEXIST) {
      return base::Status::IoError(
          partial + ": cannot create directory: " + std::strerror(errno));
    }
  }
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return base::Status::IoError(dir + ": not a directory");
  }
  return base::Status::Ok();
}

// Writes one created file; any failure (a refused symbolic link too) is
// kIoError, as CreateServerCertificate has always answered.
base::Status WriteCreated(const std::string& path, const std::string& content,
                          mode_t mode) {
  base::Status written = base::WriteFileAtomic(path, content, mode);
  if (!written.ok()) return base::Status::IoError(written.message());
  return written;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

std::string Join(const std::vector<std::string>& v, const char* sep) {
  std::string out;
  for (const auto& s : v) {
    if (!out.empty()) out += sep;
    out += s;
  }
  return out;
}

void Describe(const X509* cert, std::ostream& out) {
  out << "  Subject:              " << NameToString(X509_get_subject_name(cert))
      << "\n"
      << "  Issuer:               " << NameToString(X509_get_issuer_name(cert))
      << "\n";
  std::vector<std::string> names = AltNamesText(cert);
  if (!names.empty()) {
    out << "  Names:                " << Join(names, ", ") << "\n";
  }
  out << "  Valid until:          " << NotAfterText(cert)
      << (IsExpired(cert, std::time(nullptr)) ? " (EXPIRED)" : "") << "\n"
      << "  Thumbprint (SHA-1):   " << Sha1Thumbprint(cert) << "\n"
      << "  SHA-256 fingerprint:  " << Sha256Fingerprint(cert) << "\n";
}

}  // namespace

base::StatusOr<EvpPkeyPtr> GenerateKey(std::string_view key_type) {
  EvpPkeyPtr key;
  if (key_type == "rsa") {
    key.reset(EVP_RSA_gen(3072));
  } else if (key_type == "ecdsa") {
    key.reset(EVP_EC_gen("P-256"));
  } else {
    return base::Status::InvalidArgument(
        "key type must be rsa or ecdsa, not \"" + std::string(key_type) + "\"");
  }
  if (!key) {
    return base::Status::Internal("key generation failed: " + OpenSslErrors());
  }
  return key;
}

base::StatusOr<X509Ptr> IssueCertificate(const CertSpec& spec,
                                         EVP_PKEY* subject_key,
                                         const X509* issuer,
                                         EVP_PKEY* issuer_key) {
  std::string why;  // AddExtension's reason
  X509Ptr cert(X509_new());
  if (!cert || X509_set_version(cert.get(), 2) != 1 ||
      !RandomSerial(cert.get())) {
    return base::Status::Internal("cannot create a certificate: " +
                                  OpenSslErrors());
  }
  X509_gmtime_adj(X509_getm_notBefore(cert.get()),
                  spec.not_before_offset_seconds);
  X509_time_adj_ex(X509_getm_notAfter(cert.get()), spec.days,
                   spec.not_before_offset_seconds, nullptr);
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn = spec.common_name.substr(0, 64);
  if (X509_NAME_add_entry_by_NID(
          name, NID_commonName, MBSTRING_UTF8,
          reinterpret_cast<const unsigned char*>(cn.c_str()), -1, -1, 0) != 1) {
    return base::Status::InvalidArgument("bad common name: " + OpenSslErrors());
  }
  X509_set_issuer_name(cert.get(),
                       issuer ? X509_get_subject_name(issuer) : name);
  X509_set_pubkey(cert.get(), subject_key);

  const X509* signer = issuer ? issuer : cert.get();
  bool rsa = EVP_PKEY_is_a(subject_key, "RSA");
  if (!AddExtension(
          cert.get(), signer, NID_basic_constraints,
          spec.is_ca ? "critical,CA:TRUE,pathlen:0" : "critical,CA:FALSE",
          &why) ||
      !AddExtension(cert.get(), signer, NID_key_usage,
                    spec.is_ca ? "critical,keyCertSign,cRLSign"
                    : rsa      ? "critical,digitalSignature,keyEncipherment"
                               : "critical,digitalSignature",
                    &why) ||
      !AddExtension(cert.get(), signer, NID_subject_key_identifier, "hash",
                    &why)) {
    return base::Status::InvalidArgument(why);
  }
  if (issuer != nullptr &&
      !AddExtension(cert.get(), signer, NID_authority_key_identifier,
                    "keyid:always", &why)) {
    return base::Status::InvalidArgument(why);
  }
  std::vector<std::string> eku;
  if (spec.server_auth) eku.push_back("serverAuth");
  if (spec.client_auth) eku.push_back("clientAuth");
  if (!eku.empty() && !AddExtension(cert.get(), signer, NID_ext_key_usage,
                                    Join(eku, ","), &why)) {
    return base::Status::InvalidArgument(why);
  }
  std::vector<std::string> san;
  for (const auto& dns : spec.dns_names) {
    if (!ValidHostName(dns)) {
      return base::Status::InvalidArgument("not a valid host name: \"" + dns +
                                           "\"");
    }
    san.push_back("DNS:" + dns);
  }
  for (const auto& ip : spec.ip_addresses) {
    if (!IsIpLiteral(ip)) {
      return base::Status::InvalidArgument("not an IP address: \"" + ip + "\"");
    }
    san.push_back("IP:" + ip);
  }
  for (const auto& upn : spec.upns) {
    if (upn.empty() ||
        upn.find_first_of(",;\"\\ \t\r\n") != std::string::npos) {
      return base::Status::InvalidArgument(
          "not a valid user principal name: \"" + upn + "\"");
    }
    san.push_back("otherName:1.3.6.1.4.1.311.20.2.3;UTF8:" + upn);
  }
  if (!san.empty() && !AddExtension(cert.get(), signer, NID_subject_alt_name,
                                    Join(san, ","), &why)) {
    return base::Status::InvalidArgument(why);
  }
  if (X509_sign(cert.get(), issuer_key ? issuer_key : subject_key,
                EVP_sha256()) <= 0) {
    return base::Status::Internal("signing failed: " + OpenSslErrors());
  }
  return cert;
}

std::vector<std::string> LocalAddresses() {
  std::vector<std::string> out;
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) == 0) {
    for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) {
      if (i->ifa_addr == nullptr || !(i->ifa_flags & IFF_UP)) continue;
      char buf[INET6_ADDRSTRLEN] = {0};
      if (i->ifa_addr->sa_family == AF_INET) {
        auto* a = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
        inet_ntop(AF_INET, &a->sin_addr, buf, sizeof buf);
      } else if (i->ifa_addr->sa_family == AF_INET6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
        if (IN6_IS_ADDR_LINKLOCAL(&a->sin6_addr)) continue;
        inet_ntop(AF_INET6, &a->sin6_addr, buf, sizeof buf);
      } else {
        continue;
      }
      out.emplace_back(buf);
    }
    ::freeifaddrs(list);
  }
  out.emplace_back("127.0.0.1");
  out.emplace_back("::1");
  std::vector<std::string> unique;
  for (auto& a : out) {
    if (std::find(unique.begin(), unique.end(), a) == unique.end()) {
      unique.push_back(a);
    }
  }
  return unique;
}

base::Status ValidateCreateOptions(const CreateOptions& options) {
  if (options.out_dir.empty()) {
    return base::Status::InvalidArgument("--out-dir is required");
  }
  if (options.days < 1 || options.days > 3650) {
    return base::Status::InvalidArgument("--days must be between 1 and 3650");
  }
  if (options.key_type != "rsa" && options.key_type != "ecdsa") {
    return base::Status::InvalidArgument("--key-type must be rsa or ecdsa");
  }
  for (const auto& h : options.hostnames) {
    if (!ValidHostName(h)) {
      return base::Status::InvalidArgument("not a valid host name: \"" + h +
                                           "\"");
    }
  }
  return base::Status::Ok();
}

base::Status CreateServerCertificate(const CreateOptions& options,
                                     CreatedCertificate* created) {
  if (base::Status valid = ValidateCreateOptions(options); !valid.ok()) {
    return valid;
  }
  std::vector<std::string> hosts = options.hostnames;
  if (hosts.empty()) hosts.push_back(HostName());
  if (std::find(hosts.begin(), hosts.end(), "localhost") == hosts.end()) {
    hosts.push_back("localhost");
  }
  if (base::Status made = MakeDirectory(options.out_dir); !made.ok()) {
    return made;
  }
  const std::string& dir = options.out_dir;
  created->ca_cert_path = dir + "/ca.pem";
  created->ca_key_path = dir + "/ca-key.pem";
  created->cert_path = dir + "/server.pem";
  created->key_path = dir + "/server-key.pem";
  if (!options.force &&
      (Exists(created->cert_path) || Exists(created->key_path))) {
    return base::Status::AlreadyExists(
        created->cert_path +
        " already exists; use --force to replace it (the CA is kept)");
  }

  // The CA: reused when both files are there, so that clients which trust
  // ca.pem keep trusting renewed server certificates.
  EvpPkeyPtr ca_key;
  if (Exists(created->ca_cert_path) && Exists(created->ca_key_path)) {
    base::StatusOr<std::vector<X509Ptr>> certs =
        LoadCertificates(created->ca_cert_path);
    if (!certs.ok()) return certs.status();
    base::StatusOr<EvpPkeyPtr> loaded = LoadPrivateKey(created->ca_key_path);
    if (!loaded.ok()) return loaded.status();
    ca_key = std::move(*loaded);
    if (X509_check_private_key((*certs)[0].get(), ca_key.get()) != 1) {
      ERR_clear_error();
      return base::Status::InvalidArgument(created->ca_key_path +
                                           " does not belong to " +
                                           created->ca_cert_path);
    }
    created->ca = std::move((*certs)[0]);
    created->reused_ca = true;
  } else if (Exists(created->ca_cert_path) && !options.force) {
    return base::Status::AlreadyExists(
        created->ca_cert_path + " exists without " + created->ca_key_path +
        "; use --force to create a new CA");
  } else {
    base::StatusOr<EvpPkeyPtr> generated = GenerateKey(options.key_type);
    if (!generated.ok()) return generated.status();
    ca_key = std::move(*generated);
    CertSpec ca_spec;
    ca_spec.common_name = "wsmand CA " + hosts[0];
    ca_spec.is_ca = true;
    ca_spec.days = 3650;
    base::StatusOr<X509Ptr> ca =
        IssueCertificate(ca_spec, ca_key.get(), nullptr, nullptr);
    if (!ca.ok()) return ca.status();
    created->ca = std::move(*ca);
  }

  base::StatusOr<EvpPkeyPtr> key = GenerateKey(options.key_type);
  if (!key.ok()) return key.status();
  CertSpec spec;
  spec.common_name = hosts[0];
  spec.dns_names = hosts;
  spec.ip_addresses = LocalAddresses();
  spec.server_auth = true;
  spec.days = options.days;
  base::StatusOr<X509Ptr> cert =
      IssueCertificate(spec, key->get(), created->ca.get(), ca_key.get());
  if (!cert.ok()) return cert.status();
  created->cert = std::move(*cert);

  if (!created->reused_ca) {
    if (base::Status s = WriteCreated(created->ca_key_path,
                                      PrivateKeyToPem(ca_key.get()), 0600);
        !s.ok()) {
      return s;
    }
    if (base::Status s = WriteCreated(
            created->ca_cert_path, CertificateToPem(created->ca.get()), 0644);
        !s.ok()) {
      return s;
    }
  }
  if (base::Status s =
          WriteCreated(created->key_path, PrivateKeyToPem(key->get()), 0600);
      !s.ok()) {
    return s;
  }
  return WriteCreated(created->cert_path, CertificateToPem(created->cert.get()),
                      0644);
}

int RunCertCreate(const CreateOptions& options, std::ostream& out,
                  std::ostream& err) {
  CreatedCertificate created;
  if (base::Status valid = ValidateCreateOptions(options); !valid.ok()) {
    err << "wsmand: " << valid.message() << "\n";
    return 2;
  }
  if (base::Status made = CreateServerCertificate(options, &created);
      !made.ok()) {
    err << "wsmand: " << made.message() << "\n";
    return 1;
  }
  out << "Server certificate: " << created.cert_path << "\n"
      << "Private key:        " << created.key_path << " (mode 0600)\n";
  Describe(created.cert.get(), out);
  out << (created.reused_ca ? "Issued by the existing CA: "
                            : "Issued by a new CA:        ")
      << created.ca_cert_path << " (key " << created.ca_key_path
      << ", mode 0600)\n"
      << "  CA thumbprint (SHA-1): " << Sha1Thumbprint(created.ca.get()) << "\n"
      << "Clients trust " << created.ca_cert_path
      << " (curl --cacert, pywinrm ca_trust_path). Serve with:\n"
      << "  wsmand --listen https://0.0.0.0:5986 --tls-cert "
      << created.cert_path << " --tls-key " << created.key_path << "\n";
  return 0;
}

int RunCertShow(const std::string& path, std::ostream& out, std::ostream& err) {
  base::StatusOr<std::vector<X509Ptr>> certs = LoadCertificates(path);
  if (!certs.ok()) {
    err << "wsmand: " << certs.message() << "\n";
    return 1;
  }
  for (size_t i = 0; i < certs->size(); ++i) {
    out << path << " [" << i << "]\n";
    Describe((*certs)[i].get(), out);
  }
  return 0;
}

}  // namespace wsman::certs
