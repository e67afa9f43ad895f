#include "server/auth/account_recheck.h"

#include <algorithm>
#include <functional>
#include <utility>

namespace wsman::auth {

AccountRecheck::AccountRecheck(Options options)
    : options_(std::move(options)),
      per_shard_max_(std::max<size_t>(1, options_.max_users / kShards)) {
  if (!options_.clock) options_.clock = base::RealMonotonicClock();
}

AccountRecheck::Shard& AccountRecheck::ShardFor(std::string_view user) {
  return shards_[std::hash<std::string_view>{}(user) % kShards];
}

void AccountRecheck::Set(Shard& shard, std::string_view user,
                         base::MonotonicTime next, uint64_t stamp) {
  auto it = shard.users.find(std::string(user));
  if (it == shard.users.end()) {
    if (shard.users.size() >= per_shard_max_) shard.users.clear();
    it = shard.users.emplace(std::string(user), Shard::State{}).first;
  }
  it->second.next = next;
  it->second.stamp = stamp;
}

void AccountRecheck::Checked(std::string_view user, uint64_t stamp) {
  const base::MonotonicTime now = options_.clock();
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  Set(shard, user, now + options_.interval, stamp);
}

bool AccountRecheck::Due(std::string_view user,
                         std::optional<uint64_t>* stamp) {
  const base::MonotonicTime now = options_.clock();
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  auto it = shard.users.find(std::string(user));
  if (it == shard.users.end()) {
    stamp->reset();  // not known: the caller verifies afresh
    return true;
  }
  if (now < it->second.next) return false;
  *stamp = it->second.stamp;
  it->second.next = now + options_.interval;
  return true;
}

void AccountRecheck::Forget(std::string_view user) {
  Shard& shard = ShardFor(user);
  base::MutexLock lock(&shard.mu);
  shard.users.erase(std::string(user));
}

void AccountRecheck::Clear() {
  for (Shard& shard : shards_) {
    base::MutexLock lock(&shard.mu);
    shard.users.clear();
  }
}

}  // namespace wsman::auth
