// What WinRS command lines run on Linux: Windows command-line splitting,
// the PowerShell mapping onto pwsh, cmd /c, and the unchanged rest. The
// command lines are the ones real clients send (quoted from their source
// in each case).
#include "providers/shell/windows_command.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace wsman::providers::shell {
namespace {

using Strings = std::vector<std::string>;

constexpr char kPwsh[] = "/opt/pwsh/pwsh";

CommandSpec Line(std::string line, bool skip_shell = false) {
  CommandSpec c;
  c.command_line = std::move(line);
  c.skip_shell = skip_shell;
  return c;
}

TEST(WindowsCommandLine, SplitsAsCommandLineToArgvW) {
  EXPECT_EQ(SplitWindowsCommandLine("a b\tc"), (Strings{"a", "b", "c"}));
  EXPECT_EQ(SplitWindowsCommandLine(R"("a b" c)"), (Strings{"a b", "c"}));
  EXPECT_EQ(SplitWindowsCommandLine(R"(a\\b "c\\" d)"),
            (Strings{R"(a\\b)", R"(c\)", "d"}));
  EXPECT_EQ(SplitWindowsCommandLine(R"(a\"b "c\"d")"),
            (Strings{R"(a"b)", R"(c"d)"}));
  EXPECT_EQ(SplitWindowsCommandLine(R"("a""b" x)"), (Strings{R"(a"b)", "x"}));
  EXPECT_EQ(SplitWindowsCommandLine(R"(ab"c d"e)"), (Strings{"abc de"}));
  EXPECT_EQ(SplitWindowsCommandLine("   "), Strings{});
}

TEST(WindowsCommandLine, AnsibleRawIsPowerShellWithItsOptions) {
  // ansible/plugins/shell/powershell.py _common_args + _encode_script;
  // pywinrm joins the arguments into one rsp:Arguments.
  ExecPlan p =
      PlanCommand(Line("PowerShell -NoProfile -NonInteractive -ExecutionPolicy "
                       "Unrestricted -EncodedCommand dQBuAGEAbQBlACAALQBhAA=="),
                  kPwsh);
  EXPECT_EQ(p.kind, ExecPlan::Kind::kPowerShell);
  EXPECT_EQ(p.program, kPwsh);
  EXPECT_EQ(p.argv, (Strings{kPwsh, "-NoProfile", "-NonInteractive",
                             "-ExecutionPolicy", "Unrestricted",
                             "-EncodedCommand", "dQBuAGEAbQBlACAALQBhAA=="}));
}

TEST(WindowsCommandLine, PywinrmRunPsAndEveryProgramSpelling) {
  // winrm/__init__.py run_ps: "powershell -encodedcommand {0}".
  for (const char* program :
       {"powershell", "PowerShell", "POWERSHELL.EXE", "pwsh", "pwsh.exe",
        R"(C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe)",
        "/usr/bin/pwsh"}) {
    ExecPlan p = PlanCommand(
        Line(std::string(program) + " -encodedcommand ZQA="), kPwsh);
    EXPECT_EQ(p.kind, ExecPlan::Kind::kPowerShell) << program;
    EXPECT_EQ(p.argv, (Strings{kPwsh, "-EncodedCommand", "ZQA="})) << program;
  }
  // Not PowerShell: a program that only starts like it.
  EXPECT_EQ(PlanCommand(Line("powershellish -c x"), kPwsh).kind,
            ExecPlan::Kind::kShell);
}

TEST(WindowsCommandLine, AbbreviationsAndWindowsOnlyOptions) {
  EXPECT_EQ(
      PowerShellArguments(
          {"-nop", "-noni", "-ep", "Bypass", "-enc", "QQA=", "-of", "Text"}),
      (Strings{"-NoProfile", "-NonInteractive", "-ExecutionPolicy", "Bypass",
               "-EncodedCommand", "QQA=", "-OutputFormat", "Text"}));
  EXPECT_EQ(
      PowerShellArguments({"-e", "QQA=", "-ex", "RemoteSigned"}),
      (Strings{"-EncodedCommand", "QQA=", "-ExecutionPolicy", "RemoteSigned"}));
  // Windows only: dropped with their values.
  EXPECT_EQ(PowerShellArguments({"-WindowStyle", "Hidden", "-Version", "2.0",
                                 "-Sta", "-NoLogo", "-c", "Get-Date"}),
            (Strings{"-NoLogo", "-Command", "Get-Date"}));
  // Unknown and ambiguous options pass as they are.
  EXPECT_EQ(PowerShellArguments({"-no", "-Frobnicate", "-File", "x.ps1"}),
            (Strings{"-no", "-Frobnicate", "-File", "x.ps1"}));
}

TEST(WindowsCommandLine, CommandFileAndStdin) {
  // Everything after -Command or -File is the command text / script args.
  EXPECT_EQ(PowerShellArguments({"-Command", "Write-Output", "-NoProfile"}),
            (Strings{"-Command", "Write-Output", "-NoProfile"}));
  EXPECT_EQ(PowerShellArguments({"-File", "s.ps1", "-x", "1"}),
            (Strings{"-File", "s.ps1", "-x", "1"}));
  // powershell.exe takes a bare first word as the command (pwsh would take
  // it for a file).
  EXPECT_EQ(PowerShellArguments({"Get-Process", "|", "Select", "Name"}),
            (Strings{"-Command", "Get-Process", "|", "Select", "Name"}));
  // "-": the script comes on stdin; "-Command -" too.
  EXPECT_EQ(PowerShellArguments({"-NoProfile", "-"}),
            (Strings{"-NoProfile", "-Command", "-"}));
  EXPECT_EQ(PowerShellArguments({"-Command", "-"}), (Strings{"-Command", "-"}));
  // A quoted command line stays one word.
  ExecPlan p = PlanCommand(
      Line(R"(powershell.exe -NoProfile -Command "Get-Date | Out-String")"),
      kPwsh);
  EXPECT_EQ(p.argv, (Strings{kPwsh, "-NoProfile", "-Command",
                             "Get-Date | Out-String"}));
}

TEST(WindowsCommandLine, WithoutPowerShellExitsWithTheInstallHint) {
  ExecPlan p = PlanCommand(Line("powershell -encodedcommand ZQA="), "");
  EXPECT_EQ(p.kind, ExecPlan::Kind::kPowerShellMissing);
  EXPECT_EQ(p.program, "/bin/sh");
  ASSERT_EQ(p.argv.size(), 4u);
  EXPECT_NE(p.argv[2].find("exit 127"), std::string::npos);
  EXPECT_NE(p.argv[3].find("PowerShell 7 is not installed"), std::string::npos);
  EXPECT_EQ(p.argv[3].find('\n'), std::string::npos);  // one line
}

TEST(WindowsCommandLine, CmdSlashCRunsTheLineWithSh) {
  ExecPlan p = PlanCommand(Line("cmd /c echo hi && echo there"), kPwsh);
  EXPECT_EQ(p.kind, ExecPlan::Kind::kCmd);
  EXPECT_EQ(p.argv, (Strings{"/bin/sh", "-c", "echo hi && echo there"}));
  // cmd.exe, options before /c, and cmd's quote rules.
  EXPECT_EQ(PlanCommand(Line(R"(CMD.EXE /d /q /C "echo a")"), kPwsh).argv,
            (Strings{"/bin/sh", "-c", "echo a"}));
  EXPECT_EQ(PlanCommand(Line(R"(cmd /s /c ""a b" "c"")"), kPwsh).argv,
            (Strings{"/bin/sh", "-c", R"("a b" "c")"}));
  EXPECT_EQ(PlanCommand(Line(R"(cmd /c "a" "b")"), kPwsh).argv,
            (Strings{"/bin/sh", "-c", R"("a" "b")"}));
  // cmd without /c is no mapping: the line runs as it is.
  EXPECT_EQ(PlanCommand(Line("cmd"), kPwsh).kind, ExecPlan::Kind::kShell);
}

TEST(WindowsCommandLine, EverythingElseRunsAsBefore) {
  ExecPlan shell = PlanCommand(Line("uname -a | tr a-z A-Z"), kPwsh);
  EXPECT_EQ(shell.kind, ExecPlan::Kind::kShell);
  EXPECT_EQ(shell.argv, (Strings{"/bin/sh", "-c", "uname -a | tr a-z A-Z"}));
  CommandSpec direct = Line("printf %s a b", true);
  direct.argv = {"printf", "%s", "a b"};
  ExecPlan d = PlanCommand(direct, kPwsh);
  EXPECT_EQ(d.kind, ExecPlan::Kind::kDirect);
  EXPECT_EQ(d.argv, (Strings{"/bin/sh", "-c", "exec \"$0\" \"$@\"", "printf",
                             "%s", "a b"}));
}

}  // namespace
}  // namespace wsman::providers::shell
