#include "server/config_file_edit.h"

namespace wsman::server {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view TrimBlank(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && (IsBlank(s.back()) || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// The table a line opens ("server" for "[server]  # x"); false when the
// line is no table header (arrays of tables count as none of ours).
bool TableOf(std::string_view line, std::string* name) {
  line = TrimBlank(line);
  if (line.size() < 2 || line[0] != '[' || line[1] == '[') return false;
  size_t close = line.find(']');
  if (close == std::string_view::npos) return false;
  *name = std::string(TrimBlank(line.substr(1, close - 1)));
  return true;
}

// True when `line` assigns the bare key `key`; `comment` gets a trailing
// "# ..." (with the blanks before it) when the line has one.
bool AssignsKey(std::string_view line, std::string_view key,
                std::string* comment) {
  std::string_view s = line;
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  if (s.substr(0, key.size()) != key) return false;
  s.remove_prefix(key.size());
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  if (s.empty() || s.front() != '=') return false;
  // Values we write and replace are single-line and hold no '#' outside a
  // string; a comment after a string value is kept from its last '#'.
  size_t hash = line.rfind('#');
  size_t eq = line.find('=');
  if (hash != std::string_view::npos && hash > eq) {
    size_t start = hash;
    while (start > eq + 1 && IsBlank(line[start - 1])) --start;
    std::string_view value = TrimBlank(line.substr(eq + 1, start - eq - 1));
    // A '#' inside a quoted value is not a comment.
    size_t quotes = 0;
    for (char c : value) quotes += c == '"';
    if (quotes % 2 == 0) *comment = std::string(line.substr(start));
  }
  return true;
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string_view::npos) nl = text.size();
    lines.emplace_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

void ApplyOne(std::vector<std::string>* lines, const ConfigEdit& edit) {
  const std::string assignment = edit.key + " = " + edit.value;
  std::string table;
  bool in_section = false;
  size_t section_end = 0;  // the line after the section's last content line
  bool found_section = false;
  for (size_t i = 0; i < lines->size(); ++i) {
    std::string& line = (*lines)[i];
    std::string name;
    if (TableOf(line, &name)) {
      in_section = name == edit.section;
      if (in_section) {
        found_section = true;
        section_end = i + 1;
      }
      continue;
    }
    if (!in_section) continue;
    std::string comment;
    if (AssignsKey(line, edit.key, &comment)) {
      line = assignment + comment;
      return;
    }
    if (!TrimBlank(line).empty() && TrimBlank(line).front() != '#') {
      section_end = i + 1;
    }
  }
  if (found_section) {
    lines->insert(lines->begin() + static_cast<long>(section_end), assignment);
    return;
  }
  if (!lines->empty() && !TrimBlank(lines->back()).empty()) {
    lines->emplace_back();
  }
  lines->push_back("[" + edit.section + "]");
  lines->push_back(assignment);
}

}  // namespace

std::string ApplyConfigEdits(std::string_view text,
                             const std::vector<ConfigEdit>& edits) {
  std::vector<std::string> lines = Lines(text);
  for (const ConfigEdit& edit : edits) ApplyOne(&lines, edit);
  std::string out;
  for (const std::string& line : lines) out += line + "\n";
  return out;
}

}  // namespace wsman::server
