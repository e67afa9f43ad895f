// WQL, the query language of the WS-Man filter dialect
// http://schemas.microsoft.com/wbem/wsman/1/WQL:
//   SELECT * | prop [, prop]* FROM Class [WHERE condition]
// where a condition combines, with AND, OR, NOT and parentheses,
//   prop <op> literal | literal <op> prop   (op: = <> != < <= > >=)
//   prop [NOT] LIKE 'pattern'               (% _ [set] [^set], no case)
//   prop IS [NOT] NULL
// Literals: 'string' or "string" (backslash escapes), numbers, TRUE, FALSE,
// NULL. String comparisons ignore case, as WMI's do. A hand-written
// recursive-descent parser with limits on length, tokens and nesting.
//
// Cost of Matches per instance: a comparison stops at the first character
// that differs, so all of them together read at most the query's literals;
// each LIKE reads its value once (engine/cim/wql_like.h: linear time), and
// a query holds at most max_like_tests of them. A parsed query is
// immutable; Matches may run on any thread.
#ifndef WSMAND_ENGINE_CIM_WQL_H_
#define WSMAND_ENGINE_CIM_WQL_H_

#include <memory>
#include <optional>
#include <string>
#include <string_view>
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
  enum class Kind { kAnd, kOr, kNot, kCompare, kLike, kIsNull, kIsNotNull };
  enum class Op { kEq, kNe, kLt, kLe, kGt, kGe };
  Kind kind = Kind::kCompare;
  std::unique_ptr<WqlExpr> left, right;  // kAnd/kOr: both; kNot: left
  std::string property;                  // kCompare, kLike, kIsNull...
  Op op = Op::kEq;
  WqlLiteral literal;
  std::shared_ptr<const LikePattern> like;  // kLike: literal.text compiled
};

class WqlQuery {
 public:
  // All properties when empty ("SELECT *").
  const std::vector<std::string>& properties() const { return properties_; }
  const std::string& class_name() const { return class_name_; }
  const WqlExpr* where() const { return where_.get(); }

  // True when `instance` satisfies the WHERE clause (unknown, e.g. a
  // comparison with a null, counts as false).
  bool Matches(const providers::Instance& instance) const;
  // Checks every property the query names against `decl`; the message of
  // the first unknown one, or "" when all are known.
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

// WQL LIKE matching (case-insensitive for ASCII), compiling `pattern` each
// time; a pattern LikePattern::Compile refuses matches nothing.
bool WqlLike(std::string_view text, std::string_view pattern);

}  // namespace wsman::engine::cim

#endif  // WSMAND_ENGINE_CIM_WQL_H_
