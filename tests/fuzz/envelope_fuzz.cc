// libFuzzer target: request bytes -> charset decoding -> hardened envelope
// parsing -> typed headers. Any crash, leak, hang or sanitizer report is a
// bug; every input must end in an Envelope or a Fault.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "soap/charset.h"
#include "soap/envelope_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  // The first byte picks the declared charset, the rest is the body.
  wsman::soap::Charset declared = data[0] % 3 == 0 ? wsman::soap::Charset::kUtf8
                                  : data[0] % 3 == 1
                                      ? wsman::soap::Charset::kUtf16LE
                                      : wsman::soap::Charset::kUtf16BE;
  std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  auto utf8 = wsman::soap::DecodeToUtf8(body, declared);
  if (!utf8.ok()) return 0;
  wsman::soap::ParseLimits limits;
  std::string message_id;
  auto envelope = wsman::soap::ParseEnvelope(*utf8, limits, &message_id);
  if (envelope.ok()) {
    const auto& request = envelope->request();
    // Touch what operations read.
    volatile size_t n = request.selectors.size() + request.options.size() +
                        request.action.size() + request.resource_uri.size();
    (void)n;
  }
  return 0;
}
