#include "server/auth/accounts_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "server/auth/authenticator.h"
#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using testing::TempDir;

std::string ReadFile(const std::string& path) {
  std::ifstream f(path);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& content) {
  std::ofstream(path) << content;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0);
  return st.st_mode & 07777;
}

TEST(AuthAccountsFile, AddVerifyDeleteListRoundTrip) {
  TempDir dir;
  std::string path = dir.File("accounts.db");
  bool replaced = true;
  ASSERT_TRUE(AddAccount(path, "alice", "s3cret", &replaced).ok());
  EXPECT_FALSE(replaced);
  ASSERT_TRUE(AddAccount(path, "DOMAIN\\bob", "hunter2").ok());
  EXPECT_EQ(ModeOf(path), 0600u);

  auto file = AccountsFile::Load(path);
  ASSERT_TRUE(file.ok()) << file.message();
  ASSERT_EQ(file->entries().size(), 2u);
  EXPECT_TRUE(file->entries()[0].hash.starts_with("$y$"));
  EXPECT_TRUE(file->Verify("alice", "s3cret"));
  EXPECT_TRUE(file->Verify("DOMAIN\\bob", "hunter2"));
  EXPECT_FALSE(file->Verify("alice", "hunter2"));
  EXPECT_FALSE(file->Verify("alice", "s3cret "));
  EXPECT_FALSE(file->Verify("carol", "s3cret"));

  auto names = ListAccounts(path);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names.value(), (std::vector<std::string>{"alice", "DOMAIN\\bob"}));

  // Replacing a password keeps the line and its position.
  ASSERT_TRUE(AddAccount(path, "alice", "n3w", &replaced).ok());
  EXPECT_TRUE(replaced);
  file = AccountsFile::Load(path);
  ASSERT_TRUE(file.ok());
  EXPECT_FALSE(file->Verify("alice", "s3cret"));
  EXPECT_TRUE(file->Verify("alice", "n3w"));
  EXPECT_EQ(file->entries()[0].name, "alice");

  auto deleted = DeleteAccount(path, "alice");
  ASSERT_TRUE(deleted.ok());
  EXPECT_TRUE(deleted.value());
  deleted = DeleteAccount(path, "alice");
  ASSERT_TRUE(deleted.ok());
  EXPECT_FALSE(deleted.value());
  names = ListAccounts(path);
  ASSERT_TRUE(names.ok());
  EXPECT_EQ(names.value(), (std::vector<std::string>{"DOMAIN\\bob"}));
  EXPECT_EQ(ModeOf(path), 0600u);
}

TEST(AuthAccountsFile, RewriteIsAtomicAndKeepsComments) {
  TempDir dir;
  std::string path = dir.File("accounts.db");
  auto hash = HashPassword("pw", "$6$");
  ASSERT_TRUE(hash.ok());
  WriteFile(path, "# managed by hand\n\nzed:" + hash.value() + "\n");
  ::chmod(path.c_str(), 0644);
  struct stat before {};
  ASSERT_EQ(::stat(path.c_str(), &before), 0);

  ASSERT_TRUE(AddAccount(path, "amy", "pw2").ok());
  struct stat after {};
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  // A new inode: the file was replaced by rename, not rewritten in place.
  EXPECT_NE(before.st_ino, after.st_ino);
  EXPECT_EQ(after.st_mode & 07777, 0600u);
  std::string text = ReadFile(path);
  EXPECT_TRUE(text.starts_with("# managed by hand\n\nzed:$6$")) << text;
  EXPECT_NE(text.find("\namy:$y$"), std::string::npos);
  // No temporary files left behind.
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) {
    (void)e;
    ++files;
  }
  EXPECT_EQ(files, 1);
}

