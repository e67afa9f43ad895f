// Small helpers the host readers share (readers.cc, process_reader.cc):
// number fields of /proc text, and reading a file or link relative to an
// open directory (so that one open /proc/<pid> answers every read). Not an
// interface for the providers. Plain functions; any thread.
#ifndef WSMAND_PROVIDERS_HOST_READER_UTIL_H_
#define WSMAND_PROVIDERS_HOST_READER_UTIL_H_

#include <fcntl.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "base/file_util.h"
#include "base/unique_fd.h"

namespace wsman::providers::host::reader_util {

inline uint64_t ToU64(std::string_view s) {
  return std::strtoull(std::string(s).c_str(), nullptr, 10);
}
inline int64_t ToI64(std::string_view s) {
  return std::strtoll(std::string(s).c_str(), nullptr, 10);
}

inline std::optional<std::string> ReadLinkAt(int dir_fd, const char* name) {
  char buf[4096];
  ssize_t n = ::readlinkat(dir_fd, name, buf, sizeof buf - 1);
  if (n < 0) return std::nullopt;
  return std::string(buf, static_cast<size_t>(n));
}

// The whole file behind `fd` (bounded by base::ReadAll); nullopt when `fd`
// is invalid or the read fails.
inline std::optional<std::string> ReadFd(base::UniqueFd fd) {
  if (!fd) return std::nullopt;
  base::StatusOr<std::string> read = base::ReadAll(fd.get(), "");
  if (!read.ok()) return std::nullopt;
  return std::move(read).value();
}

inline std::optional<std::string> ReadFileAt(int dir_fd, const char* name) {
  return ReadFd(base::UniqueFd(::openat(dir_fd, name, O_RDONLY | O_CLOEXEC)));
}

}  // namespace wsman::providers::host::reader_util

#endif  // WSMAND_PROVIDERS_HOST_READER_UTIL_H_
