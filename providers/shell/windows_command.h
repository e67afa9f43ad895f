// What a WinRS command line runs on Linux. WinRS clients write Windows
// command lines; most are POSIX commands that /bin/sh runs as they are, but
// two Windows shells appear in nearly every client:
//   - PowerShell. Ansible's winrm connection wraps every command (`raw`
//     included) in `PowerShell -NoProfile -NonInteractive -ExecutionPolicy
//     Unrestricted -EncodedCommand <base64 UTF-16LE>`; pywinrm's run_ps sends
//     `powershell -encodedcommand <...>`. A command whose executable is
//     powershell, pwsh (any case, any path, with or without .exe) runs with
//     PowerShell 7 (`[shell] powershell`, else the first pwsh of
//     kPowerShellSearchPath), its options carried over to pwsh's spelling;
//     without PowerShell it fails at once with exit code 127 and a one-line
//     message saying how to install it.
//   - cmd. `cmd /c <line>` and `cmd.exe /c <line>` run <line> with
//     /bin/sh -c.
// The command line is split as Windows programs split theirs
// (CommandLineToArgvW's rules), since Windows joins rsp:Command and
// rsp:Arguments into one line and the program parses it.
//
// Thread rules: pure functions of their arguments (FindPowerShell reads the
// file system).
#ifndef WSMAND_PROVIDERS_SHELL_WINDOWS_COMMAND_H_
#define WSMAND_PROVIDERS_SHELL_WINDOWS_COMMAND_H_

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "providers/shell/shell_types.h"

namespace wsman::providers::shell {

// Where pwsh is looked for when `[shell] powershell` is not set.
inline constexpr std::array<std::string_view, 3> kPowerShellSearchPath = {
    "/usr/bin/pwsh", "/opt/microsoft/powershell/7/pwsh", "/snap/bin/pwsh"};

// What to execve: an absolute program and its argv (argv[0] included).
struct ExecPlan {
  enum class Kind {
    kShell,              // /bin/sh -c <line>
    kDirect,             // WINRS_SKIP_CMD_SHELL: the program, PATH searched
    kCmd,                // cmd /c <line>: /bin/sh -c <line>
    kPowerShell,         // pwsh with the mapped options
    kPowerShellMissing,  // exit 127 with the install hint on stderr
  };
  Kind kind = Kind::kShell;
  std::string program;
  std::vector<std::string> argv;
};

// The words of a Windows command line, by CommandLineToArgvW's rules:
// white space separates words outside quotes; `"` starts and ends quoting;
// 2n backslashes before `"` are n backslashes (and the quote counts), 2n+1
// are n and a literal `"`; other backslashes are literal; `""` inside
// quotes is a literal `"`.
std::vector<std::string> SplitWindowsCommandLine(std::string_view line);

// `configured` when set (whether or not it exists: then PowerShell is
// missing), else the first executable of kPowerShellSearchPath; "" when
// none.
std::string FindPowerShell(std::string_view configured);

// The plan for `command`. `powershell` is FindPowerShell's answer (""
// means not installed).
ExecPlan PlanCommand(const CommandSpec& command, std::string_view powershell);

// The pwsh argv (after the program) for powershell.exe's arguments: the
// options PowerShell 7 shares are given their full names (so abbreviations
// such as -enc, -nop, -noni, -ep, -ex, -c, -f work), Windows-only ones
// (-WindowStyle, -Version, -Sta, -Mta, -PSConsoleFile) are dropped with
// their values, everything after -Command / -File / -EncodedCommand's value
// and anything unknown is passed as it is.
std::vector<std::string> PowerShellArguments(
    const std::vector<std::string>& words);

}  // namespace wsman::providers::shell

#endif  // WSMAND_PROVIDERS_SHELL_WINDOWS_COMMAND_H_
