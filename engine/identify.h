// wsmid:Identify (DSP0226 11, [MS-WSMV] 3.1.4.1.23): what the service is —
// protocol version, vendor, and version in Windows' "OS: d.d.d SP: 0.0
// Stack: 3.0" form — and, to an authenticated caller only, which security
// profiles are enabled and the full kernel release. An unauthenticated
// Identify (/wsman-anon, or WSMANIDENTIFY: unauthenticated) learns neither:
// Windows answers it with "OS: 0.0.0" and no SecurityProfiles.
//
// Thread rules: the operation is immutable once made; safe from any thread.
#ifndef WSMAND_ENGINE_IDENTIFY_H_
#define WSMAND_ENGINE_IDENTIFY_H_

#include <string>
#include <string_view>
#include <vector>

#include "engine/operation.h"

namespace wsman::engine {

// The namespace of wsmand's own IdentifyResponse extension elements
// (wsmanidentity.xsd ends IdentifyResponse with xs:any ##other).
inline constexpr std::string_view kWsmandIdentityNs =
    "http://schemas.wsmand.org/wbem/wsman/1/identity";

struct IdentifyInfo {
  std::string product_vendor = "wsmand";
  // uname -r, e.g. "6.1.0-13-amd64"; only authenticated callers see it.
  std::string kernel_release;
  std::vector<std::string> security_profiles;
};

// "6.1.0-13-amd64" -> "6.1.0", "5.10" -> "5.10.0", "" or junk -> "0.0.0":
// the ProductVersion "OS:" part in Windows' d.d.d form ([MS-WSMV] <71>).
std::string OsVersionOf(std::string_view kernel_release);

Operation MakeIdentifyOperation(IdentifyInfo info);

}  // namespace wsman::engine

#endif  // WSMAND_ENGINE_IDENTIFY_H_
