// Jobs of the WinRS shell host (providers/shell/job.h): every process a
// command starts, however it detaches, ends with its shell (Delete, idle
// timeout, host shutdown) or its command (terminate), counts against
// MaxProcessesPerShell, and nothing is ever signalled by pid number unless
// it is our own unreaped child. Each test runs in both isolation modes
// (cgroup where this machine can make one, else skipped; session always).
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "providers/shell/cgroup.h"
#include "providers/shell/proc_scan.h"
#include "providers/shell/shell_host.h"
#include "tests/unit/shell_test_util.h"

namespace wsman::providers::shell {
namespace {

using namespace std::chrono_literals;
using test_util::At;
using test_util::In;
using test_util::ProcessGone;
using test_util::User;

char StateOf(pid_t pid) {
  ProcStat st;
  return ReadProcStat("/proc", pid, &st) ? st.state : '-';
}

// Dead: gone, or a zombie its new parent (init) has not reaped yet.
bool Ended(pid_t pid) { return ProcessGone(pid) || StateOf(pid) == 'Z'; }

// Waits until every one of `pids` (none of them our children) has died.
bool WaitGone(const std::vector<pid_t>& pids,
              std::chrono::milliseconds wait = 5s) {
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    bool all = true;
    for (pid_t p : pids) all = all && Ended(p);
    if (all) return true;
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
}

// Receives until Done; returns stdout.
std::string DrainOut(ShellHost& host, const std::string& sid,
                     const std::string& cid) {
  std::string out;
  for (int i = 0; i < 1000; ++i) {
    ReceiveResult r;
    base::Status err =
        host.Receive("alice", sid, cid, true, true, 1 << 20, In(10s), &r);
    if (!err.ok()) {
      ADD_FAILURE() << err.message();
      break;
    }
    for (const StreamChunk& c : r.chunks) {
      if (c.stream == kStdout) out += c.data;
    }
    if (r.done) break;
  }
  return out;
}

std::vector<pid_t> Pids(const std::string& text) {
  std::vector<pid_t> pids;
  std::istringstream in(text);
  long v;
  while (in >> v) pids.push_back(static_cast<pid_t>(v));
  return pids;
}

// A process group of someone else's: a `setsid sleep` whose parent has
// exited (so it is not our child), like a root service's or another
// user's. Ended by pidfd at the end of the test.
struct Foreign {
  pid_t pid = -1;
  base::UniqueFd pidfd;
  Foreign() {
    FILE* f = ::popen("setsid sleep 1000 >/dev/null 2>&1 & echo $!", "r");
    long v = -1;
    if (f && std::fscanf(f, "%ld", &v) == 1) pid = static_cast<pid_t>(v);
    if (f) ::pclose(f);
    pidfd.reset(PidfdOpen(pid));
  }
  ~Foreign() {
    if (pidfd) PidfdSendSignal(pidfd.get(), SIGKILL);
  }
  bool alive() const { return PidfdAlive(pidfd.get()); }
};

// Records every signal sent by number and checks, at the moment it is
// sent, that the target is our own unreaped child (running or a zombie).
struct SignalWatch {
  std::mutex mu;
  std::vector<pid_t> targets;
  std::vector<std::string> violations;
  int pidfd_signals = 0;

