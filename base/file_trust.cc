#include "base/file_trust.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <deque>
#include <vector>

#include "base/file_util.h"
#include "base/user.h"

namespace wsman::base {
namespace {

constexpr int kMaxSymlinks = 40;  // Linux's own limit for one lookup

std::string ModeText(mode_t mode) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
  return buf;
}

std::string UserText(uid_t uid) {
  std::string name = UserName(uid).value_or("");
  std::string out = "uid " + std::to_string(uid);
  if (!name.empty()) out += " (" + name + ")";
  return out;
}

// Splits a path into its non-empty components.
std::vector<std::string> Components(const std::string& path) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    if (slash > start) out.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return out;
}

// One lookup of `original`, component by component from "/".
class Walk {
 public:
  Walk(std::string original, TrustedOwners owners, std::string* error,
       bool* missing)
      : original_(std::move(original)),
        owners_(owners),
        error_(error),
        missing_(missing) {}

  bool Run(TrustedKind kind, UniqueFd* out);
  bool refused() const { return refused_; }

 private:
  std::string Resolved() const {
    std::string out;
    for (const std::string& c : resolved_) out += "/" + c;
    return out.empty() ? "/" : out;
  }
  std::string ChildPath(const std::string& name) const {
    return resolved_.empty() ? "/" + name : Resolved() + "/" + name;
  }
  // "it" while the lookup went straight down the given path.
  std::string Final(const std::string& path) const {
    return direct_ ? "it" : "its target " + path;
  }

  bool Refuse(const std::string& what, const std::string& fix) {
    *error_ = "refusing " + original_ + ": " + what + "; " + fix;
    refused_ = true;
    return false;
  }
  bool Fail(int err) {
    if (missing_ != nullptr && err == ENOENT) *missing_ = true;
    *error_ = original_ + ": cannot open: " + std::strerror(err);
    return false;
  }
  std::string OwnerWanted() const {
    return owners_.self == 0 ? "root" : "root or " + UserText(owners_.self);
  }
  std::string ChownFix(const std::string& path) const {
    std::string to =
        owners_.self == 0 ? "root" : UserName(owners_.self).value_or("");
    if (to.empty()) to = std::to_string(owners_.self);
    return "run: chown " + to + " " + path;
  }

