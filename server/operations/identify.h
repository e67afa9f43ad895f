// wsmid:Identify: what the service is (protocol version, vendor, version in
// Windows' "OS: ... SP: ... Stack: 3.0" form) and which security profiles
// are enabled.
#ifndef WSMAND_SERVER_OPERATIONS_IDENTIFY_H_
#define WSMAND_SERVER_OPERATIONS_IDENTIFY_H_

#include <string>
#include <vector>

#include "server/dispatch.h"

namespace wsman::server {

struct IdentifyInfo {
  std::string product_vendor = "wsmand";
  std::string os_version;  // e.g. the kernel release
  std::vector<std::string> security_profiles;
};

Operation MakeIdentifyOperation(IdentifyInfo info);

}  // namespace wsman::server

#endif  // WSMAND_SERVER_OPERATIONS_IDENTIFY_H_
