// Login throttling keyed the way account lockout is on Windows (per
// account), without letting an attacker lock a victim out cheaply:
//
//   - per (address, user): after max_failures failed checks within
//     `window` that pair is refused without any password check for a
//     backoff (initial_backoff), doubling with every further failure up to
//     max_backoff, until a quiet `window` passes. A successful check of that
//     user from that address forgives the pair.
//   - per address: max_failures_per_address failures of any users (one
//     address spraying user names); a success forgives only the succeeding
//     user's own failures from that address, never another user's.
//   - per user: max_failures_per_user failures from all addresses (a
//     distributed guesser). This lock applies only to addresses the user has
//     not logged in from within known_address_for: the account's owner keeps
//     working from the addresses it uses while someone else guesses, so a
//     failure a minute cannot lock it out.
//
// Failures are counted pessimistically: BeginAttempt counts the check as
// pending before it runs, so a burst of parallel requests is admitted only
// up to the limit, and EndAttempt settles it (failed, succeeded, or never
// run). A cached login changes no counter (it only marks its address as
// known). Memory is bounded: each table keeps at most max_tracked keys, the
// least recently failing dropped first.
//
// Thread-safe: one mutex for the failure tables (a check consults three of
// them atomically; the critical sections are a few hash look-ups) and one
// for the known addresses, always taken in that order.
#ifndef WSMAND_SERVER_AUTH_THROTTLE_H_
#define WSMAND_SERVER_AUTH_THROTTLE_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"

namespace wsman::auth {

// Which limit refuses a request (kNone: it may proceed).
enum class ThrottleLock { kNone, kAddressUser, kAddress, kUser };
const char* ThrottleLockName(ThrottleLock lock);

class Throttle {
 public:
  struct Options {
    int max_failures = 5;  // per (address, user); <= 0 disables throttling
    int max_failures_per_address = 20;  // <= 0: no per-address bound
    int max_failures_per_user = 10;     // <= 0: no per-user bound
    std::chrono::seconds window{60};
    std::chrono::milliseconds initial_backoff{1000};
    std::chrono::milliseconds max_backoff{60000};
    std::chrono::hours known_address_for{24};
    size_t max_tracked = 10000;  // per table
    base::MonotonicClock clock;  // empty = steady_clock
  };
  enum class Outcome { kFailed, kSucceeded, kCancelled };

  explicit Throttle(Options options);
  Throttle();
  ~Throttle();
  Throttle(const Throttle&) = delete;
  Throttle& operator=(const Throttle&) = delete;

  // Before anything else (the credential cache included): whether `user`
  // from `address` is locked out. `user` may be empty (a malformed header):
  // then only the address counts.
  ThrottleLock Check(std::string_view address, std::string_view user) const;

  // A password check is about to run. Like Check, and additionally refuses
  // when the failures plus the checks already pending would reach a limit
  // (once locked before, only one check at a time). kNone: counted as
  // pending; settle it with exactly one EndAttempt.
  ThrottleLock BeginAttempt(std::string_view address, std::string_view user);
  void EndAttempt(std::string_view address, std::string_view user,
                  Outcome outcome);

  // A login served from the credential cache: remembers `address` as one
  // `user` logs in from; resets nothing.
  void NoteCachedSuccess(std::string_view address, std::string_view user);

  // How long `user` from `address` stays refused (0 when not locked), the
  // longest of the three locks that apply. For tests and logs.
  std::chrono::milliseconds LockRemaining(std::string_view address,
                                          std::string_view user) const;

  // Keys held in the failure tables (pairs, addresses, users).
  size_t tracked() const { return tracked_.load(std::memory_order_relaxed); }

 private:
  struct Tables;
  struct Known;

  Options options_;
  std::atomic<size_t> tracked_{0};
  mutable base::Mutex mu_ ACQUIRED_BEFORE(known_mu_);
  std::unique_ptr<Tables> tables_ PT_GUARDED_BY(mu_);
  mutable base::Mutex known_mu_;
  std::unique_ptr<Known> known_ PT_GUARDED_BY(known_mu_);
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_THROTTLE_H_
