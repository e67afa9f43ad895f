#include "base/user.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace wsman::base {
namespace {

TEST(BaseUser, RootByNameAndUid) {
  auto by_name = LookUpUser("root");
  ASSERT_TRUE(by_name.ok()) << by_name.message();
  EXPECT_EQ(by_name->name, "root");
  EXPECT_EQ(by_name->uid, 0u);
  EXPECT_EQ(by_name->gid, 0u);
  EXPECT_FALSE(by_name->home.empty());
  auto by_uid = LookUpUser(uid_t{0});
  ASSERT_TRUE(by_uid.ok()) << by_uid.message();
  EXPECT_EQ(by_uid->name, "root");
  EXPECT_EQ(by_uid->home, by_name->home);
  EXPECT_EQ(UserName(0), "root");
}

TEST(BaseUser, UnknownNameIsNotFound) {
  auto none = LookUpUser("wsmand-no-such-user-4711");
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Status::Code::kNotFound);
  EXPECT_NE(none.message().find("wsmand-no-such-user-4711"), std::string::npos);
  EXPECT_EQ(LookUpUser("").status().code(), Status::Code::kNotFound);
  EXPECT_EQ(LookUpUser(std::string("root\0x", 6)).status().code(),
            Status::Code::kNotFound);
}

TEST(BaseUser, UnknownUidHasNoName) {
  // Far above any uid a test machine allocates, below (uid_t)-1.
  const uid_t unused = 0x7ffffff0;
  EXPECT_EQ(LookUpUser(unused).status().code(), Status::Code::kNotFound);
  EXPECT_EQ(UserName(unused), std::nullopt);
}

TEST(BaseUser, GroupsIncludeThePrimaryGroup) {
  std::vector<gid_t> groups = GroupsOf("root", 0);
  EXPECT_NE(std::find(groups.begin(), groups.end(), gid_t{0}), groups.end());
  // An unknown user still has the group it was given.
  groups = GroupsOf("wsmand-no-such-user-4711", 4711);
  EXPECT_NE(std::find(groups.begin(), groups.end(), gid_t{4711}), groups.end());
  EXPECT_EQ(GroupsOf("", 12), std::vector<gid_t>{12});
}

TEST(BaseUser, GroupIdByName) {
  EXPECT_EQ(GroupId("root"), gid_t{0});
  EXPECT_EQ(GroupId("wsmand-no-such-group-4711"), std::nullopt);
  EXPECT_EQ(GroupId(""), std::nullopt);
}

}  // namespace
}  // namespace wsman::base