  SignalSender Sender() {
    SignalSender s;
    s.kill = [this](pid_t pid, int sig) {
      pid_t target = pid < 0 ? -pid : pid;
      ProcStat st;
      bool ours = ReadProcStat("/proc", target, &st) && st.ppid == ::getpid();
      {
        std::lock_guard<std::mutex> lock(mu);
        targets.push_back(pid);
        if (!ours) {
          violations.push_back("kill(" + std::to_string(pid) + ", " +
                               std::to_string(sig) + ") to a pid not ours");
        }
      }
      return ::kill(pid, sig);
    };
    s.pidfd = [this](int fd, int sig) {
      {
        std::lock_guard<std::mutex> lock(mu);
        ++pidfd_signals;
      }
      return PidfdSendSignal(fd, sig);
    };
    return s;
  }
  size_t kills() {
    std::lock_guard<std::mutex> lock(mu);
    return targets.size() + static_cast<size_t>(pidfd_signals);
  }
};

class JobModeTest : public ::testing::TestWithParam<Isolation> {
 protected:
  HostOptions Options() {
    HostOptions options;
    options.run_as_authenticated = false;
    options.jobs.isolation = GetParam();
    options.jobs.signals = watch_.Sender();
    // Session snapshots run on the reaper's 100 ms tick.
    options.start_reaper = true;
    options.quotas.idle_timeout = 0ms;
    return options;
  }
  // Skips when the mode cannot be had here (cgroup without a writable
  // cgroup2).
  bool Usable(ShellHost& host) {
    return host.isolation_error().empty() && host.isolation() == GetParam();
  }
  std::string NewShell(ShellHost& host, ShellSpec spec = {}) {
    ShellInfo info;
    base::Status err = host.Create(User("alice"), spec, &info);
    EXPECT_TRUE(err.ok()) << err.message();
    return info.id;
  }
  std::string Run(ShellHost& host, const std::string& sid,
                  const std::string& line) {
    CommandSpec cmd;
    cmd.command_line = line;
    std::string cid;
    base::Status err = host.RunCommand("alice", sid, cmd, &cid);
    EXPECT_TRUE(err.ok()) << err.message();
    return cid;
  }
  // The audit's escape attempts: in the background, in a new session,
  // immune to hangups; the leader exits soon after.
  std::vector<pid_t> Escapers(ShellHost& host, const std::string& sid,
                              std::string* cid) {
    *cid = Run(host, sid,
               "sleep 500 & echo $!; setsid sleep 501 & echo $!; "
               "nohup sleep 502 >/dev/null 2>&1 & echo $!; sleep 0.3");
    std::vector<pid_t> pids = Pids(DrainOut(host, sid, *cid));
    EXPECT_EQ(pids.size(), 3u);
    for (pid_t p : pids) EXPECT_FALSE(Ended(p)) << p;
    return pids;
  }
  SignalWatch watch_;
};

#define SKIP_UNLESS_USABLE(host)                    \
  if (!Usable(host)) {                              \
    GTEST_SKIP() << "isolation unavailable here: "  \
                 << (host).isolation_description(); \
  }

TEST_P(JobModeTest, DeleteEndsEveryEscapedProcess) {
  Foreign foreign;
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host), cid;
  std::vector<pid_t> pids = Escapers(host, sid, &cid);
  ASSERT_TRUE(host.Delete("alice", sid).ok());
  EXPECT_TRUE(WaitGone(pids));
  EXPECT_TRUE(foreign.alive());
  EXPECT_TRUE(watch_.violations.empty()) << watch_.violations[0];
}

TEST_P(JobModeTest, TerminateOfAFinishedCommandEndsItsProcesses) {
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host), cid;
  std::vector<pid_t> pids = Escapers(host, sid, &cid);
  std::string other = Run(host, sid, "exec sleep 1000");
  pid_t other_pid = host.FindCommandForTest(sid, other)->pid();
  ASSERT_TRUE(host.Signal("alice", sid, cid, SignalCode::kTerminate).ok());
  EXPECT_TRUE(WaitGone(pids));
  // Only that command's: the shell's other command still runs.
  EXPECT_FALSE(ProcessGone(other_pid));
  EXPECT_TRUE(watch_.violations.empty()) << watch_.violations[0];
}

TEST_P(JobModeTest, IdleTimeoutEndsEveryEscapedProcess) {
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  ShellSpec spec;
  spec.idle_timeout = 1s;
  std::string sid = NewShell(host, spec), cid;
  std::vector<pid_t> pids = Escapers(host, sid, &cid);
  auto until = std::chrono::steady_clock::now() + 10s;
  while (host.shell_count() > 0 && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(50ms);  // the reaper's tick ends it
  }
  EXPECT_EQ(host.shell_count(), 0u);
  EXPECT_TRUE(WaitGone(pids));
  EXPECT_TRUE(watch_.violations.empty()) << watch_.violations[0];
}

TEST_P(JobModeTest, HostShutdownEndsEveryEscapedProcess) {
  std::vector<pid_t> pids;
  {
    ShellHost host(Options());
    SKIP_UNLESS_USABLE(host);
    std::string sid = NewShell(host), cid;
    pids = Escapers(host, sid, &cid);
    host.Shutdown();
  }
  EXPECT_TRUE(WaitGone(pids));
}

