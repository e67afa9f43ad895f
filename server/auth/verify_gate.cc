#include "server/auth/verify_gate.h"

#include <algorithm>
#include <utility>

namespace wsman::auth {

VerifyGate::PeerTicket::PeerTicket(PeerTicket&& o) noexcept
    : gate_(o.gate_), peer_(std::move(o.peer_)) {
  o.gate_ = nullptr;
}

VerifyGate::PeerTicket& VerifyGate::PeerTicket::operator=(
    PeerTicket&& o) noexcept {
  if (this != &o) {
    if (gate_) gate_->LeavePeer(peer_);
    gate_ = o.gate_;
    peer_ = std::move(o.peer_);
    o.gate_ = nullptr;
  }
  return *this;
}

VerifyGate::PeerTicket::~PeerTicket() {
  if (gate_) gate_->LeavePeer(peer_);
}

VerifyGate::Slot& VerifyGate::Slot::operator=(Slot&& o) noexcept {
  if (this != &o) {
    Release();
    gate_ = o.gate_;
    o.gate_ = nullptr;
  }
  return *this;
}

void VerifyGate::Slot::Release() {
  if (gate_) gate_->ReleaseSlot();
  gate_ = nullptr;
}

VerifyGate::VerifyGate(Options options)
    : options_(options), free_slots_(std::max(1, options.max_total)) {}

VerifyGate::PeerTicket VerifyGate::EnterPeer(std::string_view peer) {
  std::string key(peer);
  base::MutexLock lock(&mu_);
  Peer& p = peers_[key];
  if (options_.max_per_peer > 0 && p.in_progress >= options_.max_per_peer) {
    return PeerTicket();
  }
  ++p.in_progress;
  return PeerTicket(this, std::move(key));
}

void VerifyGate::LeavePeer(const std::string& peer) {
  {
    base::MutexLock lock(&mu_);
    auto it = peers_.find(peer);
    if (it == peers_.end()) return;
    --it->second.in_progress;
    ++it->second.finished;
    if (it->second.in_progress == 0 && it->second.waiters == 0) {
      peers_.erase(it);
    }
  }
  peer_cv_.NotifyAll();
}

void VerifyGate::AwaitPeer(std::string_view peer) {
  const auto deadline = std::chrono::steady_clock::now() + options_.wait;
  std::string key(peer);
  base::UniqueMutexLock lock(&mu_);
  auto it = peers_.find(key);
  if (it == peers_.end() || it->second.in_progress == 0) return;
  const uint64_t seen = it->second.finished;
  ++it->second.waiters;
  while (true) {
    // The entry stays while this thread waits (waiters > 0).
    Peer& p = peers_[key];
    if (p.finished != seen || p.in_progress == 0) break;
    if (!peer_cv_.WaitUntil(lock, deadline)) break;
  }
  Peer& p = peers_[key];
  if (--p.waiters == 0 && p.in_progress == 0) peers_.erase(key);
}

VerifyGate::Slot VerifyGate::AcquireSlot() {
  const auto deadline = std::chrono::steady_clock::now() + options_.wait;
  base::UniqueMutexLock lock(&mu_);
  while (free_slots_ == 0) {
    if (!slot_cv_.WaitUntil(lock, deadline) && free_slots_ == 0) {
      return Slot();
    }
  }
  --free_slots_;
  return Slot(this);
}

void VerifyGate::ReleaseSlot() {
  {
    base::MutexLock lock(&mu_);
    ++free_slots_;
  }
  slot_cv_.NotifyOne();
}

int VerifyGate::in_progress(std::string_view peer) const {
  base::MutexLock lock(&mu_);
  auto it = peers_.find(std::string(peer));
  return it == peers_.end() ? 0 : it->second.in_progress;
}

}  // namespace wsman::auth
