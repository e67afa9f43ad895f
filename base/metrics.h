// Process-wide counts that layers below the server keep and the metrics
// endpoint (server/metrics/) reads: plain atomics, no registry, no lock.
// A layer that must count something the server cannot ask it for adds one
// accessor here (today: commands running in WinRS shells).
//
// Thread rules: every function is safe from any thread; updates are
// relaxed atomics (a scrape reads a value that was true a moment ago).
#ifndef WSMAND_BASE_METRICS_H_
#define WSMAND_BASE_METRICS_H_

#include <atomic>
#include <cstdint>

namespace wsman::base::metrics {

// An up-and-down count.
class Gauge {
 public:
  void Add(int64_t n) { value_.fetch_add(n, std::memory_order_relaxed); }
  int64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<int64_t> value_{0};
};

// WinRS commands whose process was started and has not exited yet
// (providers/shell/command.cc).
inline Gauge& CommandsRunning() {
  static Gauge gauge;
  return gauge;
}

}  // namespace wsman::base::metrics

#endif  // WSMAND_BASE_METRICS_H_
