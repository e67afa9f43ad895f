// An in-memory http::Stream for the HTTP unit tests and the HTTP fuzzer: the
// input is handed over `piece` bytes a read, what is written is kept.
#ifndef WSMAND_TESTS_UNIT_HTTP_TEST_STREAM_H_
#define WSMAND_TESTS_UNIT_HTTP_TEST_STREAM_H_

#include <algorithm>
#include <string>

#include "server/http/stream.h"

namespace wsman::server::http {

class MemoryStream : public Stream {
 public:
  explicit MemoryStream(std::string in, size_t piece = 1 << 20)
      : in_(std::move(in)), piece_(piece) {}
  bool Write(std::string_view data) override {
    out_.append(data);
    return true;
  }
  bool Flush() override { return true; }
  const std::string& out() const { return out_; }
  size_t read_so_far() const { return pos_; }
  // Every input byte was handed over.
  bool exhausted() const { return pos_ >= in_.size(); }
  // ... and consumed.
  bool done() const { return exhausted() && buffered().empty(); }

 protected:
  bool ReadMore(std::string* buffer, Clock::time_point) override {
    if (pos_ >= in_.size()) return false;
    size_t n = std::min(piece_, in_.size() - pos_);
    buffer->append(in_, pos_, n);
    pos_ += n;
    return true;
  }

 private:
  std::string in_;
  size_t piece_;
  size_t pos_ = 0;
  std::string out_;
};

}  // namespace wsman::server::http

#endif  // WSMAND_TESTS_UNIT_HTTP_TEST_STREAM_H_
