#include "engine/identify.h"

#include <cctype>

#include "soap/namespaces.h"
#include "soap/response_writer.h"

namespace wsman::engine {

std::string OsVersionOf(std::string_view release) {
  // Up to three dot-separated runs of digits from the start; the rest
  // ("-13-amd64", "+", "-rc1") is the distribution's.
  std::string parts[3] = {"0", "0", "0"};
  size_t pos = 0;
  for (int i = 0; i < 3; ++i) {
    size_t start = pos;
    while (pos < release.size() && pos - start < 9 &&
           std::isdigit(static_cast<unsigned char>(release[pos]))) {
      ++pos;
    }
    if (pos == start) break;
    parts[i] = std::string(release.substr(start, pos - start));
    if (pos >= release.size() || release[pos] != '.') break;
    ++pos;
  }
  return parts[0] + "." + parts[1] + "." + parts[2];
}

Operation MakeIdentifyOperation(IdentifyInfo info) {
  const std::string authenticated_version =
      "OS: " + OsVersionOf(info.kernel_release) + " SP: 0.0 Stack: 3.0";
  return [info = std::move(info), authenticated_version](
             const OperationContext& context, std::string* out) {
    // [MS-WSMV] 3.1.4.1.23: an unauthenticated Identify gets neither the
    // security profiles nor the operating system's version.
    const bool authenticated = context.identity != nullptr;
    soap::ResponseWriter writer(out);
    writer.StartEnvelope({}, context.request.message_id,
                         {{"wsmid", soap::ns::kIdentity}});
    writer.StartBody();
    soap::XmlWriter& xml = writer.xml();
    xml.Open("wsmid:IdentifyResponse");
    xml.Element("wsmid:ProtocolVersion", soap::ns::kWsman);
    xml.Element("wsmid:ProductVendor", info.product_vendor);
    xml.Element("wsmid:ProductVersion",
                authenticated
                    ? std::string_view(authenticated_version)
                    : std::string_view("OS: 0.0.0 SP: 0.0 Stack: 3.0"));
    if (authenticated && !info.security_profiles.empty()) {
      xml.Open("wsmid:SecurityProfiles");
      for (const std::string& profile : info.security_profiles) {
        xml.Element("wsmid:SecurityProfileName", profile);
      }
      xml.Close();
    }
    if (authenticated && !info.kernel_release.empty()) {
      xml.Open("wsmand:KernelRelease");
      xml.Xmlns("wsmand", kWsmandIdentityNs);
      xml.Text(info.kernel_release);
      xml.Close();
    }
    xml.Close();
    writer.Finish();
    return soap::Outcome(soap::Ok{});
  };
}

}  // namespace wsman::engine
