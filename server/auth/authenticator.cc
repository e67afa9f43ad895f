#include "server/auth/authenticator.h"

#include <algorithm>
#include <thread>

#include <openssl/crypto.h>
#include <sys/stat.h>

#include <optional>
#include <utility>

#include "base/log.h"
#include "server/auth/basic_credentials.h"

namespace wsman::auth {

struct Authenticator::FileStamp {
  bool valid = false;
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  struct timespec mtime {};

  static FileStamp Of(const std::string& path) {
    FileStamp s;
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return s;
    s.valid = true;
    s.dev = st.st_dev;
    s.ino = st.st_ino;
    s.size = st.st_size;
    s.mtime = st.st_mtim;
    return s;
  }
  bool operator==(const FileStamp& o) const {
    return valid == o.valid && dev == o.dev && ino == o.ino && size == o.size &&
           mtime.tv_sec == o.mtime.tv_sec && mtime.tv_nsec == o.mtime.tv_nsec;
  }
};

namespace {

CredentialCache::Options CacheOptions(const Authenticator::Options& o) {
  CredentialCache::Options c;
  c.ttl = o.cache_ttl;
  c.max_entries = o.cache_max_entries;
  c.clock = o.clock;
  return c;
}

Throttle::Options ThrottleOptions(const Authenticator::Options& o) {
  Throttle::Options t;
  t.max_failures = o.max_failures;
  t.max_failures_per_address = o.max_failures_per_address;
  t.max_failures_per_user = o.max_failures_per_user;
  t.window = o.failure_window;
  t.max_backoff = o.max_backoff;
  t.max_tracked = o.max_tracked_peers;
  t.clock = o.clock;
  return t;
}

VerifyGate::Options GateOptions(const Authenticator::Options& o) {
  VerifyGate::Options g;
  g.max_total =
      o.max_concurrent_verifications > 0
          ? std::min(o.max_concurrent_verifications, 1024)
          : std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
  g.max_per_peer = o.max_verifications_per_peer;
  g.wait = o.verification_wait;
  return g;
}

AccountRecheck::Options RecheckOptions(const Authenticator::Options& o) {
  AccountRecheck::Options r;
  r.interval = o.account_recheck_interval;
  r.max_users = o.cache_max_entries;
  r.clock = o.clock;
  return r;
}

// Settles a throttle attempt exactly once; a check that never ran (no slot,
// an early return) is cancelled, not counted.
class Attempt {
 public:
  Attempt(Throttle* throttle, std::string_view address, std::string_view user)
      : throttle_(throttle), address_(address), user_(user) {}
  Attempt(const Attempt&) = delete;
  Attempt& operator=(const Attempt&) = delete;
  ~Attempt() { End(Throttle::Outcome::kCancelled); }
  void End(Throttle::Outcome outcome) {
    if (throttle_ == nullptr) return;
    throttle_->EndAttempt(address_, user_, outcome);
    throttle_ = nullptr;
  }

 private:
  Throttle* throttle_;
  std::string_view address_;
  std::string_view user_;
};

}  // namespace

// What the backend said.
struct Authenticator::Verdict {
  bool ok = false;
  Identity identity;
  std::chrono::microseconds fail_delay{0};
  uint64_t account_stamp = 0;
};

Authenticator::Authenticator(Options options)
    : options_(std::move(options)),
      cache_(CacheOptions(options_)),
      throttle_(ThrottleOptions(options_)),
      gate_(GateOptions(options_)),
      recheck_(RecheckOptions(options_)),
      pam_(options_.pam_service, options_.pam_confdir),
      stamp_(std::make_unique<FileStamp>()) {
  if (!options_.clock) options_.clock = base::RealMonotonicClock();
  if (!options_.sleep) {
    options_.sleep = [](std::chrono::microseconds d) {
      std::this_thread::sleep_for(d);
    };
  }
}

Authenticator::~Authenticator() = default;

base::StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    Options options) {
  auto auth = std::make_unique<Authenticator>(std::move(options));
  if (base::Status s = auth->Reload(); !s.ok()) return s;
  return auth;
}

