// Logging from the provider layer: the names providers use, on top of the
// one structured logger every layer shares (base/log.h).
#ifndef WSMAND_PROVIDERS_LOG_H_
#define WSMAND_PROVIDERS_LOG_H_

#include <initializer_list>
#include <string_view>

#include "base/log.h"

namespace wsman::providers {

using LogLevel = log::Level;
using LogField = log::Field;

inline void Log(LogLevel level, std::string_view event,
                std::initializer_list<LogField> fields = {}) {
  if (log::Enabled(level)) log::Write(level, event, fields);
}

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_LOG_H_
