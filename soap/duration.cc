#include "soap/duration.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include <type_traits>

#include "base/duration.h"
#include "soap/xml_doc.h"

namespace wsman::soap {
namespace {

constexpr int64_t kMsPerSecond = 1000;
constexpr int64_t kMsPerMinute = 60 * kMsPerSecond;
constexpr int64_t kMsPerHour = 60 * kMsPerMinute;
constexpr int64_t kMsPerDay = 24 * kMsPerHour;
constexpr int64_t kMsPerMonth = 30 * kMsPerDay;
constexpr int64_t kMsPerYear = 365 * kMsPerDay;

Fault Invalid(std::string_view text) {
  std::string msg = "The value '";
  // Keep the echo short: the text comes from the client.
  msg.append(text.substr(0, 64));
  msg.append("' is not a valid non-negative xs:duration.");
  return Fault(FaultCode::kInvalidMessageInformationHeader, {}, msg);
}

// total += value * unit, with overflow checks. False on overflow.
bool Accumulate(int64_t value, int64_t unit, int64_t* total) {
  int64_t part;
  if (__builtin_mul_overflow(value, unit, &part)) return false;
  return !__builtin_add_overflow(*total, part, total);
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  auto parsed = base::ParseXsdDuration(TrimXmlSpace(text));
  if (!parsed.ok()) return Invalid(text);
  const base::XsdDuration& d = *parsed;
  int64_t total = 0;
  if (!Accumulate(d.years, kMsPerYear, &total) ||
      !Accumulate(d.months, kMsPerMonth, &total) ||
      !Accumulate(d.days, kMsPerDay, &total) ||
      !Accumulate(d.hours, kMsPerHour, &total) ||
      !Accumulate(d.minutes, kMsPerMinute, &total) ||
      !Accumulate(d.seconds, kMsPerSecond, &total) ||
      !Accumulate(d.nanoseconds / 1000000, 1, &total)) {
    return Invalid(text);
  }
  return std::min(std::chrono::milliseconds(total), kMaxDuration);
}

std::chrono::steady_clock::time_point DeadlineAfter(
    std::chrono::milliseconds timeout,
    std::chrono::steady_clock::time_point now) {
  using Clock = std::chrono::steady_clock;
  static_assert(std::is_same_v<Clock::duration, std::chrono::nanoseconds>);
  if (timeout.count() <= 0) return now;
  int64_t ns = 0;
  int64_t at = 0;
  if (__builtin_mul_overflow(timeout.count(), int64_t{1000000}, &ns) ||
      __builtin_add_overflow(now.time_since_epoch().count(), ns, &at)) {
    return Clock::time_point::max();
  }
  return Clock::time_point(Clock::duration(at));
}

std::string FormatSecondsDuration(std::chrono::milliseconds d) {
  long long ms = std::max<long long>(0, d.count());
  char buf[48];
  std::snprintf(buf, sizeof buf, "PT%lld.%03lldS", ms / 1000, ms % 1000);
  return buf;
}

std::string FormatDayTimeDuration(std::chrono::milliseconds d) {
  long long s = std::max<long long>(0, d.count()) / 1000;
  char buf[96];
  std::snprintf(buf, sizeof buf, "P%lldDT%lldH%lldM%lldS", s / 86400,
                (s / 3600) % 24, (s / 60) % 60, s % 60);
  return buf;
}

}  // namespace wsman::soap
