// One access log line per request, whoever answers it (the HTTP layer for
// malformed or refused requests, the /wsman endpoint for the rest): peer,
// user, action, resource, status, outcome and duration. Per request; Log()
// writes one line through base/log.
#ifndef WSMAND_SERVER_HTTP_ACCESS_LOG_H_
#define WSMAND_SERVER_HTTP_ACCESS_LOG_H_

#include <chrono>
#include <string>

namespace wsman::server::http {

struct AccessRecord {
  std::chrono::steady_clock::time_point start =
      std::chrono::steady_clock::now();
  std::string peer;
  std::string user = "-";
  std::string action = "-";
  std::string resource = "-";
  std::string outcome = "ok";
  std::string detail;  // optional: why a request was refused (no secrets)
  int status = 200;

  // info for successes and 401s, warn for the other errors.
  void Log() const;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_ACCESS_LOG_H_
