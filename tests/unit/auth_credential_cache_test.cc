#include "server/auth/credential_cache.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using base::ManualClock;
using std::chrono::seconds;

Identity Id(const std::string& user) {
  Identity id;
  id.user = user;
  return id;
}

CredentialCache::Options Opts(ManualClock& clock, size_t max = 10000) {
  CredentialCache::Options o;
  o.ttl = seconds(60);
  o.max_entries = max;
  o.clock = clock.AsMonotonic();
  return o;
}

TEST(AuthCredentialCache, HitAfterInsert) {
  ManualClock clock;
  CredentialCache cache(Opts(clock));
  EXPECT_FALSE(cache.Lookup("alice", "pw"));
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  auto hit = cache.Lookup("alice", "pw");
  ASSERT_TRUE(hit.has_value());
  EXPECT_EQ(hit->user, "alice");
  EXPECT_EQ(cache.size(), 1u);
}

TEST(AuthCredentialCache, DifferentPasswordOrUserMisses) {
  ManualClock clock;
  CredentialCache cache(Opts(clock));
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  EXPECT_FALSE(cache.Lookup("alice", "pw2"));
  EXPECT_FALSE(cache.Lookup("alice", "p"));
  EXPECT_FALSE(cache.Lookup("alicE", "pw"));
  // The separator keeps ("ab", "c") and ("a", "bc") apart.
  cache.Insert("ab", "c", Id("ab"), cache.generation());
  EXPECT_FALSE(cache.Lookup("a", "bc"));
}

TEST(AuthCredentialCache, ExpiresAfterTtl) {
  ManualClock clock;
  CredentialCache cache(Opts(clock));
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  clock.Advance(seconds(59));
  EXPECT_TRUE(cache.Lookup("alice", "pw"));
  clock.Advance(seconds(1));
  EXPECT_FALSE(cache.Lookup("alice", "pw"));
  EXPECT_EQ(cache.size(), 0u);
}

TEST(AuthCredentialCache, ClearDropsEverythingAndStaleInserts) {
  ManualClock clock;
  CredentialCache cache(Opts(clock));
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  cache.Insert("bob", "pw", Id("bob"), cache.generation());
  uint64_t before = cache.generation();
  cache.Clear();
  EXPECT_FALSE(cache.Lookup("alice", "pw"));
  EXPECT_EQ(cache.size(), 0u);
  // A verification that started before Clear must not be cached.
  cache.Insert("carol", "pw", Id("carol"), before);
  EXPECT_FALSE(cache.Lookup("carol", "pw"));
}

TEST(AuthCredentialCache, BoundedEvictsOldest) {
  ManualClock clock;
  CredentialCache cache(Opts(clock, 160));  // 10 per shard
  for (int i = 0; i < 2000; ++i) {
    cache.Insert("u" + std::to_string(i), "pw", Id("u"), cache.generation());
    clock.Advance(std::chrono::milliseconds(1));
  }
  EXPECT_LE(cache.size(), 160u);
  EXPECT_GT(cache.size(), 100u);
  EXPECT_TRUE(cache.Lookup("u1999", "pw"));
  EXPECT_FALSE(cache.Lookup("u0", "pw"));
}

TEST(AuthCredentialCache, EraseUserDropsOnlyThatUsersEntries) {
  ManualClock clock;
  CredentialCache cache(Opts(clock));
  cache.Insert("alice", "old", Id("alice"), cache.generation());
  cache.Insert("alice", "new", Id("alice"), cache.generation());
  cache.Insert("bob", "pw", Id("bob"), cache.generation());
  cache.Insert("alice2", "pw", Id("alice2"), cache.generation());
  cache.EraseUser("alice");
  EXPECT_FALSE(cache.Lookup("alice", "old"));
  EXPECT_FALSE(cache.Lookup("alice", "new"));
  EXPECT_TRUE(cache.Lookup("bob", "pw"));
  EXPECT_TRUE(cache.Lookup("alice2", "pw"));
  EXPECT_EQ(cache.size(), 2u);
  cache.EraseUser("nobody");  // harmless
  cache.Insert("alice", "new", Id("alice"), cache.generation());
  EXPECT_TRUE(cache.Lookup("alice", "new"));
}

// The per-user index follows expiry, eviction and re-insertion.
TEST(AuthCredentialCache, EraseUserAfterExpiryAndEviction) {
  ManualClock clock;
  CredentialCache cache(Opts(clock, 16));  // one entry per shard
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  clock.Advance(seconds(61));
  EXPECT_FALSE(cache.Lookup("alice", "pw"));  // expired, dropped
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  cache.Insert("alice", "pw", Id("alice"), cache.generation());     // replaces
  cache.Insert("alice", "other", Id("alice"), cache.generation());  // evicts
  EXPECT_EQ(cache.size(), 1u);
  EXPECT_TRUE(cache.Lookup("alice", "other"));
  cache.EraseUser("alice");
  EXPECT_EQ(cache.size(), 0u);
  for (int i = 0; i < 1000; ++i) {
    std::string user = "u" + std::to_string(i);
    cache.Insert(user, "pw", Id(user), cache.generation());
    if (i % 3 == 0) cache.EraseUser(user);
  }
  EXPECT_LE(cache.size(), 16u);
}

TEST(AuthCredentialCache, ZeroTtlDisables) {
  ManualClock clock;
  auto o = Opts(clock);
  o.ttl = seconds(0);
  CredentialCache cache(o);
  cache.Insert("alice", "pw", Id("alice"), cache.generation());
  EXPECT_FALSE(cache.Lookup("alice", "pw"));
}

TEST(AuthCredentialCache, KeysDependOnPerProcessSecret) {
  // Two caches (two secrets) do not share entries; nothing is global.
  ManualClock clock;
  CredentialCache a(Opts(clock)), b(Opts(clock));
  a.Insert("alice", "pw", Id("alice"), a.generation());
  EXPECT_TRUE(a.Lookup("alice", "pw"));
  EXPECT_FALSE(b.Lookup("alice", "pw"));
}

TEST(AuthCredentialCache, ConcurrentLookupsAndInserts) {
  CredentialCache cache;  // real clock
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        std::string user = "u" + std::to_string((t * 7919 + i) % 300);
        if (!cache.Lookup(user, "pw")) {
          cache.Insert(user, "pw", Id(user), cache.generation());
        }
        if (i % 500 == 0) cache.Clear();
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_LE(cache.size(), 300u);
}

}  // namespace
}  // namespace wsman::auth
