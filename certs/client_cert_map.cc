#include "certs/client_cert_map.h"

#include <sys/stat.h>

#include <chrono>
#include <ostream>

#include "base/file_trust.h"
#include "base/file_util.h"
#include "base/log.h"
#include "base/strings.h"
#include "certs/openssl_util.h"

namespace wsman::certs {

using base::DirectoryLock;
using base::DirectoryOf;
using base::JoinLines;
using base::ReadTrustedFile;
using base::SplitLines;
using base::WriteFileAtomic;
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Splits a line into tokens; a token may hold a "quoted" part with \" and
// \\ escapes. Returns false on an unterminated quote.
bool Tokenize(std::string_view line, std::vector<std::string>* tokens) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && IsSpace(line[i])) ++i;
    if (i >= line.size()) break;
    std::string token;
    while (i < line.size() && !IsSpace(line[i])) {
      if (line[i] != '"') {
        token.push_back(line[i++]);
        continue;
      }
      ++i;
      bool closed = false;
      while (i < line.size()) {
        char c = line[i++];
        if (c == '"') {
          closed = true;
          break;
        }
        if (c == '\\' && i < line.size()) c = line[i++];
        token.push_back(c);
      }
      if (!closed) return false;
    }
    tokens->push_back(std::move(token));
  }
  return true;
}

std::string Quote(std::string_view value) {
  bool plain = !value.empty();
  for (char c : value) {
    if (IsSpace(c) || c == '"' || c == '\\' || c == '#') plain = false;
  }
  if (plain) return std::string(value);
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out.push_back('\\');
    out.push_back(c);
  }
  out.push_back('"');
  return out;
}

constexpr const char* kHeader =
    "# wsmand client certificate map (see docs/https.md); edit with "
    "`wsmand cert map`";

// How specific a subject pattern is: exact beats any wildcard, longer
// suffixes beat shorter ones.
size_t Specificity(std::string_view pattern) {
  if (!pattern.starts_with('*')) return SIZE_MAX;
  return pattern.size() - 1;
}

// Read-modify-write under the directory lock. `edit` changes the raw lines
// given the parsed map (line numbers index into them).
// The directory must be one only root (or the editing user) can write, and
// the file passes the checks ClientCertMap::Load makes.
// Every failure is kIoError (the message says what failed), as the edits
// have always answered.
template <typename Edit>
base::Status EditMapFile(const std::string& path, bool create, Edit edit) {
  auto io_error = [](const base::Status& s) {
    return base::Status::IoError(s.message());
  };
  base::StatusOr<base::UniqueFd> dir_fd =
      base::OpenTrusted(DirectoryOf(path), base::TrustedKind::kDirectory);
  if (!dir_fd.ok()) return io_error(dir_fd.status());
  DirectoryLock lock(DirectoryOf(path));
  if (!lock.ok()) return base::Status::IoError(lock.error());
  base::StatusOr<std::string> read = ReadTrustedFile(path);
  if (!read.ok() &&
      !(create && read.status().code() == base::Status::Code::kNotFound)) {
    return io_error(read.status());
  }
  std::string content =
      read.ok() ? std::move(read).value() : std::string(kHeader) + "\n";
  ClientCertMap map;
  if (base::Status parsed = ClientCertMap::Parse(content, path, &map);
      !parsed.ok()) {
    return io_error(parsed);
  }
  std::vector<std::string_view> views = SplitLines(content);
  std::vector<std::string> lines(views.begin(), views.end());
  if (!edit(map, &lines)) return base::Status::Ok();  // nothing to write
  base::Status written = WriteFileAtomic(path, JoinLines(lines), 0600);
  return written.ok() ? written : io_error(written);
}

bool LoadThumbprintOf(const std::string& file, std::string* thumbprint,
                      std::string* error) {
  base::StatusOr<std::vector<X509Ptr>> certs = LoadCertificates(file);
  if (!certs.ok()) {
    *error = certs.message();
    return false;
  }
  *thumbprint = Sha1Thumbprint((*certs)[0].get());
  return true;
}

}  // namespace

bool UsableUpn(std::string_view upn) {
  if (upn.empty()) return false;
  for (char c : upn) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return false;
  }
  return true;
}

bool SubjectPatternMatches(std::string_view pattern, std::string_view value) {
  if (pattern == "*") return true;
  if (pattern.starts_with('*')) {
    std::string_view suffix = pattern.substr(1);
    return value.size() >= suffix.size() &&
           base::EqualsIgnoreCase(value.substr(value.size() - suffix.size()),
                                  suffix);
  }
  return base::EqualsIgnoreCase(pattern, value);
}

