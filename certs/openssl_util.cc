#include "certs/openssl_util.h"

#include <openssl/err.h>
#include <openssl/pem.h>

#include <cctype>
#include <cstdio>

namespace wsman::certs {
namespace {

constexpr char kHex[] = "0123456789ABCDEF";
// userPrincipalName (Microsoft): the UPN otherName in subjectAltName.
constexpr char kUpnOid[] = "1.3.6.1.4.1.311.20.2.3";

std::string Digest(const X509* cert, const EVP_MD* md, bool colons) {
  unsigned char buf[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (cert == nullptr || X509_digest(cert, md, buf, &len) != 1) return "";
  std::string out;
  for (unsigned int i = 0; i < len; ++i) {
    if (colons && i > 0) out.push_back(':');
    out.push_back(kHex[buf[i] >> 4]);
    out.push_back(kHex[buf[i] & 15]);
  }
  return out;
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return n > 0 ? std::string(data, static_cast<size_t>(n)) : std::string();
}

std::string Asn1String(const ASN1_STRING* s) {
  if (s == nullptr) return "";
  unsigned char* utf8 = nullptr;
  int n = ASN1_STRING_to_UTF8(&utf8, s);
  if (n < 0) return "";
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(n));
  OPENSSL_free(utf8);
  return out;
}

GeneralNamesPtr AltNames(const X509* cert) {
  return GeneralNamesPtr(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr)));
}

bool IsUpn(const OTHERNAME* other) {
  char oid[64];
  if (OBJ_obj2txt(oid, sizeof oid, other->type_id, 1) <= 0) return false;
  return std::string_view(oid) == kUpnOid;
}

std::string IpText(const ASN1_OCTET_STRING* ip) {
  char buf[64] = {0};
  const unsigned char* d = ASN1_STRING_get0_data(ip);
  int len = ASN1_STRING_length(ip);
  if (len == 4) {
    std::snprintf(buf, sizeof buf, "%d.%d.%d.%d", d[0], d[1], d[2], d[3]);
    return buf;
  }
  if (len == 16) {
    // Plain hex groups; "::" compression is cosmetic.
    std::string out;
    for (int i = 0; i < 16; i += 2) {
      if (i > 0) out.push_back(':');
      std::snprintf(buf, sizeof buf, "%x", (d[i] << 8) | d[i + 1]);
      out += buf;
    }
    return out;
  }
  return "?";
}

}  // namespace

std::string OpenSslErrors() {
  std::string out;
  unsigned long code;
  while ((code = ERR_get_error()) != 0) {
    char buf[256];
    ERR_error_string_n(code, buf, sizeof buf);
    if (!out.empty()) out += "; ";
    out += buf;
  }
  return out;
}

std::string Sha1Thumbprint(const X509* cert) {
  return Digest(cert, EVP_sha1(), false);
}

std::string Sha256Fingerprint(const X509* cert) {
  return Digest(cert, EVP_sha256(), true);
}

std::string NormalizeThumbprint(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == ' ' || c == ':' || c == '\t') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) return "";
    out.push_back(
        static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  return out.size() == 40 ? out : "";
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || name == nullptr) return "";
  X509_NAME_print_ex(bio.get(), name, 0,
                     XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB);
  return BioText(bio.get());
}

std::string SubjectCommonName(const X509* cert) {
  const X509_NAME* name = X509_get_subject_name(cert);
  int last = -1;
  for (int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1); i >= 0;
       i = X509_NAME_get_index_by_NID(name, NID_commonName, i)) {
    last = i;
  }
  if (last < 0) return "";
  return Asn1String(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last)));
}

std::vector<std::string> UserPrincipalNames(const X509* cert) {
  std::vector<std::string> out;
  GeneralNamesPtr names = AltNames(cert);
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != GEN_OTHERNAME || !IsUpn(gn->d.otherName)) continue;
    const ASN1_TYPE* value = gn->d.otherName->value;
    if (value != nullptr && value->type == V_ASN1_UTF8STRING) {
      out.push_back(Asn1String(value->value.utf8string));
    }
  }
  return out;
}

