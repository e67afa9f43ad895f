#include "server/http/access_log.h"

#include <vector>

#include "base/log.h"

namespace wsman::server::http {

void AccessRecord::Log() const {
  log::Level level =
      status < 400 || status == 401 ? log::Level::kInfo : log::Level::kWarn;
  if (!log::Enabled(level)) return;
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::steady_clock::now() - start)
                .count();
  std::string status_text = std::to_string(status);
  std::string duration =
      std::to_string(us / 1000) + "." + std::to_string(us % 1000 / 100) + "ms";
  std::vector<log::Field> fields = {
      {"peer", peer},         {"user", user},          {"action", action},
      {"resource", resource}, {"status", status_text}, {"outcome", outcome}};
  if (!detail.empty()) fields.emplace_back("detail", detail);
  if (!fault.empty()) fields.emplace_back("fault", fault);
  if (!message.empty()) fields.emplace_back("message", message);
  fields.emplace_back("duration", duration);
  log::Write(level, "access", fields);
}

}  // namespace wsman::server::http
