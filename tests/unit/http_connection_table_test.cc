// Admission and shedding: a per-peer share within which a peer's own oldest
// waiting connection makes room, and when the server is full,
// never-authenticated connections go before idle authenticated ones, busy
// authenticated ones never.
#include "server/http/connection_table.h"

#include <gtest/gtest.h>

namespace wsman::server::http {
namespace {

using Clock = ConnectionTable::Clock;

ConnectionTable::Limits Small(size_t total, size_t per_peer) {
  ConnectionTable::Limits l;
  l.max_connections = total;
  l.max_per_peer = per_peer;
  l.fresh_timeout = std::chrono::seconds(10);
  l.idle_timeout = std::chrono::seconds(60);
  return l;
}

TEST(ConnectionTable, PeerAtItsShareShedsItsOwnOldestWaiting) {
  ConnectionTable t(Small(100, 3));
  auto now = Clock::now();
  for (uint64_t id = 1; id <= 3; ++id) {
    EXPECT_TRUE(t.Admit(id, "10.0.0.1", now).admitted);
  }
  EXPECT_TRUE(t.Admit(10, "10.0.0.2", now).admitted);
  auto a = t.Admit(4, "10.0.0.1", now);
  ASSERT_TRUE(a.admitted);
  ASSERT_EQ(a.victims.size(), 1u);
  EXPECT_EQ(a.victims[0].id, 1u);  // its own oldest, never another peer's
  EXPECT_FALSE(a.victims[0].busy);
  t.Remove(1);
  EXPECT_EQ(t.CountFor("10.0.0.1"), 3u);
  EXPECT_EQ(t.CountFor("10.0.0.2"), 1u);
}

TEST(ConnectionTable, PeerWithOnlyBusyAuthenticatedConnectionsIsRefused) {
  ConnectionTable t(Small(100, 2));
  auto now = Clock::now();
  for (uint64_t id = 1; id <= 2; ++id) {
    ASSERT_TRUE(t.Admit(id, "p", now).admitted);
    ASSERT_TRUE(t.StartWork(id, now));
    t.MarkAuthenticated(id);
  }
  auto a = t.Admit(3, "p", now);
  EXPECT_FALSE(a.admitted);
  EXPECT_FALSE(a.refusal.empty());
}

TEST(ConnectionTable, FullServerShedsUnauthenticatedFirst) {
  ConnectionTable t(Small(4, 0));
  auto now = Clock::now();
  // 1: busy authenticated; 2: idle authenticated; 3: busy, not yet
  // authenticated; 4: idle after a refused request (never authenticated).
  for (uint64_t id = 1; id <= 4; ++id)
    ASSERT_TRUE(t.Admit(id, "a", now).admitted);
  t.StartWork(1, now);
  t.MarkAuthenticated(1);
  t.StartWork(2, now);
  t.MarkAuthenticated(2);
  t.FinishWork(2, now);
  t.StartWork(3, now);
  t.StartWork(4, now);
  t.FinishWork(4, now);

  auto first = t.Admit(5, "b", now);
  ASSERT_TRUE(first.admitted);
  ASSERT_EQ(first.victims.size(), 1u);
  EXPECT_EQ(first.victims[0].id, 4u);  // idle, never authenticated
  EXPECT_FALSE(first.victims[0].busy);
  t.Remove(4);
  t.StartWork(5, now);
  t.MarkAuthenticated(5);

  auto second = t.Admit(6, "b", now);
  ASSERT_TRUE(second.admitted);
  ASSERT_EQ(second.victims.size(), 1u);
  EXPECT_EQ(second.victims[0].id, 3u);  // busy before credentials
  EXPECT_TRUE(second.victims[0].busy);
  // While 3 is still going, the room it frees is already promised: the
  // next newcomer sheds the fresh one that sent nothing.
  auto third = t.Admit(7, "b", now);
  ASSERT_TRUE(third.admitted);
  EXPECT_EQ(third.victims[0].id, 6u);
  t.Remove(3);
  t.Remove(6);
  t.StartWork(7, now);
  t.MarkAuthenticated(7);

  auto fourth = t.Admit(8, "b", now);
  ASSERT_TRUE(fourth.admitted);
  EXPECT_EQ(fourth.victims[0].id, 2u);  // idle authenticated, last resort
  t.Remove(2);
  t.StartWork(8, now);
  t.MarkAuthenticated(8);
  // Everything left is busy and authenticated: refused.
  EXPECT_FALSE(t.Admit(9, "b", now).admitted);
}

TEST(ConnectionTable, DeadlinesExpireWaitingConnectionsOnly) {
  ConnectionTable t(Small(10, 0));
  auto now = Clock::now();
  t.Admit(1, "a", now);  // fresh: 10 s
  t.Admit(2, "a", now);
  t.StartWork(2, now);  // busy: no deadline
  t.Admit(3, "a", now);
  t.StartWork(3, now);
  t.FinishWork(3, now);  // idle: 60 s
  EXPECT_EQ(t.NextDeadline(), now + std::chrono::seconds(10));
  EXPECT_TRUE(t.Expired(now + std::chrono::seconds(9)).empty());
  EXPECT_EQ(t.Expired(now + std::chrono::seconds(10)),
            std::vector<uint64_t>{1});
  t.Remove(1);
  EXPECT_EQ(t.Expired(now + std::chrono::seconds(61)),
            std::vector<uint64_t>{3});
  EXPECT_EQ(t.NotBusy(), std::vector<uint64_t>{3});
}

}  // namespace
}  // namespace wsman::server::http
