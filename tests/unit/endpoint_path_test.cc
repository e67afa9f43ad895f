// Which request paths are the /wsman and /wsman-anon endpoints.
#include "server/endpoint_path.h"

#include <gtest/gtest.h>

namespace wsman::server {
namespace {

TEST(EndpointPathTest, WsmanAndEverythingUnderIt) {
  EXPECT_EQ(ClassifyPath("/wsman"), EndpointPath::kWsman);
  // The MI client (omicli, PowerShell's CIM cmdlets on Linux) sends this.
  EXPECT_EQ(ClassifyPath("/wsman/"), EndpointPath::kWsman);
  EXPECT_EQ(ClassifyPath("/wsman/subpath"), EndpointPath::kWsman);
  EXPECT_EQ(ClassifyPath("/WSMAN"), EndpointPath::kWsman);
  EXPECT_EQ(ClassifyPath("/wsman/./"), EndpointPath::kWsman);
  EXPECT_EQ(ClassifyPath("/x/../wsman"), EndpointPath::kWsman);
}

TEST(EndpointPathTest, AnonymousStaysDistinct) {
  EXPECT_EQ(ClassifyPath("/wsman-anon"), EndpointPath::kAnonymous);
  EXPECT_EQ(ClassifyPath("/wsman-anon/identify"), EndpointPath::kAnonymous);
  EXPECT_EQ(ClassifyPath("/wsman/../wsman-anon"), EndpointPath::kAnonymous);
}

TEST(EndpointPathTest, OtherPathsAreNoEndpoint) {
  EXPECT_EQ(ClassifyPath(""), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/wsmanx"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/wsman-anonymous"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/wsman/../etc/passwd"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/wsman/.."), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("//wsman"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("wsman"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("*"), EndpointPath::kNone);
  EXPECT_EQ(ClassifyPath("/index.html"), EndpointPath::kNone);
}

}  // namespace
}  // namespace wsman::server
