// xs:duration (XML Schema Part 2, 3.2.6; lexed by base/duration.h) ->
// milliseconds, for wsman:OperationTimeout and the other timeouts
// WS-Management carries, and the saturating step from a client's duration to a
// steady_clock deadline. Pure functions; any thread.
#ifndef WSMAND_SOAP_DURATION_H_
#define WSMAND_SOAP_DURATION_H_

#include <chrono>
#include <string>
#include <string_view>

#include "soap/result.h"

namespace wsman::soap {

// The longest duration ParseDuration returns: what std::chrono::steady_clock
// (nanoseconds in 64 bits) can hold, about 292 years. Longer durations
// saturate to it, so that any result converts to a clock duration without
// overflow (P300Y is 9.46e18 ns; the conversion alone overflowed).
inline constexpr std::chrono::milliseconds kMaxDuration =
    std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::duration::max());

// Parses a non-negative xs:duration such as "PT60S", "PT0.5S", "P1DT2H" or
// "PT60.000S". Surrounding XML white space is ignored. Years count as 365
// days and months as 30 days (a duration has no anchor date). Only the
// seconds may carry a fraction; digits past the millisecond are truncated.
//
// Negative durations ("-PT1S"), malformed text and values that overflow a
// millisecond count give a wsa:InvalidMessageInformationHeader fault: that
// is what Windows answers for a bad wsman:OperationTimeout (Windows vector
// psrp_is_alive_other_wsman_error/04). Callers parsing a duration found in
// a Body element (wsen:Expires, wsen:MaxTime) remap the code to their own.
// Valid durations beyond kMaxDuration (P300Y) give kMaxDuration; callers
// clamp to their own configured maximum (WinRM's MaxTimeoutms) anyway.
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

// The two forms Windows writes durations in: "PT7200.000S" (seconds with
// milliseconds: wsen:Expires, rsp:IdleTimeOut) and "P1DT1H1M1S" (whole
// days, hours, minutes and seconds: rsp:ShellRunTime, rsp:ShellInactivity).
// Negative durations are written as zero.
std::string FormatSecondsDuration(std::chrono::milliseconds d);
std::string FormatDayTimeDuration(std::chrono::milliseconds d);

// `now` + `timeout` without overflow: a negative or zero timeout gives
// `now`, one reaching past the clock's range gives time_point::max().
std::chrono::steady_clock::time_point DeadlineAfter(
    std::chrono::milliseconds timeout,
    std::chrono::steady_clock::time_point now =
        std::chrono::steady_clock::now());

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_DURATION_H_
