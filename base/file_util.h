// File helpers for every layer: whole-file reads, atomic replacement (temporary
// file in the same directory, fsync, rename, fsync of the directory) with a
// given mode, and an exclusive lock on a directory for read-modify-write
// edits.
#ifndef WSMAND_BASE_FILE_UTIL_H_
#define WSMAND_BASE_FILE_UTIL_H_

#include <sys/types.h>

#include <string>
#include <vector>

#include "base/status.h"
#include "base/unique_fd.h"

namespace wsman::base {

// The most ReadAll and ReadWholeFile read (config, accounts, certificates).
inline constexpr size_t kMaxReadBytes = 16u << 20;

// Reads `fd` to its end; `path` names it in the error (kIoError, or
// kResourceExhausted past kMaxReadBytes).
StatusOr<std::string> ReadAll(int fd, const std::string& path);

// Reads `path`; kNotFound when it does not exist (ENOENT), else kIoError.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// Replaces `path` atomically with `content`, created with `mode`. Keeps the
// owner of an existing file when running as root. Refuses
// (kFailedPrecondition, nothing written) when `path` is a symbolic link or
// not a regular file: renaming over a link would replace the link and leave
// its target unchanged. kIoError when a step fails.
Status WriteFileAtomic(const std::string& path, const std::string& content,
                       mode_t mode);

std::string DirectoryOf(const std::string& path);

// Holds an exclusive flock on a directory while alive (the descriptor's
// close releases it).
class DirectoryLock {
 public:
  explicit DirectoryLock(const std::string& dir);
  DirectoryLock(const DirectoryLock&) = delete;
  DirectoryLock& operator=(const DirectoryLock&) = delete;
  bool ok() const { return fd_.valid(); }
  const std::string& error() const { return error_; }

 private:
  UniqueFd fd_;
  std::string error_;
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_FILE_UTIL_H_
