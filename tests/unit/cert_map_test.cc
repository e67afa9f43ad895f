// certs/: the client certificate map (parse, match, edit, reload) and the
// certificate login decision.
#include "certs/client_cert_map.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <sstream>
#include <thread>

#include "certs/cert_auth.h"
#include "tests/unit/auth_test_util.h"

namespace wsman::certs {
namespace {

// The status as the old bool + message pair these tests were written for.
bool Ok(const base::Status& status, std::string* error) {
  *error = status.message();
  return status.ok();
}

using auth::testing::TempDir;

const std::string kPrint(40, 'A');
const std::string kCa(40, 'C');
const std::string kOtherCa(40, 'D');

ClientCertInfo Verified(std::string thumbprint, std::string issuer,
                        std::string cn, std::vector<std::string> upns = {}) {
  ClientCertInfo c;
  c.present = true;
  c.verified = true;
  c.thumbprint = std::move(thumbprint);
  c.issuer_thumbprint = std::move(issuer);
  c.common_name = std::move(cn);
  c.upns = std::move(upns);
  return c;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ClientCertMap MustParse(const std::string& text) {
  ClientCertMap map;
  std::string error;
  EXPECT_TRUE(Ok(ClientCertMap::Parse(text, "map", &map), &error)) << error;
  return map;
}

TEST(CertMap, ParsesThumbprintAndSubjectLines) {
  ClientCertMap map = MustParse(
      "# comment\n\n"
      "alice thumbprint=" +
      kPrint +
      "\n"
      "  bob issuer=" +
      std::string(40, 'c') +
      " subject=bob@example.com\n"
      "carol issuer=" +
      kCa + " subject=\"Carol \\\"C\\\" Smith\"\n");
  ASSERT_EQ(map.entries().size(), 3u);
  EXPECT_EQ(map.entries()[0].user, "alice");
  EXPECT_EQ(map.entries()[0].thumbprint, kPrint);
  EXPECT_EQ(map.entries()[0].line, 3);
  EXPECT_EQ(map.entries()[1].issuer, kCa);  // normalised to upper case
  EXPECT_EQ(map.entries()[1].subject, "bob@example.com");
  EXPECT_EQ(map.entries()[2].subject, "Carol \"C\" Smith");
  // ToLine quotes what needs it and parses back to the same mapping.
  ClientCertMap again = MustParse(map.entries()[2].ToLine() + "\n");
  EXPECT_EQ(again.entries()[0].subject, "Carol \"C\" Smith");
}

TEST(CertMap, ErrorsNameFileAndLine) {
  struct Case {
    std::string text;
    std::string what;
  } cases[] = {
      {"alice thumbprint=ABC\n", "40 hex"},
      {"alice\n", "needs a thumbprint"},
      {"alice colour=blue\n", "unknown key"},
      {"alice subject=x\n", "needs a thumbprint"},
      {"alice thumbprint=" + kPrint + " subject=x issuer=" + kCa + "\n",
       "either"},
      {"alice issuer=" + kCa + " subject=a*b\n", "first character"},
      {"alice issuer=" + kCa + " subject=\"open\n", "unterminated"},
      {"alice thumbprint=" + kPrint + " thumbprint=" + kPrint + "\n",
       "repeated"},
      {"al=ice thumbprint=" + kPrint + "\n", "user name"},
  };
  for (const Case& c : cases) {
    ClientCertMap map;
    std::string error;
    EXPECT_FALSE(
        Ok(ClientCertMap::Parse("# x\n" + c.text, "certmap", &map), &error))
        << c.text;
    EXPECT_EQ(error.rfind("certmap:2: ", 0), 0u) << error;
    EXPECT_NE(error.find(c.what), std::string::npos) << error;
  }
}

TEST(CertMap, ThumbprintWinsThenExactSubjectThenLongestSuffix) {
  ClientCertMap map = MustParse("everyone issuer=" + kCa +
                                " subject=*\n"
                                "domain issuer=" +
                                kCa +
                                " subject=*@example.com\n"
                                "ops issuer=" +
                                kCa +
                                " subject=*@ops.example.com\n"
                                "bob issuer=" +
                                kCa +
                                " subject=BOB@ops.example.com\n"
                                "pinned thumbprint=" +
                                kPrint + "\n");
  EXPECT_EQ(map.Match(Verified(kPrint, kCa, "x", {"bob@ops.example.com"})),
            "pinned");
  std::string other(40, 'B');
  EXPECT_EQ(map.Match(Verified(other, kCa, "x", {"bob@ops.example.com"})),
            "bob");
  EXPECT_EQ(map.Match(Verified(other, kCa, "x", {"eve@ops.example.com"})),
            "ops");
  EXPECT_EQ(map.Match(Verified(other, kCa, "x", {"eve@example.com"})),
            "domain");
  EXPECT_EQ(map.Match(Verified(other, kCa, "eve", {"eve@else.org"})),
            "everyone");
  // Another issuer matches no subject line.
  EXPECT_EQ(map.Match(Verified(other, kOtherCa, "x", {"bob@ops.example.com"})),
            std::nullopt);
}

// [MS-WSMV]-style certificate mapping (WinRM's certmapping): subject
// patterns are compared with the userPrincipalName SANs only.
TEST(CertMap, TheSubjectCommonNameNeverNamesAUser) {
  ClientCertMap map = MustParse("alice issuer=" + kCa +
                                " subject=alice@example.com\n"
                                "everyone issuer=" +
                                kCa + " subject=*\n");
  std::string other(40, 'B');
  std::string why;
  // A CN-only certificate maps by no subject line, not even "*".
  EXPECT_EQ(map.Match(Verified(other, kCa, "alice@example.com"), &why),
            std::nullopt);
  EXPECT_NE(why.find("no userPrincipalName"), std::string::npos) << why;
  // Its thumbprint still maps it.
  ClientCertMap pinned = MustParse("alice thumbprint=" + kPrint + "\n");
  EXPECT_EQ(pinned.Match(Verified(kPrint, kCa, "alice@example.com")), "alice");
  // The UPN maps, whatever the CN says.
  EXPECT_EQ(
      map.Match(Verified(other, kCa, "Alice Smith", {"ALICE@example.com"})),
      "alice");
  EXPECT_EQ(map.Match(Verified(other, kCa, "alice@example.com",
                               {"carol@example.com"})),
            "everyone");
}

// The audit's certificate: CN alice@example.com, UPN mallory@ops.example.com.
TEST(CertMap, ACommonNameOfAnotherUserDoesNotPickTheMapping) {
  std::string other(40, 'B');
  ClientCertInfo cert =
      Verified(other, kCa, "alice@example.com", {"mallory@ops.example.com"});
  ClientCertMap both = MustParse("secu1 issuer=" + kCa +
                                 " subject=alice@example.com\n"
                                 "secu2 issuer=" +
                                 kCa + " subject=*@ops.example.com\n");
  EXPECT_EQ(both.Match(cert), "secu2");  // the UPN's rule
  ClientCertMap only_alice =
      MustParse("secu1 issuer=" + kCa + " subject=alice@example.com\n");
  std::string why;
  EXPECT_EQ(only_alice.Match(cert, &why), std::nullopt);  // or none at all
  EXPECT_NE(why.find("no subject mapping matches"), std::string::npos) << why;
}

TEST(CertMap, UpnsWithControlCharactersAreRefused) {
  ClientCertMap map = MustParse("ops issuer=" + kCa +
                                " subject=*@ops.example.com\n"
                                "everyone issuer=" +
                                kCa + " subject=*\n");
  std::string other(40, 'B');
  const std::string nul("x@evil.com\0@ops.example.com", 27);
  ASSERT_EQ(nul.size(), 27u);
  for (const std::string& upn :
       {nul, std::string("x@ops.example.com\n"),
        std::string("a\x7f@ops.example.com"), std::string("\t@ops.example.com"),
        std::string()}) {
    std::string why;
    EXPECT_EQ(map.Match(Verified(other, kCa, "x", {upn}), &why), std::nullopt)
        << upn;
    // ... and a good UPN beside it does not make the certificate usable.
    EXPECT_EQ(
        map.Match(Verified(other, kCa, "x", {"ok@ops.example.com", upn}), &why),
        std::nullopt);
    EXPECT_NE(why.find("control character"), std::string::npos) << why;
  }
  EXPECT_FALSE(UsableUpn(nul));
  EXPECT_TRUE(UsableUpn("alice@example.com"));
  EXPECT_TRUE(UsableUpn("j\xc3\xbcrgen@example.com"));  // UTF-8 is fine
}

TEST(CertMap, SeveralUpnsMustAgreeOnTheUser) {
  ClientCertMap map = MustParse("alice issuer=" + kCa +
                                " subject=alice@example.com\n"
                                "ops issuer=" +
                                kCa + " subject=*@ops.example.com\n");
  std::string other(40, 'B');
  std::string why;
  EXPECT_EQ(map.Match(Verified(other, kCa, "x",
                               {"alice@example.com", "ALICE@example.com"})),
            "alice");
  // A UPN no line matches does not count either way.
  EXPECT_EQ(map.Match(Verified(other, kCa, "x",
                               {"nobody@else.org", "alice@example.com"})),
            "alice");
  EXPECT_EQ(map.Match(Verified(other, kCa, "x",
                               {"alice@example.com", "m@ops.example.com"}),
                      &why),
            std::nullopt);
  EXPECT_NE(why.find("different users (alice, ops)"), std::string::npos) << why;
}

TEST(CertMap, UnverifiedCertificatesNeverMatch) {
  ClientCertMap map = MustParse("pinned thumbprint=" + kPrint + "\n");
  ClientCertInfo cert = Verified(kPrint, kCa, "x");
  cert.verified = false;
  EXPECT_EQ(map.Match(cert), std::nullopt);
  cert.verified = true;
  cert.present = false;
  EXPECT_EQ(map.Match(cert), std::nullopt);
}

TEST(CertMap, SubjectPatterns) {
  EXPECT_TRUE(SubjectPatternMatches("*", "anything"));
  EXPECT_TRUE(SubjectPatternMatches("*@Example.COM", "a@example.com"));
  EXPECT_FALSE(SubjectPatternMatches("*@example.com", "a@example.org"));
  EXPECT_TRUE(SubjectPatternMatches("Alice", "alice"));
  EXPECT_FALSE(SubjectPatternMatches("alice", "alice2"));
}

TEST(CertMap, AddDeleteListEditTheFileAtomically) {
  TempDir dir;
  std::string path = dir.File("certmap");
  std::string error;
  CertMapping a{"alice", kPrint, "", ""};
  bool replaced = true;
  ASSERT_TRUE(Ok(AddCertMapping(path, a, &replaced), &error)) << error;
  EXPECT_FALSE(replaced);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  CertMapping b{"bob", "", kCa, "*@example.com"};
  ASSERT_TRUE(Ok(AddCertMapping(path, b, &replaced), &error)) << error;
  // Same thumbprint, other user: the mapping moves.
  CertMapping a2{"carol", kPrint, "", ""};
  ASSERT_TRUE(Ok(AddCertMapping(path, a2, &replaced), &error));
  EXPECT_TRUE(replaced);
  std::string text = ReadFile(path);
  EXPECT_EQ(text.rfind("# wsmand client certificate map", 0), 0u) << text;
  EXPECT_NE(text.find("carol thumbprint=" + kPrint), std::string::npos);
  EXPECT_EQ(text.find("alice"), std::string::npos);

  std::ostringstream out, err;
  EXPECT_EQ(RunCertMapList(path, out, err), 0);
  EXPECT_EQ(out.str(), "carol thumbprint=" + kPrint + "\nbob issuer=" + kCa +
                           " subject=*@example.com\n");

  int removed = 0;
  ASSERT_TRUE(Ok(DeleteCertMappings(path, "bob", "", "*@EXAMPLE.com", &removed),
                 &error));
  EXPECT_EQ(removed, 1);
  ASSERT_TRUE(Ok(DeleteCertMappings(path, "nobody", "", "", &removed), &error));
  EXPECT_EQ(removed, 0);
  EXPECT_NE(ReadFile(path).find("# wsmand"), std::string::npos);  // kept
  EXPECT_FALSE(
      Ok(AddCertMapping(path, CertMapping{"x y", kPrint, "", ""}, &replaced),
         &error));
}

TEST(CertMap, CliVerbsExitCodes) {
  TempDir dir;
  std::string path = dir.File("certmap");
  std::ostringstream out, err;
  MapAddOptions o;
  o.map_file = path;
  o.user = "alice";
  EXPECT_EQ(RunCertMapAdd(o, out, err), 2);  // nothing to map by
  o.thumbprint = "12:34";
  EXPECT_EQ(RunCertMapAdd(o, out, err), 2);
  o.thumbprint = std::string(40, 'e');
  EXPECT_EQ(RunCertMapAdd(o, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("Added: alice thumbprint=" + std::string(40, 'E')),
            std::string::npos);
  MapAddOptions s;
  s.map_file = path;
  s.user = "bob";
  s.subject = "bob@example.com";
  EXPECT_EQ(RunCertMapAdd(s, out, err), 2);  // no issuer
  s.issuer = kCa;
  EXPECT_EQ(RunCertMapAdd(s, out, err), 0) << err.str();
  s.issuer_cert_file = dir.File("missing.pem");
  EXPECT_EQ(RunCertMapAdd(s, out, err), 2);  // both issuer forms
  EXPECT_EQ(RunCertMapDel(path, "bob", "", "", out, err), 0);
  EXPECT_EQ(RunCertMapDel(path, "bob", "", "", out, err), 2);  // gone
  EXPECT_EQ(RunCertMapList(dir.File("none"), out, err), 1);
}

TEST(CertMap, SourceReloadsOnChangeAndKeepsTheOldMapOnErrors) {
  TempDir dir;
  std::string path = dir.File("certmap");
  std::ofstream(path) << "alice thumbprint=" << kPrint << "\n";
  ClientCertMapSource source(path);
  std::string error;
  ASSERT_TRUE(Ok(source.Reload(), &error)) << error;
  ClientCertInfo cert = Verified(kPrint, kCa, "x");
  EXPECT_EQ(source.Current()->Match(cert), "alice");

  bool replaced = false;
  ASSERT_TRUE(
      Ok(AddCertMapping(path, CertMapping{"bob", kPrint, "", ""}, &replaced),
         &error));
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(source.Current()->Match(cert), "bob");

  std::ofstream(path) << "broken line\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(source.Current()->Match(cert), "bob");
  EXPECT_FALSE(Ok(source.Reload(), &error));
  EXPECT_NE(error.find(":1:"), std::string::npos) << error;
  EXPECT_EQ(source.Current()->Match(cert), "bob");
}

TEST(CertMap, AMapOthersMayWriteIsRefusedAndTheOldOneKept) {
  TempDir dir;
  std::string path = dir.File("certmap");
  std::ofstream(path) << "alice thumbprint=" << kPrint << "\n";
  ::chmod(path.c_str(), 0600);
  ClientCertMapSource source(path);
  std::string error;
  ASSERT_TRUE(Ok(source.Reload(), &error)) << error;
  ClientCertInfo cert = Verified(kPrint, kCa, "x");
  ASSERT_EQ(source.Current()->Match(cert), "alice");

  // Someone makes it writable for all and remaps the thumbprint.
  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  std::ofstream(path) << "root thumbprint=" << kPrint << "\n";
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(source.Current()->Match(cert), "alice");
  EXPECT_FALSE(Ok(source.Reload(), &error));
  EXPECT_EQ(error, "refusing " + path +
                       ": it is writable by group or others (mode 0666); run: "
                       "chmod go-w " +
                       path);
  ClientCertMap map;
  EXPECT_FALSE(Ok(ClientCertMap::Load(path, &map), &error));
  // `cert map add` does not launder it into a 0600 file either.
  bool replaced = false;
  EXPECT_FALSE(
      Ok(AddCertMapping(path, CertMapping{"bob", std::string(40, 'B'), "", ""},
                        &replaced),
         &error));
  EXPECT_NE(error.find("mode 0666"), std::string::npos) << error;
  std::ostringstream out, err;
  EXPECT_EQ(RunCertMapList(path, out, err), 1);
  EXPECT_NE(err.str().find("chmod go-w"), std::string::npos) << err.str();
  // Fixed with chmod only: picked up (ctime counts as a change).
  ASSERT_EQ(::chmod(path.c_str(), 0600), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_EQ(source.Current()->Match(cert), "root");
}

TEST(CertMap, EditsRefuseASymbolicLinkAndADirectoryOthersMayWrite) {
  TempDir dir;
  std::string target = dir.File("real-map");
  bool replaced = false;
  std::string error;
  ASSERT_TRUE(Ok(
      AddCertMapping(target, CertMapping{"alice", kPrint, "", ""}, &replaced),
      &error))
      << error;
  std::string before = ReadFile(target);
  std::string link = dir.File("certmap");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  EXPECT_FALSE(
      Ok(AddCertMapping(link, CertMapping{"bob", std::string(40, 'B'), "", ""},
                        &replaced),
         &error));
  EXPECT_NE(error.find("refusing to replace " + link +
                       ": it is a symbolic link to " + target),
            std::string::npos)
      << error;
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));  // the link is still a link
  EXPECT_EQ(ReadFile(target), before);
  // Reading through the link is fine (the target is checked).
  ClientCertMap map;
  EXPECT_TRUE(Ok(ClientCertMap::Load(link, &map), &error)) << error;

  std::string open = dir.File("open");
  ASSERT_EQ(::mkdir(open.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open.c_str(), 0777), 0);
  EXPECT_FALSE(
      Ok(AddCertMapping(open + "/certmap", CertMapping{"alice", kPrint, "", ""},
                        &replaced),
         &error));
  EXPECT_NE(error.find("refusing " + open + ": it is writable"),
            std::string::npos)
      << error;
}

TEST(CertLogin, DecidesFromHeaderCertificateAndMap) {
  TempDir dir;
  std::string path = dir.File("certmap");
  std::ofstream(path) << "alice thumbprint=" << kPrint << "\n";
  ClientCertMapSource map(path);
  std::string error;
  ASSERT_TRUE(Ok(map.Reload(), &error));
  const std::string mutual(kMutualProfile);
  ClientCertInfo good = Verified(kPrint, kCa, "x");
  ClientCertInfo unmapped = Verified(std::string(40, 'B'), kCa, "x");
  ClientCertInfo untrusted = good;
  untrusted.verified = false;
  untrusted.verify_error = "unable to get local issuer certificate";
  ClientCertInfo none;

  CertLogin ok = TryCertificateLogin(mutual, &good, &map);
  EXPECT_EQ(ok.outcome, CertLogin::kOk);
  EXPECT_EQ(ok.user, "alice");
  // Header case does not matter; no header with a verified cert logs in.
  EXPECT_EQ(TryCertificateLogin(" HTTP://schemas.dmtf.org/wbem/wsman/1/"
                                "wsman/secprofile/https/MUTUAL",
                                &good, &map)
                .outcome,
            CertLogin::kOk);
  EXPECT_EQ(TryCertificateLogin("", &good, &map).outcome, CertLogin::kOk);
  // Basic goes to the password check even with a certificate.
  EXPECT_EQ(TryCertificateLogin("Basic YTpi", &good, &map).outcome,
            CertLogin::kNotAttempted);
  EXPECT_EQ(TryCertificateLogin("", &untrusted, &map).outcome,
            CertLogin::kNotAttempted);
  EXPECT_EQ(TryCertificateLogin("", nullptr, &map).outcome,
            CertLogin::kNotAttempted);
  CertLogin refused = TryCertificateLogin(mutual, &unmapped, &map);
  EXPECT_EQ(refused.outcome, CertLogin::kUnmapped);
  EXPECT_NE(refused.detail.find("no userPrincipalName"), std::string::npos)
      << refused.detail;
  CertLogin bad = TryCertificateLogin(mutual, &untrusted, &map);
  EXPECT_EQ(bad.outcome, CertLogin::kUntrusted);
  EXPECT_EQ(bad.detail, untrusted.verify_error);
  EXPECT_EQ(TryCertificateLogin(mutual, &none, &map).outcome,
            CertLogin::kNoCertificate);
  EXPECT_EQ(TryCertificateLogin(mutual, nullptr, &map).outcome,
            CertLogin::kNoCertificate);
  EXPECT_EQ(TryCertificateLogin(mutual, &good, nullptr).outcome,
            CertLogin::kDisabled);
  EXPECT_EQ(CertLoginOutcomeName(CertLogin::kUnmapped), "cert-unmapped");
}

}  // namespace
}  // namespace wsman::certs