  bool CheckOwner(const struct stat& st, const std::string& what,
                  const std::string& path) {
    if (owners_.Trusts(st.st_uid)) return true;
    return Refuse(what + " is owned by " + UserText(st.st_uid) + ", not by " +
                      OwnerWanted(),
                  ChownFix(path));
  }
  bool CheckNotWritable(const struct stat& st, const std::string& what,
                        const std::string& path) {
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return true;
    return Refuse(what + " is writable by group or others (mode " +
                      ModeText(st.st_mode) + ")",
                  "run: chmod go-w " + path);
  }
  // A directory the lookup passes through; sets sticky_ for what follows.
  bool CheckDirectory(const struct stat& st, const std::string& path) {
    std::string what = "the directory " + path;
    if (!CheckOwner(st, what, path)) return false;
    sticky_ = false;
    if ((st.st_mode & (S_IWGRP | S_IWOTH)) == 0) return true;
    if ((st.st_mode & S_ISVTX) != 0) {
      sticky_ = true;  // only an entry's owner may rename or remove it
      return true;
    }
    return CheckNotWritable(st, what, path);
  }
  bool OpenRoot(UniqueFd* dir) {
    dir->reset(::open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    struct stat st {};
    if (!dir->valid() || ::fstat(dir->get(), &st) != 0) return Fail(errno);
    resolved_.clear();
    return CheckDirectory(st, "/");
  }
  bool FinalFile(int dir, const std::string& name, const struct stat& node,
                 UniqueFd* out);
  bool FinalDirectory(int dir, UniqueFd* out);

  std::string original_;
  TrustedOwners owners_;
  std::string* error_;
  bool* missing_;
  bool refused_ = false;
  std::vector<std::string> resolved_;  // components of the current directory
  bool sticky_ = false;  // the current directory is a writable sticky one
  bool direct_ = true;   // no symbolic link or ".." followed yet
};

bool Walk::FinalFile(int dir, const std::string& name, const struct stat& node,
                     UniqueFd* out) {
  std::string path = ChildPath(name);
  std::string what = Final(path);
  if (!S_ISREG(node.st_mode))
    return Refuse(what + " is not a regular file", "give the path of a file");
  // O_NONBLOCK: never wait on a FIFO swapped in; regular files ignore it.
  UniqueFd fd(
      ::openat(dir, name.c_str(),
               O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return Fail(errno);
  if (st.st_dev != node.st_dev || st.st_ino != node.st_ino ||
      !S_ISREG(st.st_mode)) {
    return Fail(ESTALE);  // replaced while being looked at
  }
  if (!CheckOwner(st, what, path) || !CheckNotWritable(st, what, path)) {
    return false;
  }
  if (sticky_ && st.st_nlink > 1) {
    return Refuse(what + " has " + std::to_string(st.st_nlink) +
                      " hard links and lies in the sticky directory " +
                      Resolved(),
                  "give it a link of its own: cp -p " + path + " " + path +
                      ".new && mv " + path + ".new " + path);
  }
  int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  *out = std::move(fd);
  return true;
}

bool Walk::FinalDirectory(int dir, UniqueFd* out) {
  UniqueFd fd(::openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return Fail(errno);
  std::string path = Resolved();
  std::string what = Final(path);
  // No sticky exception for the directory itself: anyone could add entries.
  if (!CheckOwner(st, what, path) || !CheckNotWritable(st, what, path)) {
    return false;
  }
  *out = std::move(fd);
  return true;
}

bool Walk::Run(TrustedKind kind, UniqueFd* out) {
  if (missing_ != nullptr) *missing_ = false;
  if (original_.empty()) return Fail(ENOENT);
  std::string absolute = original_;
  if (absolute[0] != '/') {
    char cwd[PATH_MAX];
    if (::getcwd(cwd, sizeof cwd) == nullptr) return Fail(errno);
    absolute = std::string(cwd) + "/" + absolute;
  }
  std::vector<std::string> first = Components(absolute);
  std::deque<std::string> pending(first.begin(), first.end());
  UniqueFd dir;
  if (!OpenRoot(&dir)) return false;
  int links = 0;
  while (!pending.empty()) {
    std::string name = std::move(pending.front());
    pending.pop_front();
    if (name == ".") continue;
    if (name == "..") {
      direct_ = false;
      if (resolved_.empty()) continue;  // "/.." is "/"
      UniqueFd up(::openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
      struct stat st {};
      if (!up.valid() || ::fstat(up.get(), &st) != 0) return Fail(errno);
      resolved_.pop_back();
      if (!CheckDirectory(st, Resolved())) return false;
      dir = std::move(up);
      continue;
    }
    UniqueFd node(
        ::openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
    struct stat st {};
    if (!node.valid() || ::fstat(node.get(), &st) != 0) return Fail(errno);
    std::string path = ChildPath(name);
    if (S_ISLNK(st.st_mode)) {
      if (sticky_ && !owners_.Trusts(st.st_uid)) {
        return Refuse("the symbolic link " + path + " is owned by " +
                          UserText(st.st_uid) + " in the sticky directory " +
                          Resolved(),
                      "give the path of its target instead");
      }
      if (++links > kMaxSymlinks) return Fail(ELOOP);
      char target[PATH_MAX];
      ssize_t n = ::readlinkat(node.get(), "", target, sizeof target);
      if (n < 0) return Fail(errno);
      if (n == 0 || static_cast<size_t>(n) >= sizeof target) {
        return Fail(n == 0 ? ENOENT : ENAMETOOLONG);
      }
      std::string link(target, static_cast<size_t>(n));
      direct_ = false;
      std::vector<std::string> parts = Components(link);
      pending.insert(pending.begin(), parts.begin(), parts.end());
      if (link[0] == '/' && !OpenRoot(&dir)) return false;
      continue;
    }
    if (pending.empty() && kind == TrustedKind::kFile) {
      return FinalFile(dir.get(), name, st, out);
    }
    if (!S_ISDIR(st.st_mode)) {
      if (pending.empty()) {
        return Refuse(Final(path) + " is not a directory",
                      "give the path of a directory");
      }
      return Fail(ENOTDIR);
    }
    resolved_.push_back(name);
    // The directory asked for is checked by FinalDirectory, strictly.
    if (!pending.empty() && !CheckDirectory(st, path)) return false;
    dir = std::move(node);
  }
  if (kind == TrustedKind::kFile) {
    return Refuse(Final(Resolved()) + " is a directory",
                  "give the path of a file");
  }
  return FinalDirectory(dir.get(), out);
}

}  // namespace

TrustedOwners TrustedOwners::OfThisProcess() {
  TrustedOwners owners;
  owners.self = ::geteuid();
  return owners;
}

StatusOr<UniqueFd> OpenTrusted(const std::string& path, TrustedKind kind,
                               TrustedOwners owners) {
  std::string error;
  bool missing = false;
  Walk walk(path, owners, &error, &missing);
  UniqueFd fd;
  if (walk.Run(kind, &fd)) return fd;
  if (walk.refused()) return Status::PermissionDenied(std::move(error));
  if (missing) return Status::NotFound(std::move(error));
  return Status::IoError(std::move(error));
}

StatusOr<std::string> ReadTrustedFile(const std::string& path,
                                      TrustedOwners owners) {
  StatusOr<UniqueFd> fd = OpenTrusted(path, TrustedKind::kFile, owners);
  if (!fd.ok()) return std::move(fd).status();
  return ReadAll(fd->get(), path);
}

}  // namespace wsman::base
