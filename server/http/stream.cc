#include "server/http/stream.h"

namespace wsman::server::http {

bool Stream::Fill() {
  // Drop what was consumed before reading more, so the buffer holds at most
  // the unparsed bytes plus one read.
  if (pos_ == in_.size()) {
    in_.clear();
    pos_ = 0;
  } else if (pos_ > 0 && pos_ >= in_.size() / 2) {
    in_.erase(0, pos_);
    pos_ = 0;
  }
  return ReadMore(&in_, deadline_);
}

void Stream::ReleaseReadBuffer() {
  if (pos_ < in_.size()) return;
  std::string().swap(in_);
  pos_ = 0;
}

}  // namespace wsman::server::http
