// Hardened SOAP 1.2 envelope parsing.
//
// Fault choices (DSP0226 leaves some of these open; each is one decision):
//  - Bytes that are not well-formed XML (including namespace errors and an
//    empty body), a root that is not an Envelope, a missing s:Body, or
//    elements out of place in s:Envelope: wsman:SchemaValidationError with
//    the Windows code ERROR_WSMAN_INVALID_XML ("...the XML is invalid"), the
//    closest DSP0226 fault for a message that cannot be read at all.
//  - A DOCTYPE (internal subset, entities, external DTD): the same
//    SchemaValidationError. SOAP 1.2 part 1 section 5 forbids document type
//    declarations in a SOAP message, so such a message is invalid SOAP. The
//    parser stops at the DOCTYPE itself, before any declaration in it is
//    read, so no entity is ever declared, let alone expanded.
//  - Invalid UTF-8: wsman:EncodingLimit with detail CharacterSet.
//  - Input above ParseLimits::max_bytes: wsman:EncodingLimit with detail
//    ServiceEnvelopeLimit (the service's own envelope limit). MS-WSMV
//    3.1.4.1.20 has Windows answer HTTP 413 before any SOAP processing; the
//    HTTP layer does that, and this is the fallback when it did not.
//  - Nesting deeper than max_depth, more than max_nodes nodes, or an element
//    with more than max_attributes attributes and namespace declarations:
//    wsman:EncodingLimit (an internal encoding limit of the service).
//  - Envelope in the SOAP 1.1 namespace, or in any namespace but SOAP 1.2:
//    env:VersionMismatch (SOAP 1.2 part 1 section 5.4.7).
//  - Missing wsa:Action or wsa:MessageID (unless the body is wsmid:Identify):
//    wsa:MessageInformationHeaderRequired.
//  - Duplicate or empty singleton headers, malformed OperationTimeout,
//    MaxEnvelopeSize, SequenceId, ReplyTo without Address:
//    wsa:InvalidMessageInformationHeader (Windows answers a bad
//    OperationTimeout so; MS-WSMV 3.1.4.1.5 says so for an empty MessageID).
//  - MaxEnvelopeSize below 8192: wsman:EncodingLimit + MinimumEnvelopeLimit
//    (DSP0226 6.2, MS-WSMV 3.1.4.1.7).
//  - ReplyTo/FaultTo not anonymous: wsman:UnsupportedFeature + AddressingMode
//    (MS-WSMV 3.1.4.1.3 and 3.1.4.1.4). An absent ReplyTo means anonymous.
//  - Locale/DataLocale with mustUnderstand="true": wsman:UnsupportedFeature +
//    Locale / DataLocale (MS-WSMV 3.1.4.1.8, 3.1.4.1.9).
//  - FragmentTransfer (DSP0226 7.7, [MS-WSMV] 3.1.4.1.18) is understood
//    and kept as Request::fragment for the engine, with mustUnderstand
//    "true" or absent (OMI's sample sends none; absent is honoured, not
//    ignored). Explicit mustUnderstand="false" answers
//    wsa:InvalidMessageInformationHeader, as [MS-WSMV] 3.1.4.1.18 has
//    Windows do. On any action but WS-Transfer Get and Put (the operations
//    [MS-WSMV] allows it on): wsman:UnsupportedFeature + FragmentLevelAccess
//    (DSP0226 7.7).
//  - Unknown header with mustUnderstand="true"|"1" (s:mustUnderstand, or the
//    unprefixed attribute Go winrm writes): env:MustUnderstand naming it.
//  - Selectors: duplicate names (case-insensitive, MS-WSMV 3.1.4.1.2) give
//    wsman:InvalidSelectors + DuplicateSelectors; too many or too long names
//    give wsman:EncodingLimit + SelectorLimit. Options alike with
//    wsman:InvalidOptions and OptionLimit; repeated "wmiarray:"/"wmi:"/
//    "__MI_" options are legal (MS-WSMV 2.2.10, 3.1.4.1.10).
#include "soap/envelope_parser.h"

#include <libxml/SAX2.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include <climits>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "base/strings.h"
#include "soap/actions.h"
#include "soap/charset.h"
#include "soap/duration.h"
#include "soap/namespaces.h"

