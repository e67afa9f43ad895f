// Request bodies: Content-Length and chunked framing, decoded bytes counted
// against the limit as they arrive (never more than the limit is held), and
// bad chunk framing refused.
#include "server/http/body_reader.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/unit/http_test_stream.h"

namespace wsman::server::http {
namespace {

Request Chunked() {
  Request r;
  r.framing = Framing::kChunked;
  return r;
}

Request Length(uint64_t n) {
  Request r;
  r.framing = Framing::kLength;
  r.content_length = n;
  return r;
}

TEST(HttpBody, ContentLengthReadsExactlyThatMuch) {
  MemoryStream s("hello worldNEXT", 3);
  std::string body;
  EXPECT_EQ(ReadBody(s, Length(11), 100, {}, &body), BodyResult::kOk);
  EXPECT_EQ(body, "hello world");
  EXPECT_EQ(s.buffered().substr(0, 1), "N");  // the next request stays
}

TEST(HttpBody, ContentLengthOverTheLimitIsRefusedUnread) {
  MemoryStream s(std::string(1000, 'x'));
  std::string body;
  EXPECT_EQ(ReadBody(s, Length(1000), 999, {}, &body), BodyResult::kTooLarge);
  EXPECT_EQ(s.read_so_far(), 0u);
}

TEST(HttpBody, ShortBodyIsIncomplete) {
  MemoryStream s("abc");
  std::string body;
  EXPECT_EQ(ReadBody(s, Length(10), 100, {}, &body), BodyResult::kIncomplete);
}

TEST(HttpBody, ChunkedDecodesWithExtensionsAndTrailers) {
  for (size_t piece : {1, 2, 7, 1000}) {
    MemoryStream s(
        "5;name=v\r\nhello\r\n6\r\n world\r\n0\r\nX-T: 1\r\n\r\nNEXT", piece);
    std::string body;
    EXPECT_EQ(ReadBody(s, Chunked(), 100, {}, &body), BodyResult::kOk);
    EXPECT_EQ(body, "hello world");
    std::string rest;
    while (s.Fill()) {
    }
    EXPECT_EQ(s.buffered(), "NEXT") << piece;
  }
}

TEST(HttpBody, ChunkedCountsDecodedBytesAndStopsAtTheLimit) {
  // 400 chunks of 1 MiB announced: refused at the first chunk over the
  // limit, having held no more than the limit.
  std::string in;
  for (int i = 0; i < 4; ++i)
    in += "100000\r\n" + std::string(0x100000, 'A') + "\r\n";
  MemoryStream s(in, 16384);
  std::string body;
  EXPECT_EQ(ReadBody(s, Chunked(), 512000, {}, &body), BodyResult::kTooLarge);
  EXPECT_LE(body.size(), 512000u);
  EXPECT_LT(s.read_so_far(), 64u * 1024);  // refused on the size line
}

TEST(HttpBody, ChunkedSmallChunksStillCount) {
  std::string in;
  for (int i = 0; i < 200; ++i) in += "a\r\n0123456789\r\n";
  MemoryStream s(in);
  std::string body;
  EXPECT_EQ(ReadBody(s, Chunked(), 1000, {}, &body), BodyResult::kTooLarge);
  EXPECT_EQ(body.size(), 1000u);
}

TEST(HttpBody, HugeChunkSizeSaturatesAndIsTooLarge) {
  MemoryStream s("ffffffffffffffffffffffff\r\nabc");
  std::string body;
  EXPECT_EQ(ReadBody(s, Chunked(), 512000, {}, &body), BodyResult::kTooLarge);
}

TEST(HttpBody, BadChunkFramingIsMalformed) {
  for (const char* bad :
       {"zz\r\n", "5\r\nhelloXX\r\n0\r\n\r\n", "-1\r\n", "5 x\r\nhello\r\n"}) {
    MemoryStream s(bad);
    std::string body;
    EXPECT_EQ(ReadBody(s, Chunked(), 100, {}, &body), BodyResult::kMalformed)
        << bad;
  }
  // A chunk-size line without an end, longer than any real one.
  MemoryStream s(std::string(10000, '1'));
  std::string body;
  EXPECT_EQ(ReadBody(s, Chunked(), 100, {}, &body), BodyResult::kMalformed);
}

TEST(HttpBody, TrailerFloodIsBounded) {
  HeadLimits limits;
  limits.max_fields = 5;
  std::string in = "0\r\n";
  for (int i = 0; i < 100; ++i) in += "a: b\r\n";
  in += "\r\n";
  MemoryStream s(in);
  EXPECT_EQ(ReadBody(s, Chunked(), 100, limits, nullptr),
            BodyResult::kMalformed);
}

TEST(HttpBody, DroppingReadsWithoutKeeping) {
  MemoryStream s("3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(ReadBody(s, Chunked(), 100, {}, nullptr), BodyResult::kOk);
}

}  // namespace
}  // namespace wsman::server::http
