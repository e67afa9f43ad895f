// Loads C-ABI provider modules (providers/abi/wsmand_provider.h): every
// *.so of a directory is dlopen()ed at start-up, its entry point called,
// its ABI version checked (a mismatch is refused with a log line) and its
// classes registered. Modules stay loaded for the life of the process.
#ifndef WSMAND_PROVIDERS_LOADER_H_
#define WSMAND_PROVIDERS_LOADER_H_

#include <string>

#include "providers/registry.h"

namespace wsman::providers {

struct LoadReport {
  size_t modules_loaded = 0;
  size_t modules_refused = 0;  // bad file, no entry point, wrong ABI, clash
  size_t classes = 0;
};

// Loads every *.so in `directory` (sorted by name) into `registry`.
// A missing directory is logged and yields an empty report. The directory
// and each module pass the ownership checks of base/file_trust.h (owned by
// root, or by the daemon's user when it is not root, and writable by nobody
// else, nor any directory above) BEFORE dlopen, so a refused module's
// constructors never run: a refused directory loads nothing
// (event=provider-directory), a refused module is event=provider-refused.
LoadReport LoadProviderDirectory(const std::string& directory,
                                 Registry* registry);

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_LOADER_H_
