#include "server/auth/credential_cache.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <cstring>
#include <functional>
#include <random>
#include <string>

namespace wsman::auth {

// The fetched HMAC implementation (shareable between threads).
struct CredentialCache::MacState {
  EVP_MAC* mac = nullptr;
  ~MacState() { EVP_MAC_free(mac); }
};

namespace {

struct MacCtxDeleter {
  void operator()(EVP_MAC_CTX* c) const { EVP_MAC_CTX_free(c); }
};

}  // namespace

size_t CredentialCache::KeyHash::operator()(const Key& k) const {
  size_t h;
  std::memcpy(&h, k.data(), sizeof h);  // an HMAC output is uniform
  return h;
}

CredentialCache::CredentialCache() : CredentialCache(Options{}) {}

CredentialCache::CredentialCache(Options options)
    : options_(std::move(options)), mac_(std::make_unique<MacState>()) {
  if (!options_.clock) options_.clock = base::RealMonotonicClock();
  per_shard_max_ = options_.max_entries / kShards;
  if (per_shard_max_ == 0 && options_.max_entries > 0) per_shard_max_ = 1;
  if (RAND_bytes(secret_.data(), static_cast<int>(secret_.size())) != 1) {
    std::random_device rd;
    for (auto& b : secret_) b = static_cast<unsigned char>(rd());
  }
  mac_->mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
}

CredentialCache::~CredentialCache() {
  OPENSSL_cleanse(secret_.data(), secret_.size());
}

bool CredentialCache::MakeKey(std::string_view user, std::string_view password,
                              Key* key) const {
  if (mac_->mac == nullptr) return false;
  std::unique_ptr<EVP_MAC_CTX, MacCtxDeleter> ctx(EVP_MAC_CTX_new(mac_->mac));
  if (!ctx) return false;
  char digest[] = "SHA256";
  OSSL_PARAM params[] = {
      OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
      OSSL_PARAM_construct_end()};
  static const unsigned char kSep = 0;
  size_t out_len = 0;
  return EVP_MAC_init(ctx.get(), secret_.data(), secret_.size(), params) == 1 &&
         EVP_MAC_update(ctx.get(),
                        reinterpret_cast<const unsigned char*>(user.data()),
                        user.size()) == 1 &&
         EVP_MAC_update(ctx.get(), &kSep, 1) == 1 &&
         EVP_MAC_update(ctx.get(),
                        reinterpret_cast<const unsigned char*>(password.data()),
                        password.size()) == 1 &&
         EVP_MAC_final(ctx.get(), key->data(), &out_len, key->size()) == 1 &&
         out_len == key->size();
}

CredentialCache::Shard& CredentialCache::ShardFor(std::string_view user) const {
  return shards_[std::hash<std::string_view>{}(user) % kShards];
}

void CredentialCache::Shard::Erase(
    std::unordered_map<Key, Entry, KeyHash>::iterator it) {
  auto keys = by_user.find(it->second.user);
  if (keys != by_user.end()) {
    std::erase(keys->second, it->first);
    if (keys->second.empty()) by_user.erase(keys);
  }
  order.erase(it->second.order);
  map.erase(it);
}

std::optional<Identity> CredentialCache::Lookup(
    std::string_view user, std::string_view password) const {
  if (options_.ttl.count() <= 0 || per_shard_max_ == 0) return std::nullopt;
  Key key;
  if (!MakeKey(user, password, &key)) return std::nullopt;
  const base::MonotonicTime now = options_.clock();
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  auto it = shard.map.find(key);
  if (it == shard.map.end()) return std::nullopt;
  if (it->second.expires <= now) {
    shard.Erase(it);
    return std::nullopt;
  }
  return it->second.identity;
}

void CredentialCache::Insert(std::string_view user, std::string_view password,
                             const Identity& identity, uint64_t generation) {
  if (options_.ttl.count() <= 0 || per_shard_max_ == 0) return;
  Key key;
  if (!MakeKey(user, password, &key)) return;
  const base::MonotonicTime now = options_.clock();
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  // Checked under the shard lock: Clear() bumps the generation before it
  // takes the shard locks, so a stale insert either loses here or is wiped.
  if (generation != generation_.load(std::memory_order_acquire)) return;
  auto it = shard.map.find(key);
  if (it != shard.map.end()) shard.Erase(it);
  // Drop expired entries at the old end, then the oldest beyond the bound.
  while (!shard.order.empty()) {
    auto oldest = shard.map.find(shard.order.front());
    if (oldest->second.expires > now && shard.map.size() < per_shard_max_) {
      break;
    }
    shard.Erase(oldest);
  }
  shard.order.push_back(key);
  shard.map.emplace(key, Entry{identity, now + options_.ttl, std::string(user),
                               std::prev(shard.order.end())});
  shard.by_user[std::string(user)].push_back(key);
}

void CredentialCache::Clear() {
  generation_.fetch_add(1, std::memory_order_acq_rel);
  for (Shard& shard : shards_) {
    base::MutexLock lock(&shard.mu);
    shard.map.clear();
    shard.order.clear();
    shard.by_user.clear();
  }
}

void CredentialCache::EraseUser(std::string_view user) {
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  auto keys = shard.by_user.find(std::string(user));
  if (keys == shard.by_user.end()) return;
  for (const Key& key : keys->second) {
    auto it = shard.map.find(key);
    if (it == shard.map.end()) continue;
    shard.order.erase(it->second.order);
    shard.map.erase(it);
  }
  shard.by_user.erase(keys);
}

size_t CredentialCache::size() const {
  size_t n = 0;
  for (const Shard& shard : shards_) {
    base::MutexLock lock(&shard.mu);
    n += shard.map.size();
  }
  return n;
}

}  // namespace wsman::auth
