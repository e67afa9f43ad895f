#include "providers/shell/shell_host.h"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <vector>

#include "base/user.h"
#include "base/uuid.h"

namespace wsman::providers::shell {

// The fields up to `output` are set by Create before the shell is in the
// table, and only read after that.
struct ShellHost::Shell {
  explicit Shell(base::MonotonicTime now) : created(now), last_activity(now) {}

  // A request begins or ends (ActiveRequest): one in progress keeps the
  // shell from being idle.
  void BeginRequest(const ShellHost& host) EXCLUDES(mu) {
    base::MutexLock lock(&mu);
    ++active_requests;
    last_activity = host.Now();
  }
  void EndRequest(const ShellHost& host) EXCLUDES(mu) {
    base::MutexLock lock(&mu);
    --active_requests;
    last_activity = host.Now();
  }

  std::string id;
  std::string owner;
  std::string client_ip;
  RunAs run_as;
  std::vector<std::pair<std::string, std::string>> environment;
  std::string working_directory;
  std::string input_streams;
  std::string output_streams;
  std::chrono::milliseconds idle_timeout{0};
  std::chrono::milliseconds lifetime{0};
  const base::MonotonicTime created;
  std::shared_ptr<Job> job;
  std::shared_ptr<OutputBudget> output;

  base::Mutex mu ACQUIRED_AFTER(ShellHost::mu_);
  base::MonotonicTime last_activity GUARDED_BY(mu);
  int active_requests GUARDED_BY(mu) = 0;
  bool closed GUARDED_BY(mu) = false;
  std::unordered_map<std::string, std::shared_ptr<Command>> commands
      GUARDED_BY(mu);
};

// RAII: a request in progress on a shell (keeps it from being idle).
class ShellHost::ActiveRequest {
 public:
  ActiveRequest(const ShellHost* host, Shell* shell)
      : host_(host), shell_(shell) {
    shell_->BeginRequest(*host_);
  }
  ~ActiveRequest() { shell_->EndRequest(*host_); }
  ActiveRequest(const ActiveRequest&) = delete;
  ActiveRequest& operator=(const ActiveRequest&) = delete;

 private:
  const ShellHost* const host_;
  Shell* const shell_;
};

namespace {

// now - since >= limit, compared in milliseconds: a client's duration near
// the clock's range cannot overflow the nanosecond arithmetic.
bool Elapsed(base::MonotonicTime now, base::MonotonicTime since,
             std::chrono::milliseconds limit) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(now - since) >=
         limit;
}

std::string Mib(size_t bytes) {
  if (bytes % (size_t{1} << 20) == 0) return std::to_string(bytes >> 20);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", static_cast<double>(bytes) / 1048576);
  return buf;
}

bool LookUpUser(const std::string& name, uid_t uid, bool by_name, RunAs* out) {
  auto account = by_name ? base::LookUpUser(name) : base::LookUpUser(uid);
  if (!account.ok()) return false;
  out->user = account->name;
  out->uid = account->uid;
  out->gid = account->gid;
  out->home = account->home.empty() ? "/" : account->home;
  out->shell = account->shell.empty() ? "/bin/sh" : account->shell;
  return true;
}

}  // namespace

HostOptions DefaultHostOptions() {
  HostOptions options;
  options.run_as_authenticated = ::geteuid() == 0;
  return options;
}

ShellHost::ShellHost(HostOptions options)
    : options_(std::move(options)), jobs_(JobHost::Create(options_.jobs)) {
  // A command that closes its stdin must not kill the host with SIGPIPE
  // when we write to it (the daemon ignores SIGPIPE already).
  ::signal(SIGPIPE, SIG_IGN);
  if (options_.start_reaper) {
    reaper_ = std::thread([this] { ReaperLoop(); });
  }
}

ShellHost::~ShellHost() {
  Shutdown();
  {
    base::MutexLock lock(&reaper_mu_);
    reaper_stop_ = true;
  }
  reaper_cv_.NotifyAll();
  if (reaper_.joinable()) reaper_.join();
  // loop_ is destroyed next: it drops the remaining registrations, whose
  // commands reap their (killed) processes as they go; jobs_ after it.
}

