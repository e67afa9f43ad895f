#include "base/child_process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <string>

#include "base/unique_fd.h"
#include "base/user.h"

namespace wsman::base {
namespace {

using namespace std::chrono_literals;

size_t OpenFdCount() {
  size_t n = 0;
  for (const auto& e : std::filesystem::directory_iterator("/proc/self/fd")) {
    (void)e;
    ++n;
  }
  return n;
}

// Runs `script` with /bin/sh under `setup` (stdout captured) and returns
// what it printed; "" when it could not start.
std::string RunScript(ChildSetup setup, const std::string& script) {
  Pipe out;
  EXPECT_TRUE(out.Open());
  setup.stdio[1] = out.write.get();
  PreparedExec exec("/bin/sh", {"/bin/sh", "-c", script},
                    {"PATH=/usr/bin:/bin"});
  ChildFailure failure;
  pid_t pid = ForkExec(setup, exec, &failure);
  out.write.reset();
  if (pid < 0) return "";
  std::string text;
  char buf[256];
  ssize_t n;
  while ((n = ::read(out.read.get(), buf, sizeof buf)) > 0) text.append(buf, n);
  int status;
  ::waitpid(pid, &status, 0);
  return text;
}

TEST(BaseChildProcess, DropsToNobodyWithNoWayBack) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to switch users";
  auto nobody = LookUpUser("nobody");
  ASSERT_TRUE(nobody.ok()) << nobody.message();
  ChildSetup setup;
  setup.drop_to = Credentials{nobody->uid, nobody->gid, {nobody->gid}};
  const uid_t uid = nobody->uid;
  const gid_t gid = nobody->gid;
  ChildReport r = RunInChild(
      setup,
      [uid, gid]() -> ChildReport {
        if (::getuid() != uid || ::geteuid() != uid) return {EINVAL, 1};
        if (::getgid() != gid || ::getegid() != gid) return {EINVAL, 2};
        if (::setuid(0) == 0 || ::seteuid(0) == 0) return {EEXIST, 3};
        gid_t groups[8];
        int n = ::getgroups(8, groups);
        if (n != 1 || groups[0] != gid) return {EINVAL, 4};
        return {0, 0};
      },
      10s);
  EXPECT_EQ(r.err, 0) << "check " << r.value;
  // The same drop before an exec: the program runs as nobody.
  EXPECT_EQ(RunScript(setup, "id -u"), std::to_string(uid) + "\n");
}

TEST(BaseChildProcess, ExecFailureIsReportedAndReaped) {
  const size_t fds_before = OpenFdCount();
  PreparedExec missing("/nonexistent/wsmand-test", {"x"}, {});
  ChildFailure failure;
  EXPECT_EQ(ForkExec(ChildSetup{}, missing, &failure), -1);
  EXPECT_EQ(failure.step, ChildStep::kExec);
  EXPECT_EQ(failure.err, ENOENT);
  EXPECT_EQ(ChildStepName(failure.step), "execve");
  // The failed child was reaped: no exited child is left to wait for.
  EXPECT_LE(::waitpid(-1, nullptr, WNOHANG), 0);
  EXPECT_EQ(OpenFdCount(), fds_before);  // the report pipe is closed
}

TEST(BaseChildProcess, ChdirFailsUnlessTheFallbackIsAllowed) {
  ChildSetup setup;
  setup.working_directory = "/nonexistent/wsmand-dir";
  PreparedExec exec("/bin/sh", {"/bin/sh", "-c", "exit 0"}, {});
  ChildFailure failure;
  EXPECT_EQ(ForkExec(setup, exec, &failure), -1);
  EXPECT_EQ(failure.step, ChildStep::kChdir);
  EXPECT_EQ(failure.err, ENOENT);
  setup.chdir_falls_back_to_root = true;
  EXPECT_EQ(RunScript(setup, "pwd"), "/\n");
}

TEST(BaseChildProcess, OtherDescriptorsAreClosedAtExec) {
  int raw[2];
  ASSERT_EQ(::pipe2(raw, 0), 0);  // inheritable on purpose
  UniqueFd leak_r(raw[0]), leak_w(raw[1]);
  const std::string script = "if [ -e /proc/$$/fd/" +
                             std::to_string(leak_w.get()) +
                             " ]; then echo open; else echo closed; fi";
  ChildSetup setup;
  EXPECT_EQ(RunScript(setup, script), "open\n");  // the check can fail
  setup.close_other_fds = true;
  EXPECT_EQ(RunScript(setup, script), "closed\n");
}

TEST(BaseChildProcess, StdioOnDevNullAndANewSession) {
  ChildSetup setup;
  setup.new_session = true;
  setup.reset_signals = true;
  Pipe out;
  ASSERT_TRUE(out.Open());
  // stdout on /dev/null: nothing reaches the pipe, which only the child's
  // inherited copy (closed at exec) could have written to.
  setup.stdio_to_dev_null = true;
  PreparedExec exec("/bin/sh", {"/bin/sh", "-c", "echo lost"}, {});
  ChildFailure failure;
  pid_t pid = ForkExec(setup, exec, &failure);
  ASSERT_GT(pid, 0);
  out.write.reset();
  char c;
  EXPECT_EQ(::read(out.read.get(), &c, 1), 0);
  int status;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // setsid: the child leads a session of its own.
  setup.stdio_to_dev_null = false;
  const std::string leader =
      "set -- $(cat /proc/$$/stat); [ \"$6\" = \"$$\" ] && echo leader";
  EXPECT_EQ(RunScript(setup, leader), "leader\n");
  setup.new_session = false;
  EXPECT_EQ(RunScript(setup, leader), "");  // the check can fail
}

TEST(BaseChildProcess, SetupFailureInRunInChildReportsErrno) {
  const size_t fds_before = OpenFdCount();
  UniqueFd read_only(::open("/dev/null", O_RDONLY | O_CLOEXEC));
  ASSERT_TRUE(read_only);
  ChildSetup setup;
  setup.cgroup_join_fd = read_only.get();  // writing "0" to it fails
  ChildReport r = RunInChild(
      setup,
      []() -> ChildReport {
        return {0, 42};
      },
      10s);
  EXPECT_EQ(r.err, EBADF);
  EXPECT_EQ(r.value, 0);  // the function did not run
  read_only.reset();
  EXPECT_EQ(OpenFdCount(), fds_before);
}

TEST(BaseChildProcess, RunInChildReportsAndTimesOut) {
  ChildReport r = RunInChild(
      ChildSetup{},
      []() -> ChildReport {
        return {0, ::getpid()};
      },
      10s);
  EXPECT_EQ(r.err, 0);
  EXPECT_GT(r.value, 0);
  EXPECT_NE(r.value, ::getpid());
  r = RunInChild(
      ChildSetup{},
      []() -> ChildReport {
        ::pause();
        return {0, 0};
      },
      100ms);
  EXPECT_EQ(r.err, ETIMEDOUT);
  EXPECT_LE(::waitpid(-1, nullptr, WNOHANG), 0);  // killed and reaped
}

}  // namespace
}  // namespace wsman::base
