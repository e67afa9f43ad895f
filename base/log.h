// Structured logging for every layer, to stderr (the journal under systemd):
// one line per event, "time=... level=... event=... key=value ...", values
// quoted when they contain spaces. Thread-safe; each line is written with a
// single write(2).
#ifndef WSMAND_BASE_LOG_H_
#define WSMAND_BASE_LOG_H_

#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace wsman::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

std::optional<Level> ParseLevel(std::string_view name);
void SetLevel(Level level);
bool Enabled(Level level);

using Field = std::pair<std::string_view, std::string_view>;

// Writes `event` with its fields, e.g.
//   log::Write(log::Level::kInfo, "access", {{"peer", peer}, {"user", u}});
void Write(Level level, std::string_view event, std::span<const Field> fields);
inline void Write(Level level, std::string_view event,
                  std::initializer_list<Field> fields = {}) {
  Write(level, event, std::span<const Field>(fields.begin(), fields.size()));
}

inline void Debug(std::string_view e, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kDebug)) Write(Level::kDebug, e, f);
}
inline void Info(std::string_view e, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kInfo)) Write(Level::kInfo, e, f);
}
inline void Warn(std::string_view e, std::initializer_list<Field> f = {}) {
  if (Enabled(Level::kWarn)) Write(Level::kWarn, e, f);
}
inline void Error(std::string_view e, std::initializer_list<Field> f = {}) {
  Write(Level::kError, e, f);
}

}  // namespace wsman::log

#endif  // WSMAND_BASE_LOG_H_
