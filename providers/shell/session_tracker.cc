#include "providers/shell/session_tracker.h"

#include <signal.h>

#include <unordered_map>
#include <utility>

namespace wsman::providers::shell {

bool SessionTracker::IsMemberAlive(pid_t pid, uint64_t child_start) const {
  if (pid == leader_) return leader_held();
  auto it = members_.find(pid);
  return it != members_.end() && it->second.start_time <= child_start &&
         PidfdAlive(it->second.pidfd.get());
}

int SessionTracker::Update(const std::vector<ProcStat>& snapshot) {
  // Forget members that exited.
  for (auto it = members_.begin(); it != members_.end();) {
    if (PidfdAlive(it->second.pidfd.get())) {
      ++it;
    } else {
      it = members_.erase(it);
    }
  }
  int added = 0;
  bool found_any = !members_.empty();
  // The snapshot is in no particular order: repeat until no parent-child
  // step adds anyone (each pass adds at least one generation).
  for (bool progress = true; progress;) {
    progress = false;
    for (const ProcStat& p : snapshot) {
      if (p.pid == leader_ || p.pid <= 1) continue;
      auto known = members_.find(p.pid);
      if (known != members_.end() && known->second.start_time == p.start_time)
        continue;
      const bool by_session =
          leader_held() && (p.session == leader_ || p.pgrp == leader_);
      const bool by_parent = IsMemberAlive(p.ppid, p.start_time);
      if (!by_session && !by_parent) continue;
      base::UniqueFd fd(PidfdOpen(p.pid));
      if (!fd) continue;  // gone meanwhile
      ProcStat again;
      if (!ReadProcStat(proc_root_, p.pid, &again) ||
          again.start_time != p.start_time) {
        continue;  // the pid names another process now
      }
      // Still ours: the leader is still held, or the parent is still alive
      // after the child's pidfd was opened (so p.ppid named that member).
      if (!(by_session && leader_held()) &&
          !IsMemberAlive(p.ppid, p.start_time)) {
        continue;
      }
      if (!PidfdAlive(fd.get())) continue;
      members_[p.pid] = Member{p.start_time, std::move(fd)};
      ++added;
      progress = true;
    }
  }
  // Processes in the leader's session or group count as found even when the
  // pidfd could not be opened (they are gone by then or are the zombie).
  if (added > 0) found_any = true;
  quiet_updates_ = found_any ? 0 : quiet_updates_ + 1;
  return added;
}

int SessionTracker::KillOnce(const SignalSender& signals, int sig) {
  if (leader_held()) signals.Kill(-leader_, sig);
  int n = 0;
  for (auto& [pid, m] : members_) {
    if (PidfdAlive(m.pidfd.get())) {
      signals.Pidfd(m.pidfd.get(), sig);
      ++n;
    }
  }
  return n;
}

std::vector<pid_t> SessionTracker::member_pids() const {
  std::vector<pid_t> out;
  for (const auto& [pid, m] : members_) out.push_back(pid);
  return out;
}

}  // namespace wsman::providers::shell
