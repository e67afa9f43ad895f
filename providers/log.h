// Logging from the provider layer, which knows nothing of the server's
// logger: the daemon installs a sink at start-up (SetLogSink); without one,
// lines go to stderr.
#ifndef WSMAND_PROVIDERS_LOG_H_
#define WSMAND_PROVIDERS_LOG_H_

#include <initializer_list>
#include <string_view>
#include <utility>

namespace wsman::providers {

enum class LogLevel { kDebug, kInfo, kWarn, kError };
using LogField = std::pair<std::string_view, std::string_view>;
using LogSink = void (*)(LogLevel, std::string_view event,
                         std::initializer_list<LogField> fields);

void SetLogSink(LogSink sink);
void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields = {});

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_LOG_H_
