#include "server/auth/accounts_file.h"

#include <crypt.h>
#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <istream>
#include <memory>
#include <ostream>
#include <random>

#include "base/file_trust.h"
#include "base/file_util.h"
#include "base/strings.h"
#include "server/auth/basic_credentials.h"

namespace wsman::auth {
namespace {

bool IsAcceptedHash(std::string_view hash) {
  if (!hash.starts_with("$y$") && !hash.starts_with("$6$")) return false;
  std::string h(hash);
  return crypt_checksalt(h.c_str()) == CRYPT_SALT_OK;
}

// crypt_rn with a heap crypt_data (it is ~32 KiB). Returns "" on failure.
std::string Crypt(std::string_view password, const std::string& setting) {
  auto data = std::make_unique<crypt_data>();
  std::string pw(password);
  const char* r = crypt_rn(pw.c_str(), setting.c_str(), data.get(),
                           static_cast<int>(sizeof(crypt_data)));
  std::string out = (r != nullptr && r[0] != '*') ? std::string(r) : "";
  OPENSSL_cleanse(pw.data(), pw.size());
  OPENSSL_cleanse(data.get(), sizeof(crypt_data));
  return out;
}

std::string RandomToken() {
  unsigned char raw[16];
  if (RAND_bytes(raw, sizeof raw) != 1) {
    std::random_device rd;  // fallback; the dummy must merely never match
    for (auto& b : raw) b = static_cast<unsigned char>(rd());
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (unsigned char b : raw) {
    s.push_back(kHex[b >> 4]);
    s.push_back(kHex[b & 15]);
  }
  return s;
}

// Reads the whole file after the ownership checks of base/file_trust.h (a
// file others may write could hand out any account, root's included);
// kNotFound tells ENOENT apart from other errors.
base::StatusOr<std::string> ReadAll(const std::string& path) {
  return base::ReadTrustedFile(path);
}

// Read-modify-write of the accounts file under an exclusive flock on its
// directory. `edit` gets the parsed file and its raw lines. The directory
// must be one only root (or the editing user) can write: the new file is
// created there and renamed over the old one.
template <typename Edit>
base::Status EditFile(const std::string& path, bool create_if_missing,
                      Edit edit) {
  const std::string dir = base::DirectoryOf(path);
  base::StatusOr<base::UniqueFd> dir_fd =
      base::OpenTrusted(dir, base::TrustedKind::kDirectory);
  if (!dir_fd.ok()) return std::move(dir_fd).status();
  base::DirectoryLock lock(dir);
  if (!lock.ok()) return base::Status::IoError(lock.error());
  base::StatusOr<std::string> content = ReadAll(path);
  const bool missing = content.status().code() == base::Status::Code::kNotFound;
  if (!content.ok() && !(missing && create_if_missing)) {
    return content.status();
  }
  std::string text = content.ok() ? std::move(content).value() : "";
  base::StatusOr<AccountsFile> parsed = AccountsFile::Parse(text, path);
  if (!parsed.ok()) return parsed.status();
  std::vector<std::string_view> views = base::SplitLines(text);
  std::vector<std::string> lines(views.begin(), views.end());
  bool changed = false;
  base::Status s = edit(parsed.value(), lines, changed);
  if (!s.ok() || !changed) return s;
  return base::WriteFileAtomic(path, base::JoinLines(lines), 0600);
}

}  // namespace

AccountsFile::AccountsFile() = default;

base::StatusOr<AccountsFile> AccountsFile::Load(const std::string& path) {
  base::StatusOr<std::string> content = ReadAll(path);
  if (!content.ok()) return content.status();
  return Parse(content.value(), path);
}

base::StatusOr<AccountsFile> AccountsFile::Parse(std::string_view content,
                                                 std::string_view file_name) {
  AccountsFile file;
  auto error = [&](int line, std::string_view what) {
    std::string m(file_name);
    m += ':';
    m += std::to_string(line);
    m += ": ";
    m += what;
    return base::Status::InvalidArgument(std::move(m));
  };
  int line_no = 0;
  for (std::string_view line : base::SplitLines(content)) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    size_t first = line.find_first_not_of(" \t");
    if (first == std::string_view::npos || line[first] == '#') continue;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) {
      return error(line_no, "expected name:hash");
    }
    std::string_view name = line.substr(0, colon);
    std::string_view hash = line.substr(colon + 1);
    if (base::Status s = ValidateAccountName(name); !s.ok()) {
      return error(line_no, s.message());
    }
    if (!IsAcceptedHash(hash)) {
      return error(line_no,
                   "unsupported or malformed password hash (expected "
                   "yescrypt \"$y$...\" or SHA-512-crypt \"$6$...\")");
    }
    if (file.index_.count(std::string(name)) != 0) {
      return error(line_no, "duplicate user \"" + std::string(name) + "\"");
    }
    file.index_.emplace(std::string(name), file.entries_.size());
    file.entries_.push_back(
        AccountEntry{std::string(name), std::string(hash), line_no});
  }

