#include "base/duration.h"

#include <string>

namespace wsman::base {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

Status Invalid(std::string_view text) {
  std::string msg = "'";
  msg.append(text.substr(0, 64));  // the text may come from a client
  msg.append("' is not a valid non-negative xs:duration");
  return Status::InvalidArgument(std::move(msg));
}

}  // namespace

StatusOr<XsdDuration> ParseXsdDuration(std::string_view text) {
  std::string_view s = text;
  if (s.empty() || s.front() != 'P') return Invalid(text);
  s.remove_prefix(1);

  XsdDuration d;
  // Designators allowed, in order, before and after 'T'.
  static constexpr char kDateOrder[] = {'Y', 'M', 'D'};
  static constexpr char kTimeOrder[] = {'H', 'M', 'S'};
  int64_t* const date_slots[] = {&d.years, &d.months, &d.days};
  int64_t* const time_slots[] = {&d.hours, &d.minutes, &d.seconds};

  bool in_time = false;
  bool any_component = false;
  bool time_component = false;
  size_t next_slot = 0;  // index into the current designator order

  while (!s.empty()) {
    if (s.front() == 'T') {
      if (in_time) return Invalid(text);
      in_time = true;
      next_slot = 0;
      s.remove_prefix(1);
      continue;
    }
    // Integer part.
    size_t n = 0;
    int64_t value = 0;
    while (n < s.size() && IsDigit(s[n])) {
      if (__builtin_mul_overflow(value, int64_t{10}, &value) ||
          __builtin_add_overflow(value, int64_t{s[n] - '0'}, &value)) {
        return Invalid(text);
      }
      ++n;
    }
    // Optional fraction (seconds only; checked below).
    bool has_fraction = false;
    uint32_t nanos = 0;
    size_t m = n;
    if (m < s.size() && s[m] == '.') {
      has_fraction = true;
      ++m;
      size_t frac_digits = 0;
      uint32_t scale = 100000000;
      while (m < s.size() && IsDigit(s[m])) {
        nanos += static_cast<uint32_t>(s[m] - '0') * scale;
        scale /= 10;
        ++frac_digits;
        ++m;
      }
      if (frac_digits == 0) return Invalid(text);
    }
    if (n == 0 || m >= s.size()) return Invalid(text);
    const char designator = s[m];
    s.remove_prefix(m + 1);

    const char* order = in_time ? kTimeOrder : kDateOrder;
    size_t slot = next_slot;
    while (slot < 3 && order[slot] != designator) ++slot;
    if (slot == 3) return Invalid(text);  // unknown, repeated or out of order
    next_slot = slot + 1;
    if (has_fraction && !(in_time && designator == 'S')) return Invalid(text);
    *(in_time ? time_slots : date_slots)[slot] = value;
    if (has_fraction) d.nanoseconds = nanos;
    any_component = true;
    if (in_time) time_component = true;
  }
  if (!any_component || (in_time && !time_component)) return Invalid(text);
  return d;
}

}  // namespace wsman::base
