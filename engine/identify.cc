#include "engine/identify.h"

#include "soap/namespaces.h"
#include "soap/response_writer.h"

namespace wsman::engine {

Operation MakeIdentifyOperation(IdentifyInfo info) {
  std::string product_version =
      "OS: " + info.os_version + " SP: 0.0 Stack: 3.0";
  return [info = std::move(info), product_version](
             const OperationContext& context, std::string* out) {
    soap::ResponseWriter writer(out);
    writer.StartEnvelope({}, context.request.message_id,
                         {{"wsmid", soap::ns::kIdentity}});
    writer.StartBody();
    soap::XmlWriter& xml = writer.xml();
    xml.Open("wsmid:IdentifyResponse");
    xml.Element("wsmid:ProtocolVersion", soap::ns::kWsman);
    xml.Element("wsmid:ProductVendor", info.product_vendor);
    xml.Element("wsmid:ProductVersion", product_version);
    if (!info.security_profiles.empty()) {
      xml.Open("wsmid:SecurityProfiles");
      for (const std::string& profile : info.security_profiles) {
        xml.Element("wsmid:SecurityProfileName", profile);
      }
      xml.Close();
    }
    xml.Close();
    writer.Finish();
    return soap::Outcome(soap::Ok{});
  };
}

}  // namespace wsman::engine
