// Values shared by the WinRS shell host (providers/shell): the error codes
// of the base::Status values it returns instead of throwing, the quotas with
// WinRM's names, the account a shell's commands run as, and what
// Create/Command/Receive take and give.
// Nothing here knows SOAP or HTTP; engine/winrs maps these to WS-Man.
#ifndef WSMAND_PROVIDERS_SHELL_SHELL_TYPES_H_
#define WSMAND_PROVIDERS_SHELL_SHELL_TYPES_H_

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "base/status.h"

namespace wsman::providers::shell {

enum class Errc {
  kOk,
  kShellNotFound,    // unknown ShellId, or a shell of another user
  kCommandNotFound,  // unknown CommandId in a known shell
  kAccessDenied,     // the user may not run commands here
  kMaxShellsPerUser,
  kMaxConcurrentUsers,
  kMaxProcessesPerShell,
  // The shell holds more output nobody received than its budget.
  kMaxOutputPerShell,
  kInvalidArgument,  // a value the host refuses (message says which)
  kSpawnFailed,      // the process could not be started
  kTimedOut,         // nothing to report before the deadline
  kStdinClosed,      // Send after stdin was closed
  kShuttingDown,
};

// The host's errors are base::Status values whose detail() is the Errc:
// the finer code engine/winrs's FaultFor maps to a WS-Man fault, while
// code() is the general one (kNotFound, kResourceExhausted, ...).
inline base::Status ShellError(Errc errc, std::string message) {
  using base::Status;
  Status s;
  switch (errc) {
    case Errc::kOk:
      return Status::Ok();
    case Errc::kShellNotFound:
    case Errc::kCommandNotFound:
      s = Status::NotFound(std::move(message));
      break;
    case Errc::kAccessDenied:
      s = Status::PermissionDenied(std::move(message));
      break;
    case Errc::kMaxShellsPerUser:
    case Errc::kMaxConcurrentUsers:
    case Errc::kMaxProcessesPerShell:
    case Errc::kMaxOutputPerShell:
      s = Status::ResourceExhausted(std::move(message));
      break;
    case Errc::kInvalidArgument:
      s = Status::InvalidArgument(std::move(message));
      break;
    case Errc::kSpawnFailed:
      s = Status::IoError(std::move(message));
      break;
    case Errc::kTimedOut:
      s = Status::DeadlineExceeded(std::move(message));
      break;
    case Errc::kStdinClosed:
      s = Status::FailedPrecondition(std::move(message));
      break;
    case Errc::kShuttingDown:
      s = Status::Unavailable(std::move(message));
      break;
  }
  return std::move(s).WithDetail(static_cast<int>(errc));
}
// The Errc of a status from the host (kOk for an ok one).
inline Errc ErrcOf(const base::Status& status) {
  return static_cast<Errc>(status.detail());
}

// WinRM's quota names (winrm/config/winrs). 0 means "no limit" for the
// counts and the memory limit.
struct Quotas {
  int max_shells_per_user = 30;
  int max_processes_per_shell = 25;
  int max_concurrent_users = 10;
  std::chrono::milliseconds idle_timeout{7200000};  // 2 hours, as Windows
  long max_memory_per_shell_mb = 1024;              // RLIMIT_AS per process
  // Command output read from the pipes and not yet received, summed over
  // the shell's commands (output_budget.h); not a WinRM quota.
  size_t max_output_per_shell = size_t{16} << 20;
};

// The account a shell's processes run as.
struct RunAs {
  bool switch_user = false;  // true: setgid/setgroups/setuid in the child
  std::string user;
  uid_t uid = 0;
  gid_t gid = 0;
  std::vector<gid_t> groups;  // supplementary groups (from getgrouplist)
  std::string home;
  std::string shell;  // login shell, for $SHELL
};

// What Create asks for (already validated by the engine).
struct ShellSpec {
  std::string owner;  // the authenticated user name
  std::string client_ip;
  std::vector<std::pair<std::string, std::string>> environment;
  std::string working_directory;              // "" = the run-as user's home
  std::chrono::milliseconds idle_timeout{0};  // 0 = the quota's
  std::chrono::milliseconds lifetime{0};      // 0 = unlimited
  std::string input_streams = "stdin";
  std::string output_streams = "stdout stderr";
};

struct ShellInfo {
  std::string id;
  std::string owner;
  std::string client_ip;
  std::chrono::milliseconds idle_timeout{0};
  std::string input_streams;
  std::string output_streams;
  std::chrono::milliseconds run_time{0};
  std::chrono::milliseconds inactivity{0};
};

struct CommandSpec {
  // kShell: /bin/sh -c command_line. kDirect: argv[0] = program (searched in
  // PATH), the arguments verbatim (WINRS_SKIP_CMD_SHELL=TRUE).
  bool skip_shell = false;
  std::string command_line;
  std::vector<std::string> argv;
};

enum Stream { kStdout = 0, kStderr = 1 };

struct StreamChunk {
  Stream stream = kStdout;
  std::string data;  // raw bytes ("" with end=true: the stream's last mark)
  bool end = false;
};

struct ReceiveResult {
  std::vector<StreamChunk> chunks;
  bool done = false;  // the process exited and all its output was delivered
  int exit_code = 0;
};

enum class SignalCode { kTerminate, kCtrlC, kCtrlBreak };

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_SHELL_TYPES_H_
