// The WinRS shell host (providers/shell): processes, streams, back-pressure,
// signals, quotas, ownership and the idle reaper with an injected clock.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "providers/shell/shell_host.h"
#include "tests/unit/shell_test_util.h"

namespace wsman::providers::shell {
namespace {

using namespace std::chrono_literals;
using test_util::At;
using test_util::In;
using test_util::ProcessGone;
using test_util::User;

HostOptions TestOptions() {
  HostOptions options;
  options.run_as_authenticated = false;  // run as ourselves
  options.start_reaper = false;
  return options;
}

bool WaitGone(pid_t pid) {
  for (int i = 0; i < 200 && !ProcessGone(pid); ++i) {
    std::this_thread::sleep_for(25ms);
  }
  return ProcessGone(pid);
}

struct Drained {
  std::string out, err;
  int exit_code = -1;
  int responses = 0;
  int out_ends = 0, err_ends = 0;
  bool done_before_drained = false;
};

Drained Drain(ShellHost& host, const std::string& user, const std::string& sid,
              const std::string& cid, size_t budget = 1 << 20) {
  Drained d;
  for (int i = 0; i < 100000; ++i) {
    ReceiveResult r;
    base::Status err =
        host.Receive(user, sid, cid, true, true, budget, In(10s), &r);
    EXPECT_TRUE(err.ok()) << err.message();
    if (!err.ok()) break;
    ++d.responses;
    size_t bytes = 0;
    for (const StreamChunk& c : r.chunks) {
      bytes += c.data.size();
      (c.stream == kStdout ? d.out : d.err) += c.data;
      if (c.end) ++(c.stream == kStdout ? d.out_ends : d.err_ends);
    }
    EXPECT_LE(bytes, budget);
    if (r.done) {
      d.exit_code = r.exit_code;
      break;
    }
  }
  return d;
}

TEST(ShellHostTest, EchoWithStderrAndExitCode) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  EXPECT_EQ(info.id.size(), 36u);
  std::string cid;
  CommandSpec spec;
  spec.command_line = "echo hi; echo err >&2; exit 3";
  ASSERT_TRUE(host.RunCommand("alice", info.id, spec, &cid).ok());
  Drained d = Drain(host, "alice", info.id, cid);
  EXPECT_EQ(d.out, "hi\n");
  EXPECT_EQ(d.err, "err\n");
  EXPECT_EQ(d.exit_code, 3);
  EXPECT_EQ(d.out_ends, 1);
  EXPECT_EQ(d.err_ends, 1);
}

TEST(ShellHostTest, EnvironmentAndSkipShell) {
  ShellHost host(TestOptions());
  ShellSpec spec;
  spec.environment = {{"GREETING", "a b & c"}};
  spec.working_directory = "/usr";
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), spec, &info).ok());
  std::string cid;
  CommandSpec direct;
  direct.skip_shell = true;
  direct.argv = {"printf", "%s|%s\n", "$GREETING", "two words"};
  ASSERT_TRUE(host.RunCommand("alice", info.id, direct, &cid).ok());
  EXPECT_EQ(Drain(host, "alice", info.id, cid).out, "$GREETING|two words\n");
  CommandSpec shell;
  shell.command_line = "echo \"$GREETING\"; pwd";
  ASSERT_TRUE(host.RunCommand("alice", info.id, shell, &cid).ok());
  EXPECT_EQ(Drain(host, "alice", info.id, cid).out, "a b & c\n/usr\n");
}

TEST(ShellHostTest, BadWorkingDirectoryIsAnInvalidArgument) {
  ShellHost host(TestOptions());
  ShellSpec spec;
  spec.working_directory = "C:\\Windows";
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), spec, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "true";
  base::Status err = host.RunCommand("alice", info.id, cmd, &cid);
  EXPECT_EQ(ErrcOf(err), Errc::kInvalidArgument);
  EXPECT_NE(err.message().find("C:\\Windows"), std::string::npos);
}

TEST(ShellStateTest, DoneOnlyAfterEveryByteWasDelivered) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "head -c 3000000 /dev/zero";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  auto command = host.FindCommandForTest(info.id, cid);
  ASSERT_TRUE(command);
  // Let the process write what it can and exit (or block on the full pipe).
  for (int i = 0; i < 100 && !command->exited(); ++i) {
    std::this_thread::sleep_for(10ms);
  }
  Drained d = Drain(host, "alice", info.id, cid, 100000);
  EXPECT_EQ(d.out.size(), 3000000u);
  EXPECT_GE(d.responses, 30);
  EXPECT_EQ(d.exit_code, 0);
  EXPECT_EQ(d.out_ends, 1);
}

TEST(ShellStateTest, ReceiveTimesOutWhileRunning) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "sleep 5";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  ReceiveResult r;
  auto start = std::chrono::steady_clock::now();
  base::Status err =
      host.Receive("alice", info.id, cid, true, true, 1000, In(200ms), &r);
  EXPECT_EQ(ErrcOf(err), Errc::kTimedOut);
  EXPECT_GE(std::chrono::steady_clock::now() - start, 190ms);
  EXPECT_TRUE(host.Delete("alice", info.id).ok());
}

