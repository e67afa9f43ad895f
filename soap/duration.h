// xs:duration (XML Schema Part 2, 3.2.6) -> milliseconds, for
// wsman:OperationTimeout and the other timeouts WS-Management carries.
#ifndef WSMAND_SOAP_DURATION_H_
#define WSMAND_SOAP_DURATION_H_

#include <chrono>
#include <string_view>

#include "soap/result.h"

namespace wsman::soap {

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
Result<std::chrono::milliseconds> ParseDuration(std::string_view text);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_DURATION_H_
