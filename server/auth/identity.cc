#include "server/auth/identity.h"

#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

namespace wsman::auth {

Identity IdentityForUser(std::string_view user) {
  Identity id;
  id.user = std::string(user);
  if (id.user.empty() || id.user.find('\0') != std::string::npos) return id;

  long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
  size_t size = hint > 0 ? static_cast<size_t>(hint) : 4096;
  std::vector<char> buf;
  for (int attempt = 0; attempt < 6; ++attempt, size *= 4) {
    buf.resize(size);
    struct passwd pw {};
    struct passwd* found = nullptr;
    int rc = getpwnam_r(id.user.c_str(), &pw, buf.data(), buf.size(), &found);
    if (rc == ERANGE) continue;
    if (rc != 0 || found == nullptr) return id;
    id.system_account = true;
    id.uid = pw.pw_uid;
    id.gid = pw.pw_gid;
    id.home = pw.pw_dir ? pw.pw_dir : "";
    id.shell = pw.pw_shell ? pw.pw_shell : "";
    return id;
  }
  return id;
}

}  // namespace wsman::auth