base::Status Authenticator::Reload() {
  base::MutexLock lock(&reload_mu_);
  cache_.Clear();
  recheck_.Clear();
  if (options_.accounts_file.empty()) return base::Status::Ok();
  // Stamp first: the content read next is at least this new.
  FileStamp stamp = FileStamp::Of(options_.accounts_file);
  base::StatusOr<AccountsFile> file =
      AccountsFile::Load(options_.accounts_file);
  *stamp_ = stamp;  // the watcher retries only once the file changes again
  if (!file.ok()) {
    log::Error("accounts_reload_failed", {{"error", file.message()}});
    return file.status();
  }
  size_t users = file->entries().size();
  accounts_.Store(
      std::make_shared<const AccountsFile>(std::move(file).value()));
  // Credentials verified against the old file may have been cached between
  // the Clear above and the swap; drop them too.
  cache_.Clear();
  std::string count = std::to_string(users);
  log::Info("accounts_loaded",
            {{"file", options_.accounts_file}, {"users", count}});
  return base::Status::Ok();
}

void Authenticator::ClearCache() {
  cache_.Clear();
  recheck_.Clear();
}

void Authenticator::ForgetUser(std::string_view user) {
  cache_.EraseUser(user);
  recheck_.Forget(user);
}

void Authenticator::MaybeReloadChangedFile() {
  if (!options_.watch_accounts_file || options_.accounts_file.empty()) return;
  const int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                          options_.clock().time_since_epoch())
                          .count();
  int64_t next = next_stat_ns_.load(std::memory_order_relaxed);
  if (now < next) return;
  if (!next_stat_ns_.compare_exchange_strong(next, now + 1'000'000'000,
                                             std::memory_order_relaxed)) {
    return;  // another thread does this second's check
  }
  FileStamp current = FileStamp::Of(options_.accounts_file);
  if (!reload_mu_.TryLock()) return;  // a reload is under way
  const bool unchanged = current == *stamp_;
  reload_mu_.Unlock();
  if (unchanged) return;
  (void)Reload();  // logs its own failure; the old accounts stay in force
}

Authenticator::Verdict Authenticator::VerifyWithBackend(
    const std::string& user, const std::string& password,
    std::string_view peer) {
  backend_checks_.fetch_add(1, std::memory_order_relaxed);
  Verdict v;
  if (!options_.accounts_file.empty()) {
    std::shared_ptr<const AccountsFile> accounts = accounts_.Load();
    if (!accounts) {
      // Not loaded (Reload not called or failed at start): same work anyway.
      static const AccountsFile kEmpty;
      (void)kEmpty.Verify(user, password);
      return v;
    }
    if (!accounts->Verify(user, password)) return v;
    v.ok = true;
    v.identity = IdentityForUser(user);
    return v;
  }
  if (options_.use_pam) {
    PamBackend::Result r = pam_.Verify(user, password, peer);
    v.fail_delay = std::min<std::chrono::microseconds>(r.fail_delay,
                                                       options_.max_fail_delay);
    if (!r.ok) {
      log::Debug("pam_denied", {{"user", user}, {"error", r.error}});
      return v;
    }
    v.ok = true;
    v.identity = std::move(r.identity);
    v.account_stamp = r.account_stamp;
  }
  return v;
}

bool Authenticator::CachedLoginStillValid(const std::string& user,
                                          std::string_view peer) {
  if (!PamMode()) return true;  // the accounts file: its watcher reloads
  std::optional<uint64_t> stamp;
  if (!recheck_.Due(user, &stamp)) return true;
  if (stamp) {
    account_checks_.fetch_add(1, std::memory_order_relaxed);
    PamBackend::Result r = pam_.CheckAccount(user, peer);
    if (r.ok && r.account_stamp == *stamp) return true;
    log::Info("auth_recheck_failed",
              {{"peer", peer},
               {"user", user},
               {"error", r.ok ? "account changed" : r.error}});
  }
  // Changed, refused, or not known: drop the user's cached credentials and
  // verify this password afresh.
  ForgetUser(user);
  return false;
}

AuthResult Authenticator::Throttled(std::string_view peer,
                                    std::string_view user, const char* why) {
  log::Debug("auth_throttled", {{"peer", peer}, {"user", user}, {"lock", why}});
  AuthResult result;
  result.outcome = AuthResult::kThrottled;
  return result;
}

