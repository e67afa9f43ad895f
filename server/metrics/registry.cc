#include "server/metrics/registry.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <fstream>

namespace wsman::server::metrics {
namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

// A label value as the text format wants it: \, " and newline escaped.
void AppendLabelValue(std::string* out, std::string_view v) {
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out->push_back('\\');
      out->push_back(c);
    } else if (c == '\n') {
      out->append("\\n");
    } else {
      out->push_back(c);
    }
  }
}

// The shortest text that reads back as `v` ("0.005", not
// "0.0050000000000000001").
std::string Number(double v) {
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  if (ec != std::errc()) return "NaN";
  return std::string(buf, end);
}

void Header(std::string* out, std::string_view name, std::string_view help,
            std::string_view type) {
  out->append("# HELP ").append(name).append(" ").append(help).append("\n");
  out->append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

}  // namespace

template <size_t N>
size_t LabelTable<N>::Index(std::string_view value) {
  size_t n = published_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (names_[i] == value) return i;
  }
  base::MutexLock lock(&mu_);
  n = published_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (names_[i] == value) return i;
  }
  if (n == N) return kOther;
  names_[n] = std::string(value);
  published_.store(n + 1, std::memory_order_release);
  return n;
}

template class LabelTable<Registry::kMaxLabels>;

void Registry::CountRequest(std::string_view action, std::string_view outcome,
                            std::chrono::microseconds duration) {
  size_t a = ActionIndex(action);
  requests_[a][outcomes_.Index(outcome)].fetch_add(1, kRelaxed);
  Histogram& h = latency_[a];
  const double seconds = static_cast<double>(duration.count()) / 1e6;
  for (size_t b = 0; b < kBuckets.size(); ++b) {
    if (seconds <= kBuckets[b]) {
      h.buckets[b].fetch_add(1, kRelaxed);
      break;
    }
  }
  h.count.fetch_add(1, kRelaxed);
  h.sum_us.fetch_add(static_cast<uint64_t>(duration.count()), kRelaxed);
}

void Registry::CountAuthFailure(std::string_view reason) {
  auth_failures_[reasons_.Index(reason)].fetch_add(1, kRelaxed);
}

void Registry::AddGauge(std::string name, std::string help,
                        std::function<double()> read) {
  gauges_.push_back({std::move(name), std::move(help), std::move(read)});
}

std::string Registry::Render() const {
  std::string out;
  out.reserve(16384);
  Header(&out, "wsmand_requests_total",
         "WS-Management requests answered, by action and outcome.", "counter");
  const size_t outcomes = outcomes_.size();
  for (size_t a = 0; a < kActionCount; ++a) {
    for (size_t o = 0; o < outcomes; ++o) {
      uint64_t v = requests_[a][o].load(kRelaxed);
      if (v == 0) continue;
      out.append("wsmand_requests_total{action=\"");
      AppendLabelValue(&out, kActionLabels[a]);
      out.append("\",outcome=\"");
      AppendLabelValue(&out, outcomes_.name(o));
      out.append("\"} ").append(std::to_string(v)).append("\n");
    }
  }
  Header(&out, "wsmand_request_duration_seconds",
         "Time from a request's head to its answer, by action.", "histogram");
  for (size_t a = 0; a < kActionCount; ++a) {
    const Histogram& h = latency_[a];
    uint64_t count = h.count.load(kRelaxed);
    if (count == 0) continue;
    std::string label = "action=\"";
    AppendLabelValue(&label, kActionLabels[a]);
    label.push_back('"');
    uint64_t cumulative = 0;
    for (size_t b = 0; b < kBuckets.size(); ++b) {
      cumulative += h.buckets[b].load(kRelaxed);
      out.append("wsmand_request_duration_seconds_bucket{")
          .append(label)
          .append(",le=\"")
          .append(Number(kBuckets[b]))
          .append("\"} ")
          .append(std::to_string(cumulative))
          .append("\n");
    }
    // +Inf is the count: the buckets were read at slightly different times.
    out.append("wsmand_request_duration_seconds_bucket{")
        .append(label)
        .append(",le=\"+Inf\"} ")
        .append(std::to_string(std::max(count, cumulative)))
        .append("\n");
    out.append("wsmand_request_duration_seconds_sum{")
        .append(label)
        .append("} ")
        .append(Number(static_cast<double>(h.sum_us.load(kRelaxed)) / 1e6))
        .append("\n");
    out.append("wsmand_request_duration_seconds_count{")
        .append(label)
        .append("} ")
        .append(std::to_string(std::max(count, cumulative)))
        .append("\n");
  }
  Header(&out, "wsmand_auth_failures_total",
         "Refused authentications, by reason.", "counter");
  const size_t reasons = reasons_.size();
  for (size_t r = 0; r < reasons; ++r) {
    uint64_t v = auth_failures_[r].load(kRelaxed);
    if (v == 0) continue;
    out.append("wsmand_auth_failures_total{reason=\"");
    AppendLabelValue(&out, reasons_.name(r));
    out.append("\"} ").append(std::to_string(v)).append("\n");
  }
  for (const GaugeEntry& g : gauges_) {
    Header(&out, g.name, g.help, "gauge");
    out.append(g.name).append(" ").append(Number(g.read())).append("\n");
  }
  return out;
}

double ResidentMemoryBytes() {
  // statm: size resident shared text lib data dt, in pages.
  std::ifstream statm("/proc/self/statm");
  unsigned long long size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return static_cast<double>(resident) *
         static_cast<double>(::sysconf(_SC_PAGESIZE));
}

}  // namespace wsman::server::metrics
