// Who sees which process details (providers/host/process_view.h): the rules
// on synthetic processes, the viewer built from an identity and the
// administrators list, and Win32_Process enumerated from the fixture tree
// (and copies of it under hidepid mounts) as different users.
#include "providers/host/process_view.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "providers/host/host_model.h"
#include "providers/host/host_providers.h"
#include "tests/unit/host_test_env.h"

namespace wsman::providers::host {
namespace {

using testing::FixtureEnv;
const std::string kNs = "root/cimv2";

Identity SystemUser(const std::string& name, uid_t uid, gid_t gid) {
  Identity id;
  id.user = name;
  id.system_account = true;
  id.uid = uid;
  id.gid = gid;
  return id;
}

Identity AccountsOnly(const std::string& name) {
  Identity id;
  id.user = name;
  return id;
}

// A process of uid/gid 1000, dumpable, not setuid.
ProcessInfo Carols() {
  ProcessInfo p;
  p.pid = 4242;
  p.uid = p.euid = p.suid = 1000;
  p.gid = p.egid = p.sgid = 1000;
  p.proc_owner = 1000;
  return p;
}

ProcessInfo Roots() {
  ProcessInfo p;
  p.pid = 1;
  p.proc_owner = 0;
  return p;
}

ProcessViewer Carol(ProcMountOptions proc = {}) {
  ProcessViewer v;
  v.system_account = true;
  v.uid = 1000;
  v.gid = 1000;
  v.proc = proc;
  return v;
}

void ExpectSees(const ProcessVisibility& s, bool listed, bool command_line,
                bool executable_path) {
  EXPECT_EQ(s.listed, listed);
  EXPECT_EQ(s.command_line, command_line);
  EXPECT_EQ(s.executable_path, executable_path);
}

TEST(ProcessView, OwnProcessesOnly) {
  ExpectSees(VisibilityOf(Carols(), Carol()), true, true, true);
  ExpectSees(VisibilityOf(Roots(), Carol()), true, false, false);
  ProcessInfo other = Carols();
  other.uid = other.euid = other.suid = 1001;
  other.proc_owner = 1001;
  ExpectSees(VisibilityOf(other, Carol()), true, false, false);
}

TEST(ProcessView, WhatTheKernelWouldRefuseStaysNull) {
  // A setuid program carol started acts as root: not hers.
  ProcessInfo setuid = Carols();
  setuid.euid = setuid.suid = 0;
  ExpectSees(VisibilityOf(setuid, Carol()), true, false, false);
  // A setgid one: her command line, but /proc/<pid>/exe is refused.
  ProcessInfo setgid = Carols();
  setgid.egid = setgid.sgid = 5;
  ExpectSees(VisibilityOf(setgid, Carol()), true, true, false);
  // Not dumpable (/proc/<pid> then belongs to root): the same.
  ProcessInfo undumpable = Carols();
  undumpable.proc_owner = 0;
  ExpectSees(VisibilityOf(undumpable, Carol()), true, true, false);
  ProcessInfo unknown_owner = Carols();
  unknown_owner.proc_owner.reset();
  ExpectSees(VisibilityOf(unknown_owner, Carol()), true, true, false);
}

TEST(ProcessView, NoSystemAccountSeesNoDetails) {
  ProcessViewer nobody;  // accounts-file user, or no identity
  ExpectSees(VisibilityOf(Carols(), nobody), true, false, false);
  ExpectSees(VisibilityOf(Roots(), nobody), true, false, false);
  // Even a process whose uid happens to equal the unset uid field.
  ProcessInfo odd = Carols();
  odd.uid = odd.euid = odd.suid = static_cast<uid_t>(-1);
  ExpectSees(VisibilityOf(odd, nobody), true, false, false);
}

TEST(ProcessView, AdministratorsSeeEverything) {
  ProcessViewer admin = ProcessViewer::Administrator();
  ExpectSees(VisibilityOf(Roots(), admin), true, true, true);
  ProcessInfo setuid = Carols();
  setuid.euid = 0;
  setuid.proc_owner = 0;
  ExpectSees(VisibilityOf(setuid, admin), true, true, true);
  admin.proc.hidepid = 2;
  ExpectSees(VisibilityOf(Roots(), admin), true, true, true);
}

TEST(ProcessView, HidepidHidesWhatCannotBeOpened) {
  ProcMountOptions invisible{2, std::nullopt};
  ExpectSees(VisibilityOf(Roots(), Carol(invisible)), false, false, false);
  ExpectSees(VisibilityOf(Carols(), Carol(invisible)), true, true, true);
  ProcessInfo undumpable = Carols();
  undumpable.proc_owner = 0;
  ExpectSees(VisibilityOf(undumpable, Carol(invisible)), false, false, false);
  ProcMountOptions noaccess{1, std::nullopt};
  ExpectSees(VisibilityOf(Roots(), Carol(noaccess)), false, false, false);
  // The gid= group sees every process (details as without hidepid)...
  ProcessViewer member = Carol({2, 27});
  member.in_proc_group = true;
  ExpectSees(VisibilityOf(Roots(), member), true, false, false);
  // ...except under hidepid=ptraceable.
  member.proc.hidepid = 4;
  ExpectSees(VisibilityOf(Roots(), member), false, false, false);
  ExpectSees(VisibilityOf(Roots(), ProcessViewer{}), true, false, false);
  ProcessViewer nobody;
  nobody.proc = invisible;
  ExpectSees(VisibilityOf(Carols(), nobody), false, false, false);
}

TEST(ProcessView, ViewerFromIdentityAndAdministrators) {
  HostEnv env = FixtureEnv();
  EXPECT_FALSE(ViewerFor(nullptr, {"root"}, env).administrator);
  EXPECT_FALSE(ViewerFor(nullptr, {}, env).system_account);
  Identity root = SystemUser("root", 0, 0);
  EXPECT_TRUE(ViewerFor(&root, {}, env).administrator);
  Identity carol = SystemUser("carol", 1000, 1000);
  ProcessViewer v = ViewerFor(&carol, {}, env);
  EXPECT_FALSE(v.administrator);
  EXPECT_TRUE(v.system_account);
  EXPECT_EQ(v.uid, 1000u);
  EXPECT_TRUE(ViewerFor(&carol, {"alice", "carol"}, env).administrator);
  EXPECT_TRUE(ViewerFor(&carol, {"%sudo"}, env).administrator);
  EXPECT_FALSE(
      ViewerFor(&carol, {"%wsmanadm", "%nosuch", "Carol"}, env).administrator);
  // An accounts-file user: by name only (it is in no group).
  Identity bob = AccountsOnly("bob");
  EXPECT_FALSE(ViewerFor(&bob, {"%sudo"}, env).administrator);
  EXPECT_TRUE(ViewerFor(&bob, {"bob"}, env).administrator);
  EXPECT_FALSE(ViewerFor(&bob, {}, env).system_account);
}

// ------------------------------------------- through the host provider

// A copy of the fixture tree whose /proc mount has `proc_super_options`.
class FixtureCopy {
 public:
  explicit FixtureCopy(const std::string& proc_super_options) {
    namespace fs = std::filesystem;
    char tmpl[] = "/tmp/wsmand-procview-XXXXXX";
    root_ = ::mkdtemp(tmpl);
    fs::copy(testing::FixtureRoot(), root_,
             fs::copy_options::recursive | fs::copy_options::copy_symlinks);
    std::ofstream(root_ + "/proc/self/mountinfo", std::ios::trunc)
        << "21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n"
           "22 21 0:5 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - "
           "proc proc "
        << proc_super_options << "\n";
  }
  ~FixtureCopy() { std::filesystem::remove_all(root_); }
  HostEnv Env() const {
    HostEnv env = FixtureEnv();
    env.root = root_;
    return env;
  }

