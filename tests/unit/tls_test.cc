// The TLS context (certs/tls_context) and the TLS variant of SocketStream:
// handshake under a deadline, reads, one SSL_write per flush, client
// certificate inspection, context swap.
#include <gtest/gtest.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <thread>

#include "certs/cert_create.h"
#include "certs/client_cert.h"
#include "certs/openssl_util.h"
#include "certs/tls_context.h"
#include "server/config.h"
#include "server/http/socket_stream.h"
#include "tests/unit/auth_test_util.h"
#include "tests/unit/cert_test_util.h"

namespace wsman::certs {
namespace {

using testing::Into;
using testing::Ok;
using testing::Value;

using auth::testing::TempDir;
using server::http::SocketStream;

struct Pki {
  EvpPkeyPtr ca_key, key, other_key;
  X509Ptr ca, server, other;  // other: self-signed, not from the CA
};

void WritePem(const std::string& path, const std::string& pem) {
  std::ofstream(path) << pem;
}

Pki MakePki(const TempDir& dir) {
  Pki p;
  std::string error;
  p.ca_key = Value(GenerateKey("ecdsa"), &error);
  p.key = Value(GenerateKey("ecdsa"), &error);
  p.other_key = Value(GenerateKey("ecdsa"), &error);
  CertSpec ca;
  ca.common_name = "test CA";
  ca.is_ca = true;
  p.ca = Value(IssueCertificate(ca, p.ca_key.get(), nullptr, nullptr), &error);
  CertSpec server;
  server.common_name = "localhost";
  server.dns_names = {"localhost"};
  server.ip_addresses = {"127.0.0.1"};
  server.server_auth = true;
  p.server =
      Value(IssueCertificate(server, p.key.get(), p.ca.get(), p.ca_key.get()),
            &error);
  CertSpec other;
  other.common_name = "other";
  p.other = Value(IssueCertificate(other, p.other_key.get(), nullptr, nullptr),
                  &error);
  EXPECT_TRUE(p.ca && p.server && p.other) << error;
  WritePem(dir.File("ca.pem"), CertificateToPem(p.ca.get()));
  WritePem(dir.File("server.pem"), CertificateToPem(p.server.get()));
  WritePem(dir.File("server-key.pem"), PrivateKeyToPem(p.key.get()));
  WritePem(dir.File("other.pem"), CertificateToPem(p.other.get()));
  WritePem(dir.File("other-key.pem"), PrivateKeyToPem(p.other_key.get()));
  return p;
}

TlsSettings Settings(const TempDir& dir) {
  TlsSettings s;
  s.certificate = dir.File("server.pem");
  s.private_key = dir.File("server-key.pem");
  return s;
}

TEST(TlsVersion, OnlyTls12AndTls13) {
  EXPECT_EQ(ParseTlsVersion("1.2").value(), TLS1_2_VERSION);
  EXPECT_EQ(ParseTlsVersion("TLSv1.3").value(), TLS1_3_VERSION);
  base::StatusOr<int> v = ParseTlsVersion("1.1");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(v.message().find("not supported"), std::string::npos);
  EXPECT_FALSE(ParseTlsVersion("1.0").ok());
  EXPECT_FALSE(ParseTlsVersion("SSLv3").ok());
}

TEST(TlsContext, BuildsAndReportsTheCertificate) {
  TempDir dir;
  Pki pki = MakePki(dir);
  ServerCertificateInfo info;
  std::string error;
  auto ctx_or = BuildServerContext(Settings(dir), &info);
  ASSERT_TRUE(ctx_or.ok()) << ctx_or.message();
  std::shared_ptr<SSL_CTX> ctx = *ctx_or;
  EXPECT_EQ(info.thumbprint, Sha1Thumbprint(pki.server.get()));
  EXPECT_FALSE(info.expired);
  EXPECT_EQ(SSL_CTX_get_min_proto_version(ctx.get()), TLS1_2_VERSION);
  EXPECT_EQ(SSL_CTX_get_mode(ctx.get()) & SSL_MODE_ENABLE_PARTIAL_WRITE, 0);
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_NONE);
  TlsSettings s = Settings(dir);
  s.client_ca = dir.File("ca.pem");
  ctx_or = BuildServerContext(s, &info);
  ASSERT_TRUE(ctx_or.ok()) << ctx_or.message();
  ctx = *ctx_or;
  // Asked for, never required.
  EXPECT_EQ(SSL_CTX_get_verify_mode(ctx.get()), SSL_VERIFY_PEER);
}

TEST(TlsContext, ReportsBadFilesAndSettings) {
  TempDir dir;
  MakePki(dir);
  std::string error;
  auto build = [&](const TlsSettings& settings) {
    auto built = BuildServerContext(settings, nullptr);
    error = built.message();
    return built.ok();
  };
  TlsSettings s = Settings(dir);
  s.private_key = dir.File("other-key.pem");
  EXPECT_FALSE(build(s));
  EXPECT_NE(error.find("does not belong"), std::string::npos) << error;
  s = Settings(dir);
  s.certificate = dir.File("missing.pem");
  EXPECT_FALSE(build(s));
  EXPECT_NE(error.find("missing.pem"), std::string::npos) << error;
  s = Settings(dir);
  s.ciphers = "NO-SUCH-CIPHER";
  EXPECT_FALSE(build(s));
  EXPECT_NE(error.find("ciphers"), std::string::npos) << error;
  s = Settings(dir);
  s.min_version = "1.1";
  EXPECT_FALSE(build(s));
  s = Settings(dir);
  s.client_ca = dir.File("missing-ca.pem");
  EXPECT_FALSE(build(s));
  EXPECT_EQ(ERR_peek_error(), 0u);  // no stale errors left on the thread
}

TEST(TlsContext, HolderSwapsOnSuccessAndKeepsTheOldOneOnError) {
  TempDir dir;
  MakePki(dir);
  TlsContextHolder holder;
  std::string error;
  base::Status loaded = holder.Load(Settings(dir), nullptr);
  ASSERT_TRUE(loaded.ok()) << loaded.message();
  std::shared_ptr<SSL_CTX> first = holder.Get();
  TlsSettings bad = Settings(dir);
  bad.private_key = dir.File("other-key.pem");
  EXPECT_FALSE(holder.Load(bad, nullptr).ok());
  EXPECT_EQ(holder.Get(), first);
  ASSERT_TRUE(holder.Load(Settings(dir), nullptr).ok());
  EXPECT_NE(holder.Get(), first);
  // A connection made on the first context keeps it alive.
  SslPtr ssl(SSL_new(first.get()));
  first.reset();
  EXPECT_NE(SSL_get_SSL_CTX(ssl.get()), nullptr);
}

// A TLS client on one end of a socket pair, driven in a thread.
class TlsPair : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = MakePki(dir_);
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds_), 0);
  }
  void TearDown() override {
    if (client_.joinable()) client_.join();
    if (fds_[0] >= 0) ::close(fds_[0]);
    if (fds_[1] >= 0) ::close(fds_[1]);
  }
  SslCtxPtr ClientContext(bool with_cert) {
    SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx.get()), pki_.ca.get());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    if (with_cert) {
      SSL_CTX_use_certificate(ctx.get(), pki_.other.get());
      SSL_CTX_use_PrivateKey(ctx.get(), pki_.other_key.get());
    }
    return ctx;
  }

  TempDir dir_;
  Pki pki_;
  int fds_[2] = {-1, -1};
  std::thread client_;
  std::atomic<bool> stopping_{false};
};

