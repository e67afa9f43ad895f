// The request head reader: limits hold while bytes arrive (431/414 before
// more than the limit is held), strict field syntax (RFC 9112 §5), and the
// framing and connection semantics a head declares.
#include "server/http/head_parser.h"

#include <gtest/gtest.h>

#include <string>

namespace wsman::server::http {
namespace {

struct Parsed {
  HttpError error;
  Request request;
};

Parsed Parse(const std::string& head, HeadLimits limits = {}) {
  Parsed p;
  HeadScanner scanner(limits);
  HeadScanner::State state = scanner.Scan(head);
  if (state == HeadScanner::State::kRefused) {
    p.error = scanner.error();
    return p;
  }
  EXPECT_EQ(state, HeadScanner::State::kComplete) << head;
  p.error = ParseHead(std::string_view(head).substr(0, scanner.head_size()),
                      limits, &p.request);
  return p;
}

const char kPost[] = "POST /wsman HTTP/1.1\r\nHost: x\r\n";

TEST(HttpHead, ParsesARequestAndItsFields) {
  Parsed p = Parse(std::string(kPost) +
                   "Content-Type: application/soap+xml\r\n"
                   "Content-Length: 12\r\nAuthorization:  Basic YTpi \r\n\r\n");
  ASSERT_TRUE(p.error.ok()) << p.error.reason;
  EXPECT_EQ(p.request.method, "POST");
  EXPECT_EQ(p.request.path, "/wsman");
  EXPECT_EQ(p.request.version_minor, 1);
  EXPECT_EQ(p.request.Get("authorization"), "Basic YTpi");
  EXPECT_EQ(p.request.framing, Framing::kLength);
  EXPECT_EQ(p.request.content_length, 12u);
  EXPECT_TRUE(p.request.keep_alive);
}

TEST(HttpHead, ScannerWaitsForTheEmptyLineAndAcceptsBareLf) {
  HeadScanner scanner(HeadLimits{});
  std::string head = "POST /wsman HTTP/1.1\nHost: x\n";
  EXPECT_EQ(scanner.Scan(head), HeadScanner::State::kNeedMore);
  head += "\nbody";
  EXPECT_EQ(scanner.Scan(head), HeadScanner::State::kComplete);
  EXPECT_EQ(scanner.head_size(), head.size() - 4);
}

TEST(HttpHead, LeadingEmptyLinesAreIgnored) {
  Parsed p = Parse("\r\n\r\n" + std::string(kPost) + "\r\n");
  EXPECT_TRUE(p.error.ok()) << p.error.reason;
}

TEST(HttpHead, TooManyFieldsAre431WhileReading) {
  HeadLimits limits;
  limits.max_fields = 10;
  HeadScanner scanner(limits);
  std::string head = kPost;
  for (int i = 0; i < 20; ++i) head += "a: b\r\n";
  // No empty line yet: refused on the count alone.
  EXPECT_EQ(scanner.Scan(head), HeadScanner::State::kRefused);
  EXPECT_EQ(scanner.error().status, 431);
}

TEST(HttpHead, TooLargeHeadIs431BeforeMoreIsHeld) {
  HeadLimits limits;
  limits.max_head_bytes = 1024;
  HeadScanner scanner(limits);
  std::string head = std::string(kPost) + "X-Big: " + std::string(1100, 'a');
  EXPECT_EQ(scanner.Scan(head), HeadScanner::State::kRefused);
  EXPECT_EQ(scanner.error().status, 431);
}

TEST(HttpHead, LongRequestLineIs414) {
  HeadScanner scanner(HeadLimits{});
  std::string line = "POST /" + std::string(9000, 'a');
  EXPECT_EQ(scanner.Scan(line), HeadScanner::State::kRefused);
  EXPECT_EQ(scanner.error().status, 414);
}

TEST(HttpHead, WhitespaceBeforeTheColonIs400) {
  EXPECT_EQ(
      Parse(std::string(kPost) + "Content-Length : 10\r\n\r\n").error.status,
      400);
}

TEST(HttpHead, MalformedFieldsAre400) {
  for (const char* bad : {"X-A: b\r\n c\r\n",  // obs-fold
                          "X-A: b\x01\r\n",    // control character
                          "X A: b\r\n",        // space in the name
                          ": b\r\n",           // empty name
                          "novalue\r\n",       // no colon
                          "X-A: b\rc\r\n"}) {  // bare CR
    EXPECT_EQ(Parse(std::string(kPost) + bad + "\r\n").error.status, 400)
        << bad;
  }
}

TEST(HttpHead, RequestLineRules) {
  EXPECT_EQ(Parse("POST /wsman HTTP/2.0\r\nHost: x\r\n\r\n").error.status, 505);
  EXPECT_EQ(Parse("POST  /wsman HTTP/1.1\r\nHost: x\r\n\r\n").error.status,
            400);
  EXPECT_EQ(Parse("POST /wsman\r\nHost: x\r\n\r\n").error.status, 400);
  EXPECT_EQ(Parse("POST /wsman HTTP/1.1\r\n\r\n").error.status, 400);  // Host
  EXPECT_EQ(
      Parse("POST /wsman HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").error.status,
      400);
  Parsed ten = Parse("POST /wsman HTTP/1.0\r\n\r\n");  // no Host needed
  ASSERT_TRUE(ten.error.ok());
  EXPECT_FALSE(ten.request.keep_alive);
  Parsed ten_ka =
      Parse("POST /wsman HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n");
  EXPECT_TRUE(ten_ka.request.keep_alive);
}

TEST(HttpHead, PathIsPercentDecoded) {
  Parsed p = Parse("POST /%77sman?x=1 HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_TRUE(p.error.ok());
  EXPECT_EQ(p.request.path, "/wsman");
  EXPECT_EQ(Parse("POST /wsman%00 HTTP/1.1\r\nHost: x\r\n\r\n").error.status,
            400);
  EXPECT_EQ(Parse("POST /wsman%g1 HTTP/1.1\r\nHost: x\r\n\r\n").error.status,
            400);
  EXPECT_EQ(Parse("POST /wsman% HTTP/1.1\r\nHost: x\r\n\r\n").error.status,
            400);
}

TEST(HttpHead, ContentLengthRules) {
  EXPECT_EQ(
      Parse(std::string(kPost) + "Content-Length: +5\r\n\r\n").error.status,
      400);
  EXPECT_EQ(
      Parse(std::string(kPost) + "Content-Length: 0x10\r\n\r\n").error.status,
      400);
  EXPECT_EQ(Parse(std::string(kPost) + "Content-Length:\r\n\r\n").error.status,
            400);
  EXPECT_EQ(Parse(std::string(kPost) +
                  "Content-Length: 5\r\nContent-Length: 6\r\n\r\n")
                .error.status,
            400);
  Parsed same = Parse(std::string(kPost) + "Content-Length: 5, 5\r\n\r\n");
  ASSERT_TRUE(same.error.ok());
  EXPECT_EQ(same.request.content_length, 5u);
  Parsed huge = Parse(std::string(kPost) +
                      "Content-Length: 99999999999999999999999999\r\n\r\n");
  ASSERT_TRUE(huge.error.ok());
  EXPECT_EQ(huge.request.content_length, UINT64_MAX);  // saturated
}

TEST(HttpHead, TransferEncodingRules) {
  Parsed chunked =
      Parse(std::string(kPost) + "Transfer-Encoding: Chunked\r\n\r\n");
  ASSERT_TRUE(chunked.error.ok());
  EXPECT_EQ(chunked.request.framing, Framing::kChunked);
  // Both framings: the smuggling shape.
  EXPECT_EQ(Parse(std::string(kPost) +
                  "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n")
                .error.status,
            400);
  EXPECT_EQ(Parse(std::string(kPost) + "Transfer-Encoding: gzip\r\n\r\n")
                .error.status,
            400);
  EXPECT_EQ(
      Parse(std::string(kPost) + "Transfer-Encoding: gzip, chunked\r\n\r\n")
          .error.status,
      501);
  EXPECT_EQ(Parse("POST /wsman HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")
                .error.status,
            400);
}

TEST(HttpHead, ExpectAndConnection) {
  Parsed e = Parse(std::string(kPost) + "Expect: 100-Continue\r\n\r\n");
  ASSERT_TRUE(e.error.ok());
  EXPECT_TRUE(e.request.expect_continue);
  EXPECT_EQ(Parse(std::string(kPost) + "Expect: magic\r\n\r\n").error.status,
            417);
  Parsed c =
      Parse(std::string(kPost) + "Connection: keep-alive, close\r\n\r\n");
  EXPECT_FALSE(c.request.keep_alive);
}

}  // namespace
}  // namespace wsman::server::http
