// The injectable clock of the auth module: a function returning
// steady_clock time, so tests can drive TTLs and backoffs.
#ifndef WSMAND_SERVER_AUTH_CLOCK_H_
#define WSMAND_SERVER_AUTH_CLOCK_H_

#include <chrono>
#include <functional>

namespace wsman::auth {

using TimePoint = std::chrono::steady_clock::time_point;
using Clock = std::function<TimePoint()>;

inline Clock SteadyClock() {
  return [] { return std::chrono::steady_clock::now(); };
}

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_CLOCK_H_
