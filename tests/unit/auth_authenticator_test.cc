#include "server/auth/authenticator.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>
#include <vector>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using base::ManualClock;
using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::BasicHeader;
using testing::TempDir;

class AuthAuthenticatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = dir_.File("accounts.db");
    ASSERT_TRUE(AddAccount(path_, "alice", "wonderland").ok());
    ASSERT_TRUE(AddAccount(path_, "DOMAIN\\bob", "builder").ok());
  }

  Authenticator::Options Opts() {
    Authenticator::Options o;
    o.accounts_file = path_;
    o.use_pam = false;
    o.clock = clock_.AsMonotonic();
    return o;
  }

  TempDir dir_;
  std::string path_;
  ManualClock clock_;
};

TEST_F(AuthAuthenticatorTest, OutcomesEndToEnd) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok()) << auth.message();
  Authenticator& a = *auth.value();

  EXPECT_EQ(a.Authenticate("", "1.1.1.1").outcome, AuthResult::kMissing);
  EXPECT_EQ(a.Authenticate("Negotiate TlRMTVNTUAABAAAA", "1.1.1.1").outcome,
            AuthResult::kMissing);

  AuthResult ok = a.Authenticate(BasicHeader("alice", "wonderland"), "1.1.1.1");
  EXPECT_EQ(ok.outcome, AuthResult::kOk);
  EXPECT_EQ(ok.identity.user, "alice");
  EXPECT_FALSE(ok.identity.system_account);

  ok = a.Authenticate(BasicHeader("DOMAIN\\bob", "builder"), "1.1.1.1");
  EXPECT_EQ(ok.outcome, AuthResult::kOk);
  EXPECT_EQ(ok.identity.user, "DOMAIN\\bob");

  // Wrong password, unknown user and garbage all look the same.
  EXPECT_EQ(a.Authenticate(BasicHeader("alice", "x"), "2.2.2.2").outcome,
            AuthResult::kDenied);
  EXPECT_EQ(a.Authenticate(BasicHeader("mallory", "x"), "2.2.2.3").outcome,
            AuthResult::kDenied);
  EXPECT_EQ(a.Authenticate("Basic !!!!", "2.2.2.4").outcome,
            AuthResult::kDenied);
  EXPECT_EQ(a.Authenticate(BasicHeader("bob", "builder"), "2.2.2.5").outcome,
            AuthResult::kDenied);
}

TEST_F(AuthAuthenticatorTest, SystemUserNameCarriesUnixIdentity) {
  ASSERT_TRUE(AddAccount(path_, "root", "rootpw").ok());
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  AuthResult r = auth.value()->Authenticate(BasicHeader("root", "rootpw"), "p");
  ASSERT_EQ(r.outcome, AuthResult::kOk);
  EXPECT_TRUE(r.identity.system_account);
  EXPECT_EQ(r.identity.uid, 0u);
  EXPECT_EQ(r.identity.gid, 0u);
  EXPECT_EQ(r.identity.home, "/root");
  EXPECT_FALSE(r.identity.shell.empty());
}

TEST_F(AuthAuthenticatorTest, CacheMakesRepeatRequestsCheap) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string h = BasicHeader("alice", "wonderland");
  using C = std::chrono::steady_clock;
  auto t0 = C::now();
  ASSERT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);
  auto first = C::now() - t0;
  t0 = C::now();
  for (int i = 0; i < 100; ++i) {
    ASSERT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);
  }
  auto hundred = C::now() - t0;
  EXPECT_LT(hundred, first) << "100 cached checks should beat one crypt";

  // The cached entry expires with the TTL (verification runs again, fine).
  clock_.Advance(seconds(61));
  EXPECT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);
}

TEST_F(AuthAuthenticatorTest, ThrottlesPeerAfterFailures) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string good = BasicHeader("alice", "wonderland");
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(a.Authenticate(BasicHeader("alice", "guess"), "6.6.6.6").outcome,
              AuthResult::kDenied);
  }
  // Refused without checking, even with the right password...
  EXPECT_EQ(a.Authenticate(good, "6.6.6.6").outcome, AuthResult::kThrottled);
  // ...while other peers are served.
  EXPECT_EQ(a.Authenticate(good, "7.7.7.7").outcome, AuthResult::kOk);
  clock_.Advance(seconds(1));
  // A verified login (not a cache hit: those reset nothing) forgives the
  // user's failures from that address: four more do not lock it.
  a.ClearCache();
  EXPECT_EQ(a.Authenticate(good, "6.6.6.6").outcome, AuthResult::kOk);
  for (int i = 0; i < 4; ++i) {
    (void)a.Authenticate(BasicHeader("alice", "guess"), "6.6.6.6");
  }
  EXPECT_EQ(a.Authenticate(good, "6.6.6.6").outcome, AuthResult::kOk);
}