std::vector<std::string> AltNamesText(const X509* cert) {
  std::vector<std::string> out;
  GeneralNamesPtr names = AltNames(cert);
  if (!names) return out;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    switch (gn->type) {
      case GEN_DNS:
        out.push_back("DNS:" + Asn1String(gn->d.dNSName));
        break;
      case GEN_IPADD:
        out.push_back("IP:" + IpText(gn->d.iPAddress));
        break;
      case GEN_EMAIL:
        out.push_back("email:" + Asn1String(gn->d.rfc822Name));
        break;
      case GEN_OTHERNAME:
        if (IsUpn(gn->d.otherName) && gn->d.otherName->value != nullptr &&
            gn->d.otherName->value->type == V_ASN1_UTF8STRING) {
          out.push_back("UPN:" +
                        Asn1String(gn->d.otherName->value->value.utf8string));
        }
        break;
      default:
        break;
    }
  }
  return out;
}

std::string NotAfterText(const X509* cert) {
  struct tm tm {};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return "?";
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

bool IsExpired(const X509* cert, time_t now) {
  return X509_cmp_time(X509_get0_notAfter(cert), &now) < 0;
}

namespace {

base::StatusOr<std::vector<X509Ptr>> ReadCertificates(
    BIO* bio, const std::string& label) {
  std::vector<X509Ptr> out;
  for (;;) {
    X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr);
    if (cert == nullptr) break;
    out.emplace_back(cert);
  }
  // The loop ends with a "no start line" error at the end of the file.
  ERR_clear_error();
  if (out.empty()) {
    return base::Status::InvalidArgument(label + ": no PEM certificate found");
  }
  return out;
}

base::StatusOr<EvpPkeyPtr> ReadPrivateKey(BIO* bio, const std::string& label) {
  // An empty passphrase callback: encrypted keys are refused, not prompted.
  EvpPkeyPtr key(PEM_read_bio_PrivateKey(
      bio, nullptr, [](char*, int, int, void*) { return 0; }, nullptr));
  if (!key) {
    std::string why = OpenSslErrors();
    return base::Status::InvalidArgument(
        label +
        ": no usable PEM private key (encrypted keys are not supported)" +
        (why.empty() ? "" : ": " + why));
  }
  return key;
}

BioPtr MemoryBio(std::string_view pem) {
  return BioPtr(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

}  // namespace

base::StatusOr<std::vector<X509Ptr>> LoadCertificates(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    return base::Status::IoError(path + ": cannot open");
  }
  return ReadCertificates(bio.get(), path);
}

base::StatusOr<EvpPkeyPtr> LoadPrivateKey(const std::string& path) {
  BioPtr bio(BIO_new_file(path.c_str(), "r"));
  if (!bio) {
    ERR_clear_error();
    return base::Status::IoError(path + ": cannot open");
  }
  return ReadPrivateKey(bio.get(), path);
}

base::StatusOr<std::vector<X509Ptr>> CertificatesFromPem(
    std::string_view pem, const std::string& label) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return base::Status::Internal(label + ": out of memory");
  return ReadCertificates(bio.get(), label);
}

base::StatusOr<EvpPkeyPtr> PrivateKeyFromPem(std::string_view pem,
                                             const std::string& label) {
  BioPtr bio = MemoryBio(pem);
  if (!bio) return base::Status::Internal(label + ": out of memory");
  return ReadPrivateKey(bio.get(), label);
}

std::string CertificateToPem(const X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) return "";
  return BioText(bio.get());
}

std::string PrivateKeyToPem(const EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0,
                                       nullptr, nullptr) != 1) {
    return "";
  }
  return BioText(bio.get());
}

}  // namespace wsman::certs