TEST_P(JobModeTest, BackgroundProcessesCountAgainstMaxProcessesPerShell) {
  HostOptions options = Options();
  options.quotas.max_processes_per_shell = 3;
  ShellHost host(options);
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host);
  std::string cid = Run(host, sid,
                        "sleep 300 >/dev/null 2>&1 & sleep 300 >/dev/null "
                        "2>&1 & sleep 300 >/dev/null 2>&1 & echo started");
  EXPECT_EQ(DrainOut(host, sid, cid), "started\n");
  // Three sleeps and the held leader.
  EXPECT_GE(host.ProcessCountForTest(sid), 3);
  CommandSpec cmd;
  cmd.command_line = "true";
  std::string next;
  base::Status err = host.RunCommand("alice", sid, cmd, &next);
  EXPECT_EQ(ErrcOf(err), Errc::kMaxProcessesPerShell);
  EXPECT_NE(err.message().find("MaxProcessesPerShell = 3"), std::string::npos);
  ASSERT_TRUE(host.Signal("alice", sid, cid, SignalCode::kTerminate).ok());
  auto until = std::chrono::steady_clock::now() + 5s;
  while (host.ProcessCountForTest(sid) > 0 &&
         std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(host.RunCommand("alice", sid, cmd, &next).ok());
}

TEST_P(JobModeTest, LeaderIsHeldUntilNothingOfItsCommandIsLeft) {
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host);
  std::string cid = Run(host, sid, "sleep 1 >/dev/null 2>&1 & echo $$");
  std::vector<pid_t> leader = Pids(DrainOut(host, sid, cid));
  ASSERT_EQ(leader.size(), 1u);
  // Done, but its background sleep runs: the leader stays a zombie, so its
  // pid and group id cannot be anyone else's.
  EXPECT_EQ(StateOf(leader[0]), 'Z');
  // Once the sleep has ended the upkeep reaps it.
  auto until = std::chrono::steady_clock::now() + 10s;
  while (!ProcessGone(leader[0]) && std::chrono::steady_clock::now() < until) {
    host.Maintain();
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(ProcessGone(leader[0]));
}

TEST_P(JobModeTest, NothingIsSignalledByNumberUnlessItIsOurChild) {
  Foreign foreign;
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host);
  const std::string line = "sleep 300 >/dev/null 2>&1 & echo $$";
  // ctrl_c, terminate and Delete after the leader exited, a background
  // child still running.
  std::string a = Run(host, sid, line);
  DrainOut(host, sid, a);
  ASSERT_TRUE(host.Signal("alice", sid, a, SignalCode::kCtrlC).ok());
  ASSERT_TRUE(host.Signal("alice", sid, a, SignalCode::kCtrlBreak).ok());
  ASSERT_TRUE(host.Signal("alice", sid, a, SignalCode::kTerminate).ok());
  std::string b = Run(host, sid, line);
  DrainOut(host, sid, b);
  ASSERT_TRUE(host.Delete("alice", sid).ok());
  // A command whose leader was reaped (nothing of it left): no signal at
  // all, by number or by pidfd.
  sid = NewShell(host);
  std::string c = Run(host, sid, "echo done");
  DrainOut(host, sid, c);
  auto until = std::chrono::steady_clock::now() + 5s;
  while (!host.FindCommandForTest(sid, c)->reaped() &&
         std::chrono::steady_clock::now() < until) {
    host.Maintain();
    std::this_thread::sleep_for(20ms);
  }
  ASSERT_TRUE(host.FindCommandForTest(sid, c)->reaped());
  size_t before = watch_.kills();
  ASSERT_TRUE(host.Signal("alice", sid, c, SignalCode::kCtrlC).ok());
  EXPECT_EQ(watch_.kills(), before);
  ASSERT_TRUE(host.Signal("alice", sid, c, SignalCode::kTerminate).ok());
  EXPECT_TRUE(foreign.alive());
  std::lock_guard<std::mutex> lock(watch_.mu);
  EXPECT_TRUE(watch_.violations.empty()) << watch_.violations[0];
}