 private:
  std::string root_;
};

struct Seen {
  std::string handle, command_line, executable_path;
};

std::vector<Seen> EnumerateAs(const HostEnv& env, const Identity* who,
                              std::vector<std::string> administrators = {}) {
  Registry registry;
  HostProviderOptions options;
  options.administrators = std::move(administrators);
  base::Status s = RegisterHostProviders(&registry, env, kNs, options);
  EXPECT_TRUE(s.ok()) << s.message();
  const ClassRegistration* reg = registry.Find(kNs, "Win32_Process");
  auto ctx = std::make_shared<Context>(1000, false);
  CallInfo call;
  call.identity = who;
  call.namespace_name = kNs;
  call.class_name = "Win32_Process";
  reg->provider->EnumerateInstances(call, ctx);
  EXPECT_EQ(ctx->result(), MiResult::kOk);
  std::vector<Seen> out;
  auto text = [](const Instance& i, std::string_view name) {
    const Value* v = i.Get(name);
    return !v ? "<absent>" : v->is_null() ? "<null>" : *v->AsString();
  };
  while (auto p = ctx->TryTake()) {
    out.push_back({text(p->instance, "Handle"),
                   text(p->instance, "CommandLine"),
                   text(p->instance, "ExecutablePath")});
  }
  return out;
}

TEST(ProcessViewProvider, EachUserSeesItsOwnDetails) {
  HostEnv env = FixtureEnv();
  Identity root = SystemUser("root", 0, 0);
  auto all = EnumerateAs(env, &root);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].handle, "1");
  EXPECT_EQ(all[0].command_line, "/sbin/init splash");
  EXPECT_EQ(all[0].executable_path, "/usr/lib/systemd/systemd");
  EXPECT_EQ(all[1].command_line, "python3 -c print(1)");

