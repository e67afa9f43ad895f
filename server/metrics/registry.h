// The daemon's Prometheus metrics: requests by action and outcome, their
// latency histogram, authentication failures by reason, and gauges read
// when scraped (open connections, shells, commands, enumeration contexts,
// subscriptions, resident memory). Render() writes the Prometheus text
// exposition format 0.0.4; server/metrics/metrics_endpoint serves it.
//
// Label values are bounded: actions are the short names of ActionLabel
// (action_label.h), unknown ones "other"; outcomes and reasons are the
// fixed strings and fault subcodes the server logs, interned on first use
// into a fixed table (kMaxLabels; any beyond it count as "other").
//
// Thread rules: CountRequest and CountAuthFailure are called by every HTTP
// worker and take no lock once a label value has been seen (relaxed
// atomics; a new value takes a mutex once). AddGauge only before the
// metrics listener starts serving; Render from any thread after that.
#ifndef WSMAND_SERVER_METRICS_REGISTRY_H_
#define WSMAND_SERVER_METRICS_REGISTRY_H_

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "server/metrics/action_label.h"

namespace wsman::server::metrics {

// Interns label values: Index() finds a value without a lock once it has
// been seen; a new one takes the mutex and is appended. Published entries
// never change, so readers need only the acquire on `published_`.
template <size_t N>
class LabelTable {
 public:
  static constexpr size_t kOther = 0;  // entry 0 is always "other"
  LabelTable() {
    names_[0] = "other";
    published_.store(1, std::memory_order_release);
  }
  size_t Index(std::string_view value) EXCLUDES(mu_);
  size_t size() const { return published_.load(std::memory_order_acquire); }
  const std::string& name(size_t i) const { return names_[i]; }

 private:
  std::array<std::string, N> names_;  // [0, published_) are immutable
  std::atomic<size_t> published_{0};
  base::Mutex mu_;  // serialises appends
};

class Registry {
 public:
  static constexpr size_t kMaxLabels = 64;
  // Upper bounds of the latency buckets, in seconds (+Inf follows).
  static constexpr std::array<double, 13> kBuckets = {
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 60};

  Registry() = default;
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // One answered request: its ActionLabel, the outcome its access line
  // carries, and how long it took.
  void CountRequest(std::string_view action, std::string_view outcome,
                    std::chrono::microseconds duration);
  // One refused authentication, by the outcome its access line carries
  // ("denied", "no-credentials", "throttled", "cert-untrusted", ...).
  void CountAuthFailure(std::string_view reason);

  // A gauge read at each scrape. Before serving only.
  void AddGauge(std::string name, std::string help,
                std::function<double()> read);

  // Everything, in the text exposition format 0.0.4.
  std::string Render() const;

 private:
  struct Histogram {
    std::array<std::atomic<uint64_t>, kBuckets.size()>
        buckets{};  // not cumulative
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> sum_us{0};
  };
  struct GaugeEntry {
    std::string name;
    std::string help;
    std::function<double()> read;
  };

  LabelTable<kMaxLabels> outcomes_;
  LabelTable<kMaxLabels> reasons_;
  std::array<std::array<std::atomic<uint64_t>, kMaxLabels>, kActionCount>
      requests_{};
  std::array<Histogram, kActionCount> latency_{};
  std::array<std::atomic<uint64_t>, kMaxLabels> auth_failures_{};
  std::vector<GaugeEntry> gauges_;
};

// The resident set size of this process in bytes (/proc/self/statm), 0
// when it cannot be read.
double ResidentMemoryBytes();

}  // namespace wsman::server::metrics

#endif  // WSMAND_SERVER_METRICS_REGISTRY_H_