base::MonotonicTime ShellHost::Now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

base::Status ShellHost::ResolveRunAs(const Identity& identity,
                                     RunAs* out) const {
  if (!options_.run_as_authenticated) {
    if (!LookUpUser({}, ::geteuid(), false, out)) {
      out->user = identity.user;
      out->uid = ::geteuid();
      out->gid = ::getegid();
      const char* home = ::getenv("HOME");
      out->home = home ? home : "/";
      out->shell = "/bin/sh";
    }
    out->switch_user = false;
    return base::Status::Ok();
  }
  if (identity.system_account) {
    out->user = identity.user;
    out->uid = identity.uid;
    out->gid = identity.gid;
    out->home = identity.home.empty() ? "/" : identity.home;
    out->shell = identity.shell.empty() ? "/bin/sh" : identity.shell;
  } else if (!options_.fallback_user.empty()) {
    if (!LookUpUser(options_.fallback_user, 0, true, out)) {
      return ShellError(Errc::kAccessDenied, "the [shell] fallback_user \"" +
                                                 options_.fallback_user +
                                                 "\" is not a system account");
    }
    if (out->uid == 0) {
      return ShellError(
          Errc::kAccessDenied,
          "the [shell] fallback_user must be an unprivileged account");
    }
  } else {
    return ShellError(
        Errc::kAccessDenied,
        "The user \"" + identity.user +
            "\" has no system account of the same name, and wsmand runs "
            "commands as the authenticated system user. Create the "
            "account, or set [shell] fallback_user to run such users as "
            "an unprivileged account.");
  }
  out->groups = base::GroupsOf(out->user, out->gid);
  out->switch_user = true;
  return base::Status::Ok();
}

base::Status ShellHost::Create(const Identity& identity, const ShellSpec& spec,
                               ShellInfo* out) {
  if (!jobs_->error().empty())
    return ShellError(Errc::kSpawnFailed, jobs_->error());
  RunAs run_as;
  base::Status err = ResolveRunAs(identity, &run_as);
  if (!err.ok()) return err;
  auto shell = std::make_shared<Shell>(Now());
  shell->id = base::NewUuid();
  shell->owner = identity.user;
  shell->client_ip = spec.client_ip;
  shell->run_as = std::move(run_as);
  shell->environment = spec.environment;
  shell->working_directory = spec.working_directory;
  shell->input_streams = spec.input_streams;
  shell->output_streams = spec.output_streams;
  // rsp:IdleTimeOut may shorten [shell] idle_timeout, never lengthen it:
  // the configured value is the maximum (P100Y would hold the service's
  // quotas for good). The answer names the value in force.
  const std::chrono::milliseconds max_idle = options_.quotas.idle_timeout;
  shell->idle_timeout = max_idle;
  if (spec.idle_timeout.count() > 0 &&
      (max_idle.count() <= 0 || spec.idle_timeout < max_idle)) {
    shell->idle_timeout = spec.idle_timeout;
  }
  shell->lifetime = spec.lifetime;
  shell->output =
      std::make_shared<OutputBudget>(options_.quotas.max_output_per_shell);
  {
    base::MutexLock lock(&mu_);
    if (shut_down_)
      return ShellError(Errc::kShuttingDown, "the service is stopping");
    const Quotas& q = options_.quotas;
    auto it = shells_per_user_.find(identity.user);
    int mine = it == shells_per_user_.end() ? 0 : it->second;
    if (mine == 0 && q.max_concurrent_users > 0 &&
        static_cast<int>(shells_per_user_.size()) >= q.max_concurrent_users) {
      return ShellError(
          Errc::kMaxConcurrentUsers,
          "The WS-Management service cannot process the request. The "
          "maximum number of concurrent users (MaxConcurrentUsers = " +
              std::to_string(q.max_concurrent_users) +
              ") holding shells has been reached. Retry later or raise "
              "the quota.");
    }
    if (q.max_shells_per_user > 0 && mine >= q.max_shells_per_user) {
      return ShellError(
          Errc::kMaxShellsPerUser,
          "The WS-Management service cannot process the request. This "
          "user is allowed a maximum number of " +
              std::to_string(q.max_shells_per_user) +
              " concurrent shells (MaxShellsPerUser), which has been "
              "exceeded. Close existing shells or raise the quota for "
              "this user.");
    }
    err = jobs_->NewJob(shell->id, q.max_processes_per_shell, &shell->job);
    if (!err.ok()) return err;
    shells_[shell->id] = shell;
    ++shells_per_user_[identity.user];
  }
  out->id = shell->id;
  out->owner = shell->owner;
  out->client_ip = shell->client_ip;
  out->idle_timeout = shell->idle_timeout;
  out->input_streams = shell->input_streams;
  out->output_streams = shell->output_streams;
  out->run_time = out->inactivity = std::chrono::milliseconds(0);
  return base::Status::Ok();
}

