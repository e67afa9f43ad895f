// base/status: named constructors, details, StatusOr's two states.
#include "base/status.h"

#include <gtest/gtest.h>

#include <cerrno>
#include <memory>
#include <string>

namespace wsman::base {
namespace {

TEST(BaseStatus, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kOk);
  EXPECT_EQ(s.ToString(), "OK");
  EXPECT_EQ(s, Status::Ok());
}

TEST(BaseStatus, NamedConstructorsCarryCodeAndMessage) {
  Status s = Status::NotFound("no such user: bob");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Status::Code::kNotFound);
  EXPECT_EQ(s.message(), "no such user: bob");
  EXPECT_EQ(s.ToString(), "NotFound: no such user: bob");
  EXPECT_EQ(Status::InvalidArgument("x").code(),
            Status::Code::kInvalidArgument);
  EXPECT_EQ(Status::ResourceExhausted("x").code(),
            Status::Code::kResourceExhausted);
  EXPECT_EQ(Status::PermissionDenied("x").code(),
            Status::Code::kPermissionDenied);
  EXPECT_NE(Status::NotFound("x"), Status::NotFound("y"));
}

TEST(BaseStatus, FromErrnoNamesTheError) {
  Status s = Status::FromErrno("open /etc/x", ENOENT);
  EXPECT_EQ(s.code(), Status::Code::kIoError);
  EXPECT_EQ(s.message(), "open /etc/x: No such file or directory");
}

TEST(BaseStatus, DetailDistinguishesWithinACode) {
  Status a = Status::ResourceExhausted("too many shells").WithDetail(3);
  Status b = Status::ResourceExhausted("too many shells").WithDetail(4);
  EXPECT_EQ(a.detail(), 3);
  EXPECT_NE(a, b);
  EXPECT_EQ(Status::Internal("x").detail(), 0);
}

StatusOr<std::unique_ptr<int>> MakeInt(bool good) {
  if (!good) return Status::InvalidArgument("bad");
  return std::make_unique<int>(7);
}

TEST(BaseStatusOr, HoldsAValueOrAnError) {
  auto good = MakeInt(true);
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(**good, 7);
  EXPECT_TRUE(good.status().ok());
  EXPECT_EQ(good.message(), "");
  std::unique_ptr<int> moved = std::move(good).value();
  EXPECT_EQ(*moved, 7);

  auto bad = MakeInt(false);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), Status::Code::kInvalidArgument);
  EXPECT_EQ(bad.message(), "bad");
}

}  // namespace
}  // namespace wsman::base
