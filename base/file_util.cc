#include "base/file_util.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "base/unique_fd.h"

namespace wsman::base {
namespace {

std::string Errno(const std::string& path, const char* what, int err) {
  return path + ": " + what + ": " + std::strerror(err);
}

}  // namespace

std::string DirectoryOf(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

StatusOr<std::string> ReadAll(int fd, const std::string& path) {
  std::string content;
  char buf[8192];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Status::IoError(Errno(path, "read failed", errno));
    if (n == 0) return content;
    content.append(buf, static_cast<size_t>(n));
    if (content.size() > kMaxReadBytes) {
      return Status::ResourceExhausted(path + ": file too large");
    }
  }
}

StatusOr<std::string> ReadWholeFile(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    int err = errno;
    std::string message = Errno(path, "cannot open", err);
    if (err == ENOENT) return Status::NotFound(std::move(message));
    return Status::IoError(std::move(message));
  }
  return ReadAll(fd.get(), path);
}

Status WriteFileAtomic(const std::string& path, const std::string& content,
                       mode_t mode) {
  struct stat st {};
  bool exists = ::lstat(path.c_str(), &st) == 0;
  if (exists && S_ISLNK(st.st_mode)) {
    // rename() would replace the link itself and leave its target as it
    // was; writing through it would edit a file wsmand did not check.
    char target[4096];
    ssize_t n = ::readlink(path.c_str(), target, sizeof target - 1);
    std::string to = n > 0 ? std::string(target, static_cast<size_t>(n)) : "";
    return Status::FailedPrecondition(
        "refusing to replace " + path + ": it is a symbolic link" +
        (to.empty() ? "" : " to " + to) + "; give the path of the file itself");
  }
  if (exists && !S_ISREG(st.st_mode)) {
    return Status::FailedPrecondition("refusing to replace " + path +
                                      ": not a regular file");
  }
  std::string tmp = path + ".tmpXXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return Status::IoError(Errno(tmp, "cannot create", errno));
  auto fail = [&](const char* what, int err) {
    ::unlink(tmp.c_str());
    return Status::IoError(Errno(tmp, what, err));
  };
  if (::fchmod(fd.get(), mode) != 0) return fail("fchmod failed", errno);
  if (exists && ::geteuid() == 0 &&
      ::fchown(fd.get(), st.st_uid, st.st_gid) != 0) {
    return fail("fchown failed", errno);
  }
  size_t off = 0;
  while (off < content.size()) {
    ssize_t n = ::write(fd.get(), content.data() + off, content.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail("write failed", errno);
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd.get()) != 0) return fail("fsync failed", errno);
  if (::close(fd.release()) != 0) return fail("close failed", errno);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    int err = errno;
    ::unlink(tmp.c_str());
    return Status::IoError(Errno(path, "rename failed", err));
  }
  UniqueFd dir(
      ::open(DirectoryOf(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir.get() >= 0) ::fsync(dir.get());
  return Status::Ok();
}

DirectoryLock::DirectoryLock(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) {
    error_ = Errno(dir, "cannot open directory", errno);
    return;
  }
  while (::flock(fd.get(), LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    error_ = Errno(dir, "cannot lock directory", errno);
    return;
  }
  fd_ = std::move(fd);
}

}  // namespace wsman::base