TEST_P(JobModeTest, CommandRunsInASessionOfItsOwn) {
  ShellHost host(Options());
  SKIP_UNLESS_USABLE(host);
  std::string sid = NewShell(host);
  std::string cid = Run(host, sid, "echo $$; cat /proc/$$/stat");
  std::string out = DrainOut(host, sid, cid);
  size_t nl = out.find('\n');
  ASSERT_NE(nl, std::string::npos);
  pid_t pid = static_cast<pid_t>(std::stol(out.substr(0, nl)));
  ProcStat st;
  ASSERT_TRUE(ParseProcStat(out.substr(nl + 1), &st)) << out;
  EXPECT_EQ(st.session, pid);  // setsid: session and group are its own
  EXPECT_EQ(st.pgrp, pid);
  // tty_nr (field 7) is 0: no controlling terminal.
  std::istringstream fields(out.substr(out.rfind(')') + 2));
  std::string f;
  for (int i = 3; i <= 7; ++i) fields >> f;
  EXPECT_EQ(f, "0");
}

INSTANTIATE_TEST_SUITE_P(Modes, JobModeTest,
                         ::testing::Values(Isolation::kCgroup,
                                           Isolation::kSession),
                         [](const auto& info) {
                           return std::string(IsolationName(info.param));
                         });

// Output budget ---------------------------------------------------------------

HostOptions BudgetOptions(size_t budget) {
  HostOptions options;
  options.run_as_authenticated = false;
  options.start_reaper = false;
  options.quotas.max_output_per_shell = budget;
  options.quotas.max_processes_per_shell = 0;
  options.command_limits.output_buffer = 256 * 1024;
  return options;
}

size_t Buffered(ShellHost& host, const std::string& sid,
                const std::vector<std::string>& cids) {
  size_t n = 0;
  for (const std::string& c : cids) {
    auto cmd = host.FindCommandForTest(sid, c);
    if (cmd) n += cmd->buffered(kStdout) + cmd->buffered(kStderr);
  }
  return n;
}

TEST(ShellOutputBudgetTest, UnreceivedOutputIsBoundedAndRefusesCommands) {
  const size_t budget = 1 << 20;
  ShellHost host(BudgetOptions(budget));
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  CommandSpec cmd;
  cmd.command_line = "head -c 300000 /dev/zero; head -c 300000 /dev/zero >&2";
  std::vector<std::string> cids;
  base::Status refused;
  for (int i = 0; i < 40 && refused.ok(); ++i) {
    std::string cid;
    refused = host.RunCommand("alice", info.id, cmd, &cid);
    if (refused.ok()) cids.push_back(cid);
    std::this_thread::sleep_for(30ms);  // let it write what it can
  }
  EXPECT_EQ(ErrcOf(refused), Errc::kMaxOutputPerShell);
  EXPECT_NE(refused.message().find("max_output_per_shell_mb"),
            std::string::npos);
  EXPECT_LT(cids.size(), 40u);
  // What is held: the budget, plus at most one read per stream beyond the
  // guaranteed first 64 KiB of each.
  EXPECT_LE(Buffered(host, info.id, cids),
            budget + cids.size() * 2 * 128 * 1024);
  // Receiving one command's output makes room again.
  DrainOut(host, info.id, cids[0]);
  std::string cid;
  auto until = std::chrono::steady_clock::now() + 5s;
  base::Status err;
  do {
    err = host.RunCommand("alice", info.id, cmd, &cid);
    if (!err.ok()) DrainOut(host, info.id, cids[cids.size() - 1]);
  } while (!err.ok() && std::chrono::steady_clock::now() < until);
  EXPECT_TRUE(err.ok()) << err.message();
}

TEST(ShellOutputBudgetTest, ACommandProgressesWhileTheBudgetIsSpent) {
  ShellHost host(BudgetOptions(256 * 1024));
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  CommandSpec hog;
  hog.command_line = "head -c 200000 /dev/zero";  // never received
  std::string hog_id, cid;
  ASSERT_TRUE(host.RunCommand("alice", info.id, hog, &hog_id).ok());
  std::this_thread::sleep_for(200ms);
  CommandSpec big;
  big.command_line = "head -c 3000000 /dev/zero; echo end";
  ASSERT_TRUE(host.RunCommand("alice", info.id, big, &cid).ok());
  std::string out = DrainOut(host, info.id, cid);
  EXPECT_EQ(out.size(), 3000004u);
  EXPECT_EQ(out.substr(out.size() - 4), "end\n");
}

TEST(ShellOutputBudgetTest, TerminateGivesTheBudgetBack) {
  ShellHost host(BudgetOptions(128 * 1024));
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  CommandSpec cmd;
  cmd.command_line = "head -c 200000 /dev/zero";
  std::string a, b;
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &a).ok());
  std::this_thread::sleep_for(200ms);
  EXPECT_EQ(ErrcOf(host.RunCommand("alice", info.id, cmd, &b)),
            Errc::kMaxOutputPerShell);
  ASSERT_TRUE(host.Signal("alice", info.id, a, SignalCode::kTerminate).ok());
  EXPECT_TRUE(host.RunCommand("alice", info.id, cmd, &b).ok());
}

