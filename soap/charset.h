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
// fault. A UTF-8 BOM is dropped.
Result<std::string> DecodeToUtf8(std::string_view body, Charset declared,
                                 Charset* actual = nullptr);

// Encodes UTF-8 text (known valid) to `charset`; UTF-16 output starts with a
// BOM.
std::string EncodeFromUtf8(std::string_view utf8, Charset charset);

// The charset name as it appears in a Content-Type parameter.
std::string_view CharsetName(Charset charset);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_CHARSET_H_
