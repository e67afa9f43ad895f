// Bytes -> Envelope: hardened libxml2 parsing (no network, no DTD, no entity
// expansion, depth and node limits) and extraction of the WS-Addressing and
// WS-Management headers into a typed Request. Knows no HTTP and no provider.
#ifndef WSMAND_SOAP_ENVELOPE_PARSER_H_
#define WSMAND_SOAP_ENVELOPE_PARSER_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "soap/request.h"
#include "soap/result.h"

namespace wsman::soap {

struct ParseLimits {
  size_t max_bytes = 512000;  // MaxEnvelopeSize of the service
  int max_depth = 64;         // element nesting
  size_t max_nodes = 50000;   // elements + attributes + text nodes
  // Attributes and namespace declarations on one element.
  size_t max_attributes = 256;
  size_t max_name_length = 1024;
  size_t max_selectors = 64;
  size_t max_options = 64;
};

// Parses a UTF-8 SOAP envelope. On failure returns the Fault to answer; when
// `message_id` is given it receives the request's wsa:MessageID whenever the
// parse got far enough to read it (so the fault can carry RelatesTo).
Result<Envelope> ParseEnvelope(std::string_view utf8_xml,
                               const ParseLimits& limits,
                               std::string* message_id = nullptr);

// Parses the w:Selector children of a w:SelectorSet element (DSP0226 7.2):
// names trimmed, values trimmed or EPRs, duplicates, empty names and more
// than `limits` allow refused with the fault to answer. The header's set
// goes through it, and so does every SelectorSet inside a body (filters).
Outcome ParseSelectorSet(const xmlNode* set, const ParseLimits& limits,
                         std::vector<Selector>* out);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_ENVELOPE_PARSER_H_
