#include "providers/log.h"

#include <unistd.h>

#include <atomic>
#include <string>

namespace wsman::providers {
namespace {
std::atomic<LogSink> g_sink{nullptr};
}  // namespace

void SetLogSink(LogSink sink) { g_sink.store(sink); }

void Log(LogLevel level, std::string_view event,
         std::initializer_list<LogField> fields) {
  if (LogSink sink = g_sink.load()) {
    sink(level, event, fields);
    return;
  }
  static constexpr const char* kNames[] = {"debug", "info", "warn", "error"};
  std::string line = "level=";
  line += kNames[static_cast<int>(level)];
  line += " event=";
  line += event;
  for (const LogField& f : fields) {
    line += ' ';
    line += f.first;
    line += "=\"";
    line += f.second;
    line += '"';
  }
  line += '\n';
  ssize_t ignored = ::write(2, line.data(), line.size());
  (void)ignored;
}

}  // namespace wsman::providers
