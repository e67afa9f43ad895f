#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "server/auth/authenticator.h"
#include "server/auth/pam_backend.h"
#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using testing::BasicHeader;
using testing::TempDir;

// Creates a throw-away local user (root only) and removes it afterwards.
class AuthPamTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root to create a local user";
    for (const char* tool :
         {"/usr/sbin/useradd", "/usr/sbin/chpasswd", "/usr/sbin/userdel"}) {
      if (access(tool, X_OK) != 0) GTEST_SKIP() << tool << " not available";
    }
    const char* pam_unix = "/usr/lib/x86_64-linux-gnu/security/pam_unix.so";
    if (access(pam_unix, R_OK) != 0 &&
        access("/lib/x86_64-linux-gnu/security/pam_unix.so", R_OK) != 0) {
      GTEST_SKIP() << "pam_unix.so not found";
    }
    user_ = "wsmauth" + std::to_string(getpid() % 100000);
    std::string cmd = "/usr/sbin/useradd -M -N -s /usr/sbin/nologin " + user_ +
                      " >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) GTEST_SKIP() << "useradd failed";
    created_ = true;
    cmd = "echo '" + user_ + ":" + password_ +
          "' | /usr/sbin/chpasswd >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    // A private PAM configuration: pam_unix without the failure delay.
    std::ofstream(confdir_.File("wsmand-test"))
        << "auth required pam_unix.so nodelay\n"
           "account required pam_unix.so\n";
  }
  void TearDown() override {
    if (created_) {
      std::string cmd = "/usr/sbin/userdel " + user_ + " >/dev/null 2>&1";
      EXPECT_EQ(std::system(cmd.c_str()), 0);
    }
  }

  TempDir confdir_;
  std::string user_;
  std::string password_ = "Pam-Test-Pw-42";
  bool created_ = false;
};

TEST_F(AuthPamTest, VerifiesLocalUser) {
  PamBackend pam("wsmand-test", confdir_.path());
  PamBackend::Result r = pam.Verify(user_, password_, "127.0.0.1");
  ASSERT_TRUE(r.ok) << r.error;
  EXPECT_EQ(r.identity.user, user_);
  EXPECT_TRUE(r.identity.system_account);
  struct passwd* pw = getpwnam(user_.c_str());
  ASSERT_NE(pw, nullptr);
  EXPECT_EQ(r.identity.uid, pw->pw_uid);
  EXPECT_EQ(r.identity.gid, pw->pw_gid);

  EXPECT_FALSE(pam.Verify(user_, "wrong").ok);
  EXPECT_FALSE(pam.Verify("wsmauth-no-such-user", password_).ok);
  EXPECT_FALSE(pam.Verify(user_, "").ok);
}

TEST_F(AuthPamTest, AuthenticatorUsesPamWithoutAccountsFile) {
  Authenticator::Options o;
  o.use_pam = true;
  o.pam_service = "wsmand-test";
  o.pam_confdir = confdir_.path();
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  AuthResult r = a.Authenticate(BasicHeader(user_, password_), "127.0.0.1");
  ASSERT_EQ(r.outcome, AuthResult::kOk);
  EXPECT_TRUE(r.identity.system_account);
  EXPECT_EQ(a.Authenticate(BasicHeader(user_, "wrong"), "127.0.0.2").outcome,
            AuthResult::kDenied);
  EXPECT_EQ(
      a.Authenticate(BasicHeader("wsmauth-nobody", "x"), "127.0.0.3").outcome,
      AuthResult::kDenied);
}

}  // namespace
}  // namespace wsman::auth
