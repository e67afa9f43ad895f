// RAII for file descriptors: UniqueFd owns one descriptor and closes it once
// (destructor, reset, or move-assignment); release() hands it back. A pipe
// pair is two of them. Not thread-safe on one object (like a unique_ptr); the
// descriptor number itself may be used from any thread.
#ifndef WSMAND_BASE_UNIQUE_FD_H_
#define WSMAND_BASE_UNIQUE_FD_H_

#include <fcntl.h>
#include <unistd.h>

#include <utility>

namespace wsman::base {

class UniqueFd {
 public:
  UniqueFd() = default;
  explicit UniqueFd(int fd) : fd_(fd) {}
  ~UniqueFd() { reset(); }
  UniqueFd(UniqueFd&& other) noexcept : fd_(other.release()) {}
  UniqueFd& operator=(UniqueFd&& other) noexcept {
    if (this != &other) reset(other.release());
    return *this;
  }
  UniqueFd(const UniqueFd&) = delete;
  UniqueFd& operator=(const UniqueFd&) = delete;

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  explicit operator bool() const { return valid(); }

  // Closes the held descriptor (if any) and takes `fd`.
  void reset(int fd = -1) {
    int old = std::exchange(fd_, fd);
    if (old >= 0) ::close(old);
  }
  // Gives up ownership without closing.
  int release() { return std::exchange(fd_, -1); }

 private:
  int fd_ = -1;
};

// Both ends of a pipe2(2); `flags` as for pipe2 (O_CLOEXEC, O_NONBLOCK).
struct Pipe {
  UniqueFd read;
  UniqueFd write;

  // False (errno set) when the pipe could not be made.
  bool Open(int flags = O_CLOEXEC) {
    int fds[2];
    if (::pipe2(fds, flags) != 0) return false;
    read.reset(fds[0]);
    write.reset(fds[1]);
    return true;
  }
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_UNIQUE_FD_H_
