// A streaming XML writer: appends well-formed, correctly escaped XML to a
// string as it goes. No DOM is built. Callers open and close elements in
// order; the writer tracks the open stack and the number of bytes written so
// that size limits (MaxEnvelopeSize) can be checked as items are added.
#ifndef WSMAND_SOAP_XML_WRITER_H_
#define WSMAND_SOAP_XML_WRITER_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace wsman::soap {

class XmlWriter {
 public:
  explicit XmlWriter(std::string* out);

  // Starts <qname ...>. `qname` is "prefix:local" or "local". Attributes and
  // namespace declarations may follow until the next content call.
  XmlWriter& Open(std::string_view qname);
  // Adds name="value" to the element just opened (value escaped).
  XmlWriter& Attr(std::string_view qname, std::string_view value);
  // Adds xmlns:prefix="uri" (or xmlns="uri" when prefix is empty).
  XmlWriter& Xmlns(std::string_view prefix, std::string_view uri);
  // Escaped character data.
  XmlWriter& Text(std::string_view text);
  // Closes the innermost open element (<x/> when it has no content).
  XmlWriter& Close();
  // <qname>text</qname> in one call.
  XmlWriter& Element(std::string_view qname, std::string_view text);
  // Appends already-serialised, well-formed XML verbatim.
  XmlWriter& Raw(std::string_view xml);

  // Size of the output so far, counting what closing the open elements will
  // add, in bytes.
  size_t size() const;
  size_t BytesToCloseAll() const;
  size_t depth() const { return offsets_.size(); }
  // Closes every open element.
  void CloseAll();

  static void EscapeText(std::string_view in, std::string* out);
  static void EscapeAttr(std::string_view in, std::string* out);

 private:
  void FinishStartTag();
  std::string_view Innermost() const;

  std::string* out_;
  // The open qnames are copied, back to back, into `names_`; `offsets_` holds
  // where each starts. Callers may therefore pass temporaries, and once the
  // two buffers have grown to the document's nesting depth no further call
  // allocates (closing only shrinks their sizes, keeping the capacity).
  std::string names_;
  std::vector<uint32_t> offsets_;
  size_t close_bytes_ = 0;  // bytes "</qname>" of every open element take
  bool start_tag_open_ = false;
};

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_XML_WRITER_H_
