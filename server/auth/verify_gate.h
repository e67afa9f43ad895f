// Admission to backend password checks (crypt, PAM): at most max_total run
// at once (each yescrypt costs 16 MiB and ~12 ms), and at most max_per_peer
// of them for one client address, so one address cannot take every slot.
// A slot is held only while the backend computes; PAM's failure delay is
// slept after the slot is released (server/auth/authenticator.cc), while
// the peer's ticket is still held. Nothing waits forever: a slot is waited
// for at most `wait`.
//
// Thread-safe: one mutex, two condition variables (peer tickets, slots).
#ifndef WSMAND_SERVER_AUTH_VERIFY_GATE_H_
#define WSMAND_SERVER_AUTH_VERIFY_GATE_H_

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/mutex.h"

namespace wsman::auth {

class VerifyGate {
 public:
  struct Options {
    int max_total = 2;     // checks computing at once, at least 1
    int max_per_peer = 2;  // checks in progress per address; <= 0: no limit
    std::chrono::milliseconds wait{10000};
  };

  // One of a peer's in-progress places; empty when refused. Move-only; the
  // place is given back on destruction.
  class PeerTicket {
   public:
    PeerTicket() = default;
    PeerTicket(PeerTicket&& o) noexcept;
    PeerTicket& operator=(PeerTicket&& o) noexcept;
    ~PeerTicket();
    explicit operator bool() const { return gate_ != nullptr; }

   private:
    friend class VerifyGate;
    PeerTicket(VerifyGate* gate, std::string peer)
        : gate_(gate), peer_(std::move(peer)) {}
    VerifyGate* gate_ = nullptr;
    std::string peer_;
  };

  // A computing slot; empty when none freed up within `wait`. Release()
  // gives it back early (before the failure delay).
  class Slot {
   public:
    Slot() = default;
    Slot(Slot&& o) noexcept : gate_(o.gate_) { o.gate_ = nullptr; }
    Slot& operator=(Slot&& o) noexcept;
    ~Slot() { Release(); }
    explicit operator bool() const { return gate_ != nullptr; }
    void Release();

   private:
    friend class VerifyGate;
    explicit Slot(VerifyGate* gate) : gate_(gate) {}
    VerifyGate* gate_ = nullptr;
  };

  explicit VerifyGate(Options options);
  VerifyGate(const VerifyGate&) = delete;
  VerifyGate& operator=(const VerifyGate&) = delete;

  // A place among `peer`'s checks, at once or not at all.
  PeerTicket EnterPeer(std::string_view peer) EXCLUDES(mu_);
  // Waits until one of `peer`'s checks in progress ends (or `wait`
  // passes, or none is in progress): the caller then looks in the cache.
  void AwaitPeer(std::string_view peer) EXCLUDES(mu_);
  // A computing slot, waiting at most `wait`.
  Slot AcquireSlot() EXCLUDES(mu_);

  int in_progress(std::string_view peer) const EXCLUDES(mu_);
  const Options& options() const { return options_; }

 private:
  struct Peer {
    int in_progress = 0;
    int waiters = 0;
    uint64_t finished = 0;  // checks that ended, to wake AwaitPeer
  };
  void LeavePeer(const std::string& peer) EXCLUDES(mu_);
  void ReleaseSlot() EXCLUDES(mu_);

  const Options options_;
  mutable base::Mutex mu_;
  base::CondVar peer_cv_;
  base::CondVar slot_cv_;
  std::unordered_map<std::string, Peer> peers_ GUARDED_BY(mu_);
  int free_slots_ GUARDED_BY(mu_);
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_VERIFY_GATE_H_
