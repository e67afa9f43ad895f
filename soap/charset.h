// Body charsets WinRM clients use: UTF-8 and UTF-16 (LE/BE, with BOM).
// Requests are decoded to UTF-8 before parsing; responses are encoded back
// into the charset of the request.
#ifndef WSMAND_SOAP_CHARSET_H_
#define WSMAND_SOAP_CHARSET_H_

#include <string>
#include <string_view>

#include "soap/result.h"

namespace wsman::soap {

enum class Charset { kUtf8, kUtf16LE, kUtf16BE };

// Decodes `body` to UTF-8. `declared` is the charset from Content-Type; a BOM
// in the body decides the byte order of UTF-16 (and must agree with UTF-8
// when declared so). Invalid sequences give an EncodingLimit/CharacterSet
// fault. A UTF-8 BOM is dropped. Without a BOM, UTF-16 is read in the
// declared byte order: map the bare label "UTF-16" to kUtf16BE (RFC 2781
// section 4.3) and "UTF-16LE"/"UTF-16BE" to their own order.
Result<std::string> DecodeToUtf8(std::string_view body, Charset declared,
                                 Charset* actual = nullptr);

// Encodes UTF-8 text (known valid) to `charset`; UTF-16 output starts with a
// BOM.
std::string EncodeFromUtf8(std::string_view utf8, Charset charset);

// The charset name as it appears in a Content-Type parameter.
std::string_view CharsetName(Charset charset);

// True when `s` is well-formed UTF-8 (RFC 3629: no overlong forms, no
// surrogates, nothing above U+10FFFF, no truncated sequence).
bool IsValidUtf8(std::string_view s);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_CHARSET_H_