namespace wsman::soap {
namespace {

// Windows' error code for unreadable XML (ERROR_WSMAN_INVALID_XML).
constexpr uint32_t kWsmanInvalidXml = 2150858819u;
// MS-WSMV 3.1.4.1.9 names this detail; DSP0226 does not define it, so
// fault.h has no constant for it.
constexpr std::string_view kDataLocaleDetail =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/faultDetail/DataLocale";
constexpr std::string_view kRoleNone =
    "http://www.w3.org/2003/05/soap-envelope/role/none";
constexpr uint32_t kMinEnvelopeSize = 8192;    // DSP0226 6.2
constexpr size_t kMaxActivityIdLength = 2048;  // MS-WSMV 3.1.4.1.12

// True when some start tag in `xml` has more than `max` attributes
// (namespace declarations included). One linear pass over the bytes, before
// libxml2 sees them: libxml2 2.9 checks each attribute of a tag against all
// the earlier ones, so 49,000 attributes on one element cost a second of
// CPU in the tokenizer alone, before any callback could refuse them.
bool ExceedsAttributeLimit(std::string_view xml, size_t max) {
  size_t i = 0;
  const size_t n = xml.size();
  auto skip_past = [&](std::string_view end) {
    size_t at = xml.find(end, i);
    i = at == std::string_view::npos ? n : at + end.size();
  };
  while (i < n) {
    size_t lt = xml.find('<', i);
    if (lt == std::string_view::npos) break;
    i = lt + 1;
    std::string_view rest = xml.substr(i);
    if (rest.starts_with("!--")) {
      skip_past("-->");
    } else if (rest.starts_with("![CDATA[")) {
      skip_past("]]>");
    } else if (rest.starts_with("?")) {
      skip_past("?>");
    } else if (rest.starts_with("!") || rest.starts_with("/")) {
      skip_past(">");
    } else {
      // A start tag: every '=' outside a quoted value begins an attribute.
      size_t count = 0;
      char quote = 0;
      for (; i < n; ++i) {
        char c = xml[i];
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          if (++count > max) return true;
        } else if (c == '>') {
          ++i;
          break;
        }
      }
    }
  }
  return false;
}

void InitLibxmlOnce() {
  static std::once_flag once;
  std::call_once(once, [] { xmlInitParser(); });
}

// --- Parsing with limits ---------------------------------------------------

enum class Stop { kNone, kDoctype, kDepth, kNodes, kAttributes };

struct ParseState {
  const ParseLimits* limits = nullptr;
  int depth = 0;
  size_t nodes = 0;
  bool last_was_text = false;
  Stop stop = Stop::kNone;
  bool have_error = false;
  int error_code = 0;
  int error_line = 0;
  std::string error_message;
};

ParseState* StateOf(void* ctx) {
  auto* ctxt = static_cast<xmlParserCtxtPtr>(ctx);
  return ctxt == nullptr ? nullptr : static_cast<ParseState*>(ctxt->_private);
}

void Halt(void* ctx, ParseState* st, Stop why) {
  if (st != nullptr && st->stop == Stop::kNone) st->stop = why;
  xmlStopParser(static_cast<xmlParserCtxtPtr>(ctx));
}

// Counts one node; false (and the parser stopped) when over the limit.
bool CountNode(void* ctx, ParseState* st, size_t n) {
  if (st == nullptr) {
    Halt(ctx, st, Stop::kNodes);
    return false;
  }
  st->nodes += n;
  if (st->nodes > st->limits->max_nodes) {
    Halt(ctx, st, Stop::kNodes);
    return false;
  }
  return true;
}

// Any DOCTYPE stops the parse the moment its name has been read: the
// internal subset (and with it every entity declaration) is never parsed.
void OnInternalSubset(void* ctx, const xmlChar*, const xmlChar*,
                      const xmlChar*) {
  Halt(ctx, StateOf(ctx), Stop::kDoctype);
}

void OnStartElementNs(void* ctx, const xmlChar* localname,
                      const xmlChar* prefix, const xmlChar* uri,
                      int nb_namespaces, const xmlChar** namespaces,
                      int nb_attributes, int nb_defaulted,
                      const xmlChar** attributes) {
  ParseState* st = StateOf(ctx);
  if (!CountNode(ctx, st, 1 + static_cast<size_t>(nb_attributes))) return;
  // Checked again before libxml2 builds the element (adding attributes to a
  // tree node costs time quadratic in their number: 49,000 took 20 s), in
  // case the byte scan and libxml2 ever count differently.
  if (static_cast<size_t>(nb_attributes) + static_cast<size_t>(nb_namespaces) >
      st->limits->max_attributes) {
    Halt(ctx, st, Stop::kAttributes);
    return;
  }
  st->last_was_text = false;
  if (++st->depth > st->limits->max_depth) {
    Halt(ctx, st, Stop::kDepth);
    return;
  }
  xmlSAX2StartElementNs(ctx, localname, prefix, uri, nb_namespaces, namespaces,
                        nb_attributes, nb_defaulted, attributes);
}

void OnEndElementNs(void* ctx, const xmlChar* localname, const xmlChar* prefix,
                    const xmlChar* uri) {
  if (ParseState* st = StateOf(ctx)) {
    --st->depth;
    st->last_was_text = false;
  }
  xmlSAX2EndElementNs(ctx, localname, prefix, uri);
}

// Text arrives in chunks; adjacent chunks make one node.
void OnCharacters(void* ctx, const xmlChar* ch, int len) {
  ParseState* st = StateOf(ctx);
  if (st == nullptr || !st->last_was_text) {
    if (!CountNode(ctx, st, 1)) return;
  }
  st->last_was_text = true;
  xmlSAX2Characters(ctx, ch, len);
}

void OnCdataBlock(void* ctx, const xmlChar* value, int len) {
  ParseState* st = StateOf(ctx);
  if (!CountNode(ctx, st, 1)) return;
  st->last_was_text = false;
  xmlSAX2CDataBlock(ctx, value, len);
}

void OnComment(void* ctx, const xmlChar* value) {
  ParseState* st = StateOf(ctx);
  if (!CountNode(ctx, st, 1)) return;
  st->last_was_text = false;
  xmlSAX2Comment(ctx, value);
}

void OnProcessingInstruction(void* ctx, const xmlChar* target,
                             const xmlChar* data) {
  ParseState* st = StateOf(ctx);
  if (!CountNode(ctx, st, 1)) return;
  st->last_was_text = false;
  xmlSAX2ProcessingInstruction(ctx, target, data);
}

// Per-context structured error handler: keeps the first error, prints
// nothing (libxml2's default handlers write to stderr).
void OnStructuredError(void* ctx, xmlErrorPtr error) {
  ParseState* st = StateOf(ctx);
  if (st == nullptr || error == nullptr || st->have_error) return;
  if (error->level < XML_ERR_ERROR) return;  // warnings
  st->have_error = true;
  st->error_code = error->code;
  st->error_line = error->line;
  if (error->message != nullptr) {
    std::string_view m(error->message);
    while (!m.empty() && (m.back() == '\n' || m.back() == ' ')) {
      m.remove_suffix(1);
    }
    st->error_message.assign(m.substr(0, 200));
  }
}

struct CtxtDeleter {
  void operator()(xmlParserCtxt* c) const { xmlFreeParserCtxt(c); }
};

Fault InvalidXml(std::string_view why) {
  std::string msg =
      "The WS-Management service cannot process the request because the XML "
      "is invalid.";
  if (!why.empty()) {
    msg.append(" ");
    msg.append(why);
  }
  Fault f(FaultCode::kSchemaValidationError, {}, msg);
  f.wsman_code = kWsmanInvalidXml;
  return f;
}

Fault TooManyAttributes() {
  return Fault(FaultCode::kEncodingLimit, {},
               "An XML element has more attributes than the service allows.");
}

Result<XmlDoc> ParseXml(std::string_view xml, const ParseLimits& limits) {
  if (ExceedsAttributeLimit(xml, limits.max_attributes)) {
    return TooManyAttributes();
  }
  InitLibxmlOnce();
  std::unique_ptr<xmlParserCtxt, CtxtDeleter> ctxt(xmlNewParserCtxt());
  if (ctxt == nullptr || ctxt->sax == nullptr) {
    return Fault(FaultCode::kInternalError, {}, "Out of memory.");
  }
  ParseState state;
  state.limits = &limits;
  ctxt->_private = &state;
  xmlSAXHandler* sax = ctxt->sax;
  sax->internalSubset = OnInternalSubset;
  sax->startElementNs = OnStartElementNs;
  sax->endElementNs = OnEndElementNs;
  sax->characters = OnCharacters;
  sax->ignorableWhitespace = OnCharacters;
  sax->cdataBlock = OnCdataBlock;
  sax->comment = OnComment;
  sax->processingInstruction = OnProcessingInstruction;
  sax->serror = OnStructuredError;

  // No network, no DTD loading or defaulting, no entity substitution, no
  // "huge" relaxation of libxml2's own limits; CDATA stays CDATA (TextOf
  // reads it). The body is already UTF-8: ignore any encoding declaration
  // (a UTF-16 request decoded upstream still says encoding="utf-16").
  const int options = XML_PARSE_NONET | XML_PARSE_NOERROR |
                      XML_PARSE_NOWARNING | XML_PARSE_IGNORE_ENC;
  xmlDoc* raw =
      xmlCtxtReadMemory(ctxt.get(), xml.data(), static_cast<int>(xml.size()),
                        nullptr, "UTF-8", options);
  XmlDoc doc(raw);
  const bool well_formed = ctxt->wellFormed && ctxt->nsWellFormed;
  ctxt->_private = nullptr;

  switch (state.stop) {
    case Stop::kDoctype:
      return InvalidXml("A document type declaration (DTD) is not allowed.");
    case Stop::kDepth:
      return Fault(FaultCode::kEncodingLimit, {},
                   "The XML nesting depth exceeds the limit of the service.");
    case Stop::kNodes:
      return Fault(FaultCode::kEncodingLimit, {},
                   "The number of XML nodes exceeds the limit of the service.");
    case Stop::kAttributes:
      return TooManyAttributes();
    case Stop::kNone:
      break;
  }
  if (doc == nullptr || !well_formed || state.have_error) {
    std::string why;
    if (state.have_error) {
      why = "Line " + std::to_string(state.error_line) + ": " +
            state.error_message;
    }
    return InvalidXml(why);
  }
  // Defence in depth: the SAX hook above already refused any DOCTYPE.
  if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
    return InvalidXml("A document type declaration (DTD) is not allowed.");
  }
  return doc;
}

