#include "server/endpoint_switch.h"

namespace wsman::server {
namespace {

// An exchange that keeps its endpoint alive (the endpoint's exchanges point
// back at it).
class PinnedExchange : public http::Exchange {
 public:
  PinnedExchange(std::shared_ptr<WsmanEndpoint> endpoint,
                 std::unique_ptr<http::Exchange> inner)
      : endpoint_(std::move(endpoint)), inner_(std::move(inner)) {}
  ~PinnedExchange() override { inner_.reset(); }  // before the endpoint

  size_t max_body() const override { return inner_->max_body(); }
  bool authenticated() const override { return inner_->authenticated(); }
  void TooLarge(http::Response* response) override {
    inner_->TooLarge(response);
  }
  void Finish(const http::Request& request, std::stop_token cancel,
              http::Response* response) override {
    inner_->Finish(request, std::move(cancel), response);
  }
  void Refused(int status, std::string_view outcome,
               std::string_view detail) override {
    inner_->Refused(status, outcome, detail);
  }

 private:
  std::shared_ptr<WsmanEndpoint> endpoint_;
  std::unique_ptr<http::Exchange> inner_;
};

}  // namespace

std::unique_ptr<http::Exchange> EndpointSwitch::Begin(
    const http::Request& head, const http::ConnectionInfo& connection,
    http::Response* response) {
  std::shared_ptr<WsmanEndpoint> endpoint = current_.Load();
  std::unique_ptr<http::Exchange> inner =
      endpoint->Begin(head, connection, response);
  if (!inner) return nullptr;
  return std::make_unique<PinnedExchange>(std::move(endpoint),
                                          std::move(inner));
}

}  // namespace wsman::server
