#include "server/auth/verify_gate.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <thread>
#include <utility>
#include <vector>

namespace wsman::auth {
namespace {

using std::chrono::milliseconds;

VerifyGate::Options Opts(int total, int per_peer, milliseconds wait) {
  VerifyGate::Options o;
  o.max_total = total;
  o.max_per_peer = per_peer;
  o.wait = wait;
  return o;
}

TEST(AuthVerifyGate, PerPeerPlacesAreRefusedAtOnceBeyondTheLimit) {
  VerifyGate gate(Opts(2, 2, milliseconds(10)));
  VerifyGate::PeerTicket a = gate.EnterPeer("10.0.0.1");
  VerifyGate::PeerTicket b = gate.EnterPeer("10.0.0.1");
  EXPECT_TRUE(a);
  EXPECT_TRUE(b);
  EXPECT_FALSE(gate.EnterPeer("10.0.0.1"));
  EXPECT_TRUE(gate.EnterPeer("10.0.0.2"));  // another address
  EXPECT_EQ(gate.in_progress("10.0.0.1"), 2);
  { VerifyGate::PeerTicket gone = std::move(a); }
  EXPECT_EQ(gate.in_progress("10.0.0.1"), 1);
  EXPECT_TRUE(gate.EnterPeer("10.0.0.1"));
}

TEST(AuthVerifyGate, NoPerPeerLimitWithZero) {
  VerifyGate gate(Opts(2, 0, milliseconds(10)));
  std::vector<VerifyGate::PeerTicket> tickets;
  for (int i = 0; i < 100; ++i) {
    tickets.push_back(gate.EnterPeer("p"));
    ASSERT_TRUE(tickets.back());
  }
}

TEST(AuthVerifyGate, SlotsAreBoundedAndNotWaitedForForever) {
  VerifyGate gate(Opts(2, 2, milliseconds(20)));
  VerifyGate::Slot a = gate.AcquireSlot();
  VerifyGate::Slot b = gate.AcquireSlot();
  ASSERT_TRUE(a);
  ASSERT_TRUE(b);
  EXPECT_FALSE(gate.AcquireSlot());  // gives up after `wait`
  a.Release();
  EXPECT_TRUE(gate.AcquireSlot());
}

TEST(AuthVerifyGate, AwaitPeerReturnsWhenACheckEnds) {
  VerifyGate gate(Opts(2, 1, milliseconds(60000)));
  gate.AwaitPeer("idle");  // nothing in progress: returns at once
  auto ticket = std::make_unique<VerifyGate::PeerTicket>(gate.EnterPeer("p"));
  std::atomic<bool> woke{false};
  std::thread waiter([&] {
    gate.AwaitPeer("p");
    woke = true;
  });
  // Released by the main thread; the waiter must not need its 60 s.
  while (gate.in_progress("p") != 1) std::this_thread::yield();
  ticket.reset();
  waiter.join();
  EXPECT_TRUE(woke.load());
  EXPECT_EQ(gate.in_progress("p"), 0);
}

}  // namespace
}  // namespace wsman::auth