// The review's M3: 4 wrong passwords for one user, then a (cached) login of
// one's own account, repeated. The own login forgives nothing of the
// other user's failures: only max_failures guesses reach the backend.
TEST_F(AuthAuthenticatorTest, InterleavedOwnLoginsDoNotResetTheThrottle) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string own = BasicHeader("alice", "wonderland");
  int denied = 0, throttled = 0;
  for (int round = 0; round < 25; ++round) {
    for (int i = 0; i < 4; ++i) {
      AuthResult r = a.Authenticate(
          BasicHeader("DOMAIN\\bob", "guess" + std::to_string(round * 4 + i)),
          "6.6.6.6");
      if (r.outcome == AuthResult::kDenied) ++denied;
      if (r.outcome == AuthResult::kThrottled) ++throttled;
    }
    ASSERT_EQ(a.Authenticate(own, "6.6.6.6").outcome, AuthResult::kOk);
    clock_.Advance(milliseconds(10));
  }
  EXPECT_EQ(denied, 5);
  EXPECT_EQ(throttled, 95);
  EXPECT_EQ(a.backend_checks(), 5u + 1u);  // bob's five, alice's first
  // bob himself, from his own address, is not locked out.
  EXPECT_EQ(
      a.Authenticate(BasicHeader("DOMAIN\\bob", "builder"), "7.7.7.7").outcome,
      AuthResult::kOk);
}

TEST_F(AuthAuthenticatorTest, FailedLoginDropsThatUsersCachedCredentials) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string alice = BasicHeader("alice", "wonderland");
  const std::string bob = BasicHeader("DOMAIN\\bob", "builder");
  ASSERT_EQ(a.Authenticate(alice, "p").outcome, AuthResult::kOk);
  ASSERT_EQ(a.Authenticate(bob, "p").outcome, AuthResult::kOk);
  ASSERT_EQ(a.Authenticate(alice, "p").outcome, AuthResult::kOk);
  EXPECT_EQ(a.backend_checks(), 2u);  // the third was cached
  EXPECT_EQ(a.Authenticate(BasicHeader("alice", "nope"), "q").outcome,
            AuthResult::kDenied);
  EXPECT_EQ(a.backend_checks(), 3u);
  // alice's entry is gone (verified again), bob's stays.
  ASSERT_EQ(a.Authenticate(alice, "p").outcome, AuthResult::kOk);
  EXPECT_EQ(a.backend_checks(), 4u);
  ASSERT_EQ(a.Authenticate(bob, "p").outcome, AuthResult::kOk);
  EXPECT_EQ(a.backend_checks(), 4u);
}

// Many wrong passwords at once from one address: counted when they start,
// so at most max_failures reach the backend, however they interleave.
TEST_F(AuthAuthenticatorTest, ParallelWrongPasswordsFromOneAddressAreBounded) {
  auto o = Opts();
  o.clock = nullptr;  // real time: the threads really overlap
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 40; ++i) {
    threads.emplace_back([&, i] {
      AuthResult r = a.Authenticate(
          BasicHeader("alice", "guess" + std::to_string(i)), "6.6.6.6");
      if (r.outcome == AuthResult::kOk) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 0);
  EXPECT_LE(a.backend_checks(), 5u);
  EXPECT_GE(a.backend_checks(), 1u);
  // Another address is served.
  EXPECT_EQ(
      a.Authenticate(BasicHeader("alice", "wonderland"), "7.7.7.7").outcome,
      AuthResult::kOk);
}

// max_verifications_per_peer: a request beyond it waits for the address's
// check in progress and then finds the same credentials in the cache.
TEST_F(AuthAuthenticatorTest, SameNewCredentialsInParallelAreCoalesced) {
  auto o = Opts();
  o.clock = nullptr;
  o.max_verifications_per_peer = 1;
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string h = BasicHeader("alice", "wonderland");
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 16; ++i) {
    threads.emplace_back([&] {
      if (a.Authenticate(h, "6.6.6.6").outcome == AuthResult::kOk) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16);
  EXPECT_LE(a.backend_checks(), 2u);
}

TEST_F(AuthAuthenticatorTest, ReloadDropsDeletedUserEvenWhenCached) {
  auto o = Opts();
  o.watch_accounts_file = false;
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string h = BasicHeader("alice", "wonderland");
  ASSERT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);  // now cached
  auto del = DeleteAccount(path_, "alice");
  ASSERT_TRUE(del.ok() && del.value());
  EXPECT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);  // stale cache
  ASSERT_TRUE(a.Reload().ok());
  EXPECT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kDenied);
}

