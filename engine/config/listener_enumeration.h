// WS-Enumeration contexts over config/listener (DSP0226 8): the listener
// items an Enumerate took, held until Pull has handed them all out, Release
// drops them or they expire. A context belongs to the user who opened it;
// another user's Pull or Release finds nothing (InvalidEnumerationContext).
// Bounded: at most `max_per_user` contexts a user (the oldest goes), each
// dropped after `expiry` unused.
//
// Thread rules: thread-safe; one mutex, held for map operations only.
#ifndef WSMAND_ENGINE_CONFIG_LISTENER_ENUMERATION_H_
#define WSMAND_ENGINE_CONFIG_LISTENER_ENUMERATION_H_

#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/mutex.h"
#include "engine/config/config_tree.h"

namespace wsman::engine::config {

class ListenerEnumerations {
 public:
  using Clock = std::chrono::steady_clock;

  ListenerEnumerations(std::chrono::seconds expiry, size_t max_per_user)
      : expiry_(expiry), max_per_user_(max_per_user) {}

  // Holds `items` for `owner`; returns the context id.
  std::string Open(const std::string& owner, std::vector<Node> items,
                   Clock::time_point now = Clock::now()) EXCLUDES(mu_);

  struct Batch {
    std::vector<Node> items;
    bool end = false;  // the context is gone: EndOfSequence
  };
  // Up to `max` items of `owner`'s context `id`; nullopt when there is no
  // such context of that owner.
  std::optional<Batch> Pull(const std::string& owner, const std::string& id,
                            size_t max, Clock::time_point now = Clock::now())
      EXCLUDES(mu_);
  // False when `owner` has no context `id`.
  bool Release(const std::string& owner, const std::string& id,
               Clock::time_point now = Clock::now()) EXCLUDES(mu_);

  size_t size() const EXCLUDES(mu_);

 private:
  struct Context {
    std::string owner;
    std::deque<Node> items;
    Clock::time_point expires;
  };
  void DropExpired(Clock::time_point now) REQUIRES(mu_);

  const std::chrono::seconds expiry_;
  const size_t max_per_user_;
  mutable base::Mutex mu_;
  std::map<std::string, Context> contexts_ GUARDED_BY(mu_);
};

}  // namespace wsman::engine::config

#endif  // WSMAND_ENGINE_CONFIG_LISTENER_ENUMERATION_H_