// --- Header extraction -----------------------------------------------------

std::string Trimmed(const xmlNode* node) {
  return std::string(TrimXmlSpace(TextOf(node)));
}

bool IsTrue(std::string_view v) {
  v = TrimXmlSpace(v);
  return v == "true" || v == "1";
}

// s:mustUnderstand, or the unprefixed attribute Go winrm (and others) write.
bool MustUnderstand(const xmlNode* node) {
  std::string v;
  if (GetAttr(node, ns::kSoap12, "mustUnderstand", &v)) return IsTrue(v);
  if (GetAttr(node, "", "mustUnderstand", &v)) return IsTrue(v);
  return false;
}

bool TargetsNoRole(const xmlNode* node) {
  std::string v;
  return GetAttr(node, ns::kSoap12, "role", &v) && TrimXmlSpace(v) == kRoleNone;
}

bool IsAnonymous(std::string_view address) {
  address = TrimXmlSpace(address);
  if (address == ns::kAnonymous) return true;
  // MS-WSMV 3.1.4.1.4 spells it with a trailing slash.
  return address.size() == ns::kAnonymous.size() + 1 && address.back() == '/' &&
         address.substr(0, ns::kAnonymous.size()) == ns::kAnonymous;
}

bool StartsWith(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(0, p.size()) == p;
}

