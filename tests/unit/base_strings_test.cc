// base/strings: ASCII case folding, trimming and line splitting.
#include "base/strings.h"

#include <gtest/gtest.h>

namespace wsman::base {
namespace {

TEST(BaseStrings, EqualsIgnoreCaseFoldsOnlyAsciiLetters) {
  EXPECT_TRUE(EqualsIgnoreCase("Content-Length", "content-LENGTH"));
  EXPECT_TRUE(EqualsIgnoreCase("", ""));
  EXPECT_FALSE(EqualsIgnoreCase("abc", "abcd"));
  EXPECT_FALSE(EqualsIgnoreCase("a", "b"));
  // '@' and '`' sit next to 'A' and 'a'; '[' next to 'Z': not letters.
  EXPECT_FALSE(EqualsIgnoreCase("@", "`"));
  EXPECT_FALSE(EqualsIgnoreCase("[", "{"));
  // Bytes above 0x7f compare as they are (no locale folding).
  EXPECT_FALSE(EqualsIgnoreCase("\xc3\x89", "\xc3\xa9"));
  EXPECT_TRUE(EqualsIgnoreCase("\xc3\x89x", "\xc3\x89X"));
}

TEST(BaseStrings, AsciiLoweredKeepsOtherBytes) {
  EXPECT_EQ(AsciiLowered("Win32_Process"), "win32_process");
  EXPECT_EQ(AsciiLowered("A\xc3\x89Z@["), "a\xc3\x89z@[");
  EXPECT_EQ(AsciiLower('Q'), 'q');
  EXPECT_EQ(AsciiLower('1'), '1');
}

TEST(BaseStrings, TrimTakesTheGivenSetFromBothEnds) {
  EXPECT_EQ(Trim("  a b \r\n"), "a b");
  EXPECT_EQ(Trim(" \t\r\n"), "");
  EXPECT_EQ(Trim(""), "");
  EXPECT_EQ(Trim("xxaxx", "x"), "a");
  EXPECT_EQ(Trim(" a\n", " "), "a\n");
}

TEST(BaseStrings, SplitLines) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitLines(""), V{});
  EXPECT_EQ(SplitLines("a"), V{"a"});
  EXPECT_EQ(SplitLines("a\n"), V{"a"});
  EXPECT_EQ(SplitLines("a\n\nb"), (V{"a", "", "b"}));
  EXPECT_EQ(SplitLines("a\r\nb\r\n"), (V{"a\r", "b\r"}));
  EXPECT_EQ(SplitLines("\n"), V{""});
}

TEST(BaseStrings, SplitFieldsDropsEmptyFields) {
  using V = std::vector<std::string_view>;
  EXPECT_EQ(SplitFields(""), V{});
  EXPECT_EQ(SplitFields(" \t "), V{});
  EXPECT_EQ(SplitFields("  a\tb  c "), (V{"a", "b", "c"}));
  EXPECT_EQ(SplitFields("cpu memory pids\n", kWhitespace),
            (V{"cpu", "memory", "pids"}));
  EXPECT_EQ(SplitFields("a,,b", ","), (V{"a", "b"}));
}

TEST(BaseStrings, UnescapeOctalDecodesMountTableEscapes) {
  EXPECT_EQ(UnescapeOctal("/mnt/my\\040disk"), "/mnt/my disk");
  EXPECT_EQ(UnescapeOctal("a\\011b\\012c\\134d"), "a\tb\nc\\d");
  // Not three octal digits: kept as it is.
  EXPECT_EQ(UnescapeOctal("x\\08y"), "x\\08y");
  EXPECT_EQ(UnescapeOctal("end\\04"), "end\\04");
  EXPECT_EQ(UnescapeOctal(""), "");
}

TEST(BaseStrings, JoinLinesInvertsSplitLines) {
  std::string text = "a\n\nb\n";
  std::vector<std::string_view> views = SplitLines(text);
  std::vector<std::string> lines(views.begin(), views.end());
  EXPECT_EQ(JoinLines(lines), text);
  EXPECT_EQ(JoinLines({}), "");
}

}  // namespace
}  // namespace wsman::base
