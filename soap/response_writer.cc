#include "soap/response_writer.h"

#include <openssl/rand.h>

#include <array>
#include <charconv>
#include <cstdint>
#include <cstring>

#include "base/uuid.h"
#include "soap/namespaces.h"

namespace wsman::soap {
namespace {

constexpr size_t kMessageIdLen = 5 + base::kUuidChars;  // "uuid:" + UUID

// Fills `out` with "uuid:" and a random (version 4) UUID in upper case.
void FormatMessageId(char (&out)[kMessageIdLen]) {
  std::memcpy(out, "uuid:", 5);
  std::array<uint8_t, 16> b{};
  if (RAND_bytes(b.data(), static_cast<int>(b.size())) == 1) {
    base::FormatUuidV4(b, out + 5);
  } else {
    // OpenSSL's generator failed (should not happen once seeded): the
    // kernel's.
    std::string id = base::NewUuid();
    std::memcpy(out + 5, id.data(), base::kUuidChars);
  }
}

// Windows declares the envelope's prefixes in one fixed order
// (s a x e n w rsp p, as every recorded response shows); prefixes it does
// not use follow in the order the caller gave them.
constexpr std::string_view kLeading[] = {"x", "e", "n"};
constexpr std::string_view kMiddle[] = {"rsp"};
constexpr std::string_view kFixed[] = {"s", "a", "w", "p"};

template <size_t N>
bool In(std::string_view prefix, const std::string_view (&set)[N]) {
  for (std::string_view s : set) {
    if (s == prefix) return true;
  }
  return false;
}

template <size_t N>
void DeclareFrom(XmlWriter& xml, std::initializer_list<NamespaceDecl> extra,
                 const std::string_view (&wanted)[N]) {
  for (std::string_view w : wanted) {
    for (const NamespaceDecl& d : extra) {
      if (d.first == w) {
        xml.Xmlns(d.first, d.second);
        break;  // once per prefix
      }
    }
  }
}

std::string_view SoapCodeQName(SoapCodeValue v) {
  switch (v) {
    case SoapCodeValue::kSender:
      return "s:Sender";
    case SoapCodeValue::kReceiver:
      return "s:Receiver";
    case SoapCodeValue::kVersionMismatch:
      return "s:VersionMismatch";
    case SoapCodeValue::kMustUnderstand:
      return "s:MustUnderstand";
  }
  return "s:Receiver";
}

// ---- CIM error instances in s:Detail ------------------------------------
// DSP0227 7 renders an instance as an element named after its class in the
// class's schema namespace, each property a child with an xsi:type from the
// cim: common schema, and unset properties as xsi:nil. DSP0227 (and MS-WSMV
// 2.2.4.x for Windows' MSFT_WmiError) mark a CIM error instance carried in a
// fault with b:IsCIM_Error="true".

constexpr std::string_view kCimCommon =
    "http://schemas.dmtf.org/wbem/wscim/1/common";
constexpr std::string_view kMsftWmiError =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError";
constexpr std::string_view kOmiError =
    "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/OMI_Error";

std::string_view Decimal(uint32_t value, char (&buf)[16]) {
  const auto res = std::to_chars(buf, buf + sizeof buf, value);
  return std::string_view(buf, res.ptr - buf);
}

void CimProperty(XmlWriter& x, std::string_view qname, std::string_view type,
                 std::string_view text) {
  x.Open(qname).Attr("xsi:type", type).Text(text).Close();
}

// A string property; "" is written as xsi:nil, as Windows does.
void CimString(XmlWriter& x, std::string_view qname, std::string_view text) {
  if (text.empty()) {
    x.Open(qname)
        .Attr("xsi:nil", "true")
        .Attr("xsi:type", "cim:cimString")
        .Close();
  } else {
    CimProperty(x, qname, "cim:cimString", text);
  }
}

void CimUnsigned(XmlWriter& x, std::string_view qname, std::string_view type,
                 uint32_t value) {
  char buf[16];
  CimProperty(x, qname, type, Decimal(value, buf));
}

void OpenCimErrorInstance(XmlWriter& x, std::string_view qname,
                          std::string_view class_ns, std::string_view type) {
  x.Open(qname)
      .Attr("b:IsCIM_Error", "true")
      .Xmlns("b", ns::kCimBinding)
      .Xmlns("cim", kCimCommon)
      .Xmlns("p", class_ns)
      .Attr("xsi:type", type)
      .Xmlns("xsi", ns::kXsi);
}

// Windows' MSFT_WmiError (the properties of CIM_Error plus error_*), in the
// order and with the types a Windows server writes them (recorded in
// WinRb/WinRM's test data, wmi_error_v2.xml): alphabetical, CIM_Error's
// uint16 properties as cimUnsignedShort, error_Category as cimUnsignedInt.
void WriteMsftWmiError(XmlWriter& x, const CimError& e) {
  OpenCimErrorInstance(x, "p:MSFT_WmiError", kMsftWmiError,
                       "p:MSFT_WmiError_Type");
  CimUnsigned(x, "p:CIMStatusCode", "cim:cimUnsignedInt", e.cim_status_code);
  CimString(x, "p:CIMStatusCodeDescription", e.cim_status_code_description);
  CimString(x, "p:ErrorSource", {});
  CimUnsigned(x, "p:ErrorSourceFormat", "cim:cimUnsignedShort", 0);
  CimUnsigned(x, "p:ErrorType", "cim:cimUnsignedShort", e.error_type);
  CimString(x, "p:Message", e.message);
  CimString(x, "p:MessageID", e.message_id);
  CimString(x, "p:OtherErrorSourceFormat", {});
  CimString(x, "p:OtherErrorType", {});
  CimString(x, "p:OwningEntity", e.owning_entity);
  CimUnsigned(x, "p:PerceivedSeverity", "cim:cimUnsignedShort",
              e.perceived_severity);
  CimUnsigned(x, "p:ProbableCause", "cim:cimUnsignedShort", e.probable_cause);
  CimString(x, "p:ProbableCauseDescription", e.probable_cause_description);
  CimUnsigned(x, "p:error_Category", "cim:cimUnsignedInt", e.error_category);
  CimUnsigned(x, "p:error_Code", "cim:cimUnsignedInt", e.error_code);
  CimString(x, "p:error_Type", e.error_type_name);
  CimString(x, "p:error_WindowsErrorMessage", e.windows_error_message);
  x.Close();
}

// The same error as OMI's server writes it (OMI_Error : CIM_Error). OMI's MI
// client (Unix/wsman/wsmanparser.c, WS_ParseFaultBody) reads only this class:
// MessageID "OMI:MI_Result:<n>" gives the MI result it reports, Message its
// text (which must not be empty, or the client fails to parse the fault).
// The client resets the result to MI_RESULT_FAILED at f:WSManFault, so this
// instance must come after it.
void WriteOmiError(XmlWriter& x, const CimError& e) {
  char buf[16];
  OpenCimErrorInstance(x, "p:OMI_Error", kOmiError, "p:OMI_Error_Type");
  CimString(x, "p:OwningEntity", e.owning_entity);
  std::string message_id = "OMI:MI_Result:";
  message_id += Decimal(e.cim_status_code, buf);
  CimString(x, "p:MessageID", message_id);
  const std::string_view message =
      !e.message.empty() ? std::string_view(e.message)
      : !e.windows_error_message.empty()
          ? std::string_view(e.windows_error_message)
          : std::string_view("Error");
  CimString(x, "p:Message", message);
  CimUnsigned(x, "p:PerceivedSeverity", "cim:cimUnsignedShort",
              e.perceived_severity);
  CimUnsigned(x, "p:ProbableCause", "cim:cimUnsignedShort", e.probable_cause);
  CimString(x, "p:ProbableCauseDescription", e.probable_cause_description);
  CimUnsigned(x, "p:CIMStatusCode", "cim:cimUnsignedInt", e.cim_status_code);
  CimString(x, "p:CIMStatusCodeDescription", e.cim_status_code_description);
  CimUnsigned(x, "p:OMI_Code", "cim:cimUnsignedInt", e.cim_status_code);
  CimUnsigned(x, "p:OMI_Category", "cim:cimUnsignedShort", e.error_category);
  CimString(x, "p:OMI_Type", "MI");
  CimString(x, "p:OMI_ErrorMessage", e.windows_error_message);
  x.Close();
}

}  // namespace

std::string NewMessageId() {
  char id[kMessageIdLen];
  FormatMessageId(id);
  return std::string(id, kMessageIdLen);
}

void ResponseWriter::StartEnvelope(
    std::string_view action, std::string_view relates_to,
    std::initializer_list<NamespaceDecl> extra_ns) {
  xml_.Open("s:Envelope")
      .Attr("xml:lang", "en-US")
      .Xmlns("s", ns::kSoap12)
      .Xmlns("a", ns::kAddressing);
  DeclareFrom(xml_, extra_ns, kLeading);
  xml_.Xmlns("w", ns::kWsman);
  DeclareFrom(xml_, extra_ns, kMiddle);
  xml_.Xmlns("p", ns::kMsWsman);
  // The rest, in the caller's order, skipping prefixes already declared (a
  // repeated attribute would not be well-formed).
  for (auto it = extra_ns.begin(); it != extra_ns.end(); ++it) {
    const std::string_view prefix = it->first;
    if (In(prefix, kFixed) || In(prefix, kLeading) || In(prefix, kMiddle)) {
      continue;
    }
    bool seen = false;
    for (auto jt = extra_ns.begin(); jt != it; ++jt) {
      if (jt->first == prefix) seen = true;
    }
    if (!seen) xml_.Xmlns(prefix, it->second);
  }

  xml_.Open("s:Header");
  // Identify answers carry no action (WS-Man Identify is not addressed).
  if (!action.empty()) xml_.Element("a:Action", action);
  char id[kMessageIdLen];
  FormatMessageId(id);
  xml_.Element("a:MessageID", std::string_view(id, kMessageIdLen));
  xml_.Element("a:To", ns::kAnonymous);
  if (!relates_to.empty()) xml_.Element("a:RelatesTo", relates_to);
}

void ResponseWriter::StartBody() {
  xml_.Close();  // s:Header
  xml_.Open("s:Body");
}

void ResponseWriter::Finish() { xml_.CloseAll(); }

std::string_view FaultPrefixFor(std::string_view ns) {
  if (ns == ns::kWsman) return "w";
  if (ns == ns::kAddressing) return "a";
  if (ns == ns::kEnumeration) return "n";
  if (ns == ns::kEventing) return "e";
  if (ns == ns::kTransfer) return "x";
  if (ns == ns::kSoap12) return "s";
  if (ns == ns::kMsWsman) return "p";
  return "";
}

std::string RenderFault(const Fault& fault, std::string_view relates_to,
                        std::string_view machine) {
  const FaultInfo& info = Describe(fault.code);
  std::string out;
  out.reserve(2048);
  ResponseWriter w(&out);
  // Windows declares x, e and n on every fault envelope; that also binds the
  // prefixes the WS-Transfer/Eventing/Enumeration subcodes use.
  w.StartEnvelope(
      info.action, relates_to,
      {{"x", ns::kTransfer}, {"e", ns::kEventing}, {"n", ns::kEnumeration}});
  XmlWriter& x = w.xml();

  if (info.soap_code == SoapCodeValue::kVersionMismatch) {
    // SOAP 1.2 part 1, 5.4.7: name the envelope versions we understand.
    x.Open("s:Upgrade")
        .Open("s:SupportedEnvelope")
        .Attr("qname", "s:Envelope")
        .Close()
        .Close();
  } else if (info.soap_code == SoapCodeValue::kMustUnderstand &&
             !fault.not_understood_local.empty()) {
    // SOAP 1.2 part 1, 5.4.8: one s:NotUnderstood per offending header.
    x.Open("s:NotUnderstood");
    if (fault.not_understood_ns.empty()) {
      x.Attr("qname", fault.not_understood_local);
    } else {
      std::string qname = "h:";
      qname += fault.not_understood_local;
      x.Attr("qname", qname).Xmlns("h", fault.not_understood_ns);
    }
    x.Close();
  }

  w.StartBody();
  x.Open("s:Fault");

  x.Open("s:Code");
  x.Element("s:Value", SoapCodeQName(info.soap_code));
  if (!info.subcode_local.empty()) {
    std::string subcode(FaultPrefixFor(info.subcode_ns));
    subcode += ':';
    subcode += info.subcode_local;
    x.Open("s:Subcode");
    x.Element("s:Value", subcode);
    x.Close();
  }
  x.Close();  // s:Code

  // Windows puts the text of the error it reports in the Reason. With the
  // catalogue's own code that is the catalogue reason (the specific message
  // goes to f:Message only); when the caller reports a different Windows
  // error, its message is that error's text and becomes the Reason too.
  const bool own_code = fault.wsman_code == 0;
  const std::string_view reason = (!own_code && !fault.message.empty())
                                      ? std::string_view(fault.message)
                                      : info.reason;
  x.Open("s:Reason");
  x.Open("s:Text").Attr("xml:lang", "en-US").Text(reason).Close();
  x.Close();

  x.Open("s:Detail");
  const std::string_view detail =
      fault.detail.empty() ? info.default_detail : fault.detail;
  if (!detail.empty()) x.Element("w:FaultDetail", detail);
  char code_buf[16];
  const uint32_t code = own_code ? info.wsman_code : fault.wsman_code;
  const auto res = std::to_chars(code_buf, code_buf + sizeof code_buf, code);
  x.Open("f:WSManFault")
      .Xmlns("f", ns::kWsmanFault)
      .Attr("Code", std::string_view(code_buf, res.ptr - code_buf))
      .Attr("Machine", machine);
  x.Element("f:Message", fault.message.empty()
                             ? info.reason
                             : std::string_view(fault.message));
  x.Close();  // f:WSManFault
  if (fault.cim_error) {
    WriteMsftWmiError(x, *fault.cim_error);
    WriteOmiError(x, *fault.cim_error);
  }
  x.Close();  // s:Detail

  w.Finish();
  return out;
}

int HttpStatusOf(const Fault& fault) {
  return Describe(fault.code).http_status;
}

}  // namespace wsman::soap
