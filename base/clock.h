// The injectable clocks: every layer that keeps time for expiry, idle
// timeouts, TTLs or backoff takes a MonotonicClock (steady time) and, where
// it reports dates, a WallClock, so tests drive time instead of sleeping.
// ManualClock is the test double: a time that moves only when told.
//
// Thread rules: the real clocks are stateless. A ManualClock may be read
// and advanced from any thread (an atomic); the std::function it hands out
// refers to it, so it must outlive every holder.
#ifndef WSMAND_BASE_CLOCK_H_
#define WSMAND_BASE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <functional>

namespace wsman::base {

using MonotonicTime = std::chrono::steady_clock::time_point;
using WallTime = std::chrono::system_clock::time_point;

using MonotonicClock = std::function<MonotonicTime()>;
using WallClock = std::function<WallTime()>;

inline MonotonicClock RealMonotonicClock() {
  return [] { return std::chrono::steady_clock::now(); };
}
inline WallClock RealWallClock() {
  return [] { return std::chrono::system_clock::now(); };
}

class ManualClock {
 public:
  // Starts at an arbitrary steady time far from zero, so that
  // `now - duration` never underflows in the code under test.
  ManualClock() : now_(std::chrono::hours(24 * 365)) {}
  explicit ManualClock(MonotonicTime start) : now_(start.time_since_epoch()) {}

  MonotonicTime Now() const { return MonotonicTime(now_.load()); }
  void Advance(std::chrono::steady_clock::duration d) { now_ += d; }
  void Set(MonotonicTime t) { now_ = t.time_since_epoch(); }

  MonotonicClock AsMonotonic() {
    return [this] { return Now(); };
  }

 private:
  class AtomicDuration {
   public:
    explicit AtomicDuration(std::chrono::steady_clock::duration d)
        : rep_(d.count()) {}
    std::chrono::steady_clock::duration load() const {
      return std::chrono::steady_clock::duration(rep_.load());
    }
    AtomicDuration& operator=(std::chrono::steady_clock::duration d) {
      rep_.store(d.count());
      return *this;
    }
    AtomicDuration& operator+=(std::chrono::steady_clock::duration d) {
      rep_.fetch_add(d.count());
      return *this;
    }

   private:
    std::atomic<std::chrono::steady_clock::rep> rep_;
  };
  AtomicDuration now_;
};

}  // namespace wsman::base

#endif  // WSMAND_BASE_CLOCK_H_
