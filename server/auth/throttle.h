// Per-peer throttling of failed authentications: after max_failures failures
// within `window`, the peer is refused without any password check for a
// backoff (initial_backoff). Every further failure before a quiet `window`
// (no failure for that long) locks it again, the backoff doubling up to
// max_backoff. A success or a quiet window forgives the peer. Memory
// is bounded: at most max_peers are tracked, the least recently failing is
// dropped first. Thread-safe (sharded; short critical sections).
#ifndef WSMAND_SERVER_AUTH_THROTTLE_H_
#define WSMAND_SERVER_AUTH_THROTTLE_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "server/auth/clock.h"

namespace wsman::auth {

class Throttle {
 public:
  struct Options {
    int max_failures = 5;  // <= 0 disables throttling
    std::chrono::seconds window{60};
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
    size_t max_peers = 10000;
    Clock clock;  // empty = steady_clock
  };

  explicit Throttle(Options options);
  Throttle();
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // False while `peer` is locked out: refuse without checking credentials.
  bool Allowed(std::string_view peer) const;
  void RecordFailure(std::string_view peer);
  void RecordSuccess(std::string_view peer);

  // How long `peer` stays locked (0 when not locked). For tests and logs.
  std::chrono::milliseconds LockRemaining(std::string_view peer) const;
  size_t tracked_peers() const {
    return tracked_.load(std::memory_order_relaxed);
  }

 private:
  struct State {
    int failures = 0;
    int strikes = 0;  // lockouts so far; the next backoff is initial << strikes
    TimePoint window_start;
    TimePoint last_failure;
    TimePoint locked_until;
    std::list<std::string>::iterator order;
  };
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<std::string, State> map;
    std::list<std::string> order;  // least recently failing first
  };
  static constexpr size_t kShards = 16;

  Shard& ShardFor(std::string_view peer) const;

  Options options_;
  size_t per_shard_max_;
  std::atomic<size_t> tracked_{0};
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_THROTTLE_H_
