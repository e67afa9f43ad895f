// The local accounts file: one "name:hash" per line ('#' starts a comment),
// hashes made by libxcrypt (yescrypt "$y$" by default, SHA-512-crypt "$6$"
// accepted). Loading, constant-time-ish verification, and the atomic
// add/delete/list edits behind `wsmand user add|del|list`.
#ifndef WSMAND_SERVER_AUTH_ACCOUNTS_FILE_H_
#define WSMAND_SERVER_AUTH_ACCOUNTS_FILE_H_

#include <iosfwd>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/status.h"

namespace wsman::auth {

struct AccountEntry {
  std::string name;
  std::string hash;
  int line = 0;  // 1-based line in the file it came from
};

// An immutable, parsed accounts file. Safe to share between threads.
class AccountsFile {
 public:
  AccountsFile();  // empty: every Verify fails (after the dummy work)

  // Reads and parses `path`. Errors read "<path>:<line>: <what>". The file
  // and every directory above it are checked first (base/file_trust.h:
  // owned by root, or by the daemon's own user when it is not root, and not
  // writable by group or others); a refused file is not read and the error
  // says why and how to fix it.
  static base::StatusOr<AccountsFile> Load(const std::string& path);
  // Parses file content; `file_name` only labels error messages.
  static base::StatusOr<AccountsFile> Parse(std::string_view content,
                                            std::string_view file_name);

  const std::vector<AccountEntry>& entries() const { return entries_; }
  bool Contains(std::string_view name) const;

  // True when `password` matches the stored hash of `name`. Runs crypt for
  // unknown names too (against a dummy hash of the file's method), and
  // compares with CRYPTO_memcmp, so wrong user and wrong password cost the
  // same time.
  bool Verify(std::string_view name, std::string_view password) const;

 private:
  std::vector<AccountEntry> entries_;
  std::unordered_map<std::string, size_t> index_;
  std::string dummy_hash_;
};

// Ok unless `name` is empty, longer than 256 bytes, starts with '#' or
// contains ':', a control character (newline, NUL, ...) or surrounding
// white space.
base::Status ValidateAccountName(std::string_view name);

// Hashes `password` with a fresh random salt. `prefix` is a libxcrypt method
// prefix: "$y$" (yescrypt, default cost) or "$6$" (SHA-512-crypt).
base::StatusOr<std::string> HashPassword(std::string_view password,
                                         std::string_view prefix = "$y$");

// Adds `name` or replaces its hash when present (*replaced tells which).
// Creates the file when missing. The rewrite is atomic: a temporary file in
// the same directory, mode 0600, fsync, rename, fsync of the directory.
// Concurrent editors are serialised with flock on the directory. The edits
// refuse what Load refuses, a directory others may write, and a path that is
// a symbolic link (it would be replaced by a file; give the target instead).
base::Status AddAccount(const std::string& path, std::string_view name,
                        std::string_view password, bool* replaced = nullptr);
// Same, with a ready-made hash (must be "$y$..." or "$6$...").
base::Status AddAccountHash(const std::string& path, std::string_view name,
                            std::string_view hash, bool* replaced = nullptr);
// Removes `name`. Returns false when there was no such user.
base::StatusOr<bool> DeleteAccount(const std::string& path,
                                   std::string_view name);
// The user names in file order.
base::StatusOr<std::vector<std::string>> ListAccounts(const std::string& path);

// `wsmand user add NAME --accounts FILE --password-stdin`: reads one line
// from `in` as the password (trailing "\n" or "\r\n" removed; empty refused).
// Exit codes: 0 ok, 2 bad usage (bad name, empty password), 1 I/O failure.
int RunUserAdd(const std::string& accounts, const std::string& name,
               std::istream& in, std::ostream& out, std::ostream& err);
// `wsmand user del NAME --accounts FILE`: 0 ok, 2 unknown user or bad name,
// 1 I/O failure.
int RunUserDel(const std::string& accounts, const std::string& name,
               std::ostream& out, std::ostream& err);
// `wsmand user list --accounts FILE`: one name per line. 0 ok, 1 I/O failure.
int RunUserList(const std::string& accounts, std::ostream& out,
                std::ostream& err);

}  // namespace wsman::auth

#endif  // WSMAND_SERVER_AUTH_ACCOUNTS_FILE_H_