// Parses an unsigned decimal integer (digits only). False when empty,
// malformed, or above `max`.
bool ParseUnsigned(std::string_view s, uint64_t max, uint64_t* out) {
  s = TrimXmlSpace(s);
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    if (__builtin_mul_overflow(v, uint64_t{10}, &v) ||
        __builtin_add_overflow(v, uint64_t(c - '0'), &v) || v > max) {
      return false;
    }
  }
  *out = v;
  return true;
}

Fault InvalidHeader(std::string_view msg) {
  std::string m = "The WS-Management service cannot process the request. ";
  m.append(msg);
  return Fault(FaultCode::kInvalidMessageInformationHeader, {}, m);
}

Fault Duplicate(const xmlNode* node) {
  std::string m = "The request contains more than one ";
  m.append(LocalName(node));
  m.append(" header.");
  return InvalidHeader(m);
}

enum class Header {
  kUnknown,
  kTo,
  kAction,
  kMessageId,
  kReplyTo,
  kFaultTo,
  kFrom,
  kResourceUri,
  kSelectorSet,
  kOptionSet,
  kOperationTimeout,
  kMaxEnvelopeSize,
  kLocale,
  kDataLocale,
  kSessionId,
  kOperationId,
  kSequenceId,
  kActivityId,
  kRequestEpr,
  kRequestTotalItemsCountEstimate,
  kCompressionType,
  kFragmentTransfer,
  kCount
};