  Identity carol = SystemUser("carol", 1000, 1000);
  auto mine = EnumerateAs(env, &carol);
  ASSERT_EQ(mine.size(), 2u);
  EXPECT_EQ(mine[0].command_line, "<null>");  // root's
  EXPECT_EQ(mine[0].executable_path, "<null>");
  EXPECT_EQ(mine[1].command_line, "python3 -c print(1)");  // her own
  EXPECT_EQ(mine[1].executable_path, "/usr/bin/python3.11");

  Identity dave = SystemUser("dave", 1001, 1001);
  for (const Seen& s : EnumerateAs(env, &dave)) {
    EXPECT_EQ(s.command_line, "<null>") << s.handle;
    EXPECT_EQ(s.executable_path, "<null>") << s.handle;
  }
  Identity bob = AccountsOnly("bob");
  for (const Identity* who : std::vector<const Identity*>{&bob, nullptr}) {
    auto seen = EnumerateAs(env, who);
    ASSERT_EQ(seen.size(), 2u);
    for (const Seen& s : seen) {
      EXPECT_EQ(s.command_line, "<null>") << s.handle;
      EXPECT_EQ(s.executable_path, "<null>") << s.handle;
    }
  }
  // Configured administrators: a group carol is in, a name bob has.
  EXPECT_EQ(EnumerateAs(env, &carol, {"%sudo"})[0].command_line,
            "/sbin/init splash");
  EXPECT_EQ(EnumerateAs(env, &bob, {"bob"})[0].executable_path,
            "/usr/lib/systemd/systemd");
}

TEST(ProcessViewProvider, HidepidMountsHideOtherUsersProcesses) {
  Identity carol = SystemUser("carol", 1000, 1000);
  Identity root = SystemUser("root", 0, 0);
  {
    FixtureCopy copy("rw,hidepid=invisible");
    EXPECT_EQ(ReadProcMountOptions(copy.Env()).hidepid, 2);
    auto mine = EnumerateAs(copy.Env(), &carol);
    ASSERT_EQ(mine.size(), 1u);
    EXPECT_EQ(mine[0].handle, "4242");
    EXPECT_EQ(mine[0].command_line, "python3 -c print(1)");
    EXPECT_EQ(EnumerateAs(copy.Env(), &root).size(), 2u);
    Identity bob = AccountsOnly("bob");
    EXPECT_TRUE(EnumerateAs(copy.Env(), &bob).empty());
  }
  {
    // gid=27: carol is in group 27, so she sees (but cannot open) root's.
    FixtureCopy copy("rw,hidepid=2,gid=27");
    ProcMountOptions o = ReadProcMountOptions(copy.Env());
    EXPECT_EQ(o.hidepid, 2);
    ASSERT_TRUE(o.gid);
    EXPECT_EQ(*o.gid, 27u);
    auto mine = EnumerateAs(copy.Env(), &carol);
    ASSERT_EQ(mine.size(), 2u);
    EXPECT_EQ(mine[0].command_line, "<null>");
  }
  {
    FixtureCopy copy("rw,hidepid=ptraceable,gid=27");
    EXPECT_EQ(EnumerateAs(copy.Env(), &carol).size(), 1u);
  }
  {
    FixtureCopy copy("rw");
    EXPECT_EQ(ReadProcMountOptions(copy.Env()).hidepid, 0);
    EXPECT_EQ(EnumerateAs(copy.Env(), &carol).size(), 2u);
  }
}

TEST(ProcessViewReaders, DetailsAreReadOnlyWhenWanted) {
  HostEnv env = FixtureEnv();
  auto p = ReadProcess(env, 4242, [](const ProcessInfo& basic) {
    EXPECT_EQ(basic.euid, 1000u);
    EXPECT_EQ(basic.sgid, 1000u);
    EXPECT_EQ(basic.proc_owner, std::optional<uid_t>(1000));
    return ProcessDetails{false, false};
  });
  ASSERT_TRUE(p);
  EXPECT_EQ(p->name, "my (odd) proc");
  EXPECT_EQ(p->cmdline, "");
  EXPECT_FALSE(p->exe);
  auto full = ReadProcess(env, 4242);
  ASSERT_TRUE(full);
  EXPECT_EQ(full->cmdline, "python3 -c print(1)");
  EXPECT_EQ(full->exe, std::optional<std::string>("/usr/bin/python3.11"));
}

TEST(ProcessViewReaders, RealProcOwnerIsTheEffectiveUid) {
  HostEnv env = HostEnv::Real();
  auto me = ReadProcess(env, ::getpid(), [](const ProcessInfo&) {
    return ProcessDetails{false, false};
  });
  ASSERT_TRUE(me);
  EXPECT_EQ(me->euid, ::geteuid());
  ASSERT_TRUE(me->proc_owner);
  EXPECT_EQ(*me->proc_owner, ::geteuid());
}

}  // namespace
}  // namespace wsman::providers::host