  // The dummy hash for unknown users: same method and cost as the accounts
  // (the first yescrypt entry, else the first entry, else default yescrypt).
  std::string setting;
  for (const auto& e : file.entries_) {
    if (e.hash.starts_with("$y$")) {
      setting = e.hash;
      break;
    }
  }
  if (setting.empty() && !file.entries_.empty()) {
    setting = file.entries_.front().hash;
  }
  if (setting.empty()) {
    char buf[CRYPT_GENSALT_OUTPUT_SIZE];
    if (crypt_gensalt_rn("$y$", 0, nullptr, 0, buf, sizeof buf) != nullptr) {
      setting = buf;
    }
  }
  if (!setting.empty()) file.dummy_hash_ = Crypt(RandomToken(), setting);
  return file;
}

bool AccountsFile::Contains(std::string_view name) const {
  return index_.count(std::string(name)) != 0;
}

bool AccountsFile::Verify(std::string_view name,
                          std::string_view password) const {
  auto it = index_.find(std::string(name));
  const bool known = it != index_.end();
  const std::string& stored = known ? entries_[it->second].hash : dummy_hash_;
  if (stored.empty()) return false;
  bool usable = password.find('\0') == std::string_view::npos;
  std::string computed = Crypt(usable ? password : std::string_view(), stored);
  bool match =
      computed.size() == stored.size() &&
      CRYPTO_memcmp(computed.data(), stored.data(), stored.size()) == 0;
  return known && usable && match;
}

base::Status ValidateAccountName(std::string_view name) {
  if (name.empty()) return base::Status::InvalidArgument("empty user name");
  if (name.size() > kMaxUserBytes) {
    return base::Status::InvalidArgument("user name longer than 256 bytes");
  }
  if (name.front() == '#')
    return base::Status::InvalidArgument("user name starts with '#'");
  if (name.front() == ' ' || name.front() == '\t' || name.back() == ' ' ||
      name.back() == '\t') {
    return base::Status::InvalidArgument(
        "user name has leading or trailing white space");
  }
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (c == ':')
      return base::Status::InvalidArgument("user name contains ':'");
    if (u < 0x20 || u == 0x7f) {
      return base::Status::InvalidArgument(
          "user name contains a control character");
    }
  }
  return base::Status::Ok();
}

base::StatusOr<std::string> HashPassword(std::string_view password,
                                         std::string_view prefix) {
  if (prefix != "$y$" && prefix != "$6$") {
    return base::Status::InvalidArgument("unsupported hash method");
  }
  if (password.find('\0') != std::string_view::npos) {
    return base::Status::InvalidArgument("password contains a NUL byte");
  }
  std::string p(prefix);
  char salt[CRYPT_GENSALT_OUTPUT_SIZE];
  if (crypt_gensalt_rn(p.c_str(), 0, nullptr, 0, salt, sizeof salt) ==
      nullptr) {
    return base::Status::Internal(std::string("crypt_gensalt failed: ") +
                                  std::strerror(errno));
  }
  std::string hash = Crypt(password, salt);
  if (hash.empty()) return base::Status::Internal("crypt failed");
  return hash;
}

base::Status AddAccountHash(const std::string& path, std::string_view name,
                            std::string_view hash, bool* replaced) {
  if (base::Status s = ValidateAccountName(name); !s.ok()) return s;
  if (!IsAcceptedHash(hash))
    return base::Status::InvalidArgument("unsupported password hash");
  if (replaced) *replaced = false;
  std::string line = std::string(name) + ":" + std::string(hash);
  return EditFile(path, /*create_if_missing=*/true,
                  [&](const AccountsFile& file, std::vector<std::string>& lines,
                      bool& changed) {
                    changed = true;
                    for (const auto& e : file.entries()) {
                      if (e.name == name) {
                        lines[static_cast<size_t>(e.line - 1)] = line;
                        if (replaced) *replaced = true;
                        return base::Status::Ok();
                      }
                    }
                    lines.push_back(line);
                    return base::Status::Ok();
                  });
}