std::shared_ptr<ShellHost::Shell> ShellHost::Find(
    std::string_view user, std::string_view shell_id) const {
  base::MutexLock lock(&mu_);
  auto it = shells_.find(std::string(shell_id));
  if (it == shells_.end() || it->second->owner != user) return nullptr;
  return it->second;
}

base::Status ShellHost::Info(std::string_view user, std::string_view shell_id,
                             ShellInfo* out) {
  std::shared_ptr<Shell> shell = Find(user, shell_id);
  if (!shell) return ShellError(Errc::kShellNotFound, {});
  base::MonotonicTime now = Now();
  base::MutexLock lock(&shell->mu);
  out->id = shell->id;
  out->owner = shell->owner;
  out->client_ip = shell->client_ip;
  out->idle_timeout = shell->idle_timeout;
  out->input_streams = shell->input_streams;
  out->output_streams = shell->output_streams;
  out->run_time = std::chrono::duration_cast<std::chrono::milliseconds>(
      now - shell->created);
  out->inactivity = std::chrono::duration_cast<std::chrono::milliseconds>(
      now - shell->last_activity);
  return base::Status::Ok();
}

base::Status ShellHost::RunCommand(std::string_view user,
                                   std::string_view shell_id,
                                   const CommandSpec& command,
                                   std::string* command_id) {
  std::shared_ptr<Shell> shell = Find(user, shell_id);
  if (!shell) return ShellError(Errc::kShellNotFound, {});
  ActiveRequest active(this, shell.get());
  // Every process of the shell counts, however it was started or detached
  // (the job holds them all), and so does each leader until it is reaped.
  int max = options_.quotas.max_processes_per_shell;
  if (max > 0 && shell->job->CountProcesses() >= max) {
    return ShellError(
        Errc::kMaxProcessesPerShell,
        "The WS-Management service cannot process the request. The "
        "maximum number of processes per shell (MaxProcessesPerShell = " +
            std::to_string(max) +
            ") has been reached; background processes of earlier "
            "commands count too. Wait for them to finish, terminate "
            "those commands, or raise the quota.");
  }
  if (shell->output->Exhausted()) {
    return ShellError(
        Errc::kMaxOutputPerShell,
        "The WS-Management service cannot process the request. The "
        "shell holds " +
            Mib(shell->output->used()) +
            " MiB of command output that has not been received "
            "([shell] max_output_per_shell_mb = " +
            Mib(shell->output->limit()) +
            "). Receive the output of earlier commands or terminate "
            "them, then retry.");
  }
  SpawnRequest request;
  {
    base::MutexLock lock(&shell->mu);
    if (shell->closed) return ShellError(Errc::kShellNotFound, {});
    request.run_as = shell->run_as;
    request.working_directory = shell->working_directory;
    request.environment = shell->environment;
  }
  request.exec = PlanCommand(command, FindPowerShell(options_.powershell));
  request.memory_limit_mb = options_.quotas.max_memory_per_shell_mb;
  auto cmd = std::make_shared<Command>(base::NewUuid(), &loop_,
                                       options_.command_limits, shell->output);
  std::shared_ptr<CommandGroup> group;
  base::Status err = shell->job->NewGroup(cmd->id(), &group);
  if (!err.ok()) return err;
  err = cmd->Start(std::move(request), std::move(group));
  if (!err.ok()) return err;
  {
    base::MutexLock lock(&shell->mu);
    if (shell->closed) {
      cmd->Kill();
      return ShellError(Errc::kShellNotFound, {});
    }
    shell->commands[cmd->id()] = cmd;
  }
  *command_id = cmd->id();
  return base::Status::Ok();
}

