#include <gtest/gtest.h>
#include <pwd.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "server/auth/authenticator.h"
#include "server/auth/pam_backend.h"
#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using base::ManualClock;
using std::chrono::seconds;
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
    // A private PAM configuration: pam_unix without the failure delay, and
    // one with it (pam_unix asks for ~2 s).
    std::ofstream(confdir_.File("wsmand-test"))
        << "auth required pam_unix.so nodelay\n"
           "account required pam_unix.so\n";
    std::ofstream(confdir_.File("wsmand-delay"))
        << "auth required pam_unix.so\n"
           "account required pam_unix.so\n";
  }
  int Run(const std::string& command) {
    return std::system((command + " " + user_ + " >/dev/null 2>&1").c_str());
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

// The PAM_FAIL_DELAY hook: the delay comes back in the result instead of
// being slept inside pam_authenticate.
TEST_F(AuthPamTest, FailDelayIsReportedNotSlept) {
  PamBackend pam("wsmand-delay", confdir_.path());
  PamBackend::Result bad = pam.Verify(user_, "wrong", "127.0.0.1");
  EXPECT_FALSE(bad.ok);
  EXPECT_GT(bad.fail_delay.count(), 0);
  PamBackend::Result good = pam.Verify(user_, password_, "127.0.0.1");
  ASSERT_TRUE(good.ok) << good.error;
  EXPECT_EQ(good.fail_delay.count(), 0);
  EXPECT_NE(good.account_stamp, 0u);  // root reads the shadow entry
  PamBackend::Result account = pam.CheckAccount(user_, "127.0.0.1");
  ASSERT_TRUE(account.ok) << account.error;
  EXPECT_EQ(account.account_stamp, good.account_stamp);
  EXPECT_FALSE(pam.CheckAccount("wsmauth-no-such-user").ok);
}

// The review's M1: the failure delay is slept after the verification slot
// is given back. With one slot, a real login from elsewhere gets through
// while the failed one is "sleeping".
TEST_F(AuthPamTest, FailDelayIsSleptOutsideTheVerificationSlot) {
  Authenticator* self = nullptr;
  std::vector<std::chrono::microseconds> delays;
  std::vector<AuthResult::Outcome> meanwhile;
  Authenticator::Options o;
  o.use_pam = true;
  o.pam_service = "wsmand-delay";
  o.pam_confdir = confdir_.path();
  o.max_concurrent_verifications = 1;
  o.sleep = [&](std::chrono::microseconds d) {
    delays.push_back(d);
    meanwhile.push_back(
        self->Authenticate(BasicHeader(user_, password_), "127.0.0.9").outcome);
  };
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  self = auth.value().get();
  EXPECT_EQ(
      self->Authenticate(BasicHeader(user_, "wrong"), "127.0.0.1").outcome,
      AuthResult::kDenied);
  ASSERT_EQ(delays.size(), 1u);
  EXPECT_GT(delays[0].count(), 0);
  EXPECT_LE(delays[0], o.max_fail_delay);
  ASSERT_EQ(meanwhile.size(), 1u);
  EXPECT_EQ(meanwhile[0], AuthResult::kOk);
}

// Item 8: a cached login of an account locked (`usermod -L`, as
// `passwd -l`) or expired (`chage -E 0`) stops working at the next account
// re-check, and works again once unlocked.
TEST_F(AuthPamTest, CachedLoginOfLockedAccountStopsAtTheRecheck) {
  ManualClock clock;
  Authenticator::Options o;
  o.use_pam = true;
  o.pam_service = "wsmand-test";
  o.pam_confdir = confdir_.path();
  o.clock = clock.AsMonotonic();
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string h = BasicHeader(user_, password_);
  ASSERT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);
  ASSERT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);
  EXPECT_EQ(a.backend_checks(), 1u);
  EXPECT_EQ(a.account_checks(), 0u);

  ASSERT_EQ(Run("/usr/sbin/usermod -L"), 0);
  // Until the re-check is due the cache answers (at most 5 s)...
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);
  clock.Advance(seconds(5));
  // ...then the changed account drops the entry; PAM refuses the password.
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kDenied);
  EXPECT_EQ(a.account_checks(), 1u);
  EXPECT_EQ(a.backend_checks(), 2u);
  ASSERT_EQ(Run("/usr/sbin/usermod -U"), 0);
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);

  ASSERT_EQ(Run("/usr/bin/chage -E 0"), 0);
  clock.Advance(seconds(5));
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kDenied);
  ASSERT_EQ(Run("/usr/bin/chage -E -1"), 0);
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);
  // A passing re-check keeps the entry.
  const uint64_t backend = a.backend_checks();
  clock.Advance(seconds(5));
  EXPECT_EQ(a.Authenticate(h, "127.0.0.1").outcome, AuthResult::kOk);
  EXPECT_EQ(a.backend_checks(), backend);
}

}  // namespace
}  // namespace wsman::auth
