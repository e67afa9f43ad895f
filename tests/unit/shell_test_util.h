// Helpers the shell host's unit tests share (shell_host_test, shell_job_test):
// an accounts-only identity, a deadline from now, a fixed time for a
// base::ManualClock, and whether a pid is gone.
// Plain functions, no state: any thread.
#ifndef WSMAND_TESTS_UNIT_SHELL_TEST_UTIL_H_
#define WSMAND_TESTS_UNIT_SHELL_TEST_UTIL_H_

#include <signal.h>
#include <sys/types.h>

#include <cerrno>
#include <chrono>
#include <string>

#include "base/clock.h"
#include "providers/identity.h"
#include "providers/shell/shell_host.h"

namespace wsman::providers::shell::test_util {

// A user known only by name (no system account): shells run as the test.
inline Identity User(const std::string& name) {
  Identity id;
  id.user = name;
  return id;
}

inline base::MonotonicTime In(std::chrono::milliseconds d) {
  return std::chrono::steady_clock::now() + d;
}

// A fixed point on the monotonic time line, for a base::ManualClock.
inline base::MonotonicTime At(std::chrono::milliseconds since_epoch) {
  return base::MonotonicTime(since_epoch);
}

// No process of that pid exists any more (a zombie still exists).
inline bool ProcessGone(pid_t pid) {
  return ::kill(pid, 0) != 0 && errno == ESRCH;
}

}  // namespace wsman::providers::shell::test_util

#endif  // WSMAND_TESTS_UNIT_SHELL_TEST_UTIL_H_
