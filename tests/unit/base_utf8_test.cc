// base/utf8: encoding every length, and the strict decoder's refusals.
#include "base/utf8.h"

#include <gtest/gtest.h>

namespace wsman::base {
namespace {

std::string Encode(uint32_t cp) {
  std::string out;
  AppendUtf8(cp, &out);
  return out;
}

bool DecodeOne(std::string_view s, uint32_t* cp) {
  size_t i = 0;
  return NextUtf8(s, &i, cp) && i == s.size();
}

TEST(BaseUtf8, EncodesEachLength) {
  EXPECT_EQ(Encode(0x41), "A");
  EXPECT_EQ(Encode(0xE9), "\xC3\xA9");
  EXPECT_EQ(Encode(0x20AC), "\xE2\x82\xAC");
  EXPECT_EQ(Encode(0x1F600), "\xF0\x9F\x98\x80");
  EXPECT_EQ(Encode(0x10FFFF), "\xF4\x8F\xBF\xBF");
}

TEST(BaseUtf8, DecodesWhatItEncodes) {
  for (uint32_t cp : {0x0u, 0x7Fu, 0x80u, 0x7FFu, 0x800u, 0xD7FFu, 0xE000u,
                      0xFFFFu, 0x10000u, 0x10FFFFu}) {
    uint32_t got = 0xFFFFFFFF;
    ASSERT_TRUE(DecodeOne(Encode(cp), &got)) << cp;
    EXPECT_EQ(got, cp);
  }
}

TEST(BaseUtf8, RefusesInvalidSequences) {
  uint32_t cp;
  EXPECT_FALSE(DecodeOne("\xC0\x80", &cp));          // overlong NUL
  EXPECT_FALSE(DecodeOne("\xE0\x80\x80", &cp));      // overlong
  EXPECT_FALSE(DecodeOne("\xED\xA0\x80", &cp));      // surrogate D800
  EXPECT_FALSE(DecodeOne("\xF4\x90\x80\x80", &cp));  // above U+10FFFF
  EXPECT_FALSE(DecodeOne("\x80", &cp));              // continuation first
  EXPECT_FALSE(DecodeOne("\xE2\x82", &cp));          // truncated
  EXPECT_FALSE(DecodeOne("\xF5\x80\x80\x80", &cp));  // F5 lead
}

TEST(BaseUtf8, AdvancesPastOneSequence) {
  std::string s = "\xC3\xA9x";
  size_t i = 0;
  uint32_t cp = 0;
  ASSERT_TRUE(NextUtf8(s, &i, &cp));
  EXPECT_EQ(cp, 0xE9u);
  EXPECT_EQ(i, 2u);
}

}  // namespace
}  // namespace wsman::base
