// The facade the HTTP layer calls for HTTP Basic authentication: parses the
// Authorization header, applies the login throttle (per address and user,
// per address, per user: throttle.h), answers from the credential cache
// (re-checking PAM accounts every account_recheck_interval), and otherwise
// verifies against the accounts file (when configured) or PAM, admitted by
// the verify gate (a few checks at once, max_verifications_per_peer per
// address). PAM's failure delay is slept after the verification slot is
// given back, on the calling worker. Thread-safe: many workers call
// Authenticate while Reload swaps in a new accounts snapshot.
#ifndef WSMAND_SERVER_AUTH_AUTHENTICATOR_H_
#define WSMAND_SERVER_AUTH_AUTHENTICATOR_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "base/mutex.h"
#include "base/snapshot.h"
#include "base/status.h"
#include "server/auth/account_recheck.h"
#include "server/auth/accounts_file.h"
#include "server/auth/credential_cache.h"
#include "server/auth/identity_for_user.h"
#include "server/auth/pam_backend.h"
#include "server/auth/throttle.h"
#include "server/auth/verify_gate.h"

namespace wsman::auth {

struct AuthResult {
  enum Outcome {
    kOk,         // identity is set
    kMissing,    // no Authorization header, or not the Basic scheme
    kDenied,     // malformed Basic, unknown user, wrong password, no backend
    kThrottled,  // locked out or too busy; answer exactly like kDenied (401)
  };
  Outcome outcome = kMissing;
  Identity identity;
};

class Authenticator {
 public:
  struct Options {
    // The accounts file ("" = none). When set, users are checked there only;
    // otherwise PAM is used when use_pam is true. Neither: everyone denied.
    std::string accounts_file;
    bool use_pam = true;
    std::string pam_service = "wsmand";
    std::string pam_confdir;  // "" = /etc/pam.d; tests use a private dir
    std::chrono::seconds cache_ttl{60};  // 0 = no credential cache
    size_t cache_max_entries = 10000;
    // Throttle (throttle.h): failures within failure_window per (address,
    // user), per address, per user; <= 0 = that bound off (max_failures
    // <= 0: no throttling at all).
    int max_failures = 5;
    int max_failures_per_address = 20;
    int max_failures_per_user = 10;
    std::chrono::seconds failure_window{60};
    std::chrono::seconds max_backoff{60};
    size_t max_tracked_peers = 10000;  // keys per throttle table
    // Password hashes verified at once (0 = one per core, at least 2).
    // yescrypt takes 16 MiB and ~12 ms per check: without a bound, a burst
    // of clients missing the cache together (at start, or when the cache
    // entry expires) or a flood of wrong passwords would cost 16 MiB each.
    int max_concurrent_verifications = 0;
    // Checks in progress (PAM's failure delay included) per client address;
    // a request beyond it waits for one of them to end and then looks in
    // the cache, else it is refused (kThrottled). <= 0 = no limit.
    int max_verifications_per_peer = 2;
    // Longest wait for a verification slot (or for the address's check in
    // progress); then kThrottled.
    std::chrono::milliseconds verification_wait{10000};
    // PAM: a cached login re-checks the account (PamBackend::CheckAccount)
    // at most this often per user; a failed check drops the user's cached
    // credentials and the password is verified afresh.
    std::chrono::seconds account_recheck_interval{5};
    // PAM's failure delay is capped at this (a misconfigured delay would
    // hold workers).
    std::chrono::milliseconds max_fail_delay{10000};
    // Sleeps PAM's failure delay; tests replace it. Empty = this thread
    // sleeps.
    std::function<void(std::chrono::microseconds)> sleep;
    // Re-read the accounts file (and clear the cache) when it changes on
    // disk, checked at most once per second, so `wsmand user del` takes
    // effect without a SIGHUP.
    bool watch_accounts_file = true;
    base::MonotonicClock clock;  // empty = steady_clock
  };

  // Loads nothing yet: call Reload() once before serving and check it (or
  // use Create). With watch_accounts_file, a file that was not loaded (or
  // failed to load) is picked up by the watcher once it changes or appears.
  explicit Authenticator(Options options);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Constructs and loads; the error names the file and line.
  static base::StatusOr<std::unique_ptr<Authenticator>> Create(Options options);

  // Re-reads the accounts file (if any) and clears the credential cache. On
  // error the previous accounts stay in force (the cache is cleared anyway).
  base::Status Reload() EXCLUDES(reload_mu_);

  // Drops every cached credential (e.g. after `user del`).
  void ClearCache();
  // Drops the cached credentials of one user.
  void ForgetUser(std::string_view user);

  // `authorization_header`: the Authorization header value ("" if absent).
  // `peer`: the client's IP address as text, the throttling key.
  AuthResult Authenticate(std::string_view authorization_header,
                          std::string_view peer);

  const Options& options() const { return options_; }
  // Password checks that reached the backend (cache misses), and account
  // re-checks of cached PAM logins, for tests and diagnostics.
  uint64_t backend_checks() const { return backend_checks_.load(); }
  uint64_t account_checks() const { return account_checks_.load(); }
  const Throttle& throttle() const { return throttle_; }

 private:
  struct FileStamp;
  struct Verdict;
  void MaybeReloadChangedFile() EXCLUDES(reload_mu_);
  bool PamMode() const {
    return options_.accounts_file.empty() && options_.use_pam;
  }
  // The cache hit path: true when the cached identity may be used (a PAM
  // account passing its re-check when one is due).
  bool CachedLoginStillValid(const std::string& user, std::string_view peer);
  Verdict VerifyWithBackend(const std::string& user,
                            const std::string& password, std::string_view peer);
  AuthResult Throttled(std::string_view peer, std::string_view user,
                       const char* why);

  Options options_;
  CredentialCache cache_;
  Throttle throttle_;
  VerifyGate gate_;
  AccountRecheck recheck_;
  PamBackend pam_;
  base::Snapshot<const AccountsFile> accounts_;
  base::Mutex reload_mu_;  // serialises Reload
  std::unique_ptr<FileStamp> stamp_ PT_GUARDED_BY(reload_mu_);
  std::atomic<int64_t> next_stat_ns_{0};
  std::atomic<uint64_t> backend_checks_{0};
  std::atomic<uint64_t> account_checks_{0};
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_AUTHENTICATOR_H_
