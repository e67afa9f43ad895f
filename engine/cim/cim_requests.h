// The CIM engine's typed requests: each WS-Enumeration body parsed once into
// a struct (OMI's wsmanparser.h is the model), so that the operations only
// resolve and call. Enumerate's filter is parsed here in all three dialects
// (WQL, SelectorFilter, association filter, DSP0227 and [MS-WSMV] 3.1.4.8);
// what needs the provider registry (which class, which namespace) is the
// operation's job. The WS-Transfer operations need no struct of their own:
// their input is the header's selectors and the body's instance (cim_xml.h).
//
// Thread rules: pure functions of their input. A parsed request points into
// the request's libxml2 tree for nothing: it owns its strings.
#ifndef WSMAND_ENGINE_CIM_CIM_REQUESTS_H_
#define WSMAND_ENGINE_CIM_CIM_REQUESTS_H_

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "engine/cim/enumeration.h"
#include "engine/cim/wql.h"
#include "soap/request.h"
#include "soap/result.h"

namespace wsman::engine::cim {

// Filter dialects.
inline constexpr std::string_view kWqlDialect =
    "http://schemas.microsoft.com/wbem/wsman/1/WQL";
inline constexpr std::string_view kSelectorDialect =
    "http://schemas.dmtf.org/wbem/wsman/1/wsman/SelectorFilter";
inline constexpr std::string_view kAssociationDialect =
    "http://schemas.dmtf.org/wbem/wsman/1/cimbinding/associationFilter";

// A WQL filter: the query as sent (passed on to providers that filter
// themselves) and as parsed.
struct WqlFilter {
  std::string text;
  std::shared_ptr<const WqlQuery> query;
};

// A SelectorFilter (DSP0226 8.3.2): instances whose properties equal these
// values, parsed as the header's w:SelectorSet is (soap::ParseSelectorSet).
struct SelectorFilter {
  std::vector<soap::Selector> selectors;
};

// b:AssociatedInstances (associators) or b:AssociationInstances
// (references) of the object the EPR names (DSP0227 8.2). A WQL
// ASSOCIATORS OF / REFERENCES OF query (wql.h) is parsed into this same
// filter: its object path gives object_class (instead of object_uri) and
// selectors, a namespace prefix a __cimnamespace selector; a key named ""
// is the class's single key (NameSingleKey).
struct AssociationFilter {
  bool associators = true;
  std::string object_uri;
  std::string object_class;  // WQL: the object path's class
  std::vector<soap::Selector> object_selectors;
  std::string assoc_class;
  std::string result_class;
  std::string role;
  std::string result_role;
  bool keys_only = false;  // WQL KeysOnly
};

// [MS-WSMV] 3.1.4.1.13: a selector filter names properties of `decl`
// (case-insensitively), none twice, none an array, datetime, reference or
// embedded object, and no value holds a quotation mark; otherwise
// n:CannotProcessFilter, as Windows answers.
soap::Outcome CheckSelectorFilter(const SelectorFilter& filter,
                                  const providers::ClassDecl& decl);

// Names the selector of an object path's unnamed key (WMI's Class="v")
// after `decl`'s one key; InvalidSelectors when the class does not have
// exactly one key.
soap::Outcome NameSingleKey(const providers::ClassDecl& decl,
                            std::vector<soap::Selector>* selectors);

using Filter =
    std::variant<std::monostate, WqlFilter, SelectorFilter, AssociationFilter>;

struct EnumerateRequest {
  bool optimize = false;
  uint32_t max_elements = 0;  // 0: w:MaxElements absent
  EnumerationMode mode = EnumerationMode::kObject;
  std::optional<std::chrono::milliseconds> expires;  // clamped to max_expiry
  Filter filter;
};

// n:Enumerate (DSP0226 8.2). Expires is clamped to `max_expiry`. A WQL
// association query with KeysOnly answers EPRs (EnumerationMode kEpr).
soap::Result<EnumerateRequest> ParseEnumerate(
    const soap::Request& request, std::chrono::milliseconds max_expiry);

// The n:EnumerationContext of a context operation whose body element is
// n:<operation> ("Pull", "Release", "Renew", "GetStatus"); "" when the body
// is not that element or names no context.
std::string EnumerationContextOf(const soap::Request& request,
                                 std::string_view operation);

struct PullRequest {
  uint32_t max_elements = 1;
  size_t max_characters = 0;  // 0: no limit
  std::optional<std::chrono::milliseconds> max_time;
};

// The options of n:Pull (DSP0226 8.4); the context is EnumerationContextOf.
soap::Result<PullRequest> ParsePull(const soap::Request& request);

struct RenewRequest {
  std::optional<std::chrono::milliseconds> expires;  // clamped to max_expiry
};

// The options of n:Renew (DSP0226 8.5).
soap::Result<RenewRequest> ParseRenew(const soap::Request& request,
                                      std::chrono::milliseconds max_expiry);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_CIM_REQUESTS_H_
