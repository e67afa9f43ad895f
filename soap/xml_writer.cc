#include "soap/xml_writer.h"

#include <cassert>

namespace wsman::soap {
namespace {

// U+FFFD REPLACEMENT CHARACTER, written in place of anything XML 1.0 cannot
// carry (C0 controls other than tab/LF/CR, U+FFFE/U+FFFF, malformed UTF-8).
// Character references would not help: XML 1.0 forbids &#1; just as it
// forbids the raw byte, so the only well-formed choice is to substitute.
constexpr std::string_view kReplacement = "\xEF\xBF\xBD";

constexpr bool IsCont(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed UTF-8 sequence at `p`, or 0 if the bytes there
// are malformed (overlong, a surrogate, above U+10FFFF, truncated). Sets
// `*allowed` to false for U+FFFE/U+FFFF, which are well-formed UTF-8 but not
// XML 1.0 characters. `*p` is a byte >= 0x80.
size_t Utf8CharLen(const unsigned char* p, const unsigned char* end,
                   bool* allowed) {
  *allowed = true;
  const unsigned char c = p[0];
  const size_t avail = static_cast<size_t>(end - p);
  if (c >= 0xC2 && c <= 0xDF) {
    return (avail >= 2 && IsCont(p[1])) ? 2 : 0;
  }
  if (c >= 0xE0 && c <= 0xEF) {
    if (avail < 3 || !IsCont(p[1]) || !IsCont(p[2])) return 0;
    if (c == 0xE0 && p[1] < 0xA0) return 0;  // overlong
    if (c == 0xED && p[1] > 0x9F) return 0;  // UTF-16 surrogate
    if (c == 0xEF && p[1] == 0xBF && p[2] >= 0xBE) *allowed = false;
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (avail < 4 || !IsCont(p[1]) || !IsCont(p[2]) || !IsCont(p[3])) {
      return 0;
    }
    if (c == 0xF0 && p[1] < 0x90) return 0;  // overlong
    if (c == 0xF4 && p[1] > 0x8F) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;  // stray continuation byte, C0/C1 lead or F5..FF
}

// What to write for an ASCII byte: nullptr = the byte itself.
template <bool kAttr>
const char* AsciiReplacement(unsigned char c, size_t* len) {
  switch (c) {
    case '&':
      *len = 5;
      return "&amp;";
    case '<':
      *len = 4;
      return "&lt;";
    case '>':  // always, so that "]]>" never appears in character data
      *len = 4;
      return "&gt;";
    case '\r':  // a raw CR would be normalised away by the reader
      *len = 5;
      return "&#13;";
    case '"':
      if (!kAttr) return nullptr;
      *len = 6;
      return "&quot;";
    case '\t':  // attribute-value normalisation would turn these into spaces
      if (!kAttr) return nullptr;
      *len = 4;
      return "&#9;";
    case '\n':
      if (!kAttr) return nullptr;
      *len = 5;
      return "&#10;";
    default:
      if (c < 0x20) {
        *len = kReplacement.size();
        return kReplacement.data();
      }
      return nullptr;
  }
}

template <bool kAttr>
void Escape(std::string_view in, std::string* out) {
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  const auto* end = p + in.size();
  const auto* run = p;  // start of the bytes not yet copied
  auto flush = [&](const unsigned char* upto) {
    if (upto != run) {
      out->append(reinterpret_cast<const char*>(run),
                  static_cast<size_t>(upto - run));
    }
  };
  while (p < end) {
    const unsigned char c = *p;
    if (c < 0x80) {
      size_t len = 0;
      const char* rep = AsciiReplacement<kAttr>(c, &len);
      if (rep == nullptr) {
        ++p;
        continue;
      }
      flush(p);
      out->append(rep, len);
      run = ++p;
      continue;
    }
    bool allowed = true;
    const size_t n = Utf8CharLen(p, end, &allowed);
    if (n != 0 && allowed) {
      p += n;
      continue;
    }
    // A malformed byte is replaced alone (resynchronising on the next one);
    // a well-formed non-character as a whole.
    flush(p);
    out->append(kReplacement);
    p += n != 0 ? n : 1;
    run = p;
  }
  flush(end);
}

}  // namespace

XmlWriter::XmlWriter(std::string* out) : out_(out) {}

void XmlWriter::EscapeText(std::string_view in, std::string* out) {
  Escape<false>(in, out);
}

void XmlWriter::EscapeAttr(std::string_view in, std::string* out) {
  Escape<true>(in, out);
}

std::string_view XmlWriter::Innermost() const {
  assert(!offsets_.empty());
  return std::string_view(names_).substr(offsets_.back());
}

void XmlWriter::FinishStartTag() {
  if (start_tag_open_) {
    out_->push_back('>');
    start_tag_open_ = false;
  }
}

XmlWriter& XmlWriter::Open(std::string_view qname) {
  FinishStartTag();
  out_->push_back('<');
  out_->append(qname);
  offsets_.push_back(static_cast<uint32_t>(names_.size()));
  names_.append(qname);
  close_bytes_ += qname.size() + 3;  // "</" qname ">"
  start_tag_open_ = true;
  return *this;
}

XmlWriter& XmlWriter::Attr(std::string_view qname, std::string_view value) {
  assert(start_tag_open_ && "Attr() after content or outside an element");
  if (!start_tag_open_) return *this;  // would not be well-formed; drop it
  out_->push_back(' ');
  out_->append(qname);
  out_->append("=\"");
  EscapeAttr(value, out_);
  out_->push_back('"');
  return *this;
}

XmlWriter& XmlWriter::Xmlns(std::string_view prefix, std::string_view uri) {
  assert(start_tag_open_ && "Xmlns() after content or outside an element");
  if (!start_tag_open_) return *this;
  out_->append(" xmlns");
  if (!prefix.empty()) {
    out_->push_back(':');
    out_->append(prefix);
  }
  out_->append("=\"");
  EscapeAttr(uri, out_);
  out_->push_back('"');
  return *this;
}

XmlWriter& XmlWriter::Text(std::string_view text) {
  // Empty text adds nothing, so Element("x", "") still gives <x/>.
  if (text.empty()) return *this;
  FinishStartTag();
  EscapeText(text, out_);
  return *this;
}

XmlWriter& XmlWriter::Close() {
  assert(!offsets_.empty() && "Close() with no open element");
  if (offsets_.empty()) return *this;
  const uint32_t start = offsets_.back();
  const std::string_view name = std::string_view(names_).substr(start);
  if (start_tag_open_) {
    out_->append("/>");
    start_tag_open_ = false;
  } else {
    out_->append("</");
    out_->append(name);
    out_->push_back('>');
  }
  close_bytes_ -= name.size() + 3;
  names_.resize(start);
  offsets_.pop_back();
  return *this;
}

XmlWriter& XmlWriter::Element(std::string_view qname, std::string_view text) {
  return Open(qname).Text(text).Close();
}

XmlWriter& XmlWriter::Raw(std::string_view xml) {
  if (xml.empty()) return *this;
  FinishStartTag();
  out_->append(xml);
  return *this;
}

size_t XmlWriter::BytesToCloseAll() const {
  if (!start_tag_open_) return close_bytes_;
  // The innermost element would end as "/>" rather than "></qname>".
  return close_bytes_ - (Innermost().size() + 3) + 2;
}

size_t XmlWriter::size() const { return out_->size() + BytesToCloseAll(); }

void XmlWriter::CloseAll() {
  while (!offsets_.empty()) Close();
}

}  // namespace wsman::soap
