// The client-certificate map: which verified client certificate logs in as
// which local user, as WinRM's certmapping does. One mapping per line:
//
//   # comment
//   alice thumbprint=3C5F...40 hex digits
//   bob   issuer=9A1B...40 hex digits subject=bob@example.com
//   ops   issuer=9A1B... subject=*@ops.example.com
//   carol issuer=9A1B... subject="Carol Smith"
//
// `thumbprint` is the SHA-1 of the client certificate itself. `issuer` is
// the SHA-1 thumbprint of the CA certificate that signed the client
// certificate (as Windows' Issuer selector), and `subject` a pattern matched,
// case-insensitively, against the certificate's userPrincipalName SANs
// (otherName 1.3.6.1.4.1.311.20.2.3) only, as WinRM's certificate mapping
// does: the subject common name never names a user. The pattern may start
// with one "*" (a suffix match, or every UPN when alone). Values with white
// space or '"' are quoted with backslash escapes. A thumbprint mapping wins
// over subject mappings; among those, an exact pattern wins over a wildcard,
// a longer suffix over a shorter; ties go to the earlier line. A certificate
// with no UPN, or with a UPN holding a NUL or control character, maps by
// thumbprint only; one with several UPNs maps only when all of them that
// match a line map to the same user. Only certificates that verified against
// [tls] client_ca are ever matched.
//
// The file is mode 0600 and edited atomically by `wsmand cert map`; it is
// read only after the ownership checks of base/file_trust.h.
#ifndef WSMAND_CERTS_CLIENT_CERT_MAP_H_
#define WSMAND_CERTS_CLIENT_CERT_MAP_H_

#include <sys/types.h>

#include <atomic>
#include <iosfwd>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/mutex.h"
#include "base/snapshot.h"
#include "base/status.h"
#include "certs/client_cert.h"

namespace wsman::certs {

struct CertMapping {
  std::string user;
  std::string thumbprint;  // set: a thumbprint mapping
  std::string issuer;      // set with subject: an issuer + subject mapping
  std::string subject;
  int line = 0;  // 1-based, in the file it came from

  bool SameKey(const CertMapping& other) const;
  std::string ToLine() const;
};

// Ok unless empty, longer than 256 bytes, starting with '#', or holding
// white space, '=', '"' or a control character.
base::Status ValidMapUser(std::string_view user);
// Checks a mapping's fields (user, thumbprints, subject pattern).
base::Status ValidateMapping(const CertMapping& mapping);

class ClientCertMap {
 public:
  // Parses file content; errors read "<file_name>:<line>: <what>".
  static base::Status Parse(std::string_view content,
                            std::string_view file_name, ClientCertMap* out);
  static base::Status Load(const std::string& path, ClientCertMap* out);

  const std::vector<CertMapping>& entries() const { return entries_; }

  // The user a verified certificate maps to; nullopt when unverified or no
  // line matches (*why, when given, then says why for the log).
  std::optional<std::string> Match(const ClientCertInfo& cert,
                                   std::string* why = nullptr) const;

 private:
  std::vector<CertMapping> entries_;
};

// True when a userPrincipalName may be compared with subject patterns: not
// empty, no NUL or other control character.
bool UsableUpn(std::string_view upn);

// True when `pattern` ("x", "*suffix" or "*") matches `value`
// (ASCII case-insensitive).
bool SubjectPatternMatches(std::string_view pattern, std::string_view value);

// Adds a mapping, or moves an existing one with the same key (thumbprint,
// or issuer + subject) to `mapping.user` (*replaced). Creates the file
// (0600) when missing; atomic rewrite under a directory lock.
base::Status AddCertMapping(const std::string& path, const CertMapping& mapping,
                            bool* replaced);
// Removes `user`'s mappings; with `thumbprint` or `subject` set, only those
// that match it. *removed counts them.
base::Status DeleteCertMappings(const std::string& path, std::string_view user,
                                std::string_view thumbprint,
                                std::string_view subject, int* removed);

// The map file as the daemon uses it: loaded once, re-read when the file
// changes on disk (checked at most once a second) so that `wsmand cert map`
// edits apply without a SIGHUP (or a chmod/chown: ctime counts). A file that
// fails to parse or the ownership checks keeps the previous mappings, with
// an error in the log (event=cert-map-reload-failed). Thread-safe.
class ClientCertMapSource {
 public:
  explicit ClientCertMapSource(std::string path);
  // Loads the file now; on error the old map is kept.
  base::Status Reload() EXCLUDES(mu_);
  std::shared_ptr<const ClientCertMap> Current() EXCLUDES(mu_);
  const std::string& path() const { return path_; }

 private:
  struct Stamp {
    dev_t dev = 0;
    ino_t ino = 0;
    off_t size = -1;
    int64_t mtime_ns = 0;
    int64_t ctime_ns = 0;
    bool operator==(const Stamp&) const = default;
  };
  std::optional<Stamp> StatFile() const;

  std::string path_;
  base::Snapshot<const ClientCertMap> map_;
  base::Mutex mu_;  // serialises reloads
  std::optional<Stamp> stamp_ GUARDED_BY(mu_);
  std::atomic<int64_t> next_check_ns_{0};
};

// `wsmand cert map add USER --map FILE (--thumbprint HEX | --cert PEM |
//  --subject PATTERN (--issuer HEX | --issuer-cert PEM))`.
struct MapAddOptions {
  std::string map_file;
  std::string user;
  std::string thumbprint;
  std::string cert_file;
  std::string subject;
  std::string issuer;
  std::string issuer_cert_file;
};
// Exit codes: 0 ok, 2 bad usage, 1 I/O failure.
int RunCertMapAdd(const MapAddOptions& options, std::ostream& out,
                  std::ostream& err);
int RunCertMapDel(const std::string& map_file, const std::string& user,
                  const std::string& thumbprint, const std::string& subject,
                  std::ostream& out, std::ostream& err);
int RunCertMapList(const std::string& map_file, std::ostream& out,
                   std::ostream& err);

}  // namespace wsman::certs

#endif  // WSMAND_CERTS_CLIENT_CERT_MAP_H_
