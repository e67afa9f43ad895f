// WQL text -> WqlQuery: the tokenizer and the recursive-descent parser of
// the WQL subset in wql.h, with every limit of WqlLimits checked as the
// tokens and the tree are built. Evaluation is in wql_eval.cc.
#include "engine/cim/wql.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "base/strings.h"

namespace wsman::engine::cim {
namespace {

using providers::CimType;
using providers::Value;

struct Token {
  enum class Kind { kIdent, kString, kNumber, kOp, kEnd };
  Kind kind = Kind::kEnd;
  std::string text;
  size_t pos = 0;  // offset of its first character in the query
};

std::string At(size_t pos) {
  return " (at character offset " + std::to_string(pos) + ")";
}

bool IsIdentStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Tokens of s[begin, end); positions count from the start of `s`.
bool Tokenize(std::string_view s, size_t begin, const WqlLimits& limits,
              std::vector<Token>* out, std::string* error) {
  size_t i = begin;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      ++i;
      continue;
    }
    if (out->size() >= limits.max_tokens) {
      *error = "the query has too many tokens" + At(i);
      return false;
    }
    Token t;
    t.pos = i;
    if (IsIdentStart(c)) {
      size_t start = i;
      while (i < s.size() && IsIdentChar(s[i])) ++i;
      t.kind = Token::Kind::kIdent;
      t.text = std::string(s.substr(start, i - start));
    } else if (IsDigit(c) ||
               ((c == '-' || c == '+' || c == '.') && i + 1 < s.size() &&
                (IsDigit(s[i + 1]) || s[i + 1] == '.'))) {
      size_t start = i;
      ++i;
      while (i < s.size() &&
             (IsDigit(s[i]) || s[i] == '.' || s[i] == 'e' || s[i] == 'E' ||
              ((s[i] == '-' || s[i] == '+') &&
               (s[i - 1] == 'e' || s[i - 1] == 'E')))) {
        ++i;
      }
      t.kind = Token::Kind::kNumber;
      t.text = std::string(s.substr(start, i - start));
      char* end = nullptr;
      std::string copy = t.text;
      std::strtod(copy.c_str(), &end);
      if (end != copy.c_str() + copy.size()) {
        *error = "malformed number \"" + t.text + "\"" + At(t.pos);
        return false;
      }
    } else if (c == '\'' || c == '"') {
      char quote = c;
      ++i;
      bool closed = false;
      while (i < s.size()) {
        if (s[i] == '\\' && i + 1 < s.size()) {
          t.text += s[i + 1];
          i += 2;
          continue;
        }
        if (s[i] == quote) {
          closed = true;
          ++i;
          break;
        }
        t.text += s[i++];
      }
      if (!closed) {
        *error = "unterminated string" + At(t.pos);
        return false;
      }
      t.kind = Token::Kind::kString;
    } else {
      t.kind = Token::Kind::kOp;
      std::string_view two = s.substr(i, 2);
      if (two == "<=" || two == ">=" || two == "<>" || two == "!=") {
        t.text = std::string(two);
        i += 2;
      } else if (c == '=' || c == '<' || c == '>' || c == '(' || c == ')' ||
                 c == ',' || c == '*') {
        t.text = std::string(1, c);
        ++i;
      } else {
        *error = std::string("unexpected character '") + c + "'" + At(i);
        return false;
      }
    }
    out->push_back(std::move(t));
  }
  Token end;
  end.pos = s.size();
  out->push_back(std::move(end));
  return true;
}

bool KeywordIs(const Token& t, std::string_view kw) {
  return t.kind == Token::Kind::kIdent && providers::NameEquals(t.text, kw);
}

bool IsReserved(const Token& t) {
  for (std::string_view kw : {"select", "from", "where", "and", "or", "not",
                              "like", "is", "isa", "null", "true", "false"}) {
    if (KeywordIs(t, kw)) return true;
  }
  return false;
}

}  // namespace

class WqlParser {
 public:
  WqlParser(std::vector<Token> tokens, const WqlLimits& limits)
      : tokens_(std::move(tokens)), limits_(limits) {}

  std::optional<WqlQuery> Parse(std::string* error) {
    WqlQuery q;
    if (!Expect("select", error)) return std::nullopt;
    if (Peek().kind == Token::Kind::kOp && Peek().text == "*") {
      Next();
    } else {
      for (;;) {
        if (Peek().kind != Token::Kind::kIdent || IsReserved(Peek())) {
          return Fail(error, "expected a property name or *");
        }
        q.properties_.push_back(Next().text);
        if (Peek().kind == Token::Kind::kOp && Peek().text == ",") {
          Next();
          continue;
        }
        break;
      }
    }
    if (!Expect("from", error)) return std::nullopt;
    if (Peek().kind != Token::Kind::kIdent || IsReserved(Peek())) {
      return Fail(error, "expected a class name after FROM");
    }
    q.class_name_ = Next().text;
    if (KeywordIs(Peek(), "where")) {
      Next();
      q.where_ = ParseOr(0, error);
      if (!q.where_) return std::nullopt;
    }
    if (Peek().kind != Token::Kind::kEnd) {
      return Fail(error, "unexpected \"" + Peek().text + "\"");
    }
    return q;
  }