TEST_F(AuthAuthenticatorTest, WatchPicksUpFileChangesWithinASecond) {
  auto auth = Authenticator::Create(Opts());
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  const std::string h = BasicHeader("alice", "wonderland");
  ASSERT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kOk);
  auto del = DeleteAccount(path_, "alice");
  ASSERT_TRUE(del.ok() && del.value());
  ASSERT_TRUE(AddAccount(path_, "carol", "pw").ok());
  clock_.Advance(milliseconds(1001));
  EXPECT_EQ(a.Authenticate(h, "p").outcome, AuthResult::kDenied);
  EXPECT_EQ(a.Authenticate(BasicHeader("carol", "pw"), "p").outcome,
            AuthResult::kOk);
}

TEST_F(AuthAuthenticatorTest, FailedReloadKeepsOldAccounts) {
  auto o = Opts();
  o.watch_accounts_file = false;
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  std::ofstream(path_, std::ios::app) << "this line is broken\n";
  base::Status s = a.Reload();
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("accounts.db:3:"), std::string::npos)
      << s.message();
  EXPECT_EQ(a.Authenticate(BasicHeader("alice", "wonderland"), "p").outcome,
            AuthResult::kOk);
}

TEST_F(AuthAuthenticatorTest, CreateReportsBadFile) {
  auto o = Opts();
  o.accounts_file = dir_.File("missing.db");
  auto auth = Authenticator::Create(o);
  ASSERT_FALSE(auth.ok());
  EXPECT_NE(auth.message().find("missing.db"), std::string::npos);
  // Without Reload (and without the watcher) nothing is accepted.
  auto unwatched = Opts();
  unwatched.watch_accounts_file = false;
  Authenticator unloaded(unwatched);
  EXPECT_EQ(
      unloaded.Authenticate(BasicHeader("alice", "wonderland"), "p").outcome,
      AuthResult::kDenied);
}

TEST_F(AuthAuthenticatorTest, NoBackendDeniesEveryone) {
  Authenticator::Options o;
  o.use_pam = false;
  Authenticator a(o);
  ASSERT_TRUE(a.Reload().ok());
  EXPECT_EQ(a.Authenticate(BasicHeader("root", "x"), "p").outcome,
            AuthResult::kDenied);
}

TEST_F(AuthAuthenticatorTest, ConcurrentAuthenticateAndReload) {
  auto o = Opts();
  o.clock = nullptr;  // real time
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok());
  Authenticator& a = *auth.value();
  std::atomic<bool> stop{false};
  std::atomic<int> wrong{0};
  std::vector<std::thread> workers;
  for (int t = 0; t < 4; ++t) {
    workers.emplace_back([&, t] {
      const std::string good = BasicHeader("alice", "wonderland");
      const std::string bad = BasicHeader("DOMAIN\\bob", "nope");
      for (int i = 0; i < 16; ++i) {
        std::string peer =
            "10.0." + std::to_string(t) + "." + std::to_string(i);
        if (a.Authenticate(good, peer).outcome != AuthResult::kOk) ++wrong;
        if (i % 8 == 0 &&
            a.Authenticate(bad, peer).outcome != AuthResult::kDenied) {
          ++wrong;
        }
      }
    });
  }
  std::thread reloader([&] {
    while (!stop) {
      EXPECT_TRUE(a.Reload().ok());
      std::this_thread::sleep_for(milliseconds(20));
    }
  });
  for (auto& w : workers) w.join();
  stop = true;
  reloader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace wsman::auth

namespace wsman::auth {
namespace {

// Many requests with the same new credentials arriving together hash the
// password only a few times (bounded slots; the rest find the cache).
TEST(AuthConcurrencyTest, SimultaneousCacheMissesAreBoundedAndCoalesced) {
  char tmpl[] = "/tmp/wsmand-auth-conc-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  std::string accounts = std::string(tmpl) + "/accounts";
  ASSERT_TRUE(AddAccount(accounts, "carol", "pw-carol").ok());
  Authenticator::Options options;
  options.accounts_file = accounts;
  options.use_pam = false;
  options.max_concurrent_verifications = 2;
  auto created = Authenticator::Create(options);
  ASSERT_TRUE(created.ok()) << created.message();
  Authenticator& auth = *created.value();
  const std::string header = "Basic Y2Fyb2w6cHctY2Fyb2w=";  // carol:pw-carol
  std::atomic<int> ok{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 32; ++i) {
    threads.emplace_back([&, i] {
      std::string peer = "10.9.0." + std::to_string(i);
      if (auth.Authenticate(header, peer).outcome == AuthResult::kOk) ++ok;
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 32);
  // Two slots: the first two verify, everyone after finds the cache.
  EXPECT_LE(auth.backend_checks(), 2u);
  std::filesystem::remove_all(tmpl);
}

}  // namespace
}  // namespace wsman::auth