Header Classify(const xmlNode* node) {
  const std::string_view nsuri = NamespaceOf(node);
  const std::string_view name = LocalName(node);
  if (nsuri == ns::kAddressing) {
    if (name == "To") return Header::kTo;
    if (name == "Action") return Header::kAction;
    if (name == "MessageID") return Header::kMessageId;
    if (name == "ReplyTo") return Header::kReplyTo;
    if (name == "FaultTo") return Header::kFaultTo;
    if (name == "From") return Header::kFrom;
  } else if (nsuri == ns::kWsman) {
    if (name == "ResourceURI") return Header::kResourceUri;
    if (name == "SelectorSet") return Header::kSelectorSet;
    if (name == "OptionSet") return Header::kOptionSet;
    if (name == "OperationTimeout") return Header::kOperationTimeout;
    if (name == "MaxEnvelopeSize") return Header::kMaxEnvelopeSize;
    if (name == "Locale") return Header::kLocale;
    if (name == "RequestEPR") return Header::kRequestEpr;
    if (name == "RequestTotalItemsCountEstimate") {
      return Header::kRequestTotalItemsCountEstimate;
    }
    if (name == "FragmentTransfer") return Header::kFragmentTransfer;
  } else if (nsuri == ns::kMsWsman) {
    if (name == "DataLocale") return Header::kDataLocale;
    if (name == "SessionId") return Header::kSessionId;
    if (name == "OperationID") return Header::kOperationId;
    if (name == "SequenceId") return Header::kSequenceId;
    if (name == "ActivityId") return Header::kActivityId;
    if (name == "CompressionType") return Header::kCompressionType;
  } else if (nsuri == ns::kShell) {
    // PowerShell clients put CompressionType in the shell namespace.
    if (name == "CompressionType") return Header::kCompressionType;
  }
  return Header::kUnknown;
}

// The a:EndpointReference value of a selector.
Outcome ParseReference(const xmlNode* epr, const ParseLimits& limits,
                       Selector* sel) {
  sel->is_reference = true;
  if (const xmlNode* a = FirstChildElement(epr, ns::kAddressing, "Address")) {
    sel->reference_address = Trimmed(a);
  }
  const xmlNode* params =
      FirstChildElement(epr, ns::kAddressing, "ReferenceParameters");
  if (params == nullptr) return Ok{};
  if (const xmlNode* r = FirstChildElement(params, ns::kWsman, "ResourceURI")) {
    sel->reference_resource_uri = Trimmed(r);
  }
  if (const xmlNode* s = FirstChildElement(params, ns::kWsman, "SelectorSet")) {
    return ParseSelectorSet(s, limits, &sel->reference_selectors);
  }
  return Ok{};
}

}  // namespace

Outcome ParseSelectorSet(const xmlNode* set, const ParseLimits& limits,
                         std::vector<Selector>* out) {
  for (const xmlNode* c = FirstChildElement(set); c != nullptr;
       c = NextElement(c)) {
    if (!IsElement(c, ns::kWsman, "Selector")) {
      return Fault(FaultCode::kInvalidSelectors,
                   fault_detail::kUnexpectedSelectors,
                   "The SelectorSet contains an element that is not a "
                   "Selector.");
    }
    if (out->size() >= limits.max_selectors) {
      return Fault(FaultCode::kEncodingLimit, fault_detail::kSelectorLimit,
                   "The request contains more selectors than the service "
                   "supports.");
    }
    Selector sel;
    if (!GetAttr(c, "", "Name", &sel.name) || TrimXmlSpace(sel.name).empty()) {
      return Fault(FaultCode::kInvalidSelectors, fault_detail::kInvalidValue,
                   "A Selector has no Name.");
    }
    sel.name = std::string(TrimXmlSpace(sel.name));
    if (sel.name.size() > limits.max_name_length) {
      return Fault(FaultCode::kEncodingLimit, fault_detail::kSelectorLimit,
                   "A selector name is longer than the service supports.");
    }
    for (const Selector& prior : *out) {
      if (base::EqualsIgnoreCase(prior.name, sel.name)) {
        return Fault(FaultCode::kInvalidSelectors,
                     fault_detail::kDuplicateSelectors,
                     "The selector " + sel.name + " appears more than once.");
      }
    }
    const xmlNode* child = FirstChildElement(c);
    if (child == nullptr) {
      sel.value = Trimmed(c);
    } else {
      if (!IsElement(child, ns::kAddressing, "EndpointReference") ||
          NextElement(child) != nullptr || !TrimXmlSpace(TextOf(c)).empty()) {
        return Fault(FaultCode::kInvalidSelectors, fault_detail::kTypeMismatch,
                     "The value of selector " + sel.name +
                         " is neither text nor an EndpointReference.");
      }
      Outcome s = ParseReference(child, limits, &sel);
      if (!s.ok()) return s;
    }
    out->push_back(std::move(sel));
  }
  return Ok{};
}

