#include "providers/shell/windows_command.h"

#include <unistd.h>

#include <optional>

#include "base/strings.h"

namespace wsman::providers::shell {
namespace {

struct Word {
  std::string text;
  size_t end = 0;  // offset just past the word in the line
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::vector<Word> Split(std::string_view line) {
  std::vector<Word> out;
  size_t i = 0;
  const size_t n = line.size();
  for (;;) {
    while (i < n && IsSpace(line[i])) ++i;
    if (i >= n) break;
    Word w;
    bool quoted = false;
    while (i < n && (quoted || !IsSpace(line[i]))) {
      if (line[i] == '\\') {
        size_t backslashes = 0;
        while (i < n && line[i] == '\\') {
          ++backslashes;
          ++i;
        }
        if (i < n && line[i] == '"') {
          w.text.append(backslashes / 2, '\\');
          if (backslashes % 2 == 1) {
            w.text += '"';
            ++i;
          }
          // An even count: the quote is handled below.
        } else {
          w.text.append(backslashes, '\\');
        }
        continue;
      }
      if (line[i] == '"') {
        if (quoted && i + 1 < n && line[i + 1] == '"') {
          w.text += '"';  // "" inside quotes
          i += 2;
          continue;
        }
        quoted = !quoted;
        ++i;
        continue;
      }
      w.text += line[i++];
    }
    w.end = i;
    out.push_back(std::move(w));
  }
  return out;
}

// "C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe" -> "powershell".
std::string ProgramName(std::string_view word) {
  size_t slash = word.find_last_of("/\\");
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  std::string name = base::AsciiLowered(word);
  if (name.size() > 4 && name.compare(name.size() - 4, 4, ".exe") == 0) {
    name.resize(name.size() - 4);
  }
  return name;
}

// powershell.exe's parameters, as PowerShell 7 spells the shared ones.
enum class Param {
  kCommand,
  kFile,
  kEncodedCommand,
  kSwitch,        // kept, no value: -NoProfile, -NonInteractive, ...
  kWithValue,     // kept with its value: -ExecutionPolicy, -OutputFormat, ...
  kDrop,          // Windows only, no value: -Sta, -Mta
  kDropWithValue  // Windows only with a value: -WindowStyle, -Version, ...
};

struct ParamName {
  std::string_view name;
  Param kind;
};

constexpr ParamName kParams[] = {
    {"Command", Param::kCommand},
    {"File", Param::kFile},
    {"EncodedCommand", Param::kEncodedCommand},
    {"NoProfile", Param::kSwitch},
    {"NonInteractive", Param::kSwitch},
    {"NoLogo", Param::kSwitch},
    {"NoExit", Param::kSwitch},
    {"ExecutionPolicy", Param::kWithValue},
    {"OutputFormat", Param::kWithValue},
    {"InputFormat", Param::kWithValue},
    {"ConfigurationName", Param::kWithValue},
    {"Sta", Param::kDrop},
    {"Mta", Param::kDrop},
    {"WindowStyle", Param::kDropWithValue},
    {"Version", Param::kDropWithValue},
    {"PSConsoleFile", Param::kDropWithValue},
};

// The parameter `word` names: its full name (any case) or a prefix only
// it has, plus the aliases PowerShell documents (-e, -ec, -ep, -ex, -c,
// -f, -o, -of, -if, -w, -v). nullptr for anything else.
const ParamName* ParamOf(std::string_view word) {
  if (word.size() < 2 || word[0] != '-') return nullptr;
  std::string arg = base::AsciiLowered(word.substr(1));
  struct Alias {
    std::string_view alias, name;
  };
  static constexpr Alias kAliases[] = {
      {"e", "EncodedCommand"},   {"ec", "EncodedCommand"},
      {"ep", "ExecutionPolicy"}, {"ex", "ExecutionPolicy"},
      {"c", "Command"},          {"f", "File"},
      {"o", "OutputFormat"},     {"of", "OutputFormat"},
      {"if", "InputFormat"},     {"w", "WindowStyle"},
      {"v", "Version"},
  };
  std::string_view full;
  for (const Alias& a : kAliases) {
    if (arg == a.alias) full = a.name;
  }
  const ParamName* found = nullptr;
  for (const ParamName& p : kParams) {
    std::string name = base::AsciiLowered(p.name);
    if (!full.empty()) {
      if (p.name == full) return &p;
      continue;
    }
    if (name == arg) return &p;
    if (name.compare(0, arg.size(), arg) == 0) {
      if (found) return nullptr;  // ambiguous
      found = &p;
    }
  }
  return found;
}

std::vector<std::string> Texts(const std::vector<Word>& words, size_t from) {
  std::vector<std::string> out;
  for (size_t i = from; i < words.size(); ++i) out.push_back(words[i].text);
  return out;
}

// cmd's rule for the text after /c: with /s, or when it starts and ends
// with a quote and holds no other, the outer quotes go.
std::string CmdLine(std::string_view rest, bool strip_quotes) {
  while (!rest.empty() && IsSpace(rest.front())) rest.remove_prefix(1);
  while (!rest.empty() && IsSpace(rest.back())) rest.remove_suffix(1);
  size_t quotes = 0;
  for (char c : rest) quotes += c == '"';
  if (rest.size() >= 2 && rest.front() == '"' && rest.back() == '"' &&
      (strip_quotes || quotes == 2)) {
    rest = rest.substr(1, rest.size() - 2);
  }
  return std::string(rest);
}

// `cmd [/d /q /s /e:on /v:on ...] /c|/k <line>`: the line; nullopt when
// there is no /c or /k.
std::optional<std::string> CmdCommand(std::string_view line,
                                      const std::vector<Word>& words) {
  bool strip = false;
  for (size_t i = 1; i < words.size(); ++i) {
    std::string w = base::AsciiLowered(words[i].text);
    if (w == "/c" || w == "/k") {
      return CmdLine(line.substr(words[i].end), strip);
    }
    if (w.empty() || w[0] != '/') return std::nullopt;
    if (w == "/s") strip = true;
  }
  return std::nullopt;
}

ExecPlan Shell(ExecPlan::Kind kind, std::string line) {
  ExecPlan plan;
  plan.kind = kind;
  plan.program = "/bin/sh";
  plan.argv = {"/bin/sh", "-c", std::move(line)};
  return plan;
}

}  // namespace

std::vector<std::string> SplitWindowsCommandLine(std::string_view line) {
  return Texts(Split(line), 0);
}

std::string FindPowerShell(std::string_view configured) {
  auto runnable = [](std::string_view path) {
    return !path.empty() && ::access(std::string(path).c_str(), X_OK) == 0;
  };
  if (!configured.empty()) {
    return runnable(configured) ? std::string(configured) : std::string();
  }
  for (std::string_view path : kPowerShellSearchPath) {
    if (runnable(path)) return std::string(path);
  }
  return {};
}

std::vector<std::string> PowerShellArguments(
    const std::vector<std::string>& words) {
  std::vector<std::string> out;
  for (size_t i = 0; i < words.size(); ++i) {
    const std::string& w = words[i];
    auto rest = [&](size_t from) {
      for (size_t j = from; j < words.size(); ++j) out.push_back(words[j]);
    };
    if (w == "-") {
      // Windows PowerShell's "read the commands from stdin".
      out.push_back("-Command");
      out.push_back("-");
      rest(i + 1);
      return out;
    }
    const ParamName* p = ParamOf(w);
    if (!p) {
      if (!w.empty() && w[0] == '-') {
        out.push_back(w);  // unknown: passed as it is
        continue;
      }
      // The first word that is no parameter starts the command text in
      // powershell.exe (pwsh would take it for a script file).
      out.push_back("-Command");
      rest(i);
      return out;
    }
    switch (p->kind) {
      case Param::kCommand:
      case Param::kFile:
        out.push_back("-" + std::string(p->name));
        rest(i + 1);
        return out;
      case Param::kEncodedCommand:
      case Param::kWithValue:
        out.push_back("-" + std::string(p->name));
        if (i + 1 < words.size()) out.push_back(words[++i]);
        break;
      case Param::kSwitch:
        out.push_back("-" + std::string(p->name));
        break;
      case Param::kDrop:
        break;
      case Param::kDropWithValue:
        if (i + 1 < words.size()) ++i;
        break;
    }
  }
  return out;
}

ExecPlan PlanCommand(const CommandSpec& command, std::string_view powershell) {
  std::vector<Word> words = Split(command.command_line);
  std::string program = words.empty() ? "" : ProgramName(words[0].text);
  if (program == "powershell" || program == "pwsh") {
    if (powershell.empty()) {
      ExecPlan plan = Shell(ExecPlan::Kind::kPowerShellMissing,
                            "printf '%s\\n' \"$0\" >&2; exit 127");
      plan.argv.push_back(
          "PowerShell 7 is not installed on this host, and wsmand runs "
          "PowerShell command lines with pwsh: install the powershell "
          "package (https://learn.microsoft.com/powershell/scripting/"
          "install/install-debian) or set [shell] powershell to its path.");
      return plan;
    }
    ExecPlan plan;
    plan.kind = ExecPlan::Kind::kPowerShell;
    plan.program = std::string(powershell);
    plan.argv.push_back(plan.program);
    for (std::string& a : PowerShellArguments(Texts(words, 1))) {
      plan.argv.push_back(std::move(a));
    }
    return plan;
  }
  if (program == "cmd") {
    if (auto line = CmdCommand(command.command_line, words)) {
      return Shell(ExecPlan::Kind::kCmd, std::move(*line));
    }
  }
  if (command.skip_shell) {
    // The program with its arguments verbatim: the shell only searches
    // PATH and replaces itself ("$0" is the program).
    ExecPlan plan = Shell(ExecPlan::Kind::kDirect, "exec \"$0\" \"$@\"");
    for (const std::string& a : command.argv) plan.argv.push_back(a);
    return plan;
  }
  return Shell(ExecPlan::Kind::kShell, command.command_line);
}

}  // namespace wsman::providers::shell
