#include "server/auth/throttle.h"

#include <algorithm>
#include <list>
#include <string>
#include <unordered_map>
#include <utility>

namespace wsman::auth {
namespace {

// A bounded map: Touch finds or creates a key and makes it the most recent;
// beyond `max` keys the least recent is dropped.
template <typename V>
class LruTable {
 public:
  explicit LruTable(size_t max) : max_(std::max<size_t>(1, max)) {}

  V* Find(const std::string& key) {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second.value;
  }
  const V* Find(const std::string& key) const {
    auto it = map_.find(key);
    return it == map_.end() ? nullptr : &it->second.value;
  }
  // `fresh` initialises a key that was not there.
  V& Touch(const std::string& key, const V& fresh) {
    auto it = map_.find(key);
    if (it != map_.end()) {
      order_.splice(order_.end(), order_, it->second.order);
      return it->second.value;
    }
    if (map_.size() >= max_) {
      map_.erase(order_.front());
      order_.pop_front();
    }
    order_.push_back(key);
    return map_.emplace(key, Slot{fresh, std::prev(order_.end())})
        .first->second.value;
  }
  void Erase(const std::string& key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    order_.erase(it->second.order);
    map_.erase(it);
  }
  size_t size() const { return map_.size(); }

 private:
  struct Slot {
    V value;
    std::list<std::string>::iterator order;
  };
  size_t max_;
  std::unordered_map<std::string, Slot> map_;
  std::list<std::string> order_;  // least recent first
};

// One key's failures.
struct Record {
  int failures = 0;  // settled failures in the current window
  int pending = 0;   // checks running now (BeginAttempt without EndAttempt)
  int strikes = 0;   // lockouts so far; the next backoff is initial << strikes
  base::MonotonicTime window_start;
  base::MonotonicTime last_failure;
  base::MonotonicTime locked_until;
};

Record Fresh(base::MonotonicTime now) {
  Record r;
  r.window_start = r.last_failure = r.locked_until = now;
  return r;
}

std::string PairKey(std::string_view address, std::string_view user) {
  std::string key(address);
  key.push_back('\0');
  key.append(user);
  return key;
}

}  // namespace

struct Throttle::Tables {
  explicit Tables(size_t max) : pairs(max), addresses(max), users(max) {}
  LruTable<Record> pairs;
  LruTable<Record> addresses;
  LruTable<Record> users;
};

struct Throttle::Known {
  explicit Known(size_t max) : last_success(max) {}
  LruTable<base::MonotonicTime>
      last_success;  // PairKey -> last successful login
};

const char* ThrottleLockName(ThrottleLock lock) {
  switch (lock) {
    case ThrottleLock::kNone:
      return "none";
    case ThrottleLock::kAddressUser:
      return "address-user";
    case ThrottleLock::kAddress:
      return "address";
    case ThrottleLock::kUser:
      return "user";
  }
  return "none";
}

namespace {

struct Rules {
  std::chrono::seconds window;
  std::chrono::milliseconds initial_backoff;
  std::chrono::milliseconds max_backoff;

