// UTF-8 encoding and strict decoding of one code point (RFC 3629), shared by
// the request charset conversion (soap/charset) and CIM char16 values
// (providers/value). Pure functions: any thread.
#ifndef WSMAND_BASE_UTF8_H_
#define WSMAND_BASE_UTF8_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace wsman::base {

// Appends the UTF-8 form of `cp` (a Unicode scalar value, at most U+10FFFF;
// the caller has excluded surrogates).
void AppendUtf8(uint32_t cp, std::string* out);

// Decodes one UTF-8 sequence at s[*i] (*i < s.size()). Strict: no overlong
// forms, no surrogates, nothing above U+10FFFF, no truncated sequences.
// Returns false on an invalid sequence; otherwise stores the code point and
// advances *i past it.
bool NextUtf8(std::string_view s, size_t* i, uint32_t* cp);

}  // namespace wsman::base

#endif  // WSMAND_BASE_UTF8_H_
