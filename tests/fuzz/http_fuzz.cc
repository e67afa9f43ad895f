// libFuzzer target: raw bytes on a connection -> the HTTP request reader
// (head scanning and parsing under limits, Content-Length and chunked
// bodies, Content-Encoding refusal, Expect, pipelining) -> wsmand's /wsman
// endpoint (path/method/Content-Type/size checks, auth, charset, envelope
// parsing, dispatch to Identify) -> the response. The same ServeRequest a
// socket's worker runs, over an in-memory stream that hands the bytes over
// in pieces of a size the input chooses (its first byte), so every
// incremental path is reached. The limits are small, so the corpus reaches
// every limit with short inputs.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "engine/dispatch.h"
#include "engine/identify.h"
#include "server/auth/authenticator.h"
#include "server/http/serve_request.h"
#include "server/http/stream.h"
#include "server/wsman_endpoint.h"
#include "tests/unit/http_test_stream.h"

namespace {

struct Harness {
  Harness() {
    wsman::engine::IdentifyInfo info;
    info.kernel_release = "6.1.0-13-amd64";
    dispatcher.RegisterIdentify(wsman::engine::MakeIdentifyOperation(info));
    wsman::auth::Authenticator::Options options;
    options.use_pam = false;  // nobody authenticates: exercises the 401 path
    auto created = wsman::auth::Authenticator::Create(options);
    authenticator = std::move(created.value());
    wsman::server::EndpointSettings settings;
    settings.machine_name = "fuzz";
    settings.max_envelope_size = 16384;
    settings.parse_limits.max_bytes = 16384;
    endpoint = std::make_unique<wsman::server::WsmanEndpoint>(
        settings, &dispatcher, authenticator);
    limits.head.max_head_bytes = 4096;
    limits.head.max_fields = 32;
    limits.head.max_target_bytes = 1024;
    limits.max_discard = 16384;
    connection.peer = "127.0.0.1";
    connection.allow_unencrypted = true;
  }
  wsman::engine::Dispatcher dispatcher;
  std::shared_ptr<wsman::auth::Authenticator> authenticator;
  std::unique_ptr<wsman::server::WsmanEndpoint> endpoint;
  wsman::server::http::ServeLimits limits;
  wsman::server::http::ConnectionInfo connection;
  wsman::server::http::ServeHooks hooks;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  if (size == 0) return 0;
  size_t piece = 1 + data[0] % 64 * 97;  // 1 .. 6112 bytes a read
  wsman::server::http::MemoryStream stream(
      std::string(reinterpret_cast<const char*>(data) + 1, size - 1), piece);
  using wsman::server::http::AfterRequest;
  // Serve pipelined requests until the input is used up or one closes.
  for (int i = 0; i < 8 && !stream.done(); ++i) {
    AfterRequest after = wsman::server::http::ServeRequest(
        stream, harness->connection, *harness->endpoint, harness->limits,
        harness->hooks);
    if (after != AfterRequest::kKeepAlive) break;
  }
  return 0;
}
