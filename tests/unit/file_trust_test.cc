// base/file_trust: which files and directories wsmand trusts (sshd
// StrictModes style): owner, group/other write bits, every directory on the
// way, sticky directories, symbolic links, hard links, the error texts.
#include "base/file_trust.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <string>

#include "base/file_util.h"
#include "tests/unit/auth_test_util.h"

namespace wsman::base {
namespace {

using auth::testing::TempDir;

constexpr uid_t kNobody = 65534;

void Write(const std::string& path, const std::string& text, mode_t mode) {
  std::ofstream(path) << text;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;
}

void MakeDir(const std::string& path, mode_t mode) {
  ASSERT_EQ(::mkdir(path.c_str(), 0700), 0) << path;
  ASSERT_EQ(::chmod(path.c_str(), mode), 0) << path;  // past the umask
}

// Reads `path` as the daemon would; "" and `error` set when refused.
std::string Read(const std::string& path, std::string* error,
                 TrustedOwners owners = TrustedOwners::OfThisProcess()) {
  StatusOr<std::string> read = ReadTrustedFile(path, owners);
  *error = read.message();
  return read.ok() ? read.value() : "";
}

bool DirectoryOk(const std::string& path, std::string* error) {
  StatusOr<UniqueFd> fd = OpenTrusted(path, TrustedKind::kDirectory);
  *error = fd.message();
  return fd.ok();
}

#define REQUIRE_ROOT()                                                \
  if (::geteuid() != 0) GTEST_SKIP() << "needs root (chown, lchown)"; \
  static_assert(true)

TEST(FileTrust, ReadsAPrivateFileUnderMkdtemp) {
  // /tmp is 1777: a sticky ancestor is fine when what is below it is ours.
  TempDir dir;
  std::string path = dir.File("accounts");
  Write(path, "alice:x\n", 0600);
  std::string error;
  EXPECT_EQ(Read(path, &error), "alice:x\n") << error;
  Write(path, "alice:x\n", 0644);  // readable by others: not our concern
  EXPECT_EQ(Read(path, &error), "alice:x\n") << error;
  EXPECT_TRUE(DirectoryOk(dir.path(), &error)) << error;
}

TEST(FileTrust, RefusesAFileGroupOrOthersMayWrite) {
  TempDir dir;
  std::string path = dir.File("accounts");
  for (mode_t mode : {0666, 0620, 0602}) {
    Write(path, "x\n", mode);
    std::string error;
    EXPECT_EQ(Read(path, &error), "");
    char m[8];
    std::snprintf(m, sizeof m, "%04o", static_cast<unsigned>(mode));
    EXPECT_EQ(error, "refusing " + path +
                         ": it is writable by group or others (mode " + m +
                         "); run: chmod go-w " + path);
  }
}

TEST(FileTrust, RefusesAFileOfAnotherOwner) {
  REQUIRE_ROOT();
  TempDir dir;
  std::string path = dir.File("cert.map");
  Write(path, "x\n", 0600);
  ASSERT_EQ(::chown(path.c_str(), kNobody, kNobody), 0);
  std::string error;
  EXPECT_EQ(Read(path, &error), "");
  EXPECT_EQ(error.rfind("refusing " + path + ": it is owned by uid 65534", 0),
            0u)
      << error;
  EXPECT_NE(error.find("not by root; run: chown root " + path),
            std::string::npos)
      << error;
}

TEST(FileTrust, NotRootTrustsItsOwnUserAndRoot) {
  REQUIRE_ROOT();
  TempDir dir;
  std::string mine = dir.File("mine"), theirs = dir.File("theirs"),
              roots = dir.File("roots");
  Write(mine, "m", 0600);
  Write(theirs, "t", 0600);
  Write(roots, "r", 0644);
  ASSERT_EQ(::chown(mine.c_str(), 1234, 0), 0);
  ASSERT_EQ(::chown(theirs.c_str(), 4321, 0), 0);
  // The directory above belongs to root (mkdtemp as root): trusted too.
  TrustedOwners as_1234{1234};
  std::string error;
  EXPECT_EQ(Read(mine, &error, as_1234), "m") << error;
  EXPECT_EQ(Read(roots, &error, as_1234), "r") << error;
  EXPECT_EQ(Read(theirs, &error, as_1234), "");
  EXPECT_NE(error.find("owned by uid 4321"), std::string::npos) << error;
  EXPECT_NE(error.find("not by root or uid 1234"), std::string::npos) << error;
  // The same file, for a root daemon: only root's.
  EXPECT_EQ(Read(mine, &error, TrustedOwners{0}), "");
  EXPECT_NE(error.find("owned by uid 1234"), std::string::npos) << error;
}

TEST(FileTrust, RefusesADirectoryOnTheWayThatOthersMayWrite) {
  TempDir dir;
  std::string open = dir.File("open");
  MakeDir(open, 0777);
  MakeDir(open + "/etc", 0755);
  std::string path = open + "/etc/accounts";
  Write(path, "x\n", 0600);
  std::string error;
  EXPECT_EQ(Read(path, &error), "");
  EXPECT_EQ(error, "refusing " + path + ": the directory " + open +
                       " is writable by group or others (mode 0777); run: "
                       "chmod go-w " +
                       open);
  ASSERT_EQ(::chmod(open.c_str(), 0775), 0);  // group-writable: the same
  EXPECT_EQ(Read(path, &error), "");
  EXPECT_NE(error.find("(mode 0775)"), std::string::npos) << error;
  ASSERT_EQ(::chmod(open.c_str(), 0755), 0);
  EXPECT_EQ(Read(path, &error), "x\n") << error;
}

TEST(FileTrust, RefusesADirectoryOnTheWayOfAnotherOwner) {
  REQUIRE_ROOT();
  TempDir dir;
  std::string theirs = dir.File("theirs");
  MakeDir(theirs, 0755);
  std::string path = theirs + "/key.pem";
  Write(path, "k", 0600);
  ASSERT_EQ(::chown(theirs.c_str(), kNobody, kNobody), 0);
  std::string error;
  EXPECT_EQ(Read(path, &error), "");
  EXPECT_NE(error.find("the directory " + theirs + " is owned by uid 65534"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("run: chown root " + theirs), std::string::npos)
      << error;
}

TEST(FileTrust, StickyDirectoriesOnlyForWhatTrustedUsersPutThere) {
  REQUIRE_ROOT();
  TempDir dir;
  std::string sticky = dir.File("tmp");
  MakeDir(sticky, 01777);
  std::string file = sticky + "/config.toml";
  Write(file, "c", 0600);
  std::string error;
  // Others may add entries, but not rename or remove root's.
  EXPECT_EQ(Read(file, &error), "c") << error;
  std::string sub = sticky + "/wsmand";
  MakeDir(sub, 0700);
  Write(sub + "/accounts", "a", 0600);
  EXPECT_EQ(Read(sub + "/accounts", &error), "a") << error;
  // ... not a directory of someone else's in it,
  ASSERT_EQ(::chown(sub.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(Read(sub + "/accounts", &error), "");
  EXPECT_NE(error.find("the directory " + sub + " is owned by uid 65534"),
            std::string::npos)
      << error;
  // ... nor a second hard link (someone else's link to a root file),
  std::string other = dir.File("elsewhere");
  Write(other, "e", 0600);
  ASSERT_EQ(::link(other.c_str(), (sticky + "/linked").c_str()), 0);
  EXPECT_EQ(Read(sticky + "/linked", &error), "");
  EXPECT_NE(error.find("has 2 hard links and lies in the sticky directory"),
            std::string::npos)
      << error;
  // ... nor the sticky directory itself as a provider directory.
  EXPECT_FALSE(DirectoryOk(sticky, &error));
  EXPECT_EQ(error, "refusing " + sticky +
                       ": it is writable by group or others (mode 1777); "
                       "run: chmod go-w " +
                       sticky);
}

TEST(FileTrust, SymbolicLinksAreFollowedAndTheirTargetsChecked) {
  TempDir dir;
  std::string real = dir.File("real");
  MakeDir(real, 0755);
  Write(real + "/key.pem", "k", 0600);
  std::string link = dir.File("key.pem");
  ASSERT_EQ(::symlink("real/key.pem", link.c_str()), 0);
  std::string error;
  EXPECT_EQ(Read(link, &error), "k") << error;
  // ".." on the way, and an absolute link to a directory.
  EXPECT_EQ(Read(real + "/../real/key.pem", &error), "k") << error;
  ASSERT_EQ(::symlink(real.c_str(), dir.File("tls").c_str()), 0);
  EXPECT_EQ(Read(dir.File("tls") + "/key.pem", &error), "k") << error;
  // The target's own directory is checked too.
  ASSERT_EQ(::chmod(real.c_str(), 0777), 0);
  EXPECT_EQ(Read(link, &error), "");
  EXPECT_NE(error.find("the directory " + real + " is writable"),
            std::string::npos)
      << error;
  ASSERT_EQ(::chmod(real.c_str(), 0755), 0);
  // And the target itself, named as such.
  ASSERT_EQ(::chmod((real + "/key.pem").c_str(), 0666), 0);
  EXPECT_EQ(Read(link, &error), "");
  EXPECT_EQ(error, "refusing " + link + ": its target " + real +
                       "/key.pem is writable by group or others (mode 0666); "
                       "run: chmod go-w " +
                       real + "/key.pem");
  // A loop ends.
  ASSERT_EQ(::symlink("loop", dir.File("loop").c_str()), 0);
  EXPECT_EQ(Read(dir.File("loop"), &error), "");
  EXPECT_NE(error.find("Too many levels of symbolic links"), std::string::npos)
      << error;
}

TEST(FileTrust, ALinkInAStickyDirectoryMustBeATrustedUsers) {
  REQUIRE_ROOT();
  TempDir dir;
  std::string sticky = dir.File("tmp");
  MakeDir(sticky, 01777);
  std::string target = dir.File("accounts");
  Write(target, "a", 0600);
  std::string link = sticky + "/accounts";
  ASSERT_EQ(::symlink(target.c_str(), link.c_str()), 0);
  std::string error;
  EXPECT_EQ(Read(link, &error), "a") << error;  // root's link: followed
  ASSERT_EQ(::lchown(link.c_str(), kNobody, kNobody), 0);
  EXPECT_EQ(Read(link, &error), "");
  EXPECT_EQ(error.rfind("refusing " + link + ": the symbolic link " + link +
                            " is owned by uid 65534",
                        0),
            0u)
      << error;
  EXPECT_NE(error.find("in the sticky directory " + sticky +
                       "; give the path of its target instead"),
            std::string::npos)
      << error;
}

TEST(FileTrust, MissingFilesAndWrongKinds) {
  TempDir dir;
  StatusOr<UniqueFd> fd = OpenTrusted(dir.File("nope"), TrustedKind::kFile);
  EXPECT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(fd.message(), dir.File("nope") +
                              ": cannot open: No such file or "
                              "directory");
  fd = OpenTrusted(dir.File("nope/x"), TrustedKind::kFile);
  EXPECT_FALSE(fd.ok());
  EXPECT_EQ(fd.status().code(), Status::Code::kNotFound);
  // A directory where a file is wanted, a file where a directory is.
  Write(dir.File("f"), "", 0600);
  fd = OpenTrusted(dir.path(), TrustedKind::kFile);
  EXPECT_FALSE(fd.ok());
  EXPECT_NE(fd.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(fd.message(),
            "refusing " + dir.path() +
                ": it is not a regular file; give the path of a file");
  fd = OpenTrusted(dir.File("f"), TrustedKind::kDirectory);
  EXPECT_FALSE(fd.ok());
  EXPECT_NE(fd.message().find("is not a directory"), std::string::npos)
      << fd.message();
  // A FIFO is refused without blocking.
  ASSERT_EQ(::mkfifo(dir.File("fifo").c_str(), 0600), 0);
  fd = OpenTrusted(dir.File("fifo"), TrustedKind::kFile);
  EXPECT_FALSE(fd.ok());
  EXPECT_NE(fd.message().find("not a regular file"), std::string::npos)
      << fd.message();
}

// The Status forms say why: kNotFound for a missing component,
// kPermissionDenied for a refusal, each with its message.
TEST(FileTrust, StatusCodesTellMissingFromRefused) {
  TempDir dir;
  StatusOr<std::string> missing = ReadTrustedFile(dir.File("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), Status::Code::kNotFound);
  EXPECT_EQ(missing.message(),
            dir.File("nope") + ": cannot open: No such file or directory");
  StatusOr<UniqueFd> not_a_file = OpenTrusted(dir.path(), TrustedKind::kFile);
  ASSERT_FALSE(not_a_file.ok());
  EXPECT_EQ(not_a_file.status().code(), Status::Code::kPermissionDenied);
  EXPECT_EQ(not_a_file.message(),
            "refusing " + dir.path() +
                ": it is not a regular file; give the path of a file");
  Write(dir.File("open"), "x", 0666);
  StatusOr<std::string> writable = ReadTrustedFile(dir.File("open"));
  EXPECT_EQ(writable.status().code(), Status::Code::kPermissionDenied);
  Write(dir.File("ok"), "fine", 0600);
  StatusOr<std::string> ok = ReadTrustedFile(dir.File("ok"));
  ASSERT_TRUE(ok.ok()) << ok.message();
  EXPECT_EQ(*ok, "fine");
}

// base/file_util.h's Status forms.
TEST(FileUtil, StatusFormsReadAndReplace) {
  TempDir dir;
  EXPECT_EQ(ReadWholeFile(dir.File("nope")).status().code(),
            Status::Code::kNotFound);
  ASSERT_TRUE(WriteFileAtomic(dir.File("f"), "one", 0600).ok());
  StatusOr<std::string> read = ReadWholeFile(dir.File("f"));
  ASSERT_TRUE(read.ok()) << read.message();
  EXPECT_EQ(*read, "one");
  ASSERT_EQ(::symlink(dir.File("f").c_str(), dir.File("link").c_str()), 0);
  Status refused = WriteFileAtomic(dir.File("link"), "two", 0600);
  EXPECT_EQ(refused.code(), Status::Code::kFailedPrecondition);
  EXPECT_NE(refused.message().find("symbolic link"), std::string::npos);
  EXPECT_EQ(*ReadWholeFile(dir.File("f")), "one");
  UniqueFd fd(::open(dir.File("f").c_str(), O_RDONLY | O_CLOEXEC));
  StatusOr<std::string> all = ReadAll(fd.get(), dir.File("f"));
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(*all, "one");
}

TEST(FileTrust, RelativePathsStartAtTheWorkingDirectory) {
  TempDir dir;
  Write(dir.File("wsmand.toml"), "t", 0600);
  char old[4096];
  ASSERT_NE(::getcwd(old, sizeof old), nullptr);
  ASSERT_EQ(::chdir(dir.path().c_str()), 0);
  std::string error;
  std::string got = Read("wsmand.toml", &error);
  std::string got_dot = Read("./wsmand.toml", &error);
  ASSERT_EQ(::chdir(old), 0);
  EXPECT_EQ(got, "t") << error;
  EXPECT_EQ(got_dot, "t") << error;
}

TEST(FileTrust, DirectoryDescriptorListsAndOpensEntries) {
  TempDir dir;
  Write(dir.File("a.so"), "so", 0644);
  StatusOr<UniqueFd> fd = OpenTrusted(dir.path(), TrustedKind::kDirectory);
  ASSERT_TRUE(fd.ok()) << fd.message();
  UniqueFd entry(::openat(fd->get(), "a.so", O_RDONLY | O_CLOEXEC));
  EXPECT_TRUE(entry.valid());
}

}  // namespace
}  // namespace wsman::base
