// MaxConcurrentOperationsPerUser: slots per user, given back with the Slot.
#include "server/operation_quota.h"

#include <gtest/gtest.h>

#include <vector>

namespace wsman::server {
namespace {

TEST(OperationQuota, LimitsEachUserOnItsOwn) {
  OperationQuota quota(2);
  OperationQuota::Slot a1 = quota.Begin("alice");
  OperationQuota::Slot a2 = quota.Begin("alice");
  ASSERT_TRUE(a1 && a2);
  EXPECT_FALSE(quota.Begin("alice"));  // the third waits for nothing: no
  EXPECT_TRUE(quota.Begin("bob"));     // another user is not affected
  EXPECT_EQ(quota.InProgress("alice"), 2u);
  {
    OperationQuota::Slot moved(std::move(a1));
    EXPECT_EQ(quota.InProgress("alice"), 2u);
  }
  EXPECT_EQ(quota.InProgress("alice"), 1u);
  EXPECT_TRUE(quota.Begin("alice"));
}

TEST(OperationQuota, ZeroMeansNoLimit) {
  OperationQuota quota(0);
  std::vector<OperationQuota::Slot> slots;
  for (int i = 0; i < 1000; ++i) {
    slots.push_back(quota.Begin("alice"));
    ASSERT_TRUE(slots.back());
  }
  slots.clear();
  EXPECT_EQ(quota.InProgress("alice"), 0u);
}

}  // namespace
}  // namespace wsman::server