namespace {

// Options that may legally repeat: MS-WSMV 2.2.10 and 3.1.4.1.10 group
// repeated "wmiarray:" options into arrays and combine repeated
// __MI_CallbackRegistration / __MI_OPERATIONOPTIONS_CHANNEL options.
bool MayRepeat(std::string_view name) {
  return StartsWith(name, "wmiarray:") || StartsWith(name, "wmi:") ||
         StartsWith(name, "__MI_");
}

Outcome ParseOptionSet(const xmlNode* set, const ParseLimits& limits,
                       std::vector<Option>* out) {
  for (const xmlNode* c = FirstChildElement(set); c != nullptr;
       c = NextElement(c)) {
    if (!IsElement(c, ns::kWsman, "Option")) {
      return Fault(FaultCode::kInvalidOptions, {},
                   "The OptionSet contains an element that is not an "
                   "Option.");
    }
    if (out->size() >= limits.max_options) {
      return Fault(FaultCode::kEncodingLimit, fault_detail::kOptionLimit,
                   "The request contains more options than the service "
                   "supports.");
    }
    Option opt;
    if (!GetAttr(c, "", "Name", &opt.name) || TrimXmlSpace(opt.name).empty()) {
      return Fault(FaultCode::kInvalidOptions, fault_detail::kInvalidName,
                   "An Option has no Name.");
    }
    opt.name = std::string(TrimXmlSpace(opt.name));
    if (opt.name.size() > limits.max_name_length) {
      return Fault(FaultCode::kEncodingLimit, fault_detail::kOptionLimit,
                   "An option name is longer than the service supports.");
    }
    if (!MayRepeat(opt.name)) {
      for (const Option& prior : *out) {
        if (prior.name == opt.name) {
          return Fault(FaultCode::kInvalidOptions, fault_detail::kInvalidName,
                       "The option " + opt.name + " appears more than once.");
        }
      }
    }
    GetAttr(c, "", "Type", &opt.type);
    std::string mc;
    if (GetAttr(c, "", "MustComply", &mc) ||
        GetAttr(c, "", "mustComply", &mc)) {
      opt.must_comply = IsTrue(mc);
    }
    opt.value = Trimmed(c);
    out->push_back(std::move(opt));
  }
  return Ok{};
}

// ReplyTo and FaultTo: only the anonymous address is supported.
Outcome CheckReplyAddress(const xmlNode* node, std::string* address) {
  const xmlNode* a = FirstChildElement(node, ns::kAddressing, "Address");
  if (a == nullptr) {
    std::string m = "The ";
    m.append(LocalName(node));
    m.append(" header has no Address.");
    return InvalidHeader(m);
  }
  std::string value = Trimmed(a);
  if (!IsAnonymous(value)) {
    std::string m = "The service only supports the anonymous ";
    m.append(LocalName(node));
    m.append(" address.");
    return Fault(FaultCode::kUnsupportedFeature, fault_detail::kAddressingMode,
                 m);
  }
  if (address != nullptr) *address = std::move(value);
  return Ok{};
}

Outcome ProcessHeader(const xmlNode* h, Header kind, const ParseLimits& limits,
                      Request* req) {
  switch (kind) {
    case Header::kTo:
      // Never rejected for its value: pywinrm sends a fixed host name.
      req->to = Trimmed(h);
      return Ok{};
    case Header::kAction:
      req->action = Trimmed(h);
      if (req->action.empty()) return InvalidHeader("The Action is empty.");
      return Ok{};
    case Header::kMessageId:
      req->message_id = Trimmed(h);
      if (req->message_id.empty()) {
        return InvalidHeader("The MessageID is empty.");
      }
      return Ok{};
    case Header::kReplyTo:
      return CheckReplyAddress(h, &req->reply_to);
    case Header::kFaultTo:
      return CheckReplyAddress(h, nullptr);
    case Header::kResourceUri:
      req->resource_uri = Trimmed(h);
      return Ok{};
    case Header::kSelectorSet:
      return ParseSelectorSet(h, limits, &req->selectors);
    case Header::kOptionSet:
      req->option_set_must_understand = MustUnderstand(h);
      return ParseOptionSet(h, limits, &req->options);
    case Header::kOperationTimeout: {
      std::string text = Trimmed(h);
      auto d = ParseDuration(text);
      if (!d.ok()) {
        return InvalidHeader(
            "The XML contains an invalid timeout field in the SOAP header: " +
            text.substr(0, 64) + ".");
      }
      req->operation_timeout = *d;
      return Ok{};
    }
    case Header::kMaxEnvelopeSize: {
      uint64_t v = 0;
      // xs:positiveInteger: no upper bound; clamp what does not fit, the
      // service limit caps it anyway.
      std::string text = Trimmed(h);
      bool digits = !text.empty() &&
                    text.find_first_not_of("0123456789") == std::string::npos;
      if (!digits) {
        return InvalidHeader("The MaxEnvelopeSize is not a positive integer.");
      }
      if (!ParseUnsigned(text, UINT32_MAX, &v)) v = UINT32_MAX;
      if (v < kMinEnvelopeSize) {
        return Fault(FaultCode::kEncodingLimit,
                     fault_detail::kMinimumEnvelopeLimit,
                     "The MaxEnvelopeSize is below the minimum of 8192 "
                     "octets.");
      }
      req->max_envelope_size = static_cast<uint32_t>(v);
      return Ok{};
    }
    case Header::kLocale:
      if (MustUnderstand(h)) {
        return Fault(FaultCode::kUnsupportedFeature, fault_detail::kLocale,
                     "The Locale header must not be mustUnderstand.");
      }
      GetAttr(h, ns::kXml, "lang", &req->locale);
      return Ok{};
    case Header::kDataLocale:
      if (MustUnderstand(h)) {
        return Fault(FaultCode::kUnsupportedFeature, kDataLocaleDetail,
                     "The DataLocale header must not be mustUnderstand.");
      }
      GetAttr(h, ns::kXml, "lang", &req->data_locale);
      return Ok{};
    case Header::kSessionId:
      req->session_id = Trimmed(h);
      return Ok{};
    case Header::kOperationId:
      req->operation_id = Trimmed(h);
      return Ok{};
    case Header::kSequenceId: {
      uint64_t v = 0;
      if (!ParseUnsigned(TextOf(h), UINT64_MAX, &v)) {
        return InvalidHeader("The SequenceId is not an unsigned integer.");
      }
      req->sequence_id = v;
      return Ok{};
    }
    case Header::kActivityId:
      if (TrimXmlSpace(TextOf(h)).size() > kMaxActivityIdLength) {
        return InvalidHeader("The ActivityId is too long.");
      }
      return Ok{};
    case Header::kFragmentTransfer: {
      std::string mu;
      if ((GetAttr(h, ns::kSoap12, "mustUnderstand", &mu) ||
           GetAttr(h, "", "mustUnderstand", &mu)) &&
          !IsTrue(mu)) {
        return InvalidHeader(
            "The FragmentTransfer header must be mustUnderstand=\"true\".");
      }
      FragmentTransfer f;
      f.expression = Trimmed(h);
      GetAttr(h, "", "Dialect", &f.dialect);
      f.dialect = std::string(TrimXmlSpace(f.dialect));
      req->fragment = std::move(f);
      return Ok{};
    }
    case Header::kFrom:
    case Header::kRequestEpr:
    case Header::kRequestTotalItemsCountEstimate:
    case Header::kCompressionType:
    case Header::kUnknown:
    case Header::kCount:
      return Ok{};
  }
  return Ok{};
}

// Headers that may appear once only.
bool IsSingleton(Header kind) {
  switch (kind) {
    case Header::kUnknown:
    case Header::kCount:
      return false;
    default:
      return true;
  }
}

Outcome ParseHeaders(const xmlNode* header, bool is_identify,
                     const ParseLimits& limits, Request* req,
                     std::string* message_id) {
  // The MessageID first, so that a fault for any other header can still
  // carry RelatesTo.
  for (const xmlNode* h = FirstChildElement(header); h != nullptr;
       h = NextElement(h)) {
    if (IsElement(h, ns::kAddressing, "MessageID")) {
      if (message_id != nullptr) *message_id = Trimmed(h);
      break;
    }
  }
  // SOAP 1.2 processing model: mustUnderstand checks come before any other
  // processing.
  for (const xmlNode* h = FirstChildElement(header); h != nullptr;
       h = NextElement(h)) {
    if (Classify(h) == Header::kUnknown && MustUnderstand(h) &&
        !TargetsNoRole(h)) {
      Fault f(FaultCode::kMustUnderstand, {},
              "The service does not understand the header " +
                  std::string(LocalName(h)) + ".");
      f.not_understood_ns = std::string(NamespaceOf(h));
      f.not_understood_local = std::string(LocalName(h));
      return f;
    }
  }
  bool seen[static_cast<size_t>(Header::kCount)] = {};
  for (const xmlNode* h = FirstChildElement(header); h != nullptr;
       h = NextElement(h)) {
    const Header kind = Classify(h);
    if (IsSingleton(kind)) {
      bool& s = seen[static_cast<size_t>(kind)];
      if (s) return Duplicate(h);
      s = true;
    }
    Outcome st = ProcessHeader(h, kind, limits, req);
    if (!st.ok()) return st;
  }
  // Fragment transfer is served on Get and Put only ([MS-WSMV]
  // 3.1.4.1.18); DSP0226 7.7's fault for the other operations.
  if (req->fragment && req->action != action::kGet &&
      req->action != action::kPut) {
    return Fault(FaultCode::kUnsupportedFeature,
                 fault_detail::kFragmentLevelAccess,
                 "The service supports fragment transfer on Get and Put "
                 "only.");
  }
  // wsmid:Identify may come with no headers at all (DSP0226 11).
  if (!is_identify) {
    if (!seen[static_cast<size_t>(Header::kAction)]) {
      return Fault(FaultCode::kMessageInformationHeaderRequired, {},
                   "The request has no Action header.");
    }
    if (!seen[static_cast<size_t>(Header::kMessageId)]) {
      return Fault(FaultCode::kMessageInformationHeaderRequired, {},
                   "The request has no MessageID header.");
    }
  }
  return Ok{};
}

}  // namespace

