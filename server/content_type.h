// The Content-Type rule of the /wsman endpoint: application/soap+xml with
// charset UTF-8 (the default) or UTF-16; anything else is 415.
#ifndef WSMAND_SERVER_CONTENT_TYPE_H_
#define WSMAND_SERVER_CONTENT_TYPE_H_

#include <optional>
#include <string>
#include <string_view>

#include "soap/charset.h"

namespace wsman::server {

// The charset a SOAP request declares, or nullopt when the media type or
// charset is not one we accept.
std::optional<soap::Charset> SoapCharsetOf(std::string_view content_type);

// The Content-Type to answer with for `charset`.
std::string SoapContentType(soap::Charset charset);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_CONTENT_TYPE_H_
