#include "engine/config/listener_enumeration.h"

#include "base/uuid.h"

namespace wsman::engine::config {

std::string ListenerEnumerations::Open(const std::string& owner,
                                       std::vector<Node> items,
                                       Clock::time_point now) {
  std::string id = "uuid:" + base::NewUuid();
  base::MutexLock lock(&mu_);
  DropExpired(now);
  // Beyond the user's share the context closest to expiry (the oldest
  // unused) goes.
  size_t held = 0;
  auto oldest = contexts_.end();
  for (auto it = contexts_.begin(); it != contexts_.end(); ++it) {
    if (it->second.owner != owner) continue;
    ++held;
    if (oldest == contexts_.end() ||
        it->second.expires < oldest->second.expires) {
      oldest = it;
    }
  }
  if (held >= max_per_user_ && oldest != contexts_.end()) {
    contexts_.erase(oldest);
  }
  contexts_[id] =
      Context{owner,
              std::deque<Node>(std::make_move_iterator(items.begin()),
                               std::make_move_iterator(items.end())),
              now + expiry_};
  return id;
}

std::optional<ListenerEnumerations::Batch> ListenerEnumerations::Pull(
    const std::string& owner, const std::string& id, size_t max,
    Clock::time_point now) {
  base::MutexLock lock(&mu_);
  DropExpired(now);
  auto it = contexts_.find(id);
  if (it == contexts_.end() || it->second.owner != owner) return std::nullopt;
  Batch batch;
  std::deque<Node>& items = it->second.items;
  while (!items.empty() && batch.items.size() < max) {
    batch.items.push_back(std::move(items.front()));
    items.pop_front();
  }
  if (items.empty()) {
    batch.end = true;
    contexts_.erase(it);
  } else {
    it->second.expires = now + expiry_;
  }
  return batch;
}

bool ListenerEnumerations::Release(const std::string& owner,
                                   const std::string& id,
                                   Clock::time_point now) {
  base::MutexLock lock(&mu_);
  DropExpired(now);
  auto it = contexts_.find(id);
  if (it == contexts_.end() || it->second.owner != owner) return false;
  contexts_.erase(it);
  return true;
}

size_t ListenerEnumerations::size() const {
  base::MutexLock lock(&mu_);
  return contexts_.size();
}

void ListenerEnumerations::DropExpired(Clock::time_point now) {
  for (auto it = contexts_.begin(); it != contexts_.end();) {
    it = it->second.expires <= now ? contexts_.erase(it) : std::next(it);
  }
}

}  // namespace wsman::engine::config