 private:
  const Token& Peek() const { return tokens_[pos_]; }
  const Token& Next() {
    const Token& t = tokens_[pos_];
    if (t.kind != Token::Kind::kEnd) ++pos_;
    return t;
  }
  // The first error wins; it names the offset of the token being read.
  std::nullopt_t Fail(std::string* error, std::string message) {
    if (error->empty()) *error = std::move(message) + At(Peek().pos);
    return std::nullopt;
  }
  bool Expect(std::string_view kw, std::string* error) {
    if (!KeywordIs(Peek(), kw)) {
      Fail(error, "expected " + std::string(kw));
      return false;
    }
    Next();
    return true;
  }

  std::unique_ptr<WqlExpr> ParseOr(int depth, std::string* error) {
    auto left = ParseAnd(depth, error);
    while (left && KeywordIs(Peek(), "or")) {
      Next();
      auto right = ParseAnd(depth, error);
      if (!right) return nullptr;
      auto node = std::make_unique<WqlExpr>();
      node->kind = WqlExpr::Kind::kOr;
      node->left = std::move(left);
      node->right = std::move(right);
      left = std::move(node);
    }
    return left;
  }

  std::unique_ptr<WqlExpr> ParseAnd(int depth, std::string* error) {
    auto left = ParseNot(depth, error);
    while (left && KeywordIs(Peek(), "and")) {
      Next();
      auto right = ParseNot(depth, error);
      if (!right) return nullptr;
      auto node = std::make_unique<WqlExpr>();
      node->kind = WqlExpr::Kind::kAnd;
      node->left = std::move(left);
      node->right = std::move(right);
      left = std::move(node);
    }
    return left;
  }

  std::unique_ptr<WqlExpr> ParseNot(int depth, std::string* error) {
    if (depth > limits_.max_depth) {
      Fail(error, "the condition nests too deep");
      return nullptr;
    }
    if (KeywordIs(Peek(), "not")) {
      Next();
      auto inner = ParseNot(depth + 1, error);
      if (!inner) return nullptr;
      auto node = std::make_unique<WqlExpr>();
      node->kind = WqlExpr::Kind::kNot;
      node->left = std::move(inner);
      return node;
    }
    return ParsePrimary(depth, error);
  }

  bool ParseLiteral(WqlLiteral* lit) {
    const Token& t = Peek();
    if (t.kind == Token::Kind::kString) {
      lit->kind = WqlLiteral::Kind::kString;
      lit->text = Next().text;
      return true;
    }
    if (t.kind == Token::Kind::kNumber) {
      lit->kind = WqlLiteral::Kind::kNumber;
      lit->text = Next().text;
      return true;
    }
    if (KeywordIs(t, "true") || KeywordIs(t, "false")) {
      lit->kind = WqlLiteral::Kind::kBoolean;
      lit->boolean = KeywordIs(t, "true");
      lit->text = lit->boolean ? "true" : "false";
      Next();
      return true;
    }
    if (KeywordIs(t, "null")) {
      lit->kind = WqlLiteral::Kind::kNull;
      Next();
      return true;
    }
    return false;
  }

  static std::optional<WqlExpr::Op> OpOf(const Token& t) {
    if (t.kind != Token::Kind::kOp) return std::nullopt;
    if (t.text == "=") return WqlExpr::Op::kEq;
    if (t.text == "<>" || t.text == "!=") return WqlExpr::Op::kNe;
    if (t.text == "<") return WqlExpr::Op::kLt;
    if (t.text == "<=") return WqlExpr::Op::kLe;
    if (t.text == ">") return WqlExpr::Op::kGt;
    if (t.text == ">=") return WqlExpr::Op::kGe;
    return std::nullopt;
  }

  static WqlExpr::Op Mirror(WqlExpr::Op op) {
    switch (op) {
      case WqlExpr::Op::kLt:
        return WqlExpr::Op::kGt;
      case WqlExpr::Op::kLe:
        return WqlExpr::Op::kGe;
      case WqlExpr::Op::kGt:
        return WqlExpr::Op::kLt;
      case WqlExpr::Op::kGe:
        return WqlExpr::Op::kLe;
      default:
        return op;
    }
  }

  // A comparison with NULL means IS [NOT] NULL.
  static std::unique_ptr<WqlExpr> Normalise(std::unique_ptr<WqlExpr> e) {
    if (e->kind == WqlExpr::Kind::kCompare &&
        e->literal.kind == WqlLiteral::Kind::kNull) {
      if (e->op == WqlExpr::Op::kEq) e->kind = WqlExpr::Kind::kIsNull;
      if (e->op == WqlExpr::Op::kNe) e->kind = WqlExpr::Kind::kIsNotNull;
    }
    return e;
  }

