// Host-changing acts with the user's rights: spawn a detached command, kill
// it, and (as root) the refusal to kill another user's process.
#include <gtest/gtest.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "providers/host/readers.h"
#include "providers/host/run_as.h"

namespace wsman::providers::host {
namespace {

bool Gone(pid_t pid) {
  auto p = ReadProcess(HostEnv::Real(), pid);
  return !p || p->state == 'Z';
}

bool WaitGone(pid_t pid) {
  for (int i = 0; i < 200 && !Gone(pid); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return Gone(pid);
}

Identity Me() {
  Identity id;
  struct passwd* pw = ::getpwuid(::geteuid());
  id.user = pw ? pw->pw_name : "me";
  id.system_account = pw != nullptr;
  id.uid = ::geteuid();
  id.gid = ::getegid();
  id.home = "/";
  return id;
}

TEST(HostRunAs, SpawnDetachedThenKill) {
  Identity me = Me();
  ActAs who;
  std::string message;
  ASSERT_EQ(ResolveActAs(&me, &who, &message), MiResult::kOk) << message;
  ActReport r = SpawnAs(who, "sleep 100", "");
  ASSERT_EQ(r.err, 0);
  pid_t pid = static_cast<pid_t>(r.value);
  ASSERT_GT(pid, 0);
  // The command itself (exec'ed in place of the shell), not our child.
  std::string comm;
  for (int i = 0; i < 100; ++i) {
    auto p = ReadProcess(HostEnv::Real(), pid);
    ASSERT_TRUE(p);
    comm = p->name;
    if (comm == "sleep") break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(comm, "sleep");
  EXPECT_NE(ReadProcess(HostEnv::Real(), pid)->ppid, ::getpid());
  EXPECT_EQ(KillAs(who, pid, SIGKILL).err, 0);
  EXPECT_TRUE(WaitGone(pid));
}

TEST(HostRunAs, SpawnReportsABadDirectory) {
  Identity me = Me();
  ActAs who;
  std::string message;
  ASSERT_EQ(ResolveActAs(&me, &who, &message), MiResult::kOk);
  ActReport r = SpawnAs(who, "true", "/nonexistent-wsmand-dir");
  EXPECT_EQ(r.err, ENOENT);
}

TEST(HostRunAs, AccountsFileUserIsRefusedWhenRoot) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  Identity ghost;
  ghost.user = "alice-accounts-only";
  ghost.system_account = false;
  ActAs who;
  std::string message;
  EXPECT_EQ(ResolveActAs(&ghost, &who, &message), MiResult::kAccessDenied);
  EXPECT_NE(message.find("no system account"), std::string::npos);
}

TEST(HostRunAs, AnotherUserCannotKillRootsProcess) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root";
  struct passwd* nobody = ::getpwnam("nobody");
  if (!nobody) GTEST_SKIP() << "no nobody account";
  Identity me = Me();
  ActAs root_who;
  std::string message;
  ASSERT_EQ(ResolveActAs(&me, &root_who, &message), MiResult::kOk);
  ActReport r = SpawnAs(root_who, "sleep 100", "");
  ASSERT_EQ(r.err, 0);
  pid_t pid = static_cast<pid_t>(r.value);
  Identity n;
  n.user = "nobody";
  n.system_account = true;
  n.uid = nobody->pw_uid;
  n.gid = nobody->pw_gid;
  ActAs who;
  ASSERT_EQ(ResolveActAs(&n, &who, &message), MiResult::kOk);
  EXPECT_TRUE(who.switch_user);
  EXPECT_EQ(KillAs(who, pid, SIGKILL).err, EPERM);
  EXPECT_FALSE(Gone(pid));
  EXPECT_EQ(KillAs(root_who, pid, SIGKILL).err, 0);
  EXPECT_TRUE(WaitGone(pid));
}

}  // namespace
}  // namespace wsman::providers::host