TEST(AuthAccountsFile, ParseErrorsCarryFileAndLine) {
  auto hash = HashPassword("pw", "$6$");
  ASSERT_TRUE(hash.ok());
  const std::string h = hash.value();
  struct Case {
    std::string content;
    std::string prefix;
  } cases[] = {
      {"# c\nok:" + h + "\nbroken line\n", "accounts.db:3: "},
      {"a:" + h + "\na:" + h + "\n", "accounts.db:2: duplicate"},
      {"a:$1$abc$def\n", "accounts.db:1: unsupported"},
      {"a:plaintext\n", "accounts.db:1: unsupported"},
      {":" + h + "\n", "accounts.db:1: empty user name"},
      {"\n\n  \n a:" + h + "\n", "accounts.db:4: user name has leading"},
      {"a:" + h + " \n", "accounts.db:1: unsupported"},
  };
  for (const auto& c : cases) {
    auto r = AccountsFile::Parse(c.content, "accounts.db");
    ASSERT_FALSE(r.ok()) << c.content;
    EXPECT_TRUE(r.message().starts_with(c.prefix)) << r.message();
  }
  TempDir dir;
  std::string path = dir.File("accounts.db");
  WriteFile(path, "x:" + h + "\nbad\n");
  auto r = AccountsFile::Load(path);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.message().rfind(path + ":2: ", 0), 0u) << r.message();
  // An edit refuses to touch a broken file.
  EXPECT_FALSE(AddAccount(path, "y", "pw").ok());
  auto missing = AccountsFile::Load(dir.File("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.message().find("nope"), std::string::npos);
}

TEST(AuthAccountsFile, AcceptsSha512CryptAndCrlf) {
  auto h6 = HashPassword("secret6", "$6$");
  auto hy = HashPassword("secrety");
  ASSERT_TRUE(h6.ok() && hy.ok());
  EXPECT_TRUE(h6->starts_with("$6$"));
  auto file = AccountsFile::Parse(
      "six:" + h6.value() + "\r\nwhy:" + hy.value() + "\r\n", "f");
  ASSERT_TRUE(file.ok()) << file.message();
  EXPECT_TRUE(file->Verify("six", "secret6"));
  EXPECT_TRUE(file->Verify("why", "secrety"));
  EXPECT_FALSE(file->Verify("six", "secrety"));
}

TEST(AuthAccountsFile, UnknownUserAndWrongPasswordBothFailInSimilarTime) {
  auto file = AccountsFile::Parse("alice:" + HashPassword("pw").value(), "f");
  ASSERT_TRUE(file.ok());
  using Clock = std::chrono::steady_clock;
  auto time = [&](const char* user, const char* pw) {
    auto best = Clock::duration::max();
    for (int i = 0; i < 3; ++i) {
      auto t0 = Clock::now();
      EXPECT_FALSE(file->Verify(user, pw));
      best = std::min(best, Clock::now() - t0);
    }
    return std::chrono::duration<double, std::milli>(best).count();
  };
  double wrong_password = time("alice", "nope");
  double unknown_user = time("mallory", "nope");
  // Both run one yescrypt; allow generous noise on a shared machine.
  EXPECT_GT(unknown_user, wrong_password * 0.5);
  EXPECT_LT(unknown_user, wrong_password * 2.0);
  // An empty file still spends the time.
  AccountsFile empty;
  auto none = AccountsFile::Parse("# nobody\n", "f");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->Verify("alice", "pw"));
  EXPECT_FALSE(empty.Verify("alice", "pw"));
}

TEST(AuthAccountsFile, RefusesBadNames) {
  TempDir dir;
  std::string path = dir.File("a.db");
  for (std::string bad :
       std::vector<std::string>{"", "a:b", "a\nb", std::string("a\0b", 3), "#x",
                                " x", "x\t", std::string(257, 'n')}) {
    EXPECT_FALSE(ValidateAccountName(bad).ok()) << bad;
    EXPECT_FALSE(AddAccount(path, bad, "pw").ok()) << bad;
  }
  EXPECT_FALSE(AddAccount(path, "ok", "").ok());
  EXPECT_TRUE(ValidateAccountName("DOMAIN\\user").ok());
  EXPECT_TRUE(ValidateAccountName("user@REALM").ok());
  EXPECT_FALSE(std::filesystem::exists(path));
}

TEST(AuthAccountsFile, CliCommandsExitCodes) {
  TempDir dir;
  std::string path = dir.File("accounts.db");
  std::ostringstream out, err;
  std::istringstream in1("pa ss\nignored second line\n");
  EXPECT_EQ(RunUserAdd(path, "alice", in1, out, err), 0) << err.str();
  auto file = AccountsFile::Load(path);
  ASSERT_TRUE(file.ok());
  EXPECT_TRUE(file->Verify("alice", "pa ss"));

  std::istringstream in2("crlf\r\n");
  EXPECT_EQ(RunUserAdd(path, "bob", in2, out, err), 0);
  EXPECT_TRUE(AccountsFile::Load(path)->Verify("bob", "crlf"));

  std::istringstream empty_line("\n"), eof("");
  EXPECT_EQ(RunUserAdd(path, "carol", empty_line, out, err), 2);
  EXPECT_EQ(RunUserAdd(path, "carol", eof, out, err), 2);
  std::istringstream in3("pw\n");
  EXPECT_EQ(RunUserAdd(path, "bad:name", in3, out, err), 2);
  std::istringstream in4("pw\n");
  EXPECT_EQ(RunUserAdd(dir.File("no/such/dir/a.db"), "dave", in4, out, err), 1);

  std::ostringstream list;
  EXPECT_EQ(RunUserList(path, list, err), 0);
  EXPECT_EQ(list.str(), "alice\nbob\n");
  EXPECT_EQ(RunUserList(dir.File("missing.db"), list, err), 1);

  EXPECT_EQ(RunUserDel(path, "alice", out, err), 0);
  EXPECT_EQ(RunUserDel(path, "alice", out, err), 2);
  EXPECT_EQ(RunUserDel(path, "a\nb", out, err), 2);
  EXPECT_EQ(RunUserDel(dir.File("missing.db"), "x", out, err), 1);
  // The password never shows up in any output.
  EXPECT_EQ(out.str().find("pa ss"), std::string::npos);
  EXPECT_EQ(err.str().find("pa ss"), std::string::npos);
}

