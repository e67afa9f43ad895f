#include "server/http/connection_table.h"

namespace wsman::server::http {

void ConnectionTable::Unlist(Entry& e) {
  if (e.list == kNone) return;
  lists_[e.list].erase(e.pos);
  e.list = kNone;
}

void ConnectionTable::List(uint64_t id, Entry& e, ListId list) {
  Unlist(e);
  lists_[list].push_back(id);
  e.pos = std::prev(lists_[list].end());
  e.list = list;
}

bool ConnectionTable::ShedOne(std::string_view peer, Admission* out) {
  // Shedding order: never-authenticated connections (waiting, idle, then
  // busy before credentials), then idle ones; oldest first in each.
  for (ListId list : {kFreshList, kIdleUnauth, kBusyUnauth, kIdleAuth}) {
    for (uint64_t id : lists_[list]) {
      Entry& v = entries_.at(id);
      if (!peer.empty() && v.peer != peer) continue;
      out->victims.push_back({id, v.phase == Phase::kBusy});
      Unlist(v);
      v.shedding = true;
      ++shedding_;
      ++per_peer_[v.peer].shedding;
      return true;
    }
  }
  return false;
}

ConnectionTable::Admission ConnectionTable::Admit(uint64_t id,
                                                  std::string_view peer,
                                                  Clock::time_point now) {
  Admission out;
  auto peer_it = per_peer_.find(std::string(peer));
  PeerCount mine = peer_it == per_peer_.end() ? PeerCount{} : peer_it->second;
  if (limits_.max_per_peer > 0 &&
      mine.open - mine.shedding >= limits_.max_per_peer) {
    // A peer at its share makes room among its own connections only.
    if (!ShedOne(peer, &out)) {
      out.refusal = "per-peer connection limit";
      return out;
    }
  } else if (entries_.size() - shedding_ >= limits_.max_connections &&
             !ShedOne({}, &out)) {
    out.refusal = "connection limit (every connection is busy)";
    return out;
  }
  Entry& e = entries_[id];
  e.peer = std::string(peer);
  e.phase = Phase::kFresh;
  e.deadline = now + limits_.fresh_timeout;
  List(id, e, kFreshList);
  ++per_peer_[e.peer].open;
  out.admitted = true;
  return out;
}

void ConnectionTable::Remove(uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  Unlist(e);
  auto peer_it = per_peer_.find(e.peer);
  if (e.shedding) {
    --shedding_;
    if (peer_it != per_peer_.end()) --peer_it->second.shedding;
  }
  if (peer_it != per_peer_.end() && --peer_it->second.open == 0) {
    per_peer_.erase(peer_it);
  }
  entries_.erase(it);
}

bool ConnectionTable::StartWork(uint64_t id, Clock::time_point) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.phase == Phase::kBusy) return false;
  Entry& e = it->second;
  e.phase = Phase::kBusy;
  if (e.shedding) {
    Unlist(e);
  } else if (e.authenticated) {
    Unlist(e);  // busy and authenticated: never shed
  } else {
    List(id, e, kBusyUnauth);
  }
  return true;
}

void ConnectionTable::FinishWork(uint64_t id, Clock::time_point now) {
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  Entry& e = it->second;
  e.phase = Phase::kIdle;
  e.deadline = now + limits_.idle_timeout;
  if (!e.shedding) List(id, e, e.authenticated ? kIdleAuth : kIdleUnauth);
}

void ConnectionTable::MarkAuthenticated(uint64_t id) {
  auto it = entries_.find(id);
  if (it == entries_.end() || it->second.authenticated) return;
  Entry& e = it->second;
  e.authenticated = true;
  if (e.list == kBusyUnauth) Unlist(e);
  if (e.list == kIdleUnauth) List(id, e, kIdleAuth);
}

ConnectionTable::Phase ConnectionTable::PhaseOf(uint64_t id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? Phase::kIdle : it->second.phase;
}

std::vector<uint64_t> ConnectionTable::Expired(Clock::time_point now) const {
  std::vector<uint64_t> out;
  for (ListId list : {kFreshList, kIdleUnauth, kIdleAuth}) {
    for (uint64_t id : lists_[list]) {
      if (entries_.at(id).deadline > now) break;  // oldest first
      out.push_back(id);
    }
  }
  return out;
}

ConnectionTable::Clock::time_point ConnectionTable::NextDeadline() const {
  Clock::time_point next = Clock::time_point::max();
  for (ListId list : {kFreshList, kIdleUnauth, kIdleAuth}) {
    if (lists_[list].empty()) continue;
    Clock::time_point d = entries_.at(lists_[list].front()).deadline;
    if (d < next) next = d;
  }
  return next;
}

std::vector<uint64_t> ConnectionTable::NotBusy() const {
  std::vector<uint64_t> out;
  for (const auto& [id, e] : entries_) {
    if (e.phase != Phase::kBusy) out.push_back(id);
  }
  return out;
}

size_t ConnectionTable::CountFor(std::string_view peer) const {
  auto it = per_peer_.find(std::string(peer));
  return it == per_peer_.end() ? 0 : it->second.open;
}

}  // namespace wsman::server::http