Result<Envelope> ParseEnvelope(std::string_view utf8_xml,
                               const ParseLimits& limits,
                               std::string* message_id) {
  if (message_id != nullptr) message_id->clear();
  if (utf8_xml.size() > limits.max_bytes ||
      utf8_xml.size() > static_cast<size_t>(INT_MAX)) {
    return Fault(FaultCode::kEncodingLimit, fault_detail::kServiceEnvelopeLimit,
                 "The request is larger than the maximum envelope size of "
                 "the service.");
  }
  if (StartsWith(utf8_xml, "\xEF\xBB\xBF")) utf8_xml.remove_prefix(3);
  if (TrimXmlSpace(utf8_xml).empty()) return InvalidXml("The body is empty.");
  if (!IsValidUtf8(utf8_xml)) {
    return Fault(FaultCode::kEncodingLimit, fault_detail::kCharacterSet,
                 "The request is not valid UTF-8.");
  }

  auto parsed = ParseXml(utf8_xml, limits);
  if (!parsed.ok()) return std::move(parsed).fault();
  XmlDoc doc = std::move(parsed).value();

  const xmlNode* root = xmlDocGetRootElement(doc.get());
  if (root == nullptr) return InvalidXml("There is no root element.");
  if (LocalName(root) != "Envelope") {
    return InvalidXml("The root element is not a SOAP Envelope.");
  }
  if (NamespaceOf(root) != ns::kSoap12) {
    std::string m = NamespaceOf(root) == ns::kSoap11
                        ? "SOAP 1.1 is not supported; use SOAP 1.2."
                        : "The Envelope is not in the SOAP 1.2 namespace.";
    return Fault(FaultCode::kVersionMismatch, {}, m);
  }

  const xmlNode* header = nullptr;
  const xmlNode* body = nullptr;
  for (const xmlNode* c = FirstChildElement(root); c != nullptr;
       c = NextElement(c)) {
    if (IsElement(c, ns::kSoap12, "Header") && header == nullptr &&
        body == nullptr) {
      header = c;
    } else if (IsElement(c, ns::kSoap12, "Body") && body == nullptr) {
      body = c;
    } else {
      return InvalidXml("Unexpected element " + std::string(LocalName(c)) +
                        " in the SOAP Envelope.");
    }
  }
  if (body == nullptr) return InvalidXml("The SOAP Envelope has no Body.");

  Request req;
  req.reply_to = std::string(ns::kAnonymous);
  req.body = FirstChildElement(body);
  const bool is_identify = IsElement(req.body, ns::kIdentity, "Identify");
  if (header != nullptr) {
    Outcome st = ParseHeaders(header, is_identify, limits, &req, message_id);
    if (!st.ok()) return std::move(st).fault();
  } else if (!is_identify) {
    return Fault(FaultCode::kMessageInformationHeaderRequired, {},
                 "The request has no SOAP Header.");
  }
  return Envelope(std::move(doc), std::move(req));
}

}  // namespace wsman::soap
