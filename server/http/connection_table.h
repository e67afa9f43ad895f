// Which connections the server holds and which to shed when it is full: the
// admission policy (a total cap, and a per-peer cap within which a peer's
// own oldest waiting connection makes room for its new one), the phases a
// connection goes through (fresh: accepted, nothing received yet; busy: a
// worker serves it; idle: kept alive between requests), their deadlines, and
// the order in which connections go when room is needed — first those that
// never authenticated (fresh, idle, then busy ones still before their first
// accepted credentials, oldest first), then idle authenticated ones. Busy
// authenticated connections are never shed.
//
// Not thread-safe: HttpServer guards it with its mutex. No sockets here, so
// the policy is unit-tested on its own.
#ifndef WSMAND_SERVER_HTTP_CONNECTION_TABLE_H_
#define WSMAND_SERVER_HTTP_CONNECTION_TABLE_H_

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace wsman::server::http {

class ConnectionTable {
 public:
  using Clock = std::chrono::steady_clock;

  struct Limits {
    size_t max_connections = 1024;
    size_t max_per_peer = 128;  // 0 = no per-peer cap
    Clock::duration fresh_timeout = std::chrono::seconds(10);
    Clock::duration idle_timeout = std::chrono::seconds(60);
  };

  enum class Phase { kFresh, kBusy, kIdle };

  // A connection to shed to make room: close it if it is not busy,
  // interrupt its worker if it is.
  struct Victim {
    uint64_t id;
    bool busy;
  };

  struct Admission {
    bool admitted = false;
    std::string_view refusal;  // when not admitted: why, for the log
    std::vector<Victim> victims;
  };

  explicit ConnectionTable(Limits limits) : limits_(limits) {}

  // A new connection `id` from `peer`. Admitted: it is fresh, and
  // `victims` (possibly empty) must go to make room for it.
  Admission Admit(uint64_t id, std::string_view peer, Clock::time_point now);
  // Forgets `id` (closed). Unknown ids are ignored.
  void Remove(uint64_t id);

  // Fresh or idle -> busy (a worker takes it). False if `id` is unknown or
  // already busy.
  bool StartWork(uint64_t id, Clock::time_point now);
  // Busy -> idle, its keep-alive deadline starting now.
  void FinishWork(uint64_t id, Clock::time_point now);
  // The connection's credentials were accepted (it stays so).
  void MarkAuthenticated(uint64_t id);

  bool Contains(uint64_t id) const { return entries_.count(id) != 0; }
  Phase PhaseOf(uint64_t id) const;
  // Fresh and idle connections whose deadline has passed.
  std::vector<uint64_t> Expired(Clock::time_point now) const;
  // The earliest fresh or idle deadline (time_point::max() if none).
  Clock::time_point NextDeadline() const;
  // Every fresh and idle connection (for a server stop).
  std::vector<uint64_t> NotBusy() const;

  size_t size() const { return entries_.size(); }
  size_t CountFor(std::string_view peer) const;

 private:
  // The lists a connection can wait in, in shedding order.
  enum ListId { kFreshList, kIdleUnauth, kBusyUnauth, kIdleAuth, kNone };
  struct Entry {
    std::string peer;
    Phase phase = Phase::kFresh;
    bool authenticated = false;
    bool shedding = false;       // named a victim; going away
    Clock::time_point deadline;  // fresh/idle: when it expires
    ListId list = kNone;
    std::list<uint64_t>::iterator pos;
  };
  // Names the next connection to shed (of `peer` only, unless empty).
  bool ShedOne(std::string_view peer, Admission* out);
  void Unlist(Entry& e);
  void List(uint64_t id, Entry& e, ListId list);

  const Limits limits_;
  std::unordered_map<uint64_t, Entry> entries_;
  struct PeerCount {
    size_t open = 0;
    size_t shedding = 0;
  };
  std::unordered_map<std::string, PeerCount> per_peer_;
  std::list<uint64_t> lists_[kNone];  // oldest first
  size_t shedding_ = 0;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_CONNECTION_TABLE_H_
