// Writes response envelopes in the shape Windows WinRM sends them: the
// prefixes s/a/w/p (plus any the operation declares), xml:lang="en-US" on the
// Envelope, a:Action, a fresh upper-case uuid: a:MessageID, a:To anonymous and
// a:RelatesTo = the request's MessageID. Also renders Faults.
#ifndef WSMAND_SOAP_RESPONSE_WRITER_H_
#define WSMAND_SOAP_RESPONSE_WRITER_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "soap/fault.h"
#include "soap/xml_writer.h"

namespace wsman::soap {

using NamespaceDecl = std::pair<std::string_view, std::string_view>;

// Streams one response envelope into `out`.
//   ResponseWriter w(&out);
//   w.StartEnvelope(action, relates_to, {{"wsmid", ns::kIdentity}});
//   ... optional extra headers through w.xml() ...
//   w.StartBody();
//   ... body through w.xml() ...
//   w.Finish();
class ResponseWriter {
 public:
  explicit ResponseWriter(std::string* out) : xml_(out) {}

  // Writes <s:Envelope ...><s:Header> and the addressing headers; leaves the
  // Header open for extra headers. An empty `action` writes no a:Action.
  void StartEnvelope(std::string_view action, std::string_view relates_to,
                     std::initializer_list<NamespaceDecl> extra_ns = {});
  // Closes the Header and opens s:Body.
  void StartBody();
  // Closes everything.
  void Finish();

  XmlWriter& xml() { return xml_; }

 private:
  XmlWriter xml_;
};

// A fresh "uuid:XXXXXXXX-XXXX-4XXX-YXXX-XXXXXXXXXXXX" (upper-case, random).
std::string NewMessageId();

// The prefix fault envelopes bind a subcode's namespace `ns` to ("w", "a",
// ...; "" if none): the log quotes subcodes as the wire spells them.
std::string_view FaultPrefixFor(std::string_view ns);

// The complete fault envelope for `fault`, as Windows shapes it: s:Code with
// s:Subcode, s:Reason/s:Text xml:lang, s:Detail with wsman:FaultDetail (when
// any) and f:WSManFault (Code, Machine, f:Message), followed, when the fault
// has a CimError, by the p:MSFT_WmiError and p:OMI_Error instances
// (docs/faults.md, "CIM error detail").
std::string RenderFault(const Fault& fault, std::string_view relates_to,
                        std::string_view machine);

// The HTTP status to send with `fault` (500 for SOAP faults, as Windows).
int HttpStatusOf(const Fault& fault);

}  // namespace wsman::soap

#endif  // WSMAND_SOAP_RESPONSE_WRITER_H_
