// libFuzzer target: raw bytes on a connection -> httplib request parsing ->
// wsmand's /wsman endpoint (method/path/Content-Type/size checks, auth,
// charset, envelope parsing, dispatch to Identify) -> response. Runs the
// same code a socket would, through an in-memory stream.
#include <httplib.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "server/auth/authenticator.h"
#include "server/dispatch.h"
#include "server/operations/identify.h"
#include "server/wsman_endpoint.h"

namespace {

class MemoryStream : public httplib::Stream {
 public:
  MemoryStream(const uint8_t* data, size_t size)
      : in_(reinterpret_cast<const char*>(data), size) {}
  bool is_readable() const override { return pos_ < in_.size(); }
  bool is_writable() const override { return true; }
  ssize_t read(char* ptr, size_t size) override {
    if (pos_ >= in_.size()) return -1;
    size_t n = std::min(size, in_.size() - pos_);
    std::memcpy(ptr, in_.data() + pos_, n);
    pos_ += n;
    return static_cast<ssize_t>(n);
  }
  ssize_t write(const char* ptr, size_t size) override {
    written_ += size;
    return static_cast<ssize_t>(size);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 40000;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    ip = "127.0.0.1";
    port = 5985;
  }
  int socket() const override { return -1; }
  bool done() const { return pos_ >= in_.size(); }

 private:
  std::string in_;
  size_t pos_ = 0;
  size_t written_ = 0;
};

// Exposes httplib's protected request processing to the harness.
class FuzzServer : public httplib::Server {
 public:
  bool Process(httplib::Stream& stream) {
    bool closed = false;
    return process_request(stream, false, closed, nullptr);
  }
};

struct Harness {
  Harness() {
    wsman::server::IdentifyInfo info;
    info.os_version = "6.1";
    dispatcher.RegisterIdentify(wsman::server::MakeIdentifyOperation(info));
    wsman::auth::Authenticator::Options options;
    options.use_pam = false;  // nobody authenticates: exercises the 401 path
    auto created = wsman::auth::Authenticator::Create(options);
    authenticator = std::move(created.value());
    wsman::server::EndpointSettings settings;
    settings.machine_name = "fuzz";
    endpoint = std::make_unique<wsman::server::WsmanEndpoint>(
        settings, &dispatcher, authenticator);
    server.set_payload_max_length(settings.max_envelope_size);
    endpoint->Install(&server);
  }
  wsman::server::Dispatcher dispatcher;
  std::shared_ptr<wsman::auth::Authenticator> authenticator;
  std::unique_ptr<wsman::server::WsmanEndpoint> endpoint;
  FuzzServer server;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static Harness* harness = new Harness();
  MemoryStream stream(data, size);
  // Serve pipelined requests until the input is used up or one fails.
  for (int i = 0; i < 8 && !stream.done(); ++i) {
    if (!harness->server.Process(stream)) break;
  }
  return 0;
}
