// libFuzzer target: xs:duration text (soap/duration.h) and what the engine
// does with it. The input is parsed, its result checked (never negative,
// never past kMaxDuration, DeadlineAfter never overflows, from any clock
// reading), and then sent, as text, to the CIM engine as a Get's
// w:OperationTimeout, an Enumerate's n:Expires and a Pull's n:MaxTime (the
// paths that overflowed with P300Y: CallDeadline, ContextOperation). The
// engine's configured maximum (5 ms here) keeps every wait short; nothing
// caps the request itself.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

#include "engine/cim/cim_engine.h"
#include "server/cim_setup.h"
#include "server/config.h"
#include "soap/duration.h"
#include "soap/envelope_parser.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Harness {
  Harness() {
    wsman::server::Config config;
    config.providers_test_providers = true;
    config.providers_host = false;
    config.max_timeout = std::chrono::milliseconds(5);
    config.enumeration_max_expiry = std::chrono::seconds(1);
    engine = wsman::server::MakeCimEngine(config);
    identity.user = "fuzzer";
  }
  std::shared_ptr<wsman::engine::cim::CimEngine> engine;
  wsman::providers::Identity identity;
};

std::string Escape(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '<') {
      out += "&lt;";
    } else if (c == '&') {
      out += "&amp;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Envelope(std::string_view action, std::string_view uri,
                     std::string_view header, std::string_view body) {
  std::string s =
      "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
      "xmlns:a=\"http://schemas.xmlsoap.org/ws/2004/08/addressing\" "
      "xmlns:w=\"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd\" "
      "xmlns:n=\"http://schemas.xmlsoap.org/ws/2004/09/enumeration\">"
      "<s:Header><a:Action>";
  s += action;
  s += "</a:Action><a:MessageID>uuid:1</a:MessageID><w:ResourceURI>"
       "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/";
  s += uri;
  s += "</w:ResourceURI><w:SelectorSet><w:Selector Name=\"Id\">1"
       "</w:Selector></w:SelectorSet>";
  s += header;
  s += "</s:Header><s:Body>";
  s += body;
  s += "</s:Body></s:Envelope>";
  return s;
}

std::string Handle(Harness* h, const std::string& xml) {
  std::string out;
  auto envelope = wsman::soap::ParseEnvelope(xml, wsman::soap::ParseLimits{});
  if (!envelope.ok()) return out;
  wsman::engine::OperationContext context{envelope->request(), &h->identity,
                                          "127.0.0.1", "fuzz", 512000};
  // A fault is a fine answer to fuzz; only the envelope of a success is
  // checked further.
  if (!h->engine->Handle(context, &out).ok()) out.clear();
  return out;
}

void CheckParsed(std::string_view text) {
  auto d = wsman::soap::ParseDuration(text);
  if (!d.ok()) return;
  if (d->count() < 0 || *d > wsman::soap::kMaxDuration) std::abort();
  for (Clock::time_point at :
       {Clock::now(), Clock::time_point{}, Clock::time_point::max(),
        Clock::time_point::min(),
        Clock::time_point::max() - std::chrono::hours(1)}) {
    Clock::time_point deadline = wsman::soap::DeadlineAfter(*d, at);
    if (deadline < at) std::abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  CheckParsed(text);
  if (size > 256) return 0;
  const std::string d = Escape(text);
  constexpr std::string_view kTransfer =
      "http://schemas.xmlsoap.org/ws/2004/09/transfer/Get";
  constexpr std::string_view kEnumerate =
      "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate";
  constexpr std::string_view kPull =
      "http://schemas.xmlsoap.org/ws/2004/09/enumeration/Pull";
  const std::string timeout =
      "<w:OperationTimeout>" + d + "</w:OperationTimeout>";
  Handle(harness, Envelope(kTransfer, "WSMAN_TestItem", timeout, ""));
  std::string opened = Handle(
      harness,
      Envelope(kEnumerate, "WSMAN_TestSlow",
               "<w:OptionSet><w:Option Name=\"DelayMs\">1"
               "</w:Option></w:OptionSet>" +
                   timeout,
               "<n:Enumerate><n:Expires>" + d + "</n:Expires></n:Enumerate>"));
  size_t at = opened.find("<n:EnumerationContext>");
  if (at == std::string::npos) return 0;
  at += 22;
  std::string id = opened.substr(at, opened.find('<', at) - at);
  Handle(harness, Envelope(kPull, "WSMAN_TestSlow", timeout,
                           "<n:Pull><n:EnumerationContext>" + id +
                               "</n:EnumerationContext><n:MaxTime>" + d +
                               "</n:MaxTime></n:Pull>"));
  Handle(harness,
         Envelope("http://schemas.xmlsoap.org/ws/2004/09/enumeration/Release",
                  "WSMAN_TestSlow", "",
                  "<n:Release><n:EnumerationContext>" + id +
                      "</n:EnumerationContext></n:Release>"));
  return 0;
}
