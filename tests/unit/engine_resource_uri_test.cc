#include "engine/cim/resource_uri.h"

#include <gtest/gtest.h>

namespace wsman::engine::cim {
namespace {

TEST(ResourceUri, DmtfAndMicrosoftFamiliesNameTheClass) {
  auto d = ParseResourceUri(
      "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Process");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->family, UriFamily::kDmtf);
  EXPECT_EQ(d->class_name, "CIM_Process");
  EXPECT_TRUE(d->namespace_name.empty());
  auto m = ParseResourceUri(
      "http://schemas.microsoft.com/wbem/wscim/1/cim-schema/2/Win32_Process");
  ASSERT_TRUE(m);
  EXPECT_EQ(m->family, UriFamily::kMicrosoft);
  EXPECT_EQ(m->class_name, "Win32_Process");
}

TEST(ResourceUri, WmiFamilyCarriesTheNamespacePath) {
  auto w = ParseResourceUri(
      "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/standardcimv2/"
      "MSFT_NetAdapter");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->family, UriFamily::kWmi);
  EXPECT_EQ(w->namespace_name, "root/standardcimv2");
  EXPECT_EQ(w->class_name, "MSFT_NetAdapter");
  auto all =
      ParseResourceUri("http://schemas.microsoft.com/wbem/wsman/1/wmi/root/*");
  ASSERT_TRUE(all);
  EXPECT_TRUE(all->all_classes);
  EXPECT_EQ(all->namespace_name, "root");
}

TEST(ResourceUri, PrefixesIgnoreCase) {
  auto w = ParseResourceUri(
      "HTTP://schemas.Microsoft.com/WBEM/wsman/1/WMI/root/cimv2/win32_service");
  ASSERT_TRUE(w);
  EXPECT_EQ(w->family, UriFamily::kWmi);
  EXPECT_EQ(w->class_name, "win32_service");
}

TEST(ResourceUri, RefusesWhatNamesNoClass) {
  for (const char* uri : {
           "http://schemas.microsoft.com/wbem/wsman/1/wmi/Win32_Process",
           "http://schemas.microsoft.com/wbem/wsman/1/wmi/root//Win32_Process",
           "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/",
           "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/",
           "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/a/b",
           "http://schemas.microsoft.com/wbem/wsman/1/config",
           "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd",
       }) {
    EXPECT_FALSE(ParseResourceUri(uri)) << uri;
  }
}

TEST(ResourceUri, AllClassesUris) {
  EXPECT_TRUE(IsAllClassesUri("http://schemas.dmtf.org/wbem/wscim/1/*"));
  EXPECT_TRUE(
      IsAllClassesUri("http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/*"));
  EXPECT_TRUE(IsAllClassesUri(
      "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/*"));
  EXPECT_FALSE(
      IsAllClassesUri("http://schemas.microsoft.com/wbem/wsman/1/wmi/root/"
                      "cimv2/Win32_Process"));
}

TEST(ResourceUri, BuildsEachFamily) {
  EXPECT_EQ(BuildResourceUri(UriFamily::kWmi, "root\\cimv2", "Win32_Process"),
            "http://schemas.microsoft.com/wbem/wsman/1/wmi/root/cimv2/"
            "Win32_Process");
  EXPECT_EQ(BuildResourceUri(UriFamily::kDmtf, "ignored", "CIM_Process"),
            "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_Process");
  auto round =
      ParseResourceUri(BuildResourceUri(UriFamily::kWmi, "root/a/b", "X_Y"));
  ASSERT_TRUE(round);
  EXPECT_EQ(round->namespace_name, "root/a/b");
  EXPECT_EQ(round->class_name, "X_Y");
}

}  // namespace
}  // namespace wsman::engine::cim
