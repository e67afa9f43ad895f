// WQL LIKE (engine/cim/wql_like.h): the semantics of the greedy matcher it
// replaced, checked case by case and against a copy of that matcher on
// random patterns and texts, and the limits the parser applies to patterns.
#include "engine/cim/wql_like.h"

#include <gtest/gtest.h>

#include <optional>
#include <random>
#include <string>

#include "engine/cim/wql.h"
#include "tests/unit/wql_like_reference.h"

namespace wsman::engine::cim {
namespace {

using reference::ReferenceLike;

// LikePattern::Compile's answer with its message in `error`; a refusal is
// always InvalidArgument.
std::optional<LikePattern> Compile(std::string_view pattern, std::string* error,
                                   size_t max_wildcard_segments = 32) {
  auto p = LikePattern::Compile(pattern, max_wildcard_segments);
  if (!p.ok()) {
    EXPECT_EQ(p.status().code(), base::Status::Code::kInvalidArgument);
    *error = p.status().message();
    return std::nullopt;
  }
  error->clear();
  return std::move(p).value();
}

bool Like(std::string_view text, std::string_view pattern) {
  std::string error;
  auto p = Compile(pattern, &error);
  EXPECT_TRUE(p) << pattern << ": " << error;
  return p && p->Matches(text);
}

TEST(WqlLike, Literals) {
  EXPECT_TRUE(Like("", ""));
  EXPECT_FALSE(Like("a", ""));
  EXPECT_TRUE(Like("abc", "abc"));
  EXPECT_TRUE(Like("ABC", "abc"));
  EXPECT_TRUE(Like("abc", "AbC"));
  EXPECT_FALSE(Like("abcd", "abc"));
  EXPECT_FALSE(Like("ab", "abc"));
  // Only ASCII letters fold; other bytes compare as they are.
  EXPECT_TRUE(Like("\xc3\xa9t\xc3\xa9", "\xc3\xa9T\xc3\xa9"));
  EXPECT_FALSE(Like("\xc3\x89", "\xc3\xa9"));
  EXPECT_TRUE(Like("a[b", "a[b"));  // no closing ']': a literal '['
  EXPECT_TRUE(Like("[", "["));
  EXPECT_FALSE(Like("x", "["));
}

TEST(WqlLike, Percent) {
  EXPECT_TRUE(Like("", "%"));
  EXPECT_TRUE(Like("abc", "%%%"));
  EXPECT_TRUE(Like("abc", "a%"));
  EXPECT_TRUE(Like("abc", "%c"));
  EXPECT_TRUE(Like("abc", "%b%"));
  EXPECT_TRUE(Like("abc", "a%c"));
  EXPECT_TRUE(Like("ac", "a%c"));
  EXPECT_FALSE(Like("a", "a%a"));  // the anchored ends may not overlap
  EXPECT_TRUE(Like("aa", "a%a"));
  EXPECT_TRUE(Like("aXbXc", "a%b%c"));
  EXPECT_FALSE(Like("aXbXd", "a%b%c"));
  EXPECT_TRUE(Like("abab", "%ab"));
  EXPECT_TRUE(Like("aaab", "%aab"));
  EXPECT_TRUE(Like("abcabd", "%abd"));
  EXPECT_TRUE(Like("xabcabdx", "%abcabd%"));
  EXPECT_TRUE(Like("ababac", "%abac%"));  // KMP falls back inside "abab"
  EXPECT_FALSE(Like("abc", "%abd%"));
  EXPECT_FALSE(Like(std::string(5000, 'a'), std::string(50, '%') + "b"));
}

TEST(WqlLike, UnderscoreAndSets) {
  EXPECT_FALSE(Like("", "_"));
  EXPECT_TRUE(Like("x", "_"));
  EXPECT_TRUE(Like("alpha-seven", "A_pha-%"));
  EXPECT_TRUE(Like("alpha-seven", "[a-c]lpha-[^x]even"));
  EXPECT_FALSE(Like("alpha-xeven", "[a-c]lpha-[^x]even"));
  EXPECT_TRUE(Like("B", "[a-c]"));
  EXPECT_TRUE(Like("b", "[A-C]"));
  EXPECT_TRUE(Like("]", "[]]"));  // ']' first in a set is a member
  EXPECT_TRUE(Like("]", "[^]x]") == false);
  EXPECT_TRUE(Like("y", "[^]x]"));
  EXPECT_TRUE(Like("%", "[%]"));  // '%' and '_' in a set are literals
  EXPECT_FALSE(Like("x", "[%]"));
  EXPECT_TRUE(Like("_", "[_]"));
  EXPECT_TRUE(Like("-", "[a-]"));
  EXPECT_TRUE(Like("a", "[a-]"));
  EXPECT_TRUE(Like("xay", "%[a]%"));
  EXPECT_TRUE(Like("x1y22", "%_[0-9]%[0-9][0-9]"));
  EXPECT_FALSE(Like("x1y2", "%_[0-9]%[0-9][0-9]"));
  // A '_' or a set reaches a byte, not a character.
  EXPECT_TRUE(Like("\xc3\xa9", "__"));
  EXPECT_FALSE(Like("\xc3\xa9", "_"));
}

TEST(WqlLike, SameAnswersAsTheOldMatcher) {
  std::mt19937 rng(20261201);
  const std::string alphabet = "aAb%_[]^-c";
  const std::string text_alphabet = "aAbBc%_[]-";
  auto pick = [&](const std::string& from, size_t max_len) {
    std::string s(std::uniform_int_distribution<size_t>(0, max_len)(rng), ' ');
    for (char& c : s) {
      c = from[std::uniform_int_distribution<size_t>(0, from.size() - 1)(rng)];
    }
    return s;
  };
  int matched = 0;
  for (int round = 0; round < 200000; ++round) {
    std::string pattern = pick(alphabet, 8);
    std::string text = pick(text_alphabet, 12);
    bool want = ReferenceLike(text, pattern);
    ASSERT_EQ(Like(text, pattern), want)
        << "text '" << text << "' pattern '" << pattern << "'";
    matched += want;
  }
  EXPECT_GT(matched, 1000);  // the sample is not all misses
}

TEST(WqlLike, TheAuditsPatternAgainstALongText) {
  // M5: '%aaaa...ab' (16 KB) against a 1 MB command line of 'a's. The old
  // matcher compared about 1.6e10 characters; this one scans the text once.
  std::string text(1 << 20, 'a');
  std::string pattern = "%" + std::string(16000, 'a') + "b";
  EXPECT_FALSE(Like(text, pattern));
  text.back() = 'b';
  EXPECT_TRUE(Like(text, pattern));
  EXPECT_TRUE(Like(text, "%" + std::string(16000, 'a') + "%b"));
  std::string wild = "%" + std::string(63, 'a') + "_";
  EXPECT_TRUE(Like(text, wild));
  EXPECT_FALSE(Like(std::string(1 << 20, 'a'), "%a%[b]%"));
}

TEST(WqlLike, LimitsOnWildcardSegments) {
  std::string error;
  std::string ok = "%" + std::string(63, 'a') + "_%";
  EXPECT_TRUE(Compile(ok, &error));
  std::string too_wide = "%" + std::string(64, 'a') + "_%";
  EXPECT_FALSE(Compile(too_wide, &error));
  EXPECT_NE(error.find("64"), std::string::npos) << error;
  // Literal segments have no such limit; neither does a pattern's length.
  EXPECT_TRUE(Compile(std::string(16000, 'a') + "%", &error));
  std::string many;
  for (int i = 0; i < 33; ++i) many += "_%";
  EXPECT_FALSE(Compile(many, &error));
  EXPECT_TRUE(Compile(many, &error, 33));
  auto p = Compile("a_%b%[cd]e%f", &error);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->wildcard_segments(), 2u);
  // WqlLike (tests, fuzzing) matches nothing with a refused pattern.
  EXPECT_FALSE(WqlLike(std::string(64, 'a') + "_", too_wide));
}

TEST(WqlLike, QueryLimits) {
  std::string q = "SELECT * FROM T WHERE Name LIKE 'a_%'";
  for (int i = 1; i < 32; ++i) q += " OR Name LIKE 'a_%'";
  auto ok = ParseWql(q);
  EXPECT_TRUE(ok.ok()) << ok.message();
  auto wide = ParseWql(q + " OR Name LIKE 'b_'");
  ASSERT_FALSE(wide.ok());
  EXPECT_EQ(wide.status().code(), base::Status::Code::kInvalidArgument);
  EXPECT_NE(wide.message().find("32"), std::string::npos) << wide.message();
  // 33 literal LIKE tests: too many tests.
  std::string lits = "SELECT * FROM T WHERE Name LIKE '%a%'";
  for (int i = 1; i < 33; ++i) lits += " OR Name LIKE '%a%'";
  auto tests = ParseWql(lits);
  ASSERT_FALSE(tests.ok());
  EXPECT_NE(tests.message().find("LIKE tests"), std::string::npos)
      << tests.message();
  // Comparisons are not counted.
  std::string cmp = "SELECT * FROM T WHERE Id = 1";
  for (int i = 0; i < 300; ++i) cmp += " OR Id = 1";
  auto comparisons = ParseWql(cmp);
  EXPECT_TRUE(comparisons.ok()) << comparisons.message();
  WqlLimits loose;
  loose.max_like_tests = 100;
  loose.max_like_wildcard_segments = 100;
  auto loosened = ParseWql(q + " OR Name LIKE 'b_'", loose);
  EXPECT_TRUE(loosened.ok()) << loosened.message();
  EXPECT_FALSE(ParseWql("SELECT * FROM T WHERE Name LIKE '%" +
                        std::string(65, '_') + "%'")
                   .ok());
}

}  // namespace
}  // namespace wsman::engine::cim
