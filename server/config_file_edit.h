// Edits a TOML config file's text in place for winrm/config Puts: sets
// `[section] key = value` by rewriting that key's line (a trailing comment
// kept), or adding the line under its [section] (the section appended when
// the file has none). Every other line — comments, blank lines, the other
// keys — stays as it was. Only for single-line values (integers, booleans,
// plain strings): the keys a Put changes are integers.
//
// Thread rules: pure functions; any thread.
#ifndef WSMAND_SERVER_CONFIG_FILE_EDIT_H_
#define WSMAND_SERVER_CONFIG_FILE_EDIT_H_

#include <string>
#include <string_view>
#include <vector>

namespace wsman::server {

struct ConfigEdit {
  std::string section;
  std::string key;
  std::string value;  // TOML text: 512000, true, "x"
};

// `text` with every edit applied. The caller parses the result before it
// trusts it (a key the file spells in a form this does not recognise, e.g.
// quoted or dotted, would appear twice and fail to parse).
std::string ApplyConfigEdits(std::string_view text,
                             const std::vector<ConfigEdit>& edits);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_CONFIG_FILE_EDIT_H_
