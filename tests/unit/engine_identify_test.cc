// wsmid:Identify: the "OS: d.d.d" form, and what an unauthenticated caller
// does not learn ([MS-WSMV] 3.1.4.1.23).
#include "engine/identify.h"

#include <gtest/gtest.h>

#include "soap/envelope_parser.h"

namespace wsman::engine {
namespace {

constexpr char kIdentify[] =
    "<s:Envelope xmlns:s=\"http://www.w3.org/2003/05/soap-envelope\" "
    "xmlns:wsmid=\"http://schemas.dmtf.org/wbem/wsman/identity/1/"
    "wsmanidentity.xsd\"><s:Header/><s:Body><wsmid:Identify/></s:Body>"
    "</s:Envelope>";

constexpr char kBasicProfile[] =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/secprofile/http/basic";

std::string Answer(const providers::Identity* identity) {
  IdentifyInfo info;
  info.kernel_release = "6.1.0-13-amd64";
  info.security_profiles = {kBasicProfile};
  Operation identify = MakeIdentifyOperation(info);
  auto parsed = soap::ParseEnvelope(kIdentify, soap::ParseLimits{});
  EXPECT_TRUE(parsed.ok());
  OperationContext context{parsed->request(), identity, "peer", "host", 512000};
  std::string out;
  EXPECT_TRUE(identify(context, &out).ok());
  return out;
}

TEST(IdentifyTest, OsVersionIsThreeNumbers) {
  EXPECT_EQ(OsVersionOf("6.1.0-13-amd64"), "6.1.0");
  EXPECT_EQ(OsVersionOf("6.18.44-fc-v1045"), "6.18.44");
  EXPECT_EQ(OsVersionOf("5.10"), "5.10.0");
  EXPECT_EQ(OsVersionOf("6.8.0-rc1+"), "6.8.0");
  EXPECT_EQ(OsVersionOf("4.19.0.1"), "4.19.0");
  EXPECT_EQ(OsVersionOf(""), "0.0.0");
  EXPECT_EQ(OsVersionOf("linux"), "0.0.0");
  // Absurdly long digit runs are cut, not copied whole.
  EXPECT_EQ(OsVersionOf("12345678901234567890"), "123456789.0.0");
}

TEST(IdentifyTest, AuthenticatedCallerSeesProfilesAndKernel) {
  providers::Identity alice;
  alice.user = "alice";
  std::string out = Answer(&alice);
  EXPECT_NE(out.find("OS: 6.1.0 SP: 0.0 Stack: 3.0"), std::string::npos);
  EXPECT_NE(out.find(kBasicProfile), std::string::npos);
  EXPECT_NE(out.find(">6.1.0-13-amd64</wsmand:KernelRelease>"),
            std::string::npos);
  EXPECT_NE(out.find(std::string(kWsmandIdentityNs)), std::string::npos);
}

TEST(IdentifyTest, UnauthenticatedCallerLearnsNeither) {
  std::string out = Answer(nullptr);
  EXPECT_NE(out.find("OS: 0.0.0 SP: 0.0 Stack: 3.0"), std::string::npos);
  EXPECT_EQ(out.find("SecurityProfiles"), std::string::npos);
  EXPECT_EQ(out.find("6.1.0"), std::string::npos);
  EXPECT_EQ(out.find("KernelRelease"), std::string::npos);
}

}  // namespace
}  // namespace wsman::engine