base::Status ShellHost::FindCommand(std::string_view user,
                                    std::string_view shell_id,
                                    std::string_view command_id,
                                    std::shared_ptr<Shell>* shell,
                                    std::shared_ptr<Command>* command) const {
  *shell = Find(user, shell_id);
  if (!*shell) return ShellError(Errc::kShellNotFound, {});
  base::MutexLock lock(&(*shell)->mu);
  auto it = (*shell)->commands.find(std::string(command_id));
  if (it == (*shell)->commands.end())
    return ShellError(Errc::kCommandNotFound, {});
  *command = it->second;
  return base::Status::Ok();
}

base::Status ShellHost::Send(std::string_view user, std::string_view shell_id,
                             std::string_view command_id, std::string_view data,
                             bool end, base::MonotonicTime deadline,
                             std::stop_token cancel) {
  std::shared_ptr<Shell> shell;
  std::shared_ptr<Command> command;
  base::Status err = FindCommand(user, shell_id, command_id, &shell, &command);
  if (!err.ok()) return err;
  ActiveRequest active(this, shell.get());
  return command->Send(data, end, deadline, cancel);
}

base::Status ShellHost::Receive(std::string_view user,
                                std::string_view shell_id,
                                std::string_view command_id, bool want_stdout,
                                bool want_stderr, size_t max_bytes,
                                base::MonotonicTime deadline,
                                ReceiveResult* out, std::stop_token cancel) {
  std::shared_ptr<Shell> shell;
  std::shared_ptr<Command> command;
  base::Status err = FindCommand(user, shell_id, command_id, &shell, &command);
  if (!err.ok()) return err;
  ActiveRequest active(this, shell.get());
  err = command->Receive(want_stdout, want_stderr, max_bytes, deadline, out,
                         cancel);
  if (ErrcOf(err) == Errc::kShellNotFound) {
    // Killed while waiting: by Delete (the shell is gone) or by a terminate
    // signal (only the command is).
    base::MutexLock lock(&shell->mu);
    if (!shell->closed) {
      err = ShellError(Errc::kCommandNotFound, err.message());
    }
  }
  return err;
}

base::Status ShellHost::Signal(std::string_view user, std::string_view shell_id,
                               std::string_view command_id, SignalCode code) {
  std::shared_ptr<Shell> shell;
  std::shared_ptr<Command> command;
  base::Status err = FindCommand(user, shell_id, command_id, &shell, &command);
  if (!err.ok()) return err;
  ActiveRequest active(this, shell.get());
  command->Signal(code);
  if (code == SignalCode::kTerminate) {
    // A terminated command is finished and forgotten, as on Windows.
    base::MutexLock lock(&shell->mu);
    shell->commands.erase(std::string(command_id));
  }
  return base::Status::Ok();
}

void ShellHost::CloseShell(Shell* shell) {
  std::unordered_map<std::string, std::shared_ptr<Command>> commands;
  {
    base::MutexLock lock(&shell->mu);
    shell->closed = true;
    commands.swap(shell->commands);
  }
  // Each command first (its waiting Receives answer "no such shell", not
  // the exit the kill causes), then whatever else is left in the job:
  // processes of forgotten commands, and in session mode anything tracked.
  for (auto& [id, command] : commands) command->Kill();
  shell->job->KillAll();
}

