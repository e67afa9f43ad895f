// The one xs:duration lexer (XML Schema Part 2, 3.2.6): the lexical form
// PnYnMnDTnHnMnS with every designator at most once and in that order, at
// least one component, 'T' only before a time component, and a fraction
// only on the seconds. "PT1S1M", "P1DT", "PT1.0M" and "-PT1S" are refused.
//
// It returns the components as written; each caller keeps its own range and
// precision on top: soap/duration.h turns them into milliseconds for
// wsman:OperationTimeout and the other header timeouts, providers/value.h
// into a CIM interval for Put bodies. No white space is skipped (the SOAP
// caller trims XML space first).
//
// Thread rules: pure functions; any thread.
#ifndef WSMAND_BASE_DURATION_H_
#define WSMAND_BASE_DURATION_H_

#include <cstdint>
#include <string_view>

#include "base/status.h"

namespace wsman::base {

struct XsdDuration {
  int64_t years = 0;
  int64_t months = 0;
  int64_t days = 0;
  int64_t hours = 0;
  int64_t minutes = 0;
  int64_t seconds = 0;
  // The seconds' fraction in nanoseconds; digits past the ninth are
  // truncated.
  uint32_t nanoseconds = 0;
};

// InvalidArgument for anything but a non-negative duration in the strict
// lexical form, or a component that does not fit in 63 bits.
StatusOr<XsdDuration> ParseXsdDuration(std::string_view text);

}  // namespace wsman::base

#endif  // WSMAND_BASE_DURATION_H_