bool CertMapping::SameKey(const CertMapping& other) const {
  if (!thumbprint.empty() || !other.thumbprint.empty()) {
    return thumbprint == other.thumbprint;
  }
  return issuer == other.issuer &&
         base::EqualsIgnoreCase(subject, other.subject);
}

std::string CertMapping::ToLine() const {
  if (!thumbprint.empty()) return user + " thumbprint=" + thumbprint;
  return user + " issuer=" + issuer + " subject=" + Quote(subject);
}

base::Status ValidMapUser(std::string_view user) {
  if (user.empty() || user.size() > 256) {
    return base::Status::InvalidArgument("user name must be 1 to 256 bytes");
  }
  if (user[0] == '#') {
    return base::Status::InvalidArgument("user name must not start with '#'");
  }
  for (char c : user) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f || c == ' ' ||
        c == '=' || c == '"' || c == '\\') {
      return base::Status::InvalidArgument(
          "user name must not hold white space, '=', '\"', '\\' or "
          "control characters");
    }
  }
  return base::Status::Ok();
}

base::Status ValidateMapping(const CertMapping& m) {
  if (base::Status s = ValidMapUser(m.user); !s.ok()) return s;
  if (!m.thumbprint.empty()) {
    if (!m.issuer.empty() || !m.subject.empty()) {
      return base::Status::InvalidArgument(
          "a mapping has either a thumbprint or an issuer and a subject");
    }
    if (NormalizeThumbprint(m.thumbprint) != m.thumbprint) {
      return base::Status::InvalidArgument("thumbprint must be 40 hex digits");
    }
    return base::Status::Ok();
  }
  if (m.issuer.empty() || m.subject.empty()) {
    return base::Status::InvalidArgument(
        "a mapping needs a thumbprint, or an issuer and a subject");
  }
  if (NormalizeThumbprint(m.issuer) != m.issuer) {
    return base::Status::InvalidArgument(
        "issuer must be the CA's thumbprint (40 hex digits)");
  }
  if (m.subject.find('*', 1) != std::string::npos) {
    return base::Status::InvalidArgument(
        "subject may hold one '*', as its first character only");
  }
  for (char c : m.subject) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return base::Status::InvalidArgument(
          "subject must not hold control characters");
    }
  }
  return base::Status::Ok();
}

base::Status ClientCertMap::Parse(std::string_view content,
                                  std::string_view file_name,
                                  ClientCertMap* out) {
  out->entries_.clear();
  int line_no = 0;
  for (std::string_view line : SplitLines(content)) {
    ++line_no;
    auto fail = [&](const std::string& what) {
      return base::Status::InvalidArgument(
          std::string(file_name) + ":" + std::to_string(line_no) + ": " + what);
    };
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string_view::npos || line[first] == '#') continue;
    std::vector<std::string> tokens;
    if (!Tokenize(line, &tokens)) return fail("unterminated quote");
    CertMapping m;
    m.line = line_no;
    m.user = tokens[0];
    for (size_t i = 1; i < tokens.size(); ++i) {
      size_t eq = tokens[i].find('=');
      if (eq == std::string::npos) {
        return fail("expected key=value, not \"" + tokens[i] + "\"");
      }
      std::string key = tokens[i].substr(0, eq);
      std::string value = tokens[i].substr(eq + 1);
      std::string* field = key == "thumbprint" ? &m.thumbprint
                           : key == "issuer"   ? &m.issuer
                           : key == "subject"  ? &m.subject
                                               : nullptr;
      if (field == nullptr) return fail("unknown key \"" + key + "\"");
      if (!field->empty()) return fail("repeated key \"" + key + "\"");
      if (key != "subject") {
        std::string normal = NormalizeThumbprint(value);
        if (normal.empty()) return fail(key + " must be 40 hex digits");
        value = normal;
      }
      if (value.empty()) return fail("empty " + key);
      *field = value;
    }
    if (base::Status valid = ValidateMapping(m); !valid.ok()) {
      return fail(valid.message());
    }
    out->entries_.push_back(std::move(m));
  }
  return base::Status::Ok();
}

base::Status ClientCertMap::Load(const std::string& path, ClientCertMap* out) {
  base::StatusOr<std::string> content = ReadTrustedFile(path);
  if (!content.ok()) return base::Status::IoError(content.message());
  return Parse(*content, path, out);
}