  int WindowFailures(const Record& r, base::MonotonicTime now) const {
    return now - r.window_start >= window ? 0 : r.failures;
  }
  // Locked before, and no quiet window since the last failure or lock.
  bool Striking(const Record& r, base::MonotonicTime now) const {
    return r.strikes > 0 &&
           now - std::max(r.last_failure, r.locked_until) < window;
  }
  // Whether one more check may start (begin) or a request may proceed.
  bool Admits(const Record& r, int limit, base::MonotonicTime now,
              bool begin) const {
    if (now < r.locked_until) return false;
    if (!begin) return true;
    if (Striking(r, now)) return r.pending == 0;
    return WindowFailures(r, now) + r.pending < limit;
  }
  void Fail(Record& r, int limit, base::MonotonicTime now) const {
    if (!Striking(r, now)) r.strikes = 0;
    if (now - r.window_start >= window) {
      r.failures = 0;
      r.window_start = now;
    }
    r.last_failure = now;
    // Once locked out, every further failure before a quiet window locks
    // again, for twice as long.
    if (++r.failures >= limit || r.strikes > 0) {
      auto backoff = initial_backoff * (int64_t{1} << std::min(r.strikes, 30));
      if (backoff > max_backoff || backoff.count() <= 0) backoff = max_backoff;
      r.locked_until = now + backoff;
      ++r.strikes;
    }
  }
  bool Idle(const Record& r, base::MonotonicTime now) const {
    return r.pending == 0 && WindowFailures(r, now) == 0 && !Striking(r, now) &&
           r.locked_until <= now;
  }
};

}  // namespace

Throttle::Throttle() : Throttle(Options{}) {}

Throttle::Throttle(Options options)
    : options_(std::move(options)),
      tables_(std::make_unique<Tables>(options_.max_tracked)),
      known_(std::make_unique<Known>(options_.max_tracked)) {
  if (!options_.clock) options_.clock = base::RealMonotonicClock();
}

Throttle::~Throttle() = default;

namespace {

// The decision shared by Check, BeginAttempt and LockRemaining. Called with
// the tables' mutex held; `known` tells whether the address is one the user
// logs in from (then the per-user lock does not apply).
template <typename KnownFn>
ThrottleLock Judge(const Rules& rules, const Throttle::Options& o,
                   const LruTable<Record>& pairs,
                   const LruTable<Record>& addresses,
                   const LruTable<Record>& users, std::string_view address,
                   std::string_view user, base::MonotonicTime now, bool begin,
                   KnownFn known) {
  if (!user.empty()) {
    const Record* r = pairs.Find(PairKey(address, user));
    if (r && !rules.Admits(*r, o.max_failures, now, begin)) {
      return ThrottleLock::kAddressUser;
    }
  }
  if (o.max_failures_per_address > 0) {
    const Record* r = addresses.Find(std::string(address));
    if (r && !rules.Admits(*r, o.max_failures_per_address, now, begin)) {
      return ThrottleLock::kAddress;
    }
  }
  if (!user.empty() && o.max_failures_per_user > 0) {
    const Record* r = users.Find(std::string(user));
    if (r && !rules.Admits(*r, o.max_failures_per_user, now, begin) &&
        !known()) {
      return ThrottleLock::kUser;
    }
  }
  return ThrottleLock::kNone;
}

}  // namespace

ThrottleLock Throttle::Check(std::string_view address,
                             std::string_view user) const {
  if (options_.max_failures <= 0 ||
      tracked_.load(std::memory_order_relaxed) == 0) {
    return ThrottleLock::kNone;
  }
  const base::MonotonicTime now = options_.clock();
  const Rules rules{options_.window, options_.initial_backoff,
                    options_.max_backoff};
  base::MutexLock lock(&mu_);
  return Judge(rules, options_, tables_->pairs, tables_->addresses,
               tables_->users, address, user, now, /*begin=*/false, [&] {
                 base::MutexLock known_lock(&known_mu_);
                 const base::MonotonicTime* t =
                     known_->last_success.Find(PairKey(address, user));
                 return t && now - *t < options_.known_address_for;
               });
}

ThrottleLock Throttle::BeginAttempt(std::string_view address,
                                    std::string_view user) {
  if (options_.max_failures <= 0) return ThrottleLock::kNone;
  const base::MonotonicTime now = options_.clock();
  const Rules rules{options_.window, options_.initial_backoff,
                    options_.max_backoff};
  base::MutexLock lock(&mu_);
  Tables& t = *tables_;
  ThrottleLock verdict =
      Judge(rules, options_, t.pairs, t.addresses, t.users, address, user, now,
            /*begin=*/true, [&] {
              base::MutexLock known_lock(&known_mu_);
              const base::MonotonicTime* k =
                  known_->last_success.Find(PairKey(address, user));
              return k && now - *k < options_.known_address_for;
            });
  if (verdict != ThrottleLock::kNone) return verdict;
  if (!user.empty())
    ++t.pairs.Touch(PairKey(address, user), Fresh(now)).pending;
  if (options_.max_failures_per_address > 0) {
    ++t.addresses.Touch(std::string(address), Fresh(now)).pending;
  }
  if (!user.empty() && options_.max_failures_per_user > 0) {
    ++t.users.Touch(std::string(user), Fresh(now)).pending;
  }
  tracked_.store(t.pairs.size() + t.addresses.size() + t.users.size(),
                 std::memory_order_relaxed);
  return ThrottleLock::kNone;
}

void Throttle::EndAttempt(std::string_view address, std::string_view user,
                          Outcome outcome) {
  if (options_.max_failures <= 0) return;
  const base::MonotonicTime now = options_.clock();
  const Rules rules{options_.window, options_.initial_backoff,
                    options_.max_backoff};
  const std::string pair_key = PairKey(address, user);
  const std::string address_key(address);
  const std::string user_key(user);
  const bool by_address = options_.max_failures_per_address > 0;
  const bool by_user = !user.empty() && options_.max_failures_per_user > 0;
  {
    base::MutexLock lock(&mu_);
    Tables& t = *tables_;
    Record* pair = user.empty() ? nullptr : t.pairs.Find(pair_key);
    Record* addr = by_address ? t.addresses.Find(address_key) : nullptr;
    Record* usr = by_user ? t.users.Find(user_key) : nullptr;
    for (Record* r : {pair, addr, usr}) {
      if (r && r->pending > 0) --r->pending;
    }
    if (outcome == Outcome::kFailed) {
      // A record dropped meanwhile (table full) starts again.
      if (!user.empty()) {
        rules.Fail(t.pairs.Touch(pair_key, Fresh(now)), options_.max_failures,
                   now);
      }
      if (by_address) {
        rules.Fail(t.addresses.Touch(address_key, Fresh(now)),
                   options_.max_failures_per_address, now);
      }
      if (by_user) {
        rules.Fail(t.users.Touch(user_key, Fresh(now)),
                   options_.max_failures_per_user, now);
      }
    } else {
      if (outcome == Outcome::kSucceeded && pair) {
        // Forgive this user's failures from this address, in the address's
        // and the user's counts too when they were counted in the same
        // window; nobody else's.
        const int forgiven = rules.WindowFailures(*pair, now);
        for (Record* r : {addr, usr}) {
          if (r && forgiven > 0 && r->window_start <= pair->window_start) {
            r->failures = std::max(0, r->failures - forgiven);
          }
        }
        pair->failures = 0;
        pair->strikes = 0;
        pair->locked_until = std::min(pair->locked_until, now);
      }
      if (pair && rules.Idle(*pair, now)) t.pairs.Erase(pair_key);
      if (addr && rules.Idle(*addr, now)) t.addresses.Erase(address_key);
      if (usr && rules.Idle(*usr, now)) t.users.Erase(user_key);
    }
    tracked_.store(t.pairs.size() + t.addresses.size() + t.users.size(),
                   std::memory_order_relaxed);
  }
  if (outcome == Outcome::kSucceeded && !user.empty()) {
    base::MutexLock known_lock(&known_mu_);
    known_->last_success.Touch(pair_key, now) = now;
  }
}

void Throttle::NoteCachedSuccess(std::string_view address,
                                 std::string_view user) {
  if (options_.max_failures <= 0 || options_.max_failures_per_user <= 0 ||
      user.empty()) {
    return;
  }
  const base::MonotonicTime now = options_.clock();
  base::MutexLock known_lock(&known_mu_);
  known_->last_success.Touch(PairKey(address, user), now) = now;
}

std::chrono::milliseconds Throttle::LockRemaining(std::string_view address,
                                                  std::string_view user) const {
  using std::chrono::milliseconds;
  if (options_.max_failures <= 0) return milliseconds(0);
  const base::MonotonicTime now = options_.clock();
  base::MonotonicTime until = now;
  base::MutexLock lock(&mu_);
  if (!user.empty()) {
    if (const Record* r = tables_->pairs.Find(PairKey(address, user))) {
      until = std::max(until, r->locked_until);
    }
  }
  if (options_.max_failures_per_address > 0) {
    if (const Record* r = tables_->addresses.Find(std::string(address))) {
      until = std::max(until, r->locked_until);
    }
  }
  if (!user.empty() && options_.max_failures_per_user > 0) {
    if (const Record* r = tables_->users.Find(std::string(user))) {
      base::MutexLock known_lock(&known_mu_);
      const base::MonotonicTime* k =
          known_->last_success.Find(PairKey(address, user));
      if (!(k && now - *k < options_.known_address_for)) {
        until = std::max(until, r->locked_until);
      }
    }
  }
  if (until <= now) return milliseconds(0);
  return std::max(milliseconds(1),
                  std::chrono::ceil<milliseconds>(until - now));
}

}  // namespace wsman::auth
