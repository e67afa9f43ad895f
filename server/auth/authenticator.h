// The facade the HTTP layer calls for HTTP Basic authentication: parses the
// Authorization header, applies per-peer throttling, answers from the
// credential cache, and otherwise verifies against the accounts file (when
// configured) or PAM. Thread-safe: many workers call Authenticate while
// Reload swaps in a new accounts snapshot.
#ifndef WSMAND_SERVER_AUTH_AUTHENTICATOR_H_
#define WSMAND_SERVER_AUTH_AUTHENTICATOR_H_

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <semaphore>
#include <string>
#include <string_view>

#include "server/auth/accounts_file.h"
#include "server/auth/clock.h"
#include "server/auth/credential_cache.h"
#include "server/auth/identity.h"
#include "server/auth/pam_backend.h"
#include "server/auth/status.h"
#include "server/auth/throttle.h"

namespace wsman::auth {

struct AuthResult {
  enum Outcome {
    kOk,         // identity is set
    kMissing,    // no Authorization header, or not the Basic scheme
    kDenied,     // malformed Basic, unknown user, wrong password, no backend
    kThrottled,  // peer locked out; answer exactly like kDenied (401)
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
    int max_failures = 5;  // per peer within failure_window; <= 0 = off
    std::chrono::seconds failure_window{60};
    std::chrono::seconds max_backoff{60};
    size_t max_tracked_peers = 10000;
    // Password hashes verified at once (0 = one per core, at least 2).
    // yescrypt takes 16 MiB and ~12 ms per check: without a bound, a burst
    // of clients missing the cache together (at start, or when the cache
    // entry expires) or a flood of wrong passwords would cost 16 MiB each.
    int max_concurrent_verifications = 0;
    // Re-read the accounts file (and clear the cache) when it changes on
    // disk, checked at most once per second, so `wsmand user del` takes
    // effect without a SIGHUP.
    bool watch_accounts_file = true;
    Clock clock;  // empty = steady_clock
  };

  // Loads nothing yet: call Reload() once before serving and check it (or
  // use Create). With watch_accounts_file, a file that was not loaded (or
  // failed to load) is picked up by the watcher once it changes or appears.
  explicit Authenticator(Options options);
  ~Authenticator();
  Authenticator(const Authenticator&) = delete;
  Authenticator& operator=(const Authenticator&) = delete;

  // Constructs and loads; the error names the file and line.
  static StatusOr<std::unique_ptr<Authenticator>> Create(Options options);

  // Re-reads the accounts file (if any) and clears the credential cache. On
  // error the previous accounts stay in force (the cache is cleared anyway).
  Status Reload();

  // Drops every cached credential (e.g. after `user del`).
  void ClearCache();

  // `authorization_header`: the Authorization header value ("" if absent).
  // `peer`: the client's IP address as text, the throttling key.
  AuthResult Authenticate(std::string_view authorization_header,
                          std::string_view peer);

  const Options& options() const { return options_; }
  // Password checks that reached the backend (cache misses), for tests and
  // diagnostics.
  uint64_t backend_checks() const { return backend_checks_.load(); }

 private:
  struct FileStamp;
  void MaybeReloadChangedFile();
  bool VerifyWithBackend(const std::string& user, const std::string& password,
                         std::string_view peer, Identity* identity);

  Options options_;
  CredentialCache cache_;
  Throttle throttle_;
  PamBackend pam_;
  std::atomic<std::shared_ptr<const AccountsFile>> accounts_;
  std::mutex reload_mu_;              // serialises Reload
  std::unique_ptr<FileStamp> stamp_;  // guarded by reload_mu_
  std::atomic<int64_t> next_stat_ns_{0};
  std::counting_semaphore<1024> verify_slots_;
  std::atomic<uint64_t> backend_checks_{0};
};

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_AUTHENTICATOR_H_
