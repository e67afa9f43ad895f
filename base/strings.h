// ASCII string helpers every layer shares: case-insensitive comparison (CIM
// names, selector names, HTTP field names and tokens, certificate names),
// trimming and line splitting. ASCII only, on purpose: WS-Man and HTTP
// compare these names without locale rules. Pure functions: any thread.
#ifndef WSMAND_BASE_STRINGS_H_
#define WSMAND_BASE_STRINGS_H_

#include <string>
#include <string_view>
#include <vector>

namespace wsman::base {

inline char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

// `s` with A-Z lowered; every other byte as it is.
std::string AsciiLowered(std::string_view s);

// Equal but for the case of A-Z.
bool EqualsIgnoreCase(std::string_view a, std::string_view b);

// What Trim takes by default: ASCII white space of text files.
inline constexpr std::string_view kWhitespace = " \t\r\n";
// HTTP's optional white space (RFC 9110 5.6.3), also the blanks of header
// values and parameters.
inline constexpr std::string_view kSpaceTab = " \t";

// `s` without the leading and trailing bytes found in `set`.
std::string_view Trim(std::string_view s, std::string_view set = kWhitespace);

// The lines of `text`, split at '\n' (a '\r' before it stays: callers that
// take CRLF trim it); a final line without '\n' counts, an empty text has
// none, and a trailing '\n' does not start another line.
std::vector<std::string_view> SplitLines(std::string_view text);
// The fields of `line` between runs of `separators` (no empty fields).
std::vector<std::string_view> SplitFields(
    std::string_view line, std::string_view separators = kSpaceTab);

// Decodes the \ooo octal escapes the kernel writes in /proc mount tables
// (\040 for a space, \011 tab, \012 newline, \134 backslash); anything
// else is kept as it is.
std::string UnescapeOctal(std::string_view s);

// Each line followed by '\n' (the inverse of SplitLines for a text that
// ends with a newline).
std::string JoinLines(const std::vector<std::string>& lines);

}  // namespace wsman::base

#endif  // WSMAND_BASE_STRINGS_H_