// The audit's exploit (L4): the accounts file made writable for all, and an
// unprivileged user appends "root:<hash>". It is refused before it is read,
// at start and on every reload (SIGHUP or the watcher), and the accounts in
// force stay as they were.
TEST(AuthAccountsFile, AFileOthersMayWriteIsRefusedAndTheOldAccountsKept) {
  TempDir dir;
  std::string path = dir.File("accounts");
  ASSERT_TRUE(AddAccount(path, "alice", "wonderland").ok());
  Authenticator::Options o;
  o.accounts_file = path;
  o.use_pam = false;
  auto auth = Authenticator::Create(o);
  ASSERT_TRUE(auth.ok()) << auth.message();

  ASSERT_EQ(::chmod(path.c_str(), 0666), 0);
  base::StatusOr<std::string> hash = HashPassword("r00tpw");
  ASSERT_TRUE(hash.ok());
  std::ofstream(path, std::ios::app) << "root:" << hash.value() << "\n";

  auto loaded = AccountsFile::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.message(), "refusing " + path +
                                  ": it is writable by group or others (mode "
                                  "0666); run: chmod go-w " +
                                  path);
  base::Status reload = auth.value()->Reload();
  EXPECT_FALSE(reload.ok());
  EXPECT_EQ(auth.value()
                ->Authenticate(testing::BasicHeader("root", "r00tpw"), "::1")
                .outcome,
            AuthResult::kDenied);
  EXPECT_EQ(
      auth.value()
          ->Authenticate(testing::BasicHeader("alice", "wonderland"), "::2")
          .outcome,
      AuthResult::kOk);
  // Nor does a fresh start take it.
  EXPECT_FALSE(Authenticator::Create(o).ok());
  // `wsmand user add` does not launder it into a 0600 root file either.
  EXPECT_FALSE(AddAccount(path, "bob", "builder").ok());
  EXPECT_EQ(ModeOf(path), 0666u);
  std::ostringstream out, err;
  EXPECT_EQ(RunUserList(path, out, err), 1);
  EXPECT_NE(err.str().find("chmod go-w " + path), std::string::npos);
}

TEST(AuthAccountsFile, AFileOfAnotherOwnerIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown)";
  TempDir dir;
  std::string path = dir.File("accounts");
  ASSERT_TRUE(AddAccount(path, "alice", "wonderland").ok());
  ASSERT_EQ(::chown(path.c_str(), 65534, 65534), 0);
  auto loaded = AccountsFile::Load(path);
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.message().find("owned by uid 65534"), std::string::npos)
      << loaded.message();
  EXPECT_NE(loaded.message().find("run: chown root " + path), std::string::npos)
      << loaded.message();
}

// Info finding: `user add` on a symlinked accounts path replaced the link
// with a regular file. It is refused; the link and its target stay.
TEST(AuthAccountsFile, UserAddRefusesASymlinkedAccountsPath) {
  TempDir dir;
  std::string target = dir.File("real-accounts");
  ASSERT_TRUE(AddAccount(target, "alice", "wonderland").ok());
  std::string before = ReadFile(target);
  std::string link = dir.File("accounts");
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);

  std::ostringstream out, err;
  std::istringstream pw("s3cret\n");
  EXPECT_EQ(RunUserAdd(link, "bob", pw, out, err), 1);
  EXPECT_NE(err.str().find("refusing to replace " + link +
                           ": it is a symbolic link to " + target +
                           "; give the path of the file itself"),
            std::string::npos)
      << err.str();
  struct stat st {};
  ASSERT_EQ(::lstat(link.c_str(), &st), 0);
  EXPECT_TRUE(S_ISLNK(st.st_mode));
  EXPECT_EQ(ReadFile(target), before);
  EXPECT_EQ(RunUserDel(link, "alice", out, err), 1);
  EXPECT_EQ(ReadFile(target), before);
  // The daemon may still read through the link (the target is checked),
  // and the target path edits as usual.
  EXPECT_TRUE(AccountsFile::Load(link).ok());
  std::istringstream pw2("s3cret\n");
  EXPECT_EQ(RunUserAdd(target, "bob", pw2, out, err), 0) << err.str();
}

TEST(AuthAccountsFile, EditsRefuseADirectoryOthersMayWrite) {
  TempDir dir;
  std::string open = dir.File("open");
  ASSERT_EQ(::mkdir(open.c_str(), 0700), 0);
  ASSERT_EQ(::chmod(open.c_str(), 0777), 0);
  base::Status s = AddAccount(open + "/accounts", "alice", "wonderland");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "refusing " + open +
                             ": it is writable by group or others (mode "
                             "0777); run: chmod go-w " +
                             open);
  ASSERT_EQ(::chmod(open.c_str(), 0755), 0);
  EXPECT_TRUE(AddAccount(open + "/accounts", "alice", "wonderland").ok());
}

}  // namespace
}  // namespace wsman::auth
