// base/uuid: the version-4 form and its bits.
#include "base/uuid.h"

#include <gtest/gtest.h>

#include <set>

namespace wsman::base {
namespace {

bool IsUpperHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

TEST(BaseUuid, FormatSetsVersionAndVariant) {
  std::array<uint8_t, 16> zeros{};
  char out[kUuidChars];
  FormatUuidV4(zeros, out);
  EXPECT_EQ(std::string(out, kUuidChars),
            "00000000-0000-4000-8000-000000000000");
  std::array<uint8_t, 16> ones;
  ones.fill(0xFF);
  FormatUuidV4(ones, out);
  EXPECT_EQ(std::string(out, kUuidChars),
            "FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF");
}

TEST(BaseUuid, NewUuidsAreWellFormedAndDistinct) {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    std::string id = NewUuid();
    ASSERT_EQ(id.size(), kUuidChars);
    for (size_t k = 0; k < id.size(); ++k) {
      if (k == 8 || k == 13 || k == 18 || k == 23) {
        EXPECT_EQ(id[k], '-') << id;
      } else {
        EXPECT_TRUE(IsUpperHex(id[k])) << id;
      }
    }
    EXPECT_EQ(id[14], '4') << id;
    EXPECT_TRUE(id[19] == '8' || id[19] == '9' || id[19] == 'A' ||
                id[19] == 'B')
        << id;
    seen.insert(id);
  }
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace wsman::base
