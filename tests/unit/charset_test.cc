#include "soap/charset.h"

#include <gtest/gtest.h>

#include <string>

namespace wsman::soap {
namespace {

// "hé€😀" in UTF-8: ASCII, 2-, 3- and 4-byte sequences.
const std::string kText = "<x>h\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80</x>";

std::string Utf16(bool big_endian, bool bom) {
  // Code units of kText.
  const uint16_t units[] = {'<',    'x',    '>', 'h', 0x00E9, 0x20AC,
                            0xD83D, 0xDE00, '<', '/', 'x',    '>'};
  std::string out;
  if (bom) out = big_endian ? "\xFE\xFF" : "\xFF\xFE";
  for (uint16_t u : units) {
    char hi = static_cast<char>(u >> 8), lo = static_cast<char>(u & 0xFF);
    if (big_endian) {
      out += hi;
      out += lo;
    } else {
      out += lo;
      out += hi;
    }
  }
  return out;
}

void ExpectCharsetFault(std::string_view body, Charset declared) {
  auto r = DecodeToUtf8(body, declared);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.fault().code, FaultCode::kEncodingLimit);
  EXPECT_EQ(r.fault().detail, fault_detail::kCharacterSet);
}

TEST(Charset, Utf8PassesThrough) {
  Charset actual = Charset::kUtf16LE;
  auto r = DecodeToUtf8(kText, Charset::kUtf8, &actual);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf8);
  EXPECT_EQ(EncodeFromUtf8(kText, Charset::kUtf8), kText);
}

TEST(Charset, Utf8BomIsDropped) {
  auto r = DecodeToUtf8("\xEF\xBB\xBF" + kText, Charset::kUtf8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
}

TEST(Charset, InvalidUtf8) {
  for (const std::string& bad : {
           std::string("\xC0\xAF"),          // overlong '/'
           std::string("\xC1\xBF"),          // overlong
           std::string("\xE0\x80\xAF"),      // overlong 3-byte
           std::string("\xF0\x80\x80\xAF"),  // overlong 4-byte
           std::string("\xED\xA0\x80"),      // U+D800
           std::string("\xED\xBF\xBF"),      // U+DFFF
           std::string("\xF4\x90\x80\x80"),  // U+110000
           std::string("\xF5\x80\x80\x80"),  // lead byte out of range
           std::string("\xFF"), std::string("\xFE"),
           std::string("\x80"),          // stray continuation
           std::string("\xE2\x82"),      // truncated
           std::string("\xF0\x9F\x98"),  // truncated
           std::string("\xC3\x28"),      // bad continuation
       }) {
    SCOPED_TRACE(testing::PrintToString(bad));
    ExpectCharsetFault("<x>" + bad + "</x>", Charset::kUtf8);
    EXPECT_FALSE(IsValidUtf8(bad));
  }
  // Boundaries that are valid.
  for (const std::string& good :
       {std::string("\xC2\x80"), std::string("\xDF\xBF"),
        std::string("\xE0\xA0\x80"), std::string("\xED\x9F\xBF"),
        std::string("\xEE\x80\x80"), std::string("\xEF\xBF\xBF"),
        std::string("\xF0\x90\x80\x80"), std::string("\xF4\x8F\xBF\xBF")}) {
    EXPECT_TRUE(IsValidUtf8(good)) << testing::PrintToString(good);
  }
}

TEST(Charset, Utf16LeRoundTrip) {
  Charset actual = Charset::kUtf8;
  auto r = DecodeToUtf8(Utf16(false, true), Charset::kUtf16LE, &actual);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16LE);
  EXPECT_EQ(EncodeFromUtf8(kText, Charset::kUtf16LE), Utf16(false, true));
}

TEST(Charset, Utf16BeRoundTrip) {
  Charset actual = Charset::kUtf8;
  auto r = DecodeToUtf8(Utf16(true, true), Charset::kUtf16BE, &actual);
  ASSERT_TRUE(r.ok()) << r.fault().message;
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16BE);
  EXPECT_EQ(EncodeFromUtf8(kText, Charset::kUtf16BE), Utf16(true, true));
}

TEST(Charset, BomDecidesByteOrder) {
  Charset actual = Charset::kUtf8;
  auto r = DecodeToUtf8(Utf16(true, true), Charset::kUtf16LE, &actual);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16BE);
  r = DecodeToUtf8(Utf16(false, true), Charset::kUtf16BE, &actual);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16LE);
}

TEST(Charset, Utf16WithoutBomUsesDeclaredOrder) {
  Charset actual = Charset::kUtf8;
  auto r = DecodeToUtf8(Utf16(true, false), Charset::kUtf16BE, &actual);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16BE);
  r = DecodeToUtf8(Utf16(false, false), Charset::kUtf16LE, &actual);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, kText);
  EXPECT_EQ(actual, Charset::kUtf16LE);
}

TEST(Charset, InvalidUtf16) {
  // Odd length.
  ExpectCharsetFault(Utf16(false, true) + "x", Charset::kUtf16LE);
  // Lone high surrogate at the end.
  ExpectCharsetFault(std::string("\xFF\xFE<\0\x3D\xD8", 6), Charset::kUtf16LE);
  // High surrogate followed by a non-surrogate.
  ExpectCharsetFault(std::string("\xFF\xFE\x3D\xD8<\0", 6), Charset::kUtf16LE);
  // Lone low surrogate.
  ExpectCharsetFault(std::string("\xFE\xFF\xDE\x00\x00<", 6),
                     Charset::kUtf16BE);
  // Two high surrogates.
  ExpectCharsetFault(std::string("\xFE\xFF\xD8\x3D\xD8\x3D", 6),
                     Charset::kUtf16BE);
}

TEST(Charset, BomMustAgreeWithDeclaration) {
  ExpectCharsetFault(Utf16(false, true), Charset::kUtf8);
  ExpectCharsetFault(Utf16(true, true), Charset::kUtf8);
  ExpectCharsetFault("\xEF\xBB\xBF<x/>", Charset::kUtf16LE);
}

TEST(Charset, EmptyBodies) {
  auto r = DecodeToUtf8("", Charset::kUtf8);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
  r = DecodeToUtf8("\xFF\xFE", Charset::kUtf16LE);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, "");
  EXPECT_EQ(EncodeFromUtf8("", Charset::kUtf16LE), "\xFF\xFE");
}

TEST(Charset, LargeRoundTrip) {
  std::string big;
  for (int i = 0; i < 20000; ++i) big += kText;
  for (Charset c : {Charset::kUtf16LE, Charset::kUtf16BE, Charset::kUtf8}) {
    auto r = DecodeToUtf8(EncodeFromUtf8(big, c), c);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(*r, big);
  }
}

TEST(Charset, Names) {
  EXPECT_EQ(CharsetName(Charset::kUtf8), "UTF-8");
  EXPECT_EQ(CharsetName(Charset::kUtf16LE), "UTF-16");
  EXPECT_EQ(CharsetName(Charset::kUtf16BE), "UTF-16");
}

}  // namespace
}  // namespace wsman::soap