TEST(ShellStateTest, CancelledReceiveEndsAtOnceAndTakesNothing) {
  // The client of a long-poll disconnected: the wait ends long before its
  // deadline, and output that arrives meanwhile stays for the next Receive.
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "sleep 0.3; echo late; sleep 5";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  std::stop_source client;
  std::thread leaves([&] {
    std::this_thread::sleep_for(50ms);
    client.request_stop();
  });
  ReceiveResult r;
  auto start = std::chrono::steady_clock::now();
  base::Status err = host.Receive("alice", info.id, cid, true, true, 1000,
                                  In(60s), &r, client.get_token());
  leaves.join();
  EXPECT_EQ(ErrcOf(err), Errc::kTimedOut);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  // Already cancelled while output waits: still nothing is taken.
  std::this_thread::sleep_for(500ms);
  err = host.Receive("alice", info.id, cid, true, true, 1000, In(60s), &r,
                     client.get_token());
  EXPECT_EQ(ErrcOf(err), Errc::kTimedOut);
  ASSERT_TRUE(
      host.Receive("alice", info.id, cid, true, true, 1000, In(5s), &r).ok());
  ASSERT_FALSE(r.chunks.empty());
  EXPECT_EQ(r.chunks[0].data, "late\n");
  EXPECT_TRUE(host.Delete("alice", info.id).ok());
}

TEST(ShellBackPressureTest, UnreadOutputStaysBounded) {
  HostOptions options = TestOptions();
  options.command_limits.output_buffer = 256 * 1024;
  ShellHost host(options);
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "head -c 50000000 /dev/zero";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  auto command = host.FindCommandForTest(info.id, cid);
  ASSERT_TRUE(command);
  std::this_thread::sleep_for(500ms);
  // Nobody receives: the buffer holds at most its limit and the writer is
  // blocked on the full pipe rather than finished.
  EXPECT_LE(command->buffered(kStdout), 256u * 1024);
  EXPECT_GT(command->buffered(kStdout), 0u);
  EXPECT_FALSE(command->exited());
  size_t total = 0;
  for (;;) {
    ReceiveResult r;
    ASSERT_TRUE(
        host.Receive("alice", info.id, cid, true, true, 1 << 20, In(10s), &r)
            .ok());
    for (const StreamChunk& c : r.chunks) total += c.data.size();
    EXPECT_LE(command->buffered(kStdout), 256u * 1024);
    if (r.done) break;
  }
  EXPECT_EQ(total, 50000000u);
}

TEST(ShellSignalTest, CtrlCInterruptsAndTerminateKills) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  // Wait until sleep runs: a signal that lands while dash is still
  // starting its child can be swallowed by dash itself.
  cmd.command_line = "echo ready; exec sleep 1000";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  ReceiveResult ready;
  ASSERT_TRUE(
      host.Receive("alice", info.id, cid, true, true, 100, In(10s), &ready)
          .ok());
  ASSERT_EQ(ready.chunks.size(), 1u);
  EXPECT_EQ(ready.chunks[0].data, "ready\n");
  ASSERT_TRUE(host.Signal("alice", info.id, cid, SignalCode::kCtrlC).ok());
  Drained d = Drain(host, "alice", info.id, cid);
  EXPECT_EQ(d.exit_code, 128 + SIGINT);
  cmd.command_line = "sleep 1000";

  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  pid_t pid = host.FindCommandForTest(info.id, cid)->pid();
  ASSERT_TRUE(host.Signal("alice", info.id, cid, SignalCode::kTerminate).ok());
  EXPECT_TRUE(WaitGone(pid));  // killed and reaped: no zombie
  ReceiveResult r;
  EXPECT_EQ(
      ErrcOf(host.Receive("alice", info.id, cid, true, true, 100, In(1s), &r)),
      Errc::kCommandNotFound);
}

TEST(ShellSignalTest, DeleteWakesAWaitingReceive) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "sleep 1000";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  Errc got = Errc::kOk;
  std::thread waiter([&] {
    ReceiveResult r;
    got = ErrcOf(
        host.Receive("alice", info.id, cid, true, true, 100, In(30s), &r));
  });
  std::this_thread::sleep_for(100ms);
  auto start = std::chrono::steady_clock::now();
  ASSERT_TRUE(host.Delete("alice", info.id).ok());
  waiter.join();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_EQ(got, Errc::kShellNotFound);
}

TEST(ShellStdinTest, SendReachesTheProcess) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "cat";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  ASSERT_TRUE(host.Send("alice", info.id, cid, "abc", false, In(5s)).ok());
  ASSERT_TRUE(host.Send("alice", info.id, cid, "def\n", true, In(5s)).ok());
  EXPECT_EQ(ErrcOf(host.Send("alice", info.id, cid, "more", false, In(5s))),
            Errc::kStdinClosed);
  EXPECT_TRUE(host.Send("alice", info.id, cid, "", true, In(5s)).ok());
  EXPECT_EQ(Drain(host, "alice", info.id, cid).out, "abcdef\n");
}