base::Status AddAccount(const std::string& path, std::string_view name,
                        std::string_view password, bool* replaced) {
  if (base::Status s = ValidateAccountName(name); !s.ok()) return s;
  if (password.empty()) return base::Status::InvalidArgument("empty password");
  if (password.size() > kMaxPasswordBytes) {
    return base::Status::InvalidArgument("password longer than 1024 bytes");
  }
  base::StatusOr<std::string> hash = HashPassword(password);
  if (!hash.ok()) return hash.status();
  return AddAccountHash(path, name, hash.value(), replaced);
}

base::StatusOr<bool> DeleteAccount(const std::string& path,
                                   std::string_view name) {
  bool found = false;
  base::Status s =
      EditFile(path, /*create_if_missing=*/false,
               [&](const AccountsFile& file, std::vector<std::string>& lines,
                   bool& changed) {
                 for (const auto& e : file.entries()) {
                   if (e.name == name) {
                     lines.erase(lines.begin() + (e.line - 1));
                     found = changed = true;
                     break;
                   }
                 }
                 return base::Status::Ok();
               });
  if (!s.ok()) return s;
  return found;
}

base::StatusOr<std::vector<std::string>> ListAccounts(const std::string& path) {
  base::StatusOr<AccountsFile> file = AccountsFile::Load(path);
  if (!file.ok()) return file.status();
  std::vector<std::string> names;
  for (const auto& e : file->entries()) names.push_back(e.name);
  return names;
}

int RunUserAdd(const std::string& accounts, const std::string& name,
               std::istream& in, std::ostream& out, std::ostream& err) {
  if (accounts.empty()) {
    err << "wsmand: user add: no accounts file given (--accounts FILE)\n";
    return 2;
  }
  if (base::Status s = ValidateAccountName(name); !s.ok()) {
    err << "wsmand: user add: " << s.message() << "\n";
    return 2;
  }
  std::string password;
  std::getline(in, password);
  if (!password.empty() && password.back() == '\r') password.pop_back();
  if (password.empty()) {
    err << "wsmand: user add: empty password (give one line on stdin)\n";
    return 2;
  }
  if (password.size() > kMaxPasswordBytes ||
      password.find('\0') != std::string::npos) {
    OPENSSL_cleanse(password.data(), password.size());
    err << "wsmand: user add: password longer than 1024 bytes or contains "
           "a NUL byte\n";
    return 2;
  }
  bool replaced = false;
  base::Status s = AddAccount(accounts, name, password, &replaced);
  OPENSSL_cleanse(password.data(), password.size());
  if (!s.ok()) {
    err << "wsmand: user add: " << s.message() << "\n";
    return 1;
  }
  out << (replaced ? "updated password of user " : "added user ") << name
      << " in " << accounts << "\n";
  return 0;
}

int RunUserDel(const std::string& accounts, const std::string& name,
               std::ostream& out, std::ostream& err) {
  if (accounts.empty()) {
    err << "wsmand: user del: no accounts file given (--accounts FILE)\n";
    return 2;
  }
  if (base::Status s = ValidateAccountName(name); !s.ok()) {
    err << "wsmand: user del: " << s.message() << "\n";
    return 2;
  }
  base::StatusOr<bool> deleted = DeleteAccount(accounts, name);
  if (!deleted.ok()) {
    err << "wsmand: user del: " << deleted.message() << "\n";
    return 1;
  }
  if (!deleted.value()) {
    err << "wsmand: user del: no user " << name << " in " << accounts << "\n";
    return 2;
  }
  out << "deleted user " << name << " from " << accounts << "\n";
  return 0;
}

int RunUserList(const std::string& accounts, std::ostream& out,
                std::ostream& err) {
  if (accounts.empty()) {
    err << "wsmand: user list: no accounts file given (--accounts FILE)\n";
    return 2;
  }
  base::StatusOr<std::vector<std::string>> names = ListAccounts(accounts);
  if (!names.ok()) {
    err << "wsmand: user list: " << names.message() << "\n";
    return 1;
  }
  for (const auto& n : names.value()) out << n << "\n";
  return 0;
}

}  // namespace wsman::auth