TEST_F(TlsPair, HandshakeClientCertificateReadAndLargeFlush) {
  TlsSettings s = Settings(dir_);
  s.client_ca = dir_.File("ca.pem");
  std::string error;
  auto server_ctx_or = BuildServerContext(s, nullptr);
  ASSERT_TRUE(server_ctx_or.ok()) << server_ctx_or.message();
  std::shared_ptr<SSL_CTX> server_ctx = *server_ctx_or;
  SslPtr ssl(SSL_new(server_ctx.get()));
  SSL_set_fd(ssl.get(), fds_[0]);

  const std::string big(300 * 1024, 'x');
  std::string received;
  client_ = std::thread([&] {
    SslCtxPtr ctx = ClientContext(/*with_cert=*/true);
    SslPtr c(SSL_new(ctx.get()));
    SSL_set_fd(c.get(), fds_[1]);
    SSL_set1_host(c.get(), "localhost");
    if (SSL_connect(c.get()) != 1) return;
    SSL_write(c.get(), "GET / HTTP/1.1\r\n", 16);
    char buf[65536];
    while (received.size() < big.size() + 5) {
      int n = SSL_read(c.get(), buf, sizeof buf);
      if (n <= 0) break;
      received.append(buf, static_cast<size_t>(n));
    }
  });

  SocketStream stream(fds_[0], std::chrono::seconds(5), &stopping_, ssl.get());
  std::string reason;
  ASSERT_TRUE(stream.Handshake(
      SocketStream::Clock::now() + std::chrono::seconds(5), &reason))
      << reason;
  // The client sent a self-signed certificate: recorded, not verified.
  ClientCertInfo info = InspectClientCertificate(ssl.get());
  EXPECT_TRUE(info.present);
  EXPECT_FALSE(info.verified);
  EXPECT_EQ(info.thumbprint, Sha1Thumbprint(pki_.other.get()));
  EXPECT_FALSE(info.verify_error.empty());

  stream.SetReadDeadline(SocketStream::Clock::now() + std::chrono::seconds(5));
  while (stream.buffered().size() < 16) ASSERT_TRUE(stream.Fill());
  EXPECT_EQ(std::string(stream.buffered()), "GET / HTTP/1.1\r\n");
  stream.Consume(16);
  EXPECT_TRUE(stream.Write("HEAD:"));
  EXPECT_TRUE(stream.Write(big));
  EXPECT_TRUE(stream.Flush());
  client_.join();
  EXPECT_EQ(received, "HEAD:" + big);
  stream.CloseNotify();
}

