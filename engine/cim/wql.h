// WQL, the query language of the WS-Man filter dialect
// http://schemas.microsoft.com/wbem/wsman/1/WQL:
//   SELECT * | prop [, prop]* FROM Class [WHERE condition]
// where a condition combines, with AND, OR, NOT and parentheses,
//   prop <op> literal | literal <op> prop   (op: = <> != < <= > >=)
//   prop [NOT] LIKE 'pattern'               (% _ [set] [^set], no case)
//   prop IS [NOT] NULL
//   prop ISA 'Class'   (WMI's ISA for data queries: the embedded object,
//                       or the instance a reference names, is of Class or
//                       a class derived from it)
// Literals: 'string' or "string" (backslash escapes), numbers, TRUE, FALSE,
// NULL. String comparisons ignore case, as WMI's do. A hand-written
// recursive-descent parser with limits on length, tokens and nesting.
//
// Also WMI's association queries (ParseWqlAssociation; DSP0227 8.2's
// association filter in WQL form, see WMI's "ASSOCIATORS OF statement" and
// "REFERENCES OF statement"):
//   ASSOCIATORS OF {path} [WHERE AssocClass = A ResultClass = R Role = r
//                          ResultRole = rr ClassDefsOnly KeysOnly ...]
//   REFERENCES OF {path} [WHERE ResultClass = R Role = r ClassDefsOnly
//                         KeysOnly ...]
// where path is a WMI object path: [\\host\ns:]Class.Key="v"[,Key=v]*,
// Class="v" (the class's one key) or Class=@ (a singleton).
//
// Every error message ends with "(at character offset N)", N counting the
// query's bytes from 0.
//
// Cost of Matches per instance: a comparison stops at the first character
// that differs, so all of them together read at most the query's literals;
// each LIKE reads its value once (engine/cim/wql_like.h: linear time), and
// a query holds at most max_like_tests of them. A parsed query is
// immutable; Matches may run on any thread.
#ifndef WSMAND_ENGINE_CIM_WQL_H_
#define WSMAND_ENGINE_CIM_WQL_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/status.h"
#include "engine/cim/wql_like.h"
#include "providers/class_decl.h"
#include "providers/instance.h"

namespace wsman::engine::cim {

struct WqlLimits {
  size_t max_length = 16384;
  size_t max_tokens = 2048;
  int max_depth = 32;
  // LIKE tests in one query: each scans its property's whole text.
  size_t max_like_tests = 32;
  // Parts of the query's LIKE patterns, between '%' signs, that hold '_' or
  // [...] (each a 2 KiB matching table; LikePattern).
  size_t max_like_wildcard_segments = 32;
};

struct WqlLiteral {
  enum class Kind { kString, kNumber, kBoolean, kNull };
  Kind kind = Kind::kNull;
  std::string text;  // string value, or the number as written
  bool boolean = false;
};

struct WqlExpr {
  enum class Kind {
    kAnd,
    kOr,
    kNot,
    kCompare,
    kLike,
    kIsNull,
    kIsNotNull,
    kIsA  // literal.text: the class
  };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kCompare;
  std::unique_ptr<WqlExpr> left, right;  // kAnd/kOr: both; kNot: left
  std::string property;                  // kCompare, kLike, kIsNull...
  Op op = Op::kEq;
  WqlLiteral literal;
  std::shared_ptr<const LikePattern> like;  // kLike: literal.text compiled
};

// Whether class `cls` is `base` or derives from it (the engine's class
// hierarchy); without one, ISA holds only for the class itself.
using WqlClassTest =
    std::function<bool(std::string_view cls, std::string_view base)>;

class WqlQuery {
 public:
  // All properties when empty ("SELECT *").
  const std::vector<std::string>& properties() const { return properties_; }
  const std::string& class_name() const { return class_name_; }
  const WqlExpr* where() const { return where_.get(); }

  // True when `instance` satisfies the WHERE clause (unknown, e.g. a
  // comparison with a null, counts as false). `is_a` answers ISA.
  bool Matches(const providers::Instance& instance,
               const WqlClassTest* is_a = nullptr) const;
  // Checks every property the query names against `decl`; the message of
  // the first unknown one (or of an ISA on a property that holds no
  // object), or "" when all are known.
  std::string CheckAgainst(const providers::ClassDecl& decl) const;

 private:
  friend class WqlParser;
  std::vector<std::string> properties_;
  std::string class_name_;
  std::unique_ptr<WqlExpr> where_;
};

// Parses `text` (wql_parser.cc); InvalidArgument, its message saying what
// is wrong, when it is not valid WQL or exceeds `limits`.
base::StatusOr<WqlQuery> ParseWql(std::string_view text,
                                  const WqlLimits& limits = {});

// A WMI object path as an association query names it.
struct WqlObjectPath {
  std::string namespace_name;  // "" = the request's; "/" separated
  std::string class_name;
  // Name = value; an empty name is the class's single key (Class="v").
  std::vector<std::pair<std::string, std::string>> keys;
};

// ASSOCIATORS OF / REFERENCES OF, parsed. Unsupported WMI clauses
// (RequiredAssocQualifier, RequiredQualifier, ClassDefsOnly) are parsed and
// flagged so that the caller refuses them by name.
struct WqlAssociation {
  bool associators = true;
  WqlObjectPath object;
  std::string assoc_class;  // ASSOCIATORS only
  std::string result_class;
  std::string role;
  std::string result_role;  // ASSOCIATORS only
  bool keys_only = false;
  bool class_defs_only = false;
  std::string required_qualifier;        // RequiredQualifier
  std::string required_assoc_qualifier;  // RequiredAssocQualifier
};

// True when `text` starts (after white space) with ASSOCIATORS or
// REFERENCES: ParseWqlAssociation, not ParseWql, reads it.
bool IsWqlAssociationQuery(std::string_view text);

// Parses an association query (wql_parser.cc); InvalidArgument with the
// error and its offset otherwise.
base::StatusOr<WqlAssociation> ParseWqlAssociation(
    std::string_view text, const WqlLimits& limits = {});

// WQL LIKE matching (case-insensitive for ASCII), compiling `pattern` each
// time; a pattern LikePattern::Compile refuses matches nothing.
bool WqlLike(std::string_view text, std::string_view pattern);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_WQL_H_
