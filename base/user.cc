#include "base/user.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <string>

namespace wsman::base {
namespace {

// Runs `call(buf, size)` (a *_r lookup returning 0 or an errno value) with
// a buffer that grows fourfold on ERANGE, from the sysconf hint up to
// 6 attempts (4 KiB .. 4 MiB by default).
template <typename Call>
int WithGrowingBuffer(int sysconf_name, Call call) {
  long hint = ::sysconf(sysconf_name);
  size_t size = hint > 0 ? static_cast<size_t>(hint) : 4096;
  std::string buf;
  int rc = ERANGE;
  for (int attempt = 0; attempt < 6 && rc == ERANGE; ++attempt, size *= 4) {
    buf.resize(size);
    rc = call(buf.data(), buf.size());
  }
  return rc;
}

bool ValidName(std::string_view name) {
  return !name.empty() && name.find('\0') == std::string_view::npos;
}

UserAccount FromPasswd(const struct passwd& pw) {
  UserAccount a;
  a.name = pw.pw_name ? pw.pw_name : "";
  a.uid = pw.pw_uid;
  a.gid = pw.pw_gid;
  a.home = pw.pw_dir ? pw.pw_dir : "";
  a.shell = pw.pw_shell ? pw.pw_shell : "";
  return a;
}

StatusOr<UserAccount> Result(int rc, bool found, const UserAccount& a,
                             const std::string& what) {
  if (rc != 0) return Status::FromErrno("looking up user " + what, rc);
  if (!found) return Status::NotFound("no user " + what);
  return a;
}

}  // namespace

StatusOr<UserAccount> LookUpUser(std::string_view name) {
  const std::string n(name);
  if (!ValidName(name)) return Status::NotFound("no user '" + n + "'");
  UserAccount account;
  bool found = false;
  int rc = WithGrowingBuffer(_SC_GETPW_R_SIZE_MAX, [&](char* buf, size_t size) {
    struct passwd pw {};
    struct passwd* out = nullptr;
    int r = ::getpwnam_r(n.c_str(), &pw, buf, size, &out);
    if (r == 0 && out != nullptr) {
      account = FromPasswd(pw);
      found = true;
    }
    return r;
  });
  return Result(rc, found, account, "'" + n + "'");
}

StatusOr<UserAccount> LookUpUser(uid_t uid) {
  UserAccount account;
  bool found = false;
  int rc = WithGrowingBuffer(_SC_GETPW_R_SIZE_MAX, [&](char* buf, size_t size) {
    struct passwd pw {};
    struct passwd* out = nullptr;
    int r = ::getpwuid_r(uid, &pw, buf, size, &out);
    if (r == 0 && out != nullptr) {
      account = FromPasswd(pw);
      found = true;
    }
    return r;
  });
  return Result(rc, found, account, "with uid " + std::to_string(uid));
}

std::optional<std::string> UserName(uid_t uid) {
  auto account = LookUpUser(uid);
  if (!account.ok() || account->name.empty()) return std::nullopt;
  return std::move(account->name);
}

std::vector<gid_t> GroupsOf(std::string_view user, gid_t gid) {
  if (!ValidName(user)) return {gid};
  const std::string n(user);
  int count = 64;
  std::vector<gid_t> groups;
  for (int attempt = 0; attempt < 6; ++attempt) {
    groups.resize(static_cast<size_t>(count));
    int asked = count;
    if (::getgrouplist(n.c_str(), gid, groups.data(), &count) >= 0) {
      groups.resize(static_cast<size_t>(count));
      if (groups.empty()) groups.push_back(gid);
      return groups;
    }
    // glibc sets `count` to the size needed; grow at least fourfold when
    // it does not, up to the kernel's NGROUPS_MAX (65536).
    if (count <= asked) count = asked * 4;
    if (count > 65536) break;
  }
  return {gid};
}

std::optional<gid_t> GroupId(std::string_view name) {
  if (!ValidName(name)) return std::nullopt;
  const std::string n(name);
  std::optional<gid_t> id;
  int rc = WithGrowingBuffer(_SC_GETGR_R_SIZE_MAX, [&](char* buf, size_t size) {
    struct group gr {};
    struct group* out = nullptr;
    int r = ::getgrnam_r(n.c_str(), &gr, buf, size, &out);
    if (r == 0 && out != nullptr) id = out->gr_gid;
    return r;
  });
  if (rc != 0) return std::nullopt;
  return id;
}

}  // namespace wsman::base
