// When a PAM account served from the credential cache is due for another
// account check (PamBackend::CheckAccount: pam_acct_mgmt, and the account's
// shadow stamp compared with the one seen at login), so a locked
// (`passwd -l`, `usermod -L`) or expired (`chage -E 0`) account stops
// working within `interval` instead of the cache's TTL. Per user name as the
// client sent it; at most one caller per user and interval is told to check
// (the others keep the cached answer meanwhile). Bounded: at most max_users
// names; the table is emptied when full (a user not in it is due, with no
// stamp: the caller then verifies the password afresh).
//
// Thread-safe: sharded by user name, one short critical section per call.
#ifndef WSMAND_SERVER_AUTH_ACCOUNT_RECHECK_H_
#define WSMAND_SERVER_AUTH_ACCOUNT_RECHECK_H_

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/clock.h"
#include "base/mutex.h"

namespace wsman::auth {

class AccountRecheck {
 public:
  struct Options {
    std::chrono::seconds interval{5};
    size_t max_users = 10000;
    base::MonotonicClock clock;  // empty = steady_clock
  };

  explicit AccountRecheck(Options options);
  AccountRecheck(const AccountRecheck&) = delete;
  AccountRecheck& operator=(const AccountRecheck&) = delete;

  // The account was just checked (a full login, or a passed re-check), its
  // shadow stamp then: next check in `interval`.
  void Checked(std::string_view user, uint64_t stamp);
  // True when `user` is due; `*stamp` is the stamp recorded by Checked, or
  // empty when the user is not in the table. The next caller is told "due"
  // only after another `interval`.
  bool Due(std::string_view user, std::optional<uint64_t>* stamp);
  void Forget(std::string_view user);
  void Clear();

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    base::Mutex mu;
    struct State {
      base::MonotonicTime next;
      uint64_t stamp = 0;
    };
    std::unordered_map<std::string, State> users GUARDED_BY(mu);
  };
  Shard& ShardFor(std::string_view user);
  void Set(Shard& shard, std::string_view user, base::MonotonicTime next,
           uint64_t stamp) REQUIRES(shard.mu);

  Options options_;
  size_t per_shard_max_;
  std::array<Shard, kShards> shards_;
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_ACCOUNT_RECHECK_H_
