// The typed view of one parsed SOAP request: WS-Addressing and WS-Management
// headers as values, the Body as a libxml2 element that lives exactly as long
// as the Envelope that owns the document.
#ifndef WSMAND_SOAP_REQUEST_H_
#define WSMAND_SOAP_REQUEST_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "soap/xml_doc.h"

namespace wsman::soap {

// One w:Selector. A selector's value is text, or (rarely) an EPR, kept as the
// EPR's Address plus its own selector set.
struct Selector {
  std::string name;
  std::string value;  // text value ("" when the value is an EPR)
  bool is_reference = false;
  std::string reference_address;
  std::string reference_resource_uri;
  std::vector<Selector> reference_selectors;
};

// One w:Option of the w:OptionSet.
struct Option {
  std::string name;
  std::string value;
  std::string type;  // @Type, may be empty
  bool must_comply = false;
};

// The w:FragmentTransfer header (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18): the
// fragment expression and its dialect, as sent. The engine interprets them.
struct FragmentTransfer {
  std::string expression;  // the header's text, XML white space trimmed
  std::string dialect;     // @Dialect; empty when absent (XPath 1.0)
};

struct Request {
  // WS-Addressing
  std::string action;
  std::string to;
  std::string message_id;
  std::string reply_to;  // Address of ReplyTo; anonymous when absent

  // WS-Management
  std::string resource_uri;
  std::vector<Selector> selectors;
  std::vector<Option> options;
  bool option_set_must_understand = false;
  std::optional<std::chrono::milliseconds> operation_timeout;
  std::optional<uint32_t> max_envelope_size;  // bytes
  std::string locale;                         // w:Locale/@xml:lang
  std::string data_locale;                    // p:DataLocale/@xml:lang
  std::string session_id;                     // p:SessionId
  std::string operation_id;                   // p:OperationID
  std::optional<uint64_t> sequence_id;        // p:SequenceId
  // w:FragmentTransfer; set only on WS-Transfer Get and Put (the parser
  // refuses it elsewhere).
  std::optional<FragmentTransfer> fragment;

  // The first element child of s:Body, or nullptr for an empty body. Valid
  // while the owning Envelope lives.
  xmlNode* body = nullptr;

  const Selector* FindSelector(std::string_view name) const;
  const Option* FindOption(std::string_view name) const;
};

// A parsed envelope: owns the document the Request's body points into.
class Envelope {
 public:
  Envelope(XmlDoc doc, Request request)
      : doc_(std::move(doc)), request_(std::move(request)) {}
  Envelope(Envelope&&) = default;
  Envelope& operator=(Envelope&&) = default;

  const Request& request() const { return request_; }
  Request& request() { return request_; }

 private:
  XmlDoc doc_;
  Request request_;
};

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_REQUEST_H_