AuthResult Authenticator::Authenticate(std::string_view authorization_header,
                                       std::string_view peer) {
  AuthResult result;
  if (!HasBasicScheme(authorization_header)) {
    result.outcome = AuthResult::kMissing;
    return result;
  }
  MaybeReloadChangedFile();
  std::optional<Credentials> creds =
      ParseBasicAuthorization(authorization_header);
  if (!creds) {
    // Counts against the address only (no user to key it by).
    if (ThrottleLock lock = throttle_.BeginAttempt(peer, "");
        lock != ThrottleLock::kNone) {
      return Throttled(peer, "", ThrottleLockName(lock));
    }
    throttle_.EndAttempt(peer, "", Throttle::Outcome::kFailed);
    log::Warn("auth_failed", {{"peer", peer}, {"reason", "malformed"}});
    result.outcome = AuthResult::kDenied;
    return result;
  }
  struct Cleanse {
    std::string* s;
    ~Cleanse() { OPENSSL_cleanse(s->data(), s->size()); }
  } cleanse{&creds->password};
  const std::string& user = creds->user;

  // Before the cache: a locked-out guesser must not learn that a guess
  // matches a cached password.
  if (ThrottleLock lock = throttle_.Check(peer, user);
      lock != ThrottleLock::kNone) {
    return Throttled(peer, user, ThrottleLockName(lock));
  }
  auto from_cache = [&]() -> bool {
    std::optional<Identity> cached = cache_.Lookup(user, creds->password);
    if (!cached || !CachedLoginStillValid(user, peer)) return false;
    throttle_.NoteCachedSuccess(peer, user);  // resets nothing
    result.outcome = AuthResult::kOk;
    result.identity = std::move(*cached);
    return true;
  };
  if (from_cache()) return result;

  // A backend check: a place among this address's checks first. Without
  // one, wait for one of them to end (the same credentials are then
  // usually in the cache), and try once more.
  VerifyGate::PeerTicket ticket = gate_.EnterPeer(peer);
  if (!ticket) {
    gate_.AwaitPeer(peer);
    if (from_cache()) return result;
    ticket = gate_.EnterPeer(peer);
    if (!ticket) return Throttled(peer, user, "verifications-per-peer");
  }
  VerifyGate::Slot slot = gate_.AcquireSlot();
  if (!slot) {
    log::Warn("auth_busy", {{"peer", peer}, {"user", user}});
    return Throttled(peer, user, "no-verification-slot");
  }
  // Whoever waited for a slot looks in the cache again: when many requests
  // carry the same new credentials, one verifies them and the rest find
  // the result.
  if (from_cache()) return result;
  // The check starts: counted as a failure until it succeeds, so checks
  // running (or sleeping PAM's delay) at once are admitted only up to the
  // limits.
  if (ThrottleLock lock = throttle_.BeginAttempt(peer, user);
      lock != ThrottleLock::kNone) {
    return Throttled(peer, user, ThrottleLockName(lock));
  }
  Attempt attempt(&throttle_, peer, user);
  const uint64_t generation = cache_.generation();
  Verdict verdict = VerifyWithBackend(user, creds->password, peer);
  if (verdict.ok) {
    // Cached before the slot is given back: the next holder finds it.
    cache_.Insert(user, creds->password, verdict.identity, generation);
    if (PamMode()) recheck_.Checked(user, verdict.account_stamp);
    slot.Release();
    attempt.End(Throttle::Outcome::kSucceeded);
    log::Info("auth_ok", {{"peer", peer}, {"user", verdict.identity.user}});
    result.outcome = AuthResult::kOk;
    result.identity = std::move(verdict.identity);
    return result;
  }
  slot.Release();
  // A failed login of this user ends the user's cached logins too (a
  // locked account, a changed password).
  ForgetUser(user);
  // PAM's failure delay, outside the slot but inside this address's
  // ticket and before the failure is settled: the address cannot start
  // more checks meanwhile, and the throttle's lock starts when the
  // client gets its answer.
  if (verdict.fail_delay.count() > 0) options_.sleep(verdict.fail_delay);
  attempt.End(Throttle::Outcome::kFailed);
  log::Warn("auth_failed",
            {{"peer", peer}, {"user", user}, {"reason", "denied"}});
  result.outcome = AuthResult::kDenied;
  return result;
}

}  // namespace wsman::auth
