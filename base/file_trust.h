// Whether a file or directory is safe to trust, in the manner of sshd's
// StrictModes: before wsmand reads an accounts file, certificate map, config
// file, TLS key or certificate, or dlopen()s a provider module, the object
// and every directory on the way to it from "/" must be owned by a trusted
// user and writable by nobody else. Root is always trusted; a daemon that
// does not run as root also trusts its own user.
//
// The rules (docs/security.md, "Trusted files"):
//  - the object (file or directory) is owned by a trusted user and not
//    writable by group or others; a file is a regular file;
//  - every directory passed on the way (symbolic links are followed, and the
//    directories their targets go through are checked too) is owned by a
//    trusted user and not writable by group or others, except a sticky
//    directory (like /tmp, mode 1777): there only an entry's owner may
//    rename or remove it, so it is accepted when whatever is taken from it
//    (directory, symbolic link or file) is owned by a trusted user, and a
//    file taken from it has no other hard link;
//  - POSIX ACLs are not inspected.
// The walk holds a descriptor on each directory (openat with O_NOFOLLOW) and
// the checks are made with fstat on the descriptor that is then read, so the
// object cannot be swapped between the check and the use.
//
// Thread rules: no shared state; every function may be called from any
// thread.
#ifndef WSMAND_BASE_FILE_TRUST_H_
#define WSMAND_BASE_FILE_TRUST_H_

#include <sys/types.h>

#include <string>

#include "base/status.h"
#include "base/unique_fd.h"

namespace wsman::base {

// Who may own a trusted file and the directories above it.
struct TrustedOwners {
  uid_t self = 0;  // besides root; the daemon's effective uid

  static TrustedOwners OfThisProcess();
  bool Trusts(uid_t uid) const { return uid == 0 || uid == self; }
};

enum class TrustedKind { kFile, kDirectory };

// Opens `path` (relative paths start at the working directory) read-only and
// checks it as above. A refusal is kPermissionDenied with the message
// "refusing PATH: WHAT; run: FIX" naming the file or directory at fault; a
// component that does not exist (ENOENT) is kNotFound, other failures
// kIoError, both "PATH: cannot open: REASON". A kFile result is O_RDONLY, a
// kDirectory one O_RDONLY|O_DIRECTORY (usable with openat and fdopendir).
StatusOr<UniqueFd> OpenTrusted(
    const std::string& path, TrustedKind kind,
    TrustedOwners owners = TrustedOwners::OfThisProcess());

// OpenTrusted(kFile) and the whole content (at most 16 MiB).
StatusOr<std::string> ReadTrustedFile(
    const std::string& path,
    TrustedOwners owners = TrustedOwners::OfThisProcess());

}  // namespace wsman::base

#endif  // WSMAND_BASE_FILE_TRUST_H_