TEST(ShellOwnershipTest, AnotherUserSeesNoShell) {
  ShellHost host(TestOptions());
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "true";
  EXPECT_EQ(ErrcOf(host.RunCommand("bob", info.id, cmd, &cid)),
            Errc::kShellNotFound);
  EXPECT_EQ(ErrcOf(host.Delete("bob", info.id)), Errc::kShellNotFound);
  EXPECT_EQ(ErrcOf(host.Delete("bob", "no-such-shell")), Errc::kShellNotFound);
  EXPECT_TRUE(host.Delete("alice", info.id).ok());
}

TEST(ShellQuotaTest, MaxShellsPerUserAndConcurrentUsers) {
  HostOptions options = TestOptions();
  options.quotas.max_shells_per_user = 2;
  options.quotas.max_concurrent_users = 1;
  ShellHost host(options);
  ShellInfo a, b, c;
  ASSERT_TRUE(host.Create(User("alice"), {}, &a).ok());
  ASSERT_TRUE(host.Create(User("alice"), {}, &b).ok());
  base::Status err = host.Create(User("alice"), {}, &c);
  EXPECT_EQ(ErrcOf(err), Errc::kMaxShellsPerUser);
  EXPECT_NE(err.message().find("MaxShellsPerUser"), std::string::npos);
  EXPECT_EQ(ErrcOf(host.Create(User("bob"), {}, &c)),
            Errc::kMaxConcurrentUsers);
  ASSERT_TRUE(host.Delete("alice", a.id).ok());
  ASSERT_TRUE(host.Delete("alice", b.id).ok());
  EXPECT_TRUE(host.Create(User("bob"), {}, &c).ok());
}

TEST(ShellQuotaTest, MaxProcessesPerShell) {
  HostOptions options = TestOptions();
  options.quotas.max_processes_per_shell = 1;
  ShellHost host(options);
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string first, second;
  CommandSpec cmd;
  cmd.command_line = "sleep 1000";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &first).ok());
  EXPECT_EQ(ErrcOf(host.RunCommand("alice", info.id, cmd, &second)),
            Errc::kMaxProcessesPerShell);
  pid_t pid = host.FindCommandForTest(info.id, first)->pid();
  ASSERT_TRUE(
      host.Signal("alice", info.id, first, SignalCode::kTerminate).ok());
  ASSERT_TRUE(WaitGone(pid));
  EXPECT_TRUE(host.RunCommand("alice", info.id, cmd, &second).ok());
}

TEST(ShellQuotaTest, MemoryLimitAppliesToTheProcess) {
  HostOptions options = TestOptions();
  options.quotas.max_memory_per_shell_mb = 64;
  ShellHost host(options);
  ShellInfo info;
  ASSERT_TRUE(host.Create(User("alice"), {}, &info).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "ulimit -v";
  ASSERT_TRUE(host.RunCommand("alice", info.id, cmd, &cid).ok());
  EXPECT_EQ(Drain(host, "alice", info.id, cid).out, "65536\n");
}

TEST(ShellReaperTest, IdleShellsAndTheirProcessesEnd) {
  base::ManualClock clock{At(std::chrono::milliseconds(0))};
  HostOptions options = TestOptions();
  options.clock = clock.AsMonotonic();
  options.quotas.idle_timeout = 60s;
  ShellHost host(options);
  ShellInfo idle, busy, short_lived;
  ASSERT_TRUE(host.Create(User("alice"), {}, &idle).ok());
  ShellSpec custom;
  custom.idle_timeout = 5s;
  ASSERT_TRUE(host.Create(User("alice"), custom, &short_lived).ok());
  ASSERT_TRUE(host.Create(User("alice"), {}, &busy).ok());
  std::string cid;
  CommandSpec cmd;
  cmd.command_line = "sleep 1000";
  ASSERT_TRUE(host.RunCommand("alice", short_lived.id, cmd, &cid).ok());
  pid_t pid = host.FindCommandForTest(short_lived.id, cid)->pid();

  clock.Set(At(std::chrono::milliseconds(4000)));
  EXPECT_EQ(host.ReapIdle(), 0u);
  clock.Set(At(std::chrono::milliseconds(6000)));
  EXPECT_EQ(host.ReapIdle(), 1u);  // the 5 s shell
  EXPECT_TRUE(WaitGone(pid));
  EXPECT_EQ(host.shell_count(), 2u);

  // Activity on `busy` keeps it; `idle` goes after 60 s.
  clock.Set(At(std::chrono::milliseconds(50000)));
  ShellInfo seen;
  ASSERT_TRUE(host.RunCommand("alice", busy.id, cmd, &cid).ok());
  clock.Set(At(std::chrono::milliseconds(61000)));
  EXPECT_EQ(host.ReapIdle(), 1u);
  EXPECT_EQ(ErrcOf(host.Info("alice", idle.id, &seen)), Errc::kShellNotFound);
  EXPECT_TRUE(host.Info("alice", busy.id, &seen).ok());
  EXPECT_EQ(seen.inactivity, 11s);
}

}  // namespace
}  // namespace wsman::providers::shell