TEST(OutputBudgetTest, ParkedStreamsWakeWhenThereIsRoomAgain) {
  OutputBudget budget(100);
  int woken = 0;
  EXPECT_FALSE(budget.ParkIfExhausted([&] { ++woken; }));  // room: not kept
  budget.Add(150);
  EXPECT_TRUE(budget.Exhausted());
  EXPECT_TRUE(budget.ParkIfExhausted([&] { ++woken; }));
  RunAll(budget.Release(10));  // still over: nobody woken
  EXPECT_EQ(woken, 0);
  RunAll(budget.Release(100));
  EXPECT_EQ(woken, 1);
  RunAll(budget.Release(1000));  // saturates at 0, wakes once only
  EXPECT_EQ(budget.used(), 0u);
  EXPECT_EQ(woken, 1);
  OutputBudget none(0);
  none.Add(1 << 30);
  EXPECT_FALSE(none.Exhausted());
}

// IdleTimeOut -----------------------------------------------------------------

TEST(ShellIdleTimeoutTest, ClientValueIsCappedByTheConfiguredMaximum) {
  base::ManualClock clock{At(std::chrono::milliseconds(0))};
  HostOptions options;
  options.run_as_authenticated = false;
  options.start_reaper = false;
  options.clock = clock.AsMonotonic();
  options.quotas.idle_timeout = 60s;
  ShellHost host(options);
  ShellSpec century;
  century.idle_timeout = std::chrono::hours(24 * 365 * 100);  // P100Y
  ShellInfo a, b;
  ASSERT_TRUE(host.Create(User("alice"), century, &a).ok());
  EXPECT_EQ(a.idle_timeout, 60s);
  ShellSpec shorter;
  shorter.idle_timeout = 5s;
  ASSERT_TRUE(host.Create(User("alice"), shorter, &b).ok());
  EXPECT_EQ(b.idle_timeout, 5s);
  clock.Set(At(std::chrono::milliseconds(61000)));
  EXPECT_EQ(host.ReapIdle(), 2u);
}

TEST(ShellIdleTimeoutTest, HugeDurationsDoNotOverflowWithoutAMaximum) {
  base::ManualClock clock{At(std::chrono::milliseconds(1000))};
  HostOptions options;
  options.run_as_authenticated = false;
  options.start_reaper = false;
  options.clock = clock.AsMonotonic();
  options.quotas.idle_timeout = 0ms;  // no maximum configured
  ShellHost host(options);
  ShellSpec spec;
  spec.idle_timeout = std::chrono::milliseconds::max();
  spec.lifetime = std::chrono::milliseconds::max();
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), spec, &info).ok());
  // 250 years on: as far as the clock itself goes (nanoseconds in 64 bits).
  clock.Set(At(std::chrono::milliseconds(int64_t{250} * 365 * 86400 * 1000)));
  EXPECT_EQ(host.ReapIdle(), 0u);  // UBSan would abort on an overflow
  EXPECT_EQ(host.shell_count(), 1u);
}

// /proc and cgroup parsing ----------------------------------------------------

TEST(ProcScanTest, ParsesStatWithAwkwardCommandNames) {
  ProcStat st;
  ASSERT_TRUE(ParseProcStat(
      "4242 (a) b (c)) S 1 4242 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 "
      "0 987654 1000 10 ...",
      &st));
  EXPECT_EQ(st.pid, 4242);
  EXPECT_EQ(st.state, 'S');
  EXPECT_EQ(st.ppid, 1);
  EXPECT_EQ(st.pgrp, 4242);
  EXPECT_EQ(st.session, 4240);
  EXPECT_EQ(st.start_time, 987654u);
  EXPECT_FALSE(ParseProcStat("12 (x S 1 2", &st));
  EXPECT_FALSE(ParseProcStat("12 (x) S 1 2 3", &st));
  ASSERT_TRUE(ReadProcStat("/proc", ::getpid(), &st));
  EXPECT_EQ(st.pid, ::getpid());
  EXPECT_EQ(st.ppid, ::getppid());
}