base::Status ShellHost::Delete(std::string_view user,
                               std::string_view shell_id) {
  std::shared_ptr<Shell> shell;
  {
    base::MutexLock lock(&mu_);
    auto it = shells_.find(std::string(shell_id));
    if (it == shells_.end() || it->second->owner != user) {
      return ShellError(Errc::kShellNotFound, {});
    }
    shell = it->second;
    shells_.erase(it);
    if (--shells_per_user_[shell->owner] <= 0) {
      shells_per_user_.erase(shell->owner);
    }
  }
  CloseShell(shell.get());
  return base::Status::Ok();
}

size_t ShellHost::ReapIdle() {
  base::MonotonicTime now = Now();
  std::vector<std::shared_ptr<Shell>> ended;
  {
    base::MutexLock lock(&mu_);
    for (auto it = shells_.begin(); it != shells_.end();) {
      Shell& s = *it->second;
      bool end = false;
      {
        base::MutexLock shell_lock(&s.mu);
        if (s.lifetime.count() > 0 && Elapsed(now, s.created, s.lifetime)) {
          end = true;
        } else if (s.active_requests == 0 && s.idle_timeout.count() > 0 &&
                   Elapsed(now, s.last_activity, s.idle_timeout)) {
          end = true;
        }
      }
      if (!end) {
        ++it;
        continue;
      }
      if (--shells_per_user_[s.owner] <= 0) shells_per_user_.erase(s.owner);
      ended.push_back(std::move(it->second));
      it = shells_.erase(it);
    }
  }
  for (auto& shell : ended) CloseShell(shell.get());
  return ended.size();
}

void ShellHost::Shutdown() {
  std::unordered_map<std::string, std::shared_ptr<Shell>> shells;
  {
    base::MutexLock lock(&mu_);
    shut_down_ = true;
    shells.swap(shells_);
    shells_per_user_.clear();
  }
  for (auto& [id, shell] : shells) CloseShell(shell.get());
  // Whatever is left in our cgroups ends, and they are removed.
  jobs_->Shutdown(std::chrono::seconds(2));
}

void ShellHost::Maintain() {
  jobs_->Tick();
  std::vector<std::shared_ptr<Shell>> shells;
  {
    base::MutexLock lock(&mu_);
    for (auto& [id, shell] : shells_) shells.push_back(shell);
  }
  std::vector<std::shared_ptr<Command>> commands;
  for (auto& shell : shells) {
    base::MutexLock lock(&shell->mu);
    for (auto& [id, command] : shell->commands) commands.push_back(command);
  }
  for (auto& command : commands) command->ReleaseIfDone();
}

int ShellHost::ProcessCountForTest(std::string_view shell_id) {
  std::shared_ptr<Shell> shell;
  {
    base::MutexLock lock(&mu_);
    auto it = shells_.find(std::string(shell_id));
    if (it == shells_.end()) return -1;
    shell = it->second;
  }
  return shell->job->CountProcesses();
}

size_t ShellHost::shell_count() const {
  base::MutexLock lock(&mu_);
  return shells_.size();
}

std::shared_ptr<Command> ShellHost::FindCommandForTest(
    std::string_view shell_id, std::string_view command_id) {
  base::MutexLock lock(&mu_);
  auto it = shells_.find(std::string(shell_id));
  if (it == shells_.end()) return nullptr;
  base::MutexLock shell_lock(&it->second->mu);
  auto c = it->second->commands.find(std::string(command_id));
  return c == it->second->commands.end() ? nullptr : c->second;
}

void ShellHost::ReaperLoop() {
  // Session snapshots want 100 ms; idle and lifetime checks are cheap at
  // that rate too.
  const std::chrono::milliseconds interval =
      std::min(options_.reaper_interval, jobs_->tick_interval());
  base::UniqueMutexLock lock(&reaper_mu_);
  while (!reaper_stop_) {
    reaper_cv_.WaitFor(lock, interval);
    if (reaper_stop_) break;
    lock.Unlock();
    Maintain();
    ReapIdle();
    lock.Lock();
  }
}

}  // namespace wsman::providers::shell
