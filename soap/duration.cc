#include "soap/duration.h"

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <type_traits>

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

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// total += value * unit, with overflow checks. False on overflow.
bool Accumulate(int64_t value, int64_t unit, int64_t* total) {
  int64_t part;
  if (__builtin_mul_overflow(value, unit, &part)) return false;
  return !__builtin_add_overflow(*total, part, total);
}

}  // namespace

Result<std::chrono::milliseconds> ParseDuration(std::string_view text) {
  const std::string_view original = text;
  std::string_view s = TrimXmlSpace(text);
  if (s.empty() || s.front() == '-' || s.front() != 'P') {
    return Invalid(original);
  }
  s.remove_prefix(1);

  // Designators allowed, in order, before and after 'T'.
  static constexpr char kDateOrder[] = {'Y', 'M', 'D'};
  static constexpr int64_t kDateUnit[] = {kMsPerYear, kMsPerMonth, kMsPerDay};
  static constexpr char kTimeOrder[] = {'H', 'M', 'S'};
  static constexpr int64_t kTimeUnit[] = {kMsPerHour, kMsPerMinute,
                                          kMsPerSecond};

  int64_t total = 0;
  bool in_time = false;
  bool any_component = false;
  bool time_component = false;
  size_t next_slot = 0;  // index into the current designator order

  while (!s.empty()) {
    if (s.front() == 'T') {
      if (in_time) return Invalid(original);
      in_time = true;
      next_slot = 0;
      s.remove_prefix(1);
      if (s.empty()) return Invalid(original);  // "PT" alone
      continue;
    }
    // Integer part.
    size_t n = 0;
    int64_t value = 0;
    while (n < s.size() && IsDigit(s[n])) {
      if (__builtin_mul_overflow(value, int64_t{10}, &value) ||
          __builtin_add_overflow(value, int64_t{s[n] - '0'}, &value)) {
        return Invalid(original);
      }
      ++n;
    }
    // Optional fraction (seconds only; checked below).
    bool has_fraction = false;
    int64_t fraction_ms = 0;
    size_t m = n;
    if (m < s.size() && s[m] == '.') {
      has_fraction = true;
      ++m;
      size_t frac_digits = 0;
      int64_t scale = 100;
      while (m < s.size() && IsDigit(s[m])) {
        if (scale > 0) {
          fraction_ms += (s[m] - '0') * scale;
          scale /= 10;
        }
        ++frac_digits;
        ++m;
      }
      if (frac_digits == 0) return Invalid(original);
    }
    if (n == 0 || m >= s.size()) return Invalid(original);
    const char designator = s[m];
    s.remove_prefix(m + 1);

    const char* order = in_time ? kTimeOrder : kDateOrder;
    const int64_t* units = in_time ? kTimeUnit : kDateUnit;
    size_t slot = next_slot;
    while (slot < 3 && order[slot] != designator) ++slot;
    if (slot == 3) return Invalid(original);  // unknown or out of order
    next_slot = slot + 1;
    if (has_fraction && !(in_time && designator == 'S')) {
      return Invalid(original);
    }
    if (!Accumulate(value, units[slot], &total) ||
        __builtin_add_overflow(total, fraction_ms, &total)) {
      return Invalid(original);
    }
    any_component = true;
    if (in_time) time_component = true;
  }
  if (!any_component || (in_time && !time_component)) {
    return Invalid(original);
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

}  // namespace wsman::soap