  std::unique_ptr<WqlExpr> ParsePrimary(int depth, std::string* error) {
    if (Peek().kind == Token::Kind::kOp && Peek().text == "(") {
      Next();
      auto inner = ParseOr(depth + 1, error);
      if (!inner) return nullptr;
      if (!(Peek().kind == Token::Kind::kOp && Peek().text == ")")) {
        Fail(error, "expected )");
        return nullptr;
      }
      Next();
      return inner;
    }
    auto node = std::make_unique<WqlExpr>();
    // literal <op> property
    if (ParseLiteral(&node->literal)) {
      auto op = OpOf(Peek());
      if (!op) {
        Fail(error, "expected a comparison operator");
        return nullptr;
      }
      Next();
      if (Peek().kind != Token::Kind::kIdent || IsReserved(Peek())) {
        Fail(error, "expected a property name");
        return nullptr;
      }
      node->property = Next().text;
      node->kind = WqlExpr::Kind::kCompare;
      node->op = Mirror(*op);
      return Normalise(std::move(node));
    }
    if (Peek().kind != Token::Kind::kIdent || IsReserved(Peek())) {
      Fail(error, Peek().kind == Token::Kind::kEnd
                      ? "the condition ends too early"
                      : "unexpected \"" + Peek().text + "\"");
      return nullptr;
    }
    node->property = Next().text;
    if (KeywordIs(Peek(), "is")) {
      Next();
      bool negated = false;
      if (KeywordIs(Peek(), "not")) {
        Next();
        negated = true;
      }
      if (!KeywordIs(Peek(), "null")) {
        Fail(error, "expected NULL after IS");
        return nullptr;
      }
      Next();
      node->kind = negated ? WqlExpr::Kind::kIsNotNull : WqlExpr::Kind::kIsNull;
      return node;
    }
    if (KeywordIs(Peek(), "isa")) {
      Next();
      // WMI writes the class quoted ("ClassZ"); a bare name is taken too.
      if (Peek().kind != Token::Kind::kString &&
          (Peek().kind != Token::Kind::kIdent || IsReserved(Peek()))) {
        Fail(error, "ISA needs a class name");
        return nullptr;
      }
      node->kind = WqlExpr::Kind::kIsA;
      node->literal.kind = WqlLiteral::Kind::kString;
      node->literal.text = Next().text;
      if (node->literal.text.empty()) {
        Fail(error, "ISA needs a class name");
        return nullptr;
      }
      return node;
    }
    bool negated_like = false;
    if (KeywordIs(Peek(), "not")) {
      Next();
      negated_like = true;
      if (!KeywordIs(Peek(), "like")) {
        Fail(error, "expected LIKE after NOT");
        return nullptr;
      }
    }
    if (KeywordIs(Peek(), "like")) {
      Next();
      if (Peek().kind != Token::Kind::kString) {
        Fail(error, "LIKE needs a string pattern");
        return nullptr;
      }
      node->kind = WqlExpr::Kind::kLike;
      node->literal.kind = WqlLiteral::Kind::kString;
      node->literal.text = Next().text;
      if (++like_tests_ > limits_.max_like_tests) {
        Fail(error, "the query has more than " +
                        std::to_string(limits_.max_like_tests) + " LIKE tests");
        return nullptr;
      }
      auto compiled = LikePattern::Compile(
          node->literal.text,
          limits_.max_like_wildcard_segments - wildcard_segments_);
      if (!compiled.ok()) {
        Fail(error, compiled.status().message());
        return nullptr;
      }
      wildcard_segments_ += compiled->wildcard_segments();
      node->like = std::make_shared<const LikePattern>(std::move(*compiled));
      if (!negated_like) return node;
      auto neg = std::make_unique<WqlExpr>();
      neg->kind = WqlExpr::Kind::kNot;
      neg->left = std::move(node);
      return neg;
    }
    auto op = OpOf(Peek());
    if (!op) {
      Fail(error, Peek().kind == Token::Kind::kEnd
                      ? "the condition ends too early"
                      : "expected an operator, not \"" + Peek().text + "\"");
      return nullptr;
    }
    Next();
    if (!ParseLiteral(&node->literal)) {
      Fail(error, "expected a literal value");
      return nullptr;
    }
    node->kind = WqlExpr::Kind::kCompare;
    node->op = *op;
    return Normalise(std::move(node));
  }

  std::vector<Token> tokens_;
  size_t pos_ = 0;
  const WqlLimits& limits_;
  size_t like_tests_ = 0;
  size_t wildcard_segments_ = 0;  // of the LIKE patterns so far
};

base::StatusOr<WqlQuery> ParseWql(std::string_view text,
                                  const WqlLimits& limits) {
  if (text.size() > limits.max_length) {
    return base::Status::InvalidArgument("the query is too long");
  }
  std::string error;
  std::vector<Token> tokens;
  if (!Tokenize(text, 0, limits, &tokens, &error)) {
    return base::Status::InvalidArgument(std::move(error));
  }
  WqlParser parser(std::move(tokens), limits);
  std::optional<WqlQuery> query = parser.Parse(&error);
  if (!query) return base::Status::InvalidArgument(std::move(error));
  return std::move(*query);
}

}  // namespace wsman::engine::cim
