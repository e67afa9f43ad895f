// Short-lived cache of verified Basic credentials, so a client re-sending
// its password on every request costs one HMAC instead of one crypt/PAM
// call. Key: HMAC-SHA256 under a per-process random key of
// user + '\0' + password (the password itself is never stored). Only
// successes are cached. Sharded by user name, so all of one user's entries
// are in one shard and EraseUser (a failed login, a locked account) drops
// them without a scan. A lookup holds one shard's mutex briefly.
#ifndef WSMAND_SERVER_AUTH_CREDENTIAL_CACHE_H_
#define WSMAND_SERVER_AUTH_CREDENTIAL_CACHE_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/mutex.h"
#include "server/auth/identity_for_user.h"

namespace wsman::auth {

class CredentialCache {
 public:
  struct Options {
    std::chrono::seconds ttl{60};  // 0 disables the cache
    size_t max_entries = 10000;    // oldest evicted beyond this
    base::MonotonicClock clock;    // empty = steady_clock
  };

  explicit CredentialCache(Options options);
  CredentialCache();
  ~CredentialCache();
  CredentialCache(const CredentialCache&) = delete;
  CredentialCache& operator=(const CredentialCache&) = delete;

  // The identity cached for exactly this user and password, if not expired.
  std::optional<Identity> Lookup(std::string_view user,
                                 std::string_view password) const;

  // Generation to pass to Insert: read it before verifying, so a result
  // verified against data that a concurrent Clear() dropped is not cached.
  uint64_t generation() const {
    return generation_.load(std::memory_order_acquire);
  }

  // Caches a *successful* verification (never call it for a failure).
  void Insert(std::string_view user, std::string_view password,
              const Identity& identity, uint64_t generation);

  // Drops every entry (reload, `user del`).
  void Clear();

  // Drops every entry of `user` (any password): a login of that user
  // failed, or the account is no longer usable.
  void EraseUser(std::string_view user);

  size_t size() const;

 private:
  using Key = std::array<unsigned char, 32>;
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  struct Entry {
    Identity identity;
    base::MonotonicTime expires;
    std::string user;  // as the client sent it, for by_user
    std::list<Key>::iterator order;
  };
  struct Shard {
    mutable base::Mutex mu;
    std::unordered_map<Key, Entry, KeyHash> map GUARDED_BY(mu);
    std::list<Key> order GUARDED_BY(mu);  // insertion order, oldest first
    // user -> its keys (usually one: one password per user).
    std::unordered_map<std::string, std::vector<Key>> by_user GUARDED_BY(mu);
    void Erase(std::unordered_map<Key, Entry, KeyHash>::iterator it)
        REQUIRES(mu);
  };
  static constexpr size_t kShards = 16;

  bool MakeKey(std::string_view user, std::string_view password,
               Key* key) const;
  Shard& ShardFor(std::string_view user) const;

  Options options_;
  size_t per_shard_max_;
  std::array<unsigned char, 32> secret_{};
  struct MacState;
  std::unique_ptr<MacState> mac_;
  std::atomic<uint64_t> generation_{0};
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_CREDENTIAL_CACHE_H_
