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

TEST(OperationQuota, ANewLimitAppliesToNewRequestsOnly) {
  OperationQuota quota(3);
  OperationQuota::Slot a1 = quota.Begin("alice");
  OperationQuota::Slot a2 = quota.Begin("alice");
  // Lowered below what is in progress: the slots held stay, nothing new.
  quota.set_max_per_user(1);
  EXPECT_EQ(quota.max_per_user(), 1u);
  EXPECT_EQ(quota.InProgress("alice"), 2u);
  EXPECT_FALSE(quota.Begin("alice"));
  a1 = OperationQuota::Slot();
  EXPECT_FALSE(quota.Begin("alice"));  // still one in progress
  a2 = OperationQuota::Slot();
  OperationQuota::Slot a3 = quota.Begin("alice");
  EXPECT_TRUE(a3);
  EXPECT_FALSE(quota.Begin("alice"));
  // Raised: at once.
  quota.set_max_per_user(2);
  EXPECT_TRUE(quota.Begin("alice"));
}

}  // namespace
}  // namespace wsman::server
