// wsmid:Identify: what the service is (protocol version, vendor, version in
// Windows' "OS: ... SP: ... Stack: 3.0" form) and which security profiles
// are enabled. The operation is immutable once made: safe from any thread.
#ifndef WSMAND_ENGINE_IDENTIFY_H_
#define WSMAND_ENGINE_IDENTIFY_H_

#include <string>
#include <vector>

#include "engine/operation.h"

namespace wsman::engine {

struct IdentifyInfo {
  std::string product_vendor = "wsmand";
  std::string os_version;  // e.g. the kernel release
  std::vector<std::string> security_profiles;
};

Operation MakeIdentifyOperation(IdentifyInfo info);

}  // namespace wsman::engine

#endif  // WSMAND_ENGINE_IDENTIFY_H_
