// One access log line per request, whoever answers it (the HTTP layer for
// malformed or refused requests, the /wsman endpoint for the rest): peer,
// user, action, resource, status, outcome and duration; for a fault answer
// also its subcode and message (what clients such as pywinrm hide). Per
// request; Log() writes one line through base/log.
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
  // A fault answer's subcode ("w:AccessDenied") and its f:Message (or
  // s:Reason) text, bounded; both empty for other answers.
  std::string fault;
  std::string message;
  int status = 200;

  // info for successes and 401s, warn for the other errors.
  void Log() const;
};

}  // namespace wsman::server::http

#endif  // WSMAND_SERVER_HTTP_ACCESS_LOG_H_