std::optional<std::string> ClientCertMap::Match(const ClientCertInfo& cert,
                                                std::string* why) const {
  std::string ignored;
  if (why == nullptr) why = &ignored;
  why->clear();
  if (!cert.present || !cert.verified) return std::nullopt;
  for (const CertMapping& m : entries_) {
    if (!m.thumbprint.empty() && m.thumbprint == cert.thumbprint) {
      return m.user;
    }
  }
  // Subject mappings compare the UPN SANs only, as WinRM's certificate
  // mapping does: the subject CN never names a user (whoever requests a
  // certificate usually chooses it).
  if (cert.upns.empty()) {
    *why = "it has no userPrincipalName (the subject name is never mapped)";
    return std::nullopt;
  }
  for (const std::string& upn : cert.upns) {
    if (!UsableUpn(upn)) {
      *why = "a userPrincipalName holds a NUL or control character";
      return std::nullopt;
    }
  }
  const CertMapping* chosen = nullptr;
  for (const std::string& upn : cert.upns) {
    const CertMapping* best = nullptr;
    for (const CertMapping& m : entries_) {
      if (!m.thumbprint.empty() || m.issuer != cert.issuer_thumbprint ||
          !SubjectPatternMatches(m.subject, upn)) {
        continue;
      }
      if (best == nullptr ||
          Specificity(m.subject) > Specificity(best->subject)) {
        best = &m;
      }
    }
    if (best == nullptr) continue;
    if (chosen != nullptr && chosen->user != best->user) {
      *why = "its userPrincipalNames map to different users (" + chosen->user +
             ", " + best->user + ")";
      return std::nullopt;
    }
    if (chosen == nullptr) chosen = best;
  }
  if (chosen == nullptr) {
    *why = "no subject mapping matches its userPrincipalName";
    return std::nullopt;
  }
  return chosen->user;
}

base::Status AddCertMapping(const std::string& path, const CertMapping& mapping,
                            bool* replaced) {
  if (base::Status valid = ValidateMapping(mapping); !valid.ok()) return valid;
  *replaced = false;
  return EditMapFile(
      path, /*create=*/true,
      [&](const ClientCertMap& map, std::vector<std::string>* lines) {
        for (const CertMapping& m : map.entries()) {
          if (m.SameKey(mapping)) {
            (*lines)[m.line - 1] = mapping.ToLine();
            *replaced = true;
            return true;
          }
        }
        lines->push_back(mapping.ToLine());
        return true;
      });
}

base::Status DeleteCertMappings(const std::string& path, std::string_view user,
                                std::string_view thumbprint,
                                std::string_view subject, int* removed) {
  *removed = 0;
  std::string print;
  if (!thumbprint.empty()) {
    print = NormalizeThumbprint(thumbprint);
    if (print.empty()) {
      return base::Status::InvalidArgument("thumbprint must be 40 hex digits");
    }
  }
  return EditMapFile(
      path, /*create=*/false,
      [&](const ClientCertMap& map, std::vector<std::string>* lines) {
        std::vector<bool> drop(lines->size(), false);
        for (const CertMapping& m : map.entries()) {
          if (m.user != user) continue;
          if (!print.empty() && m.thumbprint != print) continue;
          if (!subject.empty() && !base::EqualsIgnoreCase(m.subject, subject)) {
            continue;
          }
          drop[m.line - 1] = true;
          ++*removed;
        }
        if (*removed == 0) return false;
        std::vector<std::string> kept;
        for (size_t i = 0; i < lines->size(); ++i) {
          if (!drop[i]) kept.push_back((*lines)[i]);
        }
        *lines = std::move(kept);
        return true;
      });
}

ClientCertMapSource::ClientCertMapSource(std::string path)
    : path_(std::move(path)), map_(std::make_shared<const ClientCertMap>()) {}

std::optional<ClientCertMapSource::Stamp> ClientCertMapSource::StatFile()
    const {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return std::nullopt;
  Stamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = st.st_size;
  s.mtime_ns =
      static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  // A chmod/chown changes only ctime: a map refused for its mode is
  // retried once it is fixed.
  s.ctime_ns =
      static_cast<int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
  return s;
}

base::Status ClientCertMapSource::Reload() {
  base::MutexLock lock(&mu_);
  std::optional<Stamp> stamp = StatFile();
  auto map = std::make_shared<ClientCertMap>();
  base::Status loaded = ClientCertMap::Load(path_, map.get());
  stamp_ = stamp;  // a broken file is not retried until it changes
  if (!loaded.ok()) return loaded;
  map_.Store(std::move(map));
  return base::Status::Ok();
}

