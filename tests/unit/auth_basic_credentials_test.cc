#include "server/auth/basic_credentials.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/auth_test_util.h"

namespace wsman::auth {
namespace {

using testing::Base64;
using testing::BasicHeader;

TEST(AuthBasicCredentials, ParsesUserAndPassword) {
  auto c = ParseBasicAuthorization("Basic dXNlcjpwYXNz");  // user:pass
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "user");
  EXPECT_EQ(c->password, "pass");
}

TEST(AuthBasicCredentials, SchemeIsCaseInsensitiveAndWhitespaceTolerated) {
  for (const char* scheme : {"basic ", "BASIC ", "bAsIc\t", "  Basic   "}) {
    auto c = ParseBasicAuthorization(std::string(scheme) + Base64("a:b") + " ");
    ASSERT_TRUE(c.has_value()) << scheme;
    EXPECT_EQ(c->user, "a");
    EXPECT_EQ(c->password, "b");
  }
}

TEST(AuthBasicCredentials, SplitsAtFirstColonAndKeepsDomainForms) {
  auto c = ParseBasicAuthorization(BasicHeader("DOMAIN\\alice", "p:w:d"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "DOMAIN\\alice");
  EXPECT_EQ(c->password, "p:w:d");
  c = ParseBasicAuthorization(BasicHeader("bob@EXAMPLE.COM", "x"));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->user, "bob@EXAMPLE.COM");
}

TEST(AuthBasicCredentials, AllPaddingLengths) {
  for (std::string pw : {"a", "ab", "abc", "abcd"}) {
    auto c = ParseBasicAuthorization(BasicHeader("u", pw));
    ASSERT_TRUE(c.has_value()) << pw;
    EXPECT_EQ(c->password, pw);
  }
  std::string binary("p\xff\xfe\x80", 4);
  auto c = ParseBasicAuthorization(BasicHeader("u", binary));
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->password, binary);
}

TEST(AuthBasicCredentials, RejectsWrongScheme) {
  EXPECT_FALSE(HasBasicScheme("Negotiate YIIB"));
  EXPECT_FALSE(HasBasicScheme("Basically dXNlcjpwYXNz"));
  EXPECT_FALSE(HasBasicScheme(""));
  EXPECT_TRUE(HasBasicScheme("Basic"));
  EXPECT_FALSE(ParseBasicAuthorization("Negotiate dXNlcjpwYXNz"));
  EXPECT_FALSE(ParseBasicAuthorization("Bearer dXNlcjpwYXNz"));
  EXPECT_FALSE(ParseBasicAuthorization("Basic"));
  EXPECT_FALSE(ParseBasicAuthorization("Basic   "));
  EXPECT_FALSE(ParseBasicAuthorization("dXNlcjpwYXNz"));
}

TEST(AuthBasicCredentials, RejectsBadBase64) {
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpwYXNz="));  // bad pad
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpwYXN"));    // length
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNl*jpwYXNz"));   // char
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNl cjpwYXNz"));  // space
  EXPECT_FALSE(ParseBasicAuthorization("Basic dX=lcjpwYXNz"));   // mid '='
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpwYQ=a"));   // '=' then
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpwYR=="));   // bits set
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpwYXNz===="));
  EXPECT_FALSE(ParseBasicAuthorization("Basic dXNlcjpw-XNz"));  // url-safe
  EXPECT_FALSE(DecodeBase64Strict("YQ"));
  EXPECT_EQ(DecodeBase64Strict("YQ==").value_or(""), "a");
  EXPECT_EQ(DecodeBase64Strict("YWI=").value_or(""), "ab");
  EXPECT_FALSE(DecodeBase64Strict("YR=="));
  EXPECT_FALSE(DecodeBase64Strict("YWJ="));
}

TEST(AuthBasicCredentials, RejectsMissingColonAndEmptyParts) {
  EXPECT_FALSE(ParseBasicAuthorization("Basic " + Base64("userpass")));
  EXPECT_FALSE(ParseBasicAuthorization("Basic " + Base64(":pass")));
  EXPECT_FALSE(ParseBasicAuthorization("Basic " + Base64("user:")));
  EXPECT_FALSE(
      ParseBasicAuthorization("Basic " + Base64(std::string("us\0er:pw", 8))));
  EXPECT_FALSE(
      ParseBasicAuthorization("Basic " + Base64(std::string("user:p\0w", 8))));
}

TEST(AuthBasicCredentials, EnforcesSizeLimits) {
  std::string user256(256, 'u'), pw1024(1024, 'p');
  EXPECT_TRUE(ParseBasicAuthorization(BasicHeader(user256, pw1024)));
  EXPECT_FALSE(ParseBasicAuthorization(BasicHeader(user256 + "u", "p")));
  EXPECT_FALSE(ParseBasicAuthorization(BasicHeader("u", pw1024 + "p")));
  EXPECT_FALSE(ParseBasicAuthorization("Basic " + std::string(100000, 'A')));
}

}  // namespace
}  // namespace wsman::auth
