// libFuzzer target: a request envelope through the CIM engine with the
// in-memory test providers: selectors -> keys, CIM XML instance and method
// input parsing (Put/Create/Invoke bodies), filters (WQL, selector,
// association), enumeration contexts. Client durations reach the engine as
// sent (P300Y included); the engine's configured maximum (20 ms here, like
// [server] max_timeout_ms) keeps a Pull from waiting long.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/cim/cim_engine.h"
#include "server/cim_setup.h"
#include "server/config.h"
#include "soap/envelope_parser.h"

namespace {

struct Harness {
  Harness() {
    wsman::server::Config config;
    config.providers_test_providers = true;
    config.max_timeout = std::chrono::milliseconds(20);
    engine = wsman::server::MakeCimEngine(config);
    identity.user = "fuzzer";
  }
  std::shared_ptr<wsman::engine::cim::CimEngine> engine;
  wsman::providers::Identity identity;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  std::string_view xml(reinterpret_cast<const char*>(data), size);
  auto envelope = wsman::soap::ParseEnvelope(xml, wsman::soap::ParseLimits{});
  if (!envelope.ok()) return 0;
  wsman::soap::Request& request = envelope->request();
  wsman::engine::OperationContext context{request, &harness->identity,
                                          "127.0.0.1", "fuzz", 512000};
  std::string out;
  auto answered = harness->engine->Handle(context, &out);
  (void)answered;
  return 0;
}
