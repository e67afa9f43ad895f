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
  t.window = o.failure_window;
  t.max_backoff = o.max_backoff;
  t.max_peers = o.max_tracked_peers;
  t.clock = o.clock;
  return t;
}

}  // namespace

namespace {
std::ptrdiff_t VerifySlots(int configured) {
  if (configured > 0) return std::min(configured, 1024);
  return std::max(2, static_cast<int>(std::thread::hardware_concurrency()));
}
}  // namespace

Authenticator::Authenticator(Options options)
    : options_(std::move(options)),
      cache_(CacheOptions(options_)),
      throttle_(ThrottleOptions(options_)),
      pam_(options_.pam_service, options_.pam_confdir),
      stamp_(std::make_unique<FileStamp>()),
      verify_slots_(VerifySlots(options_.max_concurrent_verifications)) {
  if (!options_.clock) options_.clock = SteadyClock();
}

Authenticator::~Authenticator() = default;

StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(
    Options options) {
  auto auth = std::make_unique<Authenticator>(std::move(options));
  if (Status s = auth->Reload(); !s.ok()) return s;
  return auth;
}

Status Authenticator::Reload() {
  std::lock_guard<std::mutex> lock(reload_mu_);
  cache_.Clear();
  if (options_.accounts_file.empty()) return Status::Ok();
  // Stamp first: the content read next is at least this new.
  FileStamp stamp = FileStamp::Of(options_.accounts_file);
  StatusOr<AccountsFile> file = AccountsFile::Load(options_.accounts_file);
  *stamp_ = stamp;  // the watcher retries only once the file changes again
  if (!file.ok()) {
    log::Error("accounts_reload_failed", {{"error", file.message()}});
    return file.status();
  }
  size_t users = file->entries().size();
  accounts_.store(std::make_shared<const AccountsFile>(std::move(file).value()),
                  std::memory_order_release);
  // Credentials verified against the old file may have been cached between
  // the Clear above and the swap; drop them too.
  cache_.Clear();
  std::string count = std::to_string(users);
  log::Info("accounts_loaded",
            {{"file", options_.accounts_file}, {"users", count}});
  return Status::Ok();
}

void Authenticator::ClearCache() { cache_.Clear(); }

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
  {
    std::unique_lock<std::mutex> lock(reload_mu_, std::try_to_lock);
    if (!lock.owns_lock() || current == *stamp_) return;
  }
  (void)Reload();  // logs its own failure; the old accounts stay in force
}

bool Authenticator::VerifyWithBackend(const std::string& user,
                                      const std::string& password,
                                      std::string_view peer,
                                      Identity* identity) {
  backend_checks_.fetch_add(1, std::memory_order_relaxed);
  if (!options_.accounts_file.empty()) {
    std::shared_ptr<const AccountsFile> accounts =
        accounts_.load(std::memory_order_acquire);
    if (!accounts) {
      // Not loaded (Reload not called or failed at start): same work anyway.
      static const AccountsFile kEmpty;
      (void)kEmpty.Verify(user, password);
      return false;
    }
    if (!accounts->Verify(user, password)) return false;
    *identity = IdentityForUser(user);
    return true;
  }
  if (options_.use_pam) {
    PamBackend::Result r = pam_.Verify(user, password, peer);
    if (!r.ok) {
      log::Debug("pam_denied", {{"user", user}, {"error", r.error}});
      return false;
    }
    *identity = std::move(r.identity);
    return true;
  }
  return false;
}

AuthResult Authenticator::Authenticate(std::string_view authorization_header,
                                       std::string_view peer) {
  AuthResult result;
  if (!HasBasicScheme(authorization_header)) {
    result.outcome = AuthResult::kMissing;
    return result;
  }
  MaybeReloadChangedFile();
  if (!throttle_.Allowed(peer)) {
    log::Debug("auth_throttled", {{"peer", peer}});
    result.outcome = AuthResult::kThrottled;
    return result;
  }
  std::optional<Credentials> creds =
      ParseBasicAuthorization(authorization_header);
  if (!creds) {
    throttle_.RecordFailure(peer);
    log::Warn("auth_failed", {{"peer", peer}, {"reason", "malformed"}});
    result.outcome = AuthResult::kDenied;
    return result;
  }
  if (std::optional<Identity> cached =
          cache_.Lookup(creds->user, creds->password)) {
    throttle_.RecordSuccess(peer);
    result.outcome = AuthResult::kOk;
    result.identity = std::move(*cached);
    return result;
  }
  // At most a few hashes at once. Whoever waited for a slot looks in the
  // cache again: when many requests carry the same new credentials, one
  // verifies them and the rest find the result.
  verify_slots_.acquire();
  struct Release {
    std::counting_semaphore<1024>* slots;
    ~Release() { slots->release(); }
  } release{&verify_slots_};
  if (std::optional<Identity> cached =
          cache_.Lookup(creds->user, creds->password)) {
    throttle_.RecordSuccess(peer);
    result.outcome = AuthResult::kOk;
    result.identity = std::move(*cached);
    OPENSSL_cleanse(creds->password.data(), creds->password.size());
    return result;
  }
  const uint64_t generation = cache_.generation();
  Identity identity;
  if (VerifyWithBackend(creds->user, creds->password, peer, &identity)) {
    cache_.Insert(creds->user, creds->password, identity, generation);
    throttle_.RecordSuccess(peer);
    log::Info("auth_ok", {{"peer", peer}, {"user", identity.user}});
    result.outcome = AuthResult::kOk;
    result.identity = std::move(identity);
  } else {
    throttle_.RecordFailure(peer);
    log::Warn("auth_failed",
              {{"peer", peer}, {"user", creds->user}, {"reason", "denied"}});
    result.outcome = AuthResult::kDenied;
  }
  OPENSSL_cleanse(creds->password.data(), creds->password.size());
  return result;
}

}  // namespace wsman::auth
