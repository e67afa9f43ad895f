// certs/: certificate creation, thumbprints, names, `wsmand cert create`.
#include "certs/cert_create.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "certs/openssl_util.h"
#include "tests/unit/auth_test_util.h"
#include "tests/unit/cert_test_util.h"

namespace wsman::certs {
namespace {

using testing::Into;
using testing::Ok;
using testing::Value;

using auth::testing::TempDir;

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

bool VerifiesAgainst(X509* leaf, X509* ca) {
  X509StorePtr store(X509_STORE_new());
  X509_STORE_add_cert(store.get(), ca);
  X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  X509_STORE_CTX_init(ctx.get(), store.get(), leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_SERVER);
  return X509_verify_cert(ctx.get()) == 1;
}

CreateOptions Options(const TempDir& dir) {
  CreateOptions o;
  o.out_dir = dir.File("pki");
  o.hostnames = {"host.example.com", "alias"};
  o.key_type = "ecdsa";  // fast; rsa is the default
  return o;
}

TEST(CertCreate, WritesCaServerCertAndPrivateKeysWithMode0600) {
  TempDir dir;
  CreatedCertificate created;
  std::string error;
  ASSERT_TRUE(Ok(CreateServerCertificate(Options(dir), &created), &error))
      << error;
  EXPECT_FALSE(created.reused_ca);
  EXPECT_EQ(ModeOf(dir.File("pki")), 0700u);
  EXPECT_EQ(ModeOf(created.key_path), 0600u);
  EXPECT_EQ(ModeOf(created.ca_key_path), 0600u);
  EXPECT_EQ(ModeOf(created.cert_path), 0644u);

  std::vector<X509Ptr> certs, cas;
  ASSERT_TRUE(Into(LoadCertificates(created.cert_path), &certs, &error))
      << error;
  ASSERT_TRUE(Into(LoadCertificates(created.ca_cert_path), &cas, &error))
      << error;
  EvpPkeyPtr key = Value(LoadPrivateKey(created.key_path), &error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(X509_check_private_key(certs[0].get(), key.get()), 1);
  EXPECT_TRUE(VerifiesAgainst(certs[0].get(), cas[0].get()));
  EXPECT_EQ(SubjectCommonName(certs[0].get()), "host.example.com");
}

TEST(CertCreate, SubjectAltNamesHoldNamesLoopbackAndLocalAddresses) {
  TempDir dir;
  CreatedCertificate created;
  std::string error;
  ASSERT_TRUE(Ok(CreateServerCertificate(Options(dir), &created), &error));
  std::vector<std::string> names = AltNamesText(created.cert.get());
  EXPECT_TRUE(Contains(names, "DNS:host.example.com"));
  EXPECT_TRUE(Contains(names, "DNS:alias"));
  EXPECT_TRUE(Contains(names, "DNS:localhost"));
  EXPECT_TRUE(Contains(names, "IP:127.0.0.1"));
  EXPECT_TRUE(Contains(names, "IP:0:0:0:0:0:0:0:1"));
  for (const std::string& address : LocalAddresses()) {
    EXPECT_EQ(X509_check_ip_asc(created.cert.get(), address.c_str(), 0), 1)
        << address;
  }
  EXPECT_EQ(
      X509_check_host(created.cert.get(), "host.example.com", 0, 0, nullptr),
      1);
}

TEST(CertCreate, ServerCertificateHasServerAuthAndIsNoCa) {
  TempDir dir;
  CreatedCertificate created;
  std::string error;
  ASSERT_TRUE(Ok(CreateServerCertificate(Options(dir), &created), &error));
  X509* cert = created.cert.get();
  EXPECT_EQ(X509_check_purpose(cert, X509_PURPOSE_SSL_SERVER, 0), 1);
  EXPECT_EQ(X509_check_ca(cert), 0);
  EXPECT_TRUE(X509_get_extended_key_usage(cert) & XKU_SSL_SERVER);
  EXPECT_FALSE(X509_get_extended_key_usage(cert) & XKU_SSL_CLIENT);
  EXPECT_NE(X509_check_ca(created.ca.get()), 0);
}

TEST(CertCreate, RefusesToOverwriteWithoutForceAndReusesTheCa) {
  TempDir dir;
  CreatedCertificate first, second, third;
  std::string error;
  ASSERT_TRUE(Ok(CreateServerCertificate(Options(dir), &first), &error));
  EXPECT_FALSE(Ok(CreateServerCertificate(Options(dir), &second), &error));
  EXPECT_NE(error.find("--force"), std::string::npos) << error;
  CreateOptions force = Options(dir);
  force.force = true;
  ASSERT_TRUE(Ok(CreateServerCertificate(force, &third), &error)) << error;
  EXPECT_TRUE(third.reused_ca);
  EXPECT_EQ(Sha1Thumbprint(third.ca.get()), Sha1Thumbprint(first.ca.get()));
  EXPECT_NE(Sha1Thumbprint(third.cert.get()), Sha1Thumbprint(first.cert.get()));
  EXPECT_TRUE(VerifiesAgainst(third.cert.get(), first.ca.get()));
}

TEST(CertCreate, RsaIsTheDefaultKeyType) {
  TempDir dir;
  CreateOptions o = Options(dir);
  o.key_type = CreateOptions().key_type;
  CreatedCertificate created;
  std::string error;
  ASSERT_TRUE(Ok(CreateServerCertificate(o, &created), &error)) << error;
  EVP_PKEY* key = X509_get0_pubkey(created.cert.get());
  EXPECT_TRUE(EVP_PKEY_is_a(key, "RSA"));
  EXPECT_EQ(EVP_PKEY_get_bits(key), 3072);
}

TEST(CertCreate, ValidatesOptions) {
  std::string error;
  CreateOptions o;
  EXPECT_FALSE(Ok(ValidateCreateOptions(o), &error));  // no directory
  o.out_dir = "/tmp/x";
  EXPECT_TRUE(Ok(ValidateCreateOptions(o), &error));
  o.days = 0;
  EXPECT_FALSE(Ok(ValidateCreateOptions(o), &error));
  o.days = 30;
  o.key_type = "dsa";
  EXPECT_FALSE(Ok(ValidateCreateOptions(o), &error));
  o.key_type = "ecdsa";
  o.hostnames = {"bad name,DNS:evil"};
  EXPECT_FALSE(Ok(ValidateCreateOptions(o), &error));
  o.hostnames = {"*.example.com", "under_score.local"};
  EXPECT_TRUE(Ok(ValidateCreateOptions(o), &error)) << error;
}

TEST(CertCreate, RunPrintsThumbprintAndFingerprint) {
  TempDir dir;
  std::ostringstream out, err;
  ASSERT_EQ(RunCertCreate(Options(dir), out, err), 0) << err.str();
  std::vector<X509Ptr> certs;
  std::string error;
  ASSERT_TRUE(
      Into(LoadCertificates(dir.File("pki/server.pem")), &certs, &error));
  std::string text = out.str();
  EXPECT_NE(
      text.find("Thumbprint (SHA-1):   " + Sha1Thumbprint(certs[0].get())),
      std::string::npos)
      << text;
  EXPECT_NE(
      text.find("SHA-256 fingerprint:  " + Sha256Fingerprint(certs[0].get())),
      std::string::npos);
  std::ostringstream out2, err2;
  EXPECT_EQ(RunCertCreate(Options(dir), out2, err2), 1);  // exists
  CreateOptions bad = Options(dir);
  bad.days = -1;
  EXPECT_EQ(RunCertCreate(bad, out2, err2), 2);
}

TEST(CertThumbprint, FormsAndNormalization) {
  EvpPkeyPtr key = Value(GenerateKey("ecdsa"), nullptr);
  ASSERT_TRUE(key);
  CertSpec spec;
  spec.common_name = "x";
  std::string error;
  X509Ptr cert =
      Value(IssueCertificate(spec, key.get(), nullptr, nullptr), &error);
  ASSERT_TRUE(cert) << error;
  std::string sha1 = Sha1Thumbprint(cert.get());
  ASSERT_EQ(sha1.size(), 40u);
  EXPECT_EQ(sha1.find_first_not_of("0123456789ABCDEF"), std::string::npos);
  std::string sha256 = Sha256Fingerprint(cert.get());
  EXPECT_EQ(sha256.size(), 32u * 3 - 1);
  EXPECT_EQ(sha256[2], ':');

  std::string lower = sha1;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  EXPECT_EQ(NormalizeThumbprint(lower), sha1);
  std::string spaced;
  for (size_t i = 0; i < sha1.size(); i += 2) {
    spaced += sha1.substr(i, 2) + (i + 2 < sha1.size() ? " " : "");
  }
  EXPECT_EQ(NormalizeThumbprint(spaced), sha1);
  EXPECT_EQ(NormalizeThumbprint(sha1.substr(1)), "");
  EXPECT_EQ(NormalizeThumbprint(sha1.substr(1) + "G"), "");
}

TEST(CertNames, UpnSubjectAltNamesAreReadBack) {
  EvpPkeyPtr key = Value(GenerateKey("ecdsa"), nullptr);
  CertSpec spec;
  spec.common_name = "Alice Smith";
  spec.upns = {"alice@example.com"};
  spec.client_auth = true;
  std::string error;
  X509Ptr cert =
      Value(IssueCertificate(spec, key.get(), nullptr, nullptr), &error);
  ASSERT_TRUE(cert) << error;
  EXPECT_EQ(UserPrincipalNames(cert.get()),
            std::vector<std::string>{"alice@example.com"});
  EXPECT_EQ(SubjectCommonName(cert.get()), "Alice Smith");
  EXPECT_TRUE(Contains(AltNamesText(cert.get()), "UPN:alice@example.com"));
  spec.upns = {"a,b"};
  EXPECT_FALSE(
      Value(IssueCertificate(spec, key.get(), nullptr, nullptr), &error));
}

TEST(CertLoad, ReportsMissingAndEncryptedFiles) {
  TempDir dir;
  std::vector<X509Ptr> certs;
  std::string error;
  EXPECT_FALSE(Into(LoadCertificates(dir.File("none.pem")), &certs, &error));
  EXPECT_NE(error.find("none.pem"), std::string::npos);
  EXPECT_FALSE(Value(LoadPrivateKey(dir.File("none.pem")), &error));
  FILE* f = std::fopen(dir.File("junk.pem").c_str(), "w");
  std::fputs("not pem\n", f);
  std::fclose(f);
  EXPECT_FALSE(Into(LoadCertificates(dir.File("junk.pem")), &certs, &error));
  EXPECT_NE(error.find("no PEM certificate"), std::string::npos);
}

}  // namespace
}  // namespace wsman::certs
