#include "providers/shell/job.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <thread>

namespace wsman::providers::shell {
namespace {

using namespace std::chrono_literals;

std::atomic<int> g_home_seq{1};

// At most this many snapshot-and-kill rounds when ending a session group:
// each round finds what the previous one's victims forked meanwhile.
constexpr int kKillRounds = 8;

void KillSessionGroups(const std::vector<CommandGroup*>& groups,
                       const std::string& proc_root) {
  for (int round = 0; round < kKillRounds; ++round) {
    for (CommandGroup* g : groups) g->KillRound();
    std::vector<ProcStat> snapshot = SnapshotProcesses(proc_root);
    int added = 0;
    for (CommandGroup* g : groups) added += g->Update(snapshot);
    if (added == 0 && round > 0) break;
  }
}

}  // namespace

const char* IsolationName(Isolation isolation) {
  switch (isolation) {
    case Isolation::kAuto:
      return "auto";
    case Isolation::kCgroup:
      return "cgroup";
    case Isolation::kSession:
      return "session";
  }
  return "auto";
}

bool ParseIsolation(std::string_view text, Isolation* out) {
  for (Isolation i :
       {Isolation::kAuto, Isolation::kCgroup, Isolation::kSession}) {
    if (text == IsolationName(i)) {
      *out = i;
      return true;
    }
  }
  return false;
}

// JobHost -------------------------------------------------------------------

std::shared_ptr<JobHost> JobHost::Create(JobOptions options) {
  return std::shared_ptr<JobHost>(new JobHost(std::move(options)));
}

JobHost::JobHost(JobOptions options) : options_(std::move(options)) {
  std::string why;
  if (options_.isolation != Isolation::kSession) {
    if (cgroup::OpenHome(options_.sources, g_home_seq.fetch_add(1), &home_,
                         &why)) {
      mode_ = Isolation::kCgroup;
      description_ = "cgroup " + home_.dir + " (" + home_.layout +
                     (home_.moved ? ", daemon moved to <cgroup>/daemon" : "") +
                     (home_.pids ? ", pids.max" : ", no pids controller") + ")";
      return;
    }
    if (options_.isolation == Isolation::kCgroup) {
      error_ =
          "[shell] isolation = \"cgroup\", but no cgroup can be made: " + why;
      mode_ = Isolation::kCgroup;
      description_ = error_;
      return;
    }
  }
  mode_ = Isolation::kSession;
  description_ = options_.isolation == Isolation::kSession
                     ? "session (configured)"
                     : "session (" + why + ")";
}

JobHost::~JobHost() { Shutdown(2s); }

std::chrono::milliseconds JobHost::tick_interval() const {
  return mode_ == Isolation::kSession ? 100ms : 1000ms;
}

base::Status JobHost::NewJob(const std::string& shell_id, int max_processes,
                             std::shared_ptr<Job>* out) {
  if (!error_.empty()) return ShellError(Errc::kSpawnFailed, error_);
  {
    base::MutexLock lock(&mu_);
    if (shut_down_)
      return ShellError(Errc::kShuttingDown, "the service is stopping");
  }
  std::string dir;
  if (mode_ == Isolation::kCgroup) {
    dir = home_.dir + "/" + shell_id;
    std::string why;
    if (!cgroup::MakeDir(dir, &why)) return ShellError(Errc::kSpawnFailed, why);
    if (home_.pids && max_processes > 0) {
      cgroup::SetPidsMax(dir, max_processes);
    }
  }
  *out = std::make_shared<Job>(shared_from_this(), std::move(dir));
  return base::Status::Ok();
}

void JobHost::RemoveLater(std::string dir) {
  if (cgroup::RemoveDir(dir)) return;
  base::MutexLock lock(&mu_);
  pending_removals_.push_back(std::move(dir));
}

void JobHost::TrackSession(const std::shared_ptr<CommandGroup>& group) {
  base::MutexLock lock(&mu_);
  sessions_.push_back(group);
}

void JobHost::RetryRemovals() {
  std::vector<std::string> pending;
  {
    base::MutexLock lock(&mu_);
    pending.swap(pending_removals_);
  }
  // Children before their parents.
  std::sort(pending.begin(), pending.end(),
            [](const std::string& a, const std::string& b) {
              return a.size() > b.size();
            });
  std::vector<std::string> left;
  for (std::string& dir : pending) {
    if (!cgroup::RemoveDir(dir)) left.push_back(std::move(dir));
  }
  base::MutexLock lock(&mu_);
  for (std::string& dir : left) pending_removals_.push_back(std::move(dir));
}

void JobHost::Tick() {
  if (mode_ == Isolation::kSession) {
    std::vector<std::shared_ptr<CommandGroup>> groups;
    {
      base::MutexLock lock(&mu_);
      for (auto it = sessions_.begin(); it != sessions_.end();) {
        if (auto g = it->lock()) {
          groups.push_back(std::move(g));
          ++it;
        } else {
          it = sessions_.erase(it);
        }
      }
    }
    // Commands whose leader is reaped and whose members are gone have
    // nothing left to find: no snapshots for them.
    std::erase_if(groups, [](const auto& g) { return !g->NeedsScan(); });
    if (!groups.empty()) {
      std::vector<ProcStat> snapshot = SnapshotProcesses(proc_root());
      for (const auto& g : groups) g->Update(snapshot);
    }
  }
  RetryRemovals();
}

void JobHost::Shutdown(std::chrono::milliseconds wait) {
  {
    base::MutexLock lock(&mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  if (mode_ == Isolation::kCgroup && error_.empty() && !home_.dir.empty()) {
    cgroup::KillAndRemoveTree(home_.dir, options_.signals, wait);
    base::MutexLock lock(&mu_);
    pending_removals_.clear();
  }
}

// Job -----------------------------------------------------------------------

Job::Job(std::shared_ptr<JobHost> host, std::string dir)
    : host_(std::move(host)), dir_(std::move(dir)) {}

Job::~Job() {
  if (!dir_.empty()) host_->RemoveLater(dir_);
}

base::Status Job::NewGroup(const std::string& command_id,
                           std::shared_ptr<CommandGroup>* out) {
  std::shared_ptr<CommandGroup> group;
  if (dir_.empty()) {
    group =
        std::make_shared<CommandGroup>(host_, std::string(), base::UniqueFd());
    host_->TrackSession(group);
  } else {
    std::string dir = dir_ + "/" + command_id;
    std::string why;
    if (!cgroup::MakeDir(dir, &why)) return ShellError(Errc::kSpawnFailed, why);
    base::UniqueFd join = cgroup::OpenProcsForJoin(dir);
    if (!join) {
      cgroup::RemoveDir(dir);
      return ShellError(Errc::kSpawnFailed,
                        "cannot open " + dir + "/cgroup.procs");
    }
    group =
        std::make_shared<CommandGroup>(host_, std::move(dir), std::move(join));
  }
  base::MutexLock lock(&mu_);
  groups_.push_back(group);
  *out = std::move(group);
  return base::Status::Ok();
}

std::vector<std::shared_ptr<CommandGroup>> Job::LiveGroups() {
  std::vector<std::shared_ptr<CommandGroup>> live;
  base::MutexLock lock(&mu_);
  for (auto it = groups_.begin(); it != groups_.end();) {
    if (auto g = it->lock()) {
      live.push_back(std::move(g));
      ++it;
    } else {
      it = groups_.erase(it);
    }
  }
  return live;
}

int Job::CountProcesses() {
  std::vector<std::shared_ptr<CommandGroup>> groups = LiveGroups();
  if (dir_.empty() && !groups.empty()) {
    // Session mode: what the last tick saw may be 100 ms old.
    std::vector<ProcStat> snapshot = SnapshotProcesses(host_->proc_root());
    for (const auto& g : groups) g->Update(snapshot);
  }
  int n = 0;
  for (const auto& g : groups) n += g->Count();
  return n;
}

void Job::KillAll() {
  std::vector<std::shared_ptr<CommandGroup>> groups = LiveGroups();
  if (!dir_.empty()) {
    // Every command's cgroup is below the shell's: one write ends them all,
    // those of forgotten commands still dying included.
    cgroup::Kill(dir_, host_->signals());
    return;
  }
  std::vector<CommandGroup*> raw;
  for (const auto& g : groups) raw.push_back(g.get());
  KillSessionGroups(raw, host_->proc_root());
}

// CommandGroup --------------------------------------------------------------

CommandGroup::CommandGroup(std::shared_ptr<JobHost> host, std::string dir,
                           base::UniqueFd join)
    : host_(std::move(host)),
      dir_(std::move(dir)),
      join_(std::move(join)),
      session_(host_->proc_root()) {}

CommandGroup::~CommandGroup() {
  if (!dir_.empty()) host_->RemoveLater(dir_);
}

int CommandGroup::join_fd() const {
  base::MutexLock lock(&mu_);
  return join_.get();
}

void CommandGroup::SetLeader(pid_t pid) {
  base::MutexLock lock(&mu_);
  leader_ = pid;
  held_ = true;
  join_.reset();
  if (dir_.empty()) session_.SetLeader(pid);
}

void CommandGroup::LeaderExited() {
  base::MutexLock lock(&mu_);
  leader_exited_ = true;
}

bool CommandGroup::Empty() {
  base::MutexLock lock(&mu_);
  if (!dir_.empty()) return !cgroup::Populated(dir_);
  return session_.Empty();
}

void CommandGroup::ReleaseLeader() {
  base::MutexLock lock(&mu_);
  held_ = false;
  session_.ReleaseLeader();
}

void CommandGroup::Signal(int sig) {
  base::MutexLock lock(&mu_);
  // The leader is unreaped, so its pid, and the group of that id (members
  // of its session only), are ours.
  if (held_ && leader_ > 0) host_->signals().Kill(-leader_, sig);
}

void CommandGroup::Kill() {
  if (dir_.empty()) {
    KillSessionGroups({this}, host_->proc_root());
    return;
  }
  base::MutexLock lock(&mu_);
  KillLocked();
}

void CommandGroup::KillLocked() { cgroup::Kill(dir_, host_->signals()); }

int CommandGroup::Count() {
  base::MutexLock lock(&mu_);
  const int leader = held_ && leader_exited_ ? 1 : 0;  // the zombie
  if (!dir_.empty()) {
    return static_cast<int>(cgroup::Procs(dir_).size()) + leader;
  }
  return session_.members() + (held_ ? 1 : 0);
}

int CommandGroup::Update(const std::vector<ProcStat>& snapshot) {
  base::MutexLock lock(&mu_);
  if (!dir_.empty() || leader_ <= 0) return 0;
  return session_.Update(snapshot);
}

bool CommandGroup::NeedsScan() {
  base::MutexLock lock(&mu_);
  return dir_.empty() && leader_ > 0 && (held_ || session_.members() > 0);
}

int CommandGroup::KillRound() {
  base::MutexLock lock(&mu_);
  if (!dir_.empty()) {
    KillLocked();
    return 0;
  }
  return session_.KillOnce(host_->signals(), SIGKILL);
}

}  // namespace wsman::providers::shell