TEST(CgroupTest, FindsTheUnifiedMountAndOurCgroup) {
  std::string point, root, path;
  const std::string hybrid =
      "31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755\n"
      "39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
      "41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n";
  ASSERT_TRUE(cgroup::FindCgroup2Mount(hybrid, &point, &root));
  EXPECT_EQ(point, "/sys/fs/cgroup/unified");
  EXPECT_EQ(root, "/");
  const std::string v2 =
      "25 30 0:23 /sub /sys/fs/my\\040cg rw shared:4 - cgroup2 cgroup2 rw\n";
  ASSERT_TRUE(cgroup::FindCgroup2Mount(v2, &point, &root));
  EXPECT_EQ(point, "/sys/fs/my cg");
  EXPECT_EQ(root, "/sub");
  EXPECT_FALSE(cgroup::FindCgroup2Mount(
      "31 23 0:28 / /sys/fs/cgroup rw - tmpfs tmpfs rw\n", &point, &root));

  ASSERT_TRUE(cgroup::ParseOwnCgroup(
      "4:memory:/x\n0::/system.slice/wsmand.service\n", &path));
  EXPECT_EQ(path, "/system.slice/wsmand.service");
  EXPECT_FALSE(cgroup::ParseOwnCgroup("4:memory:/x\n", &path));

  cgroup::HostDirId id;
  ASSERT_TRUE(cgroup::ParseHostDirName(
      cgroup::HostDirName({4026531836u, 123, 456789, 2}), &id));
  EXPECT_EQ(id.pid_ns, 4026531836u);
  EXPECT_EQ(id.pid, 123);
  EXPECT_EQ(id.start_time, 456789u);
  EXPECT_EQ(id.seq, 2);
  EXPECT_FALSE(cgroup::ParseHostDirName("daemon", &id));
  EXPECT_FALSE(cgroup::ParseHostDirName("wsmand-1-2-3", &id));
  EXPECT_FALSE(cgroup::ParseHostDirName("wsmand-1-2-3-x", &id));
  EXPECT_FALSE(cgroup::ParseHostDirName("wsmand-1-2-3-4-", &id));
  EXPECT_NE(cgroup::PidNamespaceId("/proc"), 0u);
}

TEST(CgroupTest, DirectoriesOfDaemonsThatAreGoneAreEnded) {
  JobOptions options;
  options.isolation = Isolation::kCgroup;
  auto first = JobHost::Create(options);
  if (!first->error().empty()) GTEST_SKIP() << first->error();
  // A directory as a crashed daemon leaves it: its owner's start time does
  // not match any running process, and a process still lives in it.
  const std::string home = first->home().dir;
  const std::string parent = home.substr(0, home.rfind('/'));
  const uint64_t ns = cgroup::PidNamespaceId("/proc");
  const std::string stale =
      parent + "/" + cgroup::HostDirName({ns, ::getpid(), 1, 99});
  // One of another pid namespace: its pid means nothing here, so it stays.
  const std::string foreign =
      parent + "/" + cgroup::HostDirName({ns + 1, ::getpid(), 1, 98});
  std::string why;
  ASSERT_TRUE(cgroup::MakeDir(stale, &why)) << why;
  ASSERT_TRUE(cgroup::MakeDir(stale + "/shell", &why)) << why;
  ASSERT_TRUE(cgroup::MakeDir(foreign, &why)) << why;
  base::UniqueFd join = cgroup::OpenProcsForJoin(stale + "/shell");
  ASSERT_TRUE(join);
  pid_t child = ::fork();
  if (child == 0) {
    if (::write(join.get(), "0", 1) != 1) ::_exit(1);
    ::execl("/bin/sleep", "sleep", "1000", nullptr);
    ::_exit(1);
  }
  ASSERT_GT(child, 0);
  for (int i = 0; i < 100 && cgroup::Procs(stale + "/shell").empty(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  auto second = JobHost::Create(options);
  ASSERT_TRUE(second->error().empty());
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  struct stat sb;
  EXPECT_NE(::stat(stale.c_str(), &sb), 0);
  // Live daemons' directories (the first host's) are left alone, and so
  // are other namespaces'.
  EXPECT_EQ(::stat(home.c_str(), &sb), 0);
  EXPECT_EQ(::stat(foreign.c_str(), &sb), 0);
  cgroup::RemoveDir(foreign);
}

}  // namespace
}  // namespace wsman::providers::shell
