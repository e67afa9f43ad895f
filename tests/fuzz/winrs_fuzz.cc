// libFuzzer target: WinRS message decoding (Create, Command, Send, Receive,
// Signal bodies and options) and the base64 stream decoder. Nothing is
// executed: only the parsers run.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "engine/winrs/base64.h"
#include "engine/winrs/winrs_messages.h"
#include "soap/envelope_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  std::string decoded;
  wsman::engine::winrs::Base64Decode(bytes, &decoded);
  auto envelope = wsman::soap::ParseEnvelope(bytes, wsman::soap::ParseLimits{});
  if (!envelope.ok()) return 0;
  const wsman::soap::Request& request = envelope->request();
  (void)wsman::engine::winrs::ParseCreate(request);
  (void)wsman::engine::winrs::ParseCommand(request);
  (void)wsman::engine::winrs::ParseSend(request);
  (void)wsman::engine::winrs::ParseReceive(request);
  (void)wsman::engine::winrs::ParseSignal(request);
  return 0;
}