std::shared_ptr<const ClientCertMap> ClientCertMapSource::Current() {
  int64_t now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                    std::chrono::steady_clock::now().time_since_epoch())
                    .count();
  int64_t next = next_check_ns_.load(std::memory_order_relaxed);
  if (now >= next &&
      next_check_ns_.compare_exchange_strong(next, now + 1000000000)) {
    std::optional<Stamp> stamp = StatFile();
    bool changed;
    {
      base::MutexLock lock(&mu_);
      changed = stamp != stamp_;
    }
    if (changed) {
      if (base::Status reloaded = Reload(); !reloaded.ok()) {
        log::Error("cert-map-reload-failed",
                   {{"error", reloaded.message()},
                    {"detail", "keeping the running map"}});
      } else {
        log::Info("cert-map-loaded", {{"file", path_}});
      }
    }
  }
  return map_.Load();
}

int RunCertMapAdd(const MapAddOptions& o, std::ostream& out,
                  std::ostream& err) {
  CertMapping m;
  m.user = o.user;
  std::string error;
  bool by_print = !o.thumbprint.empty() || !o.cert_file.empty();
  bool by_subject = !o.subject.empty();
  if (by_print == by_subject) {
    err << "wsmand: give --thumbprint or --cert, or --subject with --issuer "
           "or --issuer-cert\n";
    return 2;
  }
  if (by_print) {
    if (!o.thumbprint.empty() && !o.cert_file.empty()) {
      err << "wsmand: --thumbprint and --cert exclude each other\n";
      return 2;
    }
    if (!o.cert_file.empty()) {
      if (!LoadThumbprintOf(o.cert_file, &m.thumbprint, &error)) {
        err << "wsmand: " << error << "\n";
        return 1;
      }
    } else {
      m.thumbprint = NormalizeThumbprint(o.thumbprint);
      if (m.thumbprint.empty()) {
        err << "wsmand: --thumbprint must be 40 hex digits\n";
        return 2;
      }
    }
  } else {
    if (o.issuer.empty() == o.issuer_cert_file.empty()) {
      err << "wsmand: --subject needs one of --issuer or --issuer-cert\n";
      return 2;
    }
    m.subject = o.subject;
    if (!o.issuer_cert_file.empty()) {
      if (!LoadThumbprintOf(o.issuer_cert_file, &m.issuer, &error)) {
        err << "wsmand: " << error << "\n";
        return 1;
      }
    } else {
      m.issuer = NormalizeThumbprint(o.issuer);
      if (m.issuer.empty()) {
        err << "wsmand: --issuer must be the CA's thumbprint (40 hex "
               "digits)\n";
        return 2;
      }
    }
  }
  if (base::Status valid = ValidateMapping(m); !valid.ok()) {
    err << "wsmand: " << valid.message() << "\n";
    return 2;
  }
  bool replaced = false;
  if (base::Status added = AddCertMapping(o.map_file, m, &replaced);
      !added.ok()) {
    err << "wsmand: " << added.message() << "\n";
    return 1;
  }
  out << (replaced ? "Updated: " : "Added: ") << m.ToLine() << "\n";
  return 0;
}

int RunCertMapDel(const std::string& map_file, const std::string& user,
                  const std::string& thumbprint, const std::string& subject,
                  std::ostream& out, std::ostream& err) {
  if (base::Status valid = ValidMapUser(user); !valid.ok()) {
    err << "wsmand: " << valid.message() << "\n";
    return 2;
  }
  int removed = 0;
  base::Status deleted =
      DeleteCertMappings(map_file, user, thumbprint, subject, &removed);
  if (!deleted.ok()) {
    err << "wsmand: " << deleted.message() << "\n";
    return deleted.message().find("thumbprint") != std::string::npos ? 2 : 1;
  }
  if (removed == 0) {
    err << "wsmand: no such mapping for " << user << " in " << map_file << "\n";
    return 2;
  }
  out << "Removed " << removed << " mapping" << (removed == 1 ? "" : "s")
      << " of " << user << "\n";
  return 0;
}

int RunCertMapList(const std::string& map_file, std::ostream& out,
                   std::ostream& err) {
  ClientCertMap map;
  if (base::Status loaded = ClientCertMap::Load(map_file, &map); !loaded.ok()) {
    err << "wsmand: " << loaded.message() << "\n";
    return 1;
  }
  for (const CertMapping& m : map.entries()) out << m.ToLine() << "\n";
  return 0;
}

}  // namespace wsman::certs