TEST_F(TlsPair, StalledHandshakeEndsAtTheDeadline) {
  std::string error;
  auto server_ctx_or = BuildServerContext(Settings(dir_), nullptr);
  ASSERT_TRUE(server_ctx_or.ok()) << server_ctx_or.message();
  std::shared_ptr<SSL_CTX> server_ctx = *server_ctx_or;
  SslPtr ssl(SSL_new(server_ctx.get()));
  SSL_set_fd(ssl.get(), fds_[0]);
  // The client sends half a ClientHello record header and then nothing.
  ASSERT_EQ(::write(fds_[1], "\x16\x03\x01", 3), 3);
  SocketStream stream(fds_[0], std::chrono::seconds(5), &stopping_, ssl.get());
  auto start = SocketStream::Clock::now();
  std::string reason;
  EXPECT_FALSE(
      stream.Handshake(start + std::chrono::milliseconds(300), &reason));
  auto took = SocketStream::Clock::now() - start;
  EXPECT_EQ(reason, "handshake timeout");
  EXPECT_GE(took, std::chrono::milliseconds(290));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(TlsPair, PlainHttpOnTheTlsPortFailsTheHandshake) {
  std::string error;
  auto server_ctx_or = BuildServerContext(Settings(dir_), nullptr);
  ASSERT_TRUE(server_ctx_or.ok()) << server_ctx_or.message();
  std::shared_ptr<SSL_CTX> server_ctx = *server_ctx_or;
  SslPtr ssl(SSL_new(server_ctx.get()));
  SSL_set_fd(ssl.get(), fds_[0]);
  const char kRequest[] = "POST /wsman HTTP/1.1\r\nHost: x\r\n\r\n";
  ASSERT_GT(::write(fds_[1], kRequest, sizeof kRequest - 1), 0);
  SocketStream stream(fds_[0], std::chrono::seconds(5), &stopping_, ssl.get());
  std::string reason;
  EXPECT_FALSE(stream.Handshake(
      SocketStream::Clock::now() + std::chrono::seconds(5), &reason));
  EXPECT_NE(reason, "handshake timeout");
  EXPECT_FALSE(reason.empty());
  EXPECT_EQ(ERR_peek_error(), 0u);
}

}  // namespace
}  // namespace wsman::certs

namespace wsman::server {
namespace {

using auth::testing::TempDir;

base::Status LoadText(const TempDir& dir, const std::string& text, Config* c) {
  std::string path = dir.File("wsmand.toml");
  std::ofstream(path) << text;
  return LoadConfigFile(path, c);
}

TEST(TlsConfig, ReadsTheTlsTable) {
  TempDir dir;
  Config c;
  auto err = LoadText(dir,
                      "[server]\nlisten = [\"https://127.0.0.1:5986\"]\n"
                      "[tls]\ncertificate = \"/c.pem\"\n"
                      "private_key = \"/k.pem\"\nchain = \"/chain.pem\"\n"
                      "ciphers = \"ECDHE+AESGCM\"\n"
                      "ciphersuites = \"TLS_AES_128_GCM_SHA256\"\n"
                      "min_version = \"1.3\"\nclient_ca = \"/ca.pem\"\n"
                      "client_cert_map = \"/map\"\n",
                      &c);
  ASSERT_TRUE(err.ok()) << err.message();
  EXPECT_EQ(c.tls_certificate, "/c.pem");
  EXPECT_EQ(c.tls_private_key, "/k.pem");
  EXPECT_EQ(c.tls_chain, "/chain.pem");
  EXPECT_EQ(c.tls_ciphers, "ECDHE+AESGCM");
  EXPECT_EQ(c.tls_ciphersuites, "TLS_AES_128_GCM_SHA256");
  EXPECT_EQ(c.tls_min_version, "1.3");
  EXPECT_EQ(c.tls_client_ca, "/ca.pem");
  EXPECT_EQ(c.tls_client_cert_map, "/map");
}

TEST(TlsConfig, RefusesOldVersionsMissingFilesAndHalfClientAuth) {
  TempDir dir;
  Config c;
  auto err = LoadText(dir, "[tls]\nmin_version = \"1.1\"\n", &c);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("min_version"), std::string::npos);
  Config d;
  err = LoadText(dir, "[server]\nlisten = [\"https://127.0.0.1:5986\"]\n", &d);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("tls.certificate"), std::string::npos);
  Config e;
  err = LoadText(dir, "[tls]\nclient_ca = \"/ca.pem\"\n", &e);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("client_cert_map"), std::string::npos);
  Config f;
  err = LoadText(dir, "[tls]\ncert = \"/c.pem\"\n", &f);
  ASSERT_FALSE(err.ok());
  EXPECT_NE(err.message().find("unknown key tls.cert"), std::string::npos);
}

}  // namespace
}  // namespace wsman::server
