#include "server/auth/throttle.h"

#include <algorithm>
#include <functional>

namespace wsman::auth {

Throttle::Throttle() : Throttle(Options{}) {}

Throttle::Throttle(Options options) : options_(std::move(options)) {
  if (!options_.clock) options_.clock = SteadyClock();
  per_shard_max_ = std::max<size_t>(1, options_.max_peers / kShards);
}

Throttle::Shard& Throttle::ShardFor(std::string_view peer) const {
  return shards_[std::hash<std::string_view>{}(peer) % kShards];
}

bool Throttle::Allowed(std::string_view peer) const {
  return LockRemaining(peer).count() == 0;
}

std::chrono::milliseconds Throttle::LockRemaining(std::string_view peer) const {
  using std::chrono::milliseconds;
  if (options_.max_failures <= 0 ||
      tracked_.load(std::memory_order_relaxed) == 0) {
    return milliseconds(0);
  }
  const TimePoint now = options_.clock();
  Shard& shard = ShardFor(peer);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(std::string(peer));
  if (it == shard.map.end() || it->second.locked_until <= now) {
    return milliseconds(0);
  }
  auto left = it->second.locked_until - now;
  return std::max(milliseconds(1), std::chrono::ceil<milliseconds>(left));
}

void Throttle::RecordFailure(std::string_view peer) {
  if (options_.max_failures <= 0) return;
  const TimePoint now = options_.clock();
  Shard& shard = ShardFor(peer);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(std::string(peer));
  if (it == shard.map.end()) {
    if (shard.map.size() >= per_shard_max_ && !shard.order.empty()) {
      shard.map.erase(shard.order.front());
      shard.order.pop_front();
      tracked_.fetch_sub(1, std::memory_order_relaxed);
    }
    shard.order.emplace_back(peer);
    State fresh;
    fresh.window_start = now;
    fresh.last_failure = now;
    fresh.locked_until = now;
    fresh.order = std::prev(shard.order.end());
    it = shard.map.emplace(std::string(peer), fresh).first;
    tracked_.fetch_add(1, std::memory_order_relaxed);
  } else {
    shard.order.splice(shard.order.end(), shard.order, it->second.order);
  }
  State& s = it->second;
  // Quiet: no failure for a whole window after the last lock ended.
  if (now - std::max(s.last_failure, s.locked_until) >= options_.window) {
    s.strikes = 0;
  }
  if (now - s.window_start >= options_.window) {
    s.failures = 0;
    s.window_start = now;
  }
  s.last_failure = now;
  // Once locked out, every further failure before a quiet window locks again.
  if (++s.failures >= options_.max_failures || s.strikes > 0) {
    auto backoff =
        options_.initial_backoff * (int64_t{1} << std::min(s.strikes, 30));
    if (backoff > options_.max_backoff || backoff.count() <= 0) {
      backoff = options_.max_backoff;
    }
    s.locked_until = now + backoff;
    ++s.strikes;
  }
}

void Throttle::RecordSuccess(std::string_view peer) {
  if (tracked_.load(std::memory_order_relaxed) == 0) return;
  Shard& shard = ShardFor(peer);
  std::lock_guard<std::mutex> lock(shard.mu);
  auto it = shard.map.find(std::string(peer));
  if (it == shard.map.end()) return;
  shard.order.erase(it->second.order);
  shard.map.erase(it);
  tracked_.fetch_sub(1, std::memory_order_relaxed);
}

}  // namespace wsman::auth
