// Evaluating a parsed WqlQuery against an instance: three-valued
// comparisons of CIM values with WQL literals, the WHERE tree, LIKE, and
// the property check against a class declaration.
#include "engine/cim/wql.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>

#include "base/strings.h"

namespace wsman::engine::cim {

bool WqlLike(std::string_view text, std::string_view pattern) {
  auto compiled = LikePattern::Compile(pattern);
  return compiled.ok() && compiled->Matches(text);
}

namespace {

using providers::CimType;
using providers::Value;

// Three-valued logic: a comparison with a null is unknown.
enum class Tri { kFalse, kTrue, kUnknown };

template <typename T>
Tri Cmp(T a, T b, WqlExpr::Op op) {
  bool r = false;
  switch (op) {
    case WqlExpr::Op::kEq:
      r = a == b;
      break;
    case WqlExpr::Op::kNe:
      r = a != b;
      break;
    case WqlExpr::Op::kLt:
      r = a < b;
      break;
    case WqlExpr::Op::kLe:
      r = a <= b;
      break;
    case WqlExpr::Op::kGt:
      r = a > b;
      break;
    case WqlExpr::Op::kGe:
      r = a >= b;
      break;
  }
  return r ? Tri::kTrue : Tri::kFalse;
}

// <0, 0, >0 as `a` sorts before, with or after `b`, ASCII letters without
// case; stops at the first difference.
int CompareNoCase(std::string_view a, std::string_view b) {
  size_t n = std::min(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char x = static_cast<unsigned char>(base::AsciiLower(a[i]));
    unsigned char y = static_cast<unsigned char>(base::AsciiLower(b[i]));
    if (x != y) return x < y ? -1 : 1;
  }
  return a.size() == b.size() ? 0 : (a.size() < b.size() ? -1 : 1);
}

std::optional<double> NumberOf(const WqlLiteral& lit) {
  if (lit.kind == WqlLiteral::Kind::kBoolean) return lit.boolean ? 1 : 0;
  if (lit.kind != WqlLiteral::Kind::kNumber &&
      lit.kind != WqlLiteral::Kind::kString) {
    return std::nullopt;
  }
  if (lit.text.empty()) return std::nullopt;
  char* end = nullptr;
  double d = std::strtod(lit.text.c_str(), &end);
  if (end != lit.text.c_str() + lit.text.size()) return std::nullopt;
  return d;
}

Tri Compare(const Value& v, WqlExpr::Op op, const WqlLiteral& lit) {
  if (v.is_null() || v.is_array() || lit.kind == WqlLiteral::Kind::kNull) {
    return Tri::kUnknown;
  }
  const CimType type = v.type();
  if (type == CimType::kBoolean) {
    bool b = *v.AsBool();
    std::optional<bool> l;
    if (lit.kind == WqlLiteral::Kind::kBoolean) l = lit.boolean;
    if (lit.kind == WqlLiteral::Kind::kString) {
      if (providers::NameEquals(lit.text, "true")) l = true;
      if (providers::NameEquals(lit.text, "false")) l = false;
    }
    if (!l) {
      if (auto n = NumberOf(lit)) l = *n != 0;
    }
    if (!l) return Tri::kUnknown;
    return Cmp<int>(b, *l, op);
  }
  if (providers::IsSignedInteger(type) || providers::IsUnsignedInteger(type) ||
      providers::IsReal(type)) {
    auto n = NumberOf(lit);
    if (!n) return Tri::kUnknown;
    if (const int64_t* i = std::get_if<int64_t>(&v.scalar())) {
      if (std::floor(*n) == *n && std::fabs(*n) < 9e18) {
        return Cmp<int64_t>(*i, static_cast<int64_t>(*n), op);
      }
      return Cmp<double>(static_cast<double>(*i), *n, op);
    }
    if (const uint64_t* u = std::get_if<uint64_t>(&v.scalar())) {
      if (*n >= 0 && std::floor(*n) == *n && *n < 1.8e19) {
        return Cmp<uint64_t>(*u, static_cast<uint64_t>(*n), op);
      }
      return Cmp<double>(static_cast<double>(*u), *n, op);
    }
    return Cmp<double>(*v.AsReal(), *n, op);
  }
  if (type == CimType::kDatetime) {
    auto d = providers::Datetime::Parse(lit.text);
    const auto& mine = std::get<providers::Datetime>(v.scalar());
    if (!d || d->is_interval != mine.is_interval) return Tri::kUnknown;
    return Cmp<int64_t>(mine.TotalMicroseconds(), d->TotalMicroseconds(), op);
  }
  if (type == CimType::kString || type == CimType::kChar16) {
    if (type == CimType::kString) {
      return Cmp<int>(CompareNoCase(*v.AsString(), lit.text), 0, op);
    }
    return Cmp<int>(
        CompareNoCase(providers::ScalarToText(type, v.scalar()), lit.text), 0,
        op);
  }
  return Tri::kUnknown;
}

Tri Eval(const WqlExpr& e, const providers::Instance& inst,
         const WqlClassTest* is_a) {
  switch (e.kind) {
    case WqlExpr::Kind::kAnd: {
      Tri a = Eval(*e.left, inst, is_a);
      if (a == Tri::kFalse) return a;
      Tri b = Eval(*e.right, inst, is_a);
      if (b == Tri::kFalse) return b;
      return (a == Tri::kTrue && b == Tri::kTrue) ? Tri::kTrue : Tri::kUnknown;
    }
    case WqlExpr::Kind::kOr: {
      Tri a = Eval(*e.left, inst, is_a);
      if (a == Tri::kTrue) return a;
      Tri b = Eval(*e.right, inst, is_a);
      if (b == Tri::kTrue) return b;
      return (a == Tri::kFalse && b == Tri::kFalse) ? Tri::kFalse
                                                    : Tri::kUnknown;
    }
    case WqlExpr::Kind::kNot: {
      Tri a = Eval(*e.left, inst, is_a);
      if (a == Tri::kUnknown) return a;
      return a == Tri::kTrue ? Tri::kFalse : Tri::kTrue;
    }
    case WqlExpr::Kind::kIsNull: {
      const Value* v = inst.Get(e.property);
      return (!v || v->is_null()) ? Tri::kTrue : Tri::kFalse;
    }
    case WqlExpr::Kind::kIsNotNull: {
      const Value* v = inst.Get(e.property);
      return (v && !v->is_null()) ? Tri::kTrue : Tri::kFalse;
    }
    case WqlExpr::Kind::kLike: {
      const Value* v = inst.Get(e.property);
      if (!v || v->is_null() || v->is_array() ||
          v->type() == CimType::kReference || v->type() == CimType::kInstance) {
        return Tri::kUnknown;
      }
      // Strings as they are (no copy of a long command line).
      bool matched = v->type() == CimType::kString
                         ? e.like->Matches(*v->AsString())
                         : e.like->Matches(
                               providers::ScalarToText(v->type(), v->scalar()));
      return matched ? Tri::kTrue : Tri::kFalse;
    }
    case WqlExpr::Kind::kIsA: {
      const Value* v = inst.Get(e.property);
      if (!v || v->is_null() || v->is_array()) return Tri::kUnknown;
      providers::InstancePtr object = v->AsInstance();
      if (!object) return Tri::kUnknown;
      const std::string& cls = object->class_name();
      bool is = is_a && *is_a ? (*is_a)(cls, e.literal.text)
                              : providers::NameEquals(cls, e.literal.text);
      return is ? Tri::kTrue : Tri::kFalse;
    }
    case WqlExpr::Kind::kCompare: {
      const Value* v = inst.Get(e.property);
      if (!v) return Tri::kUnknown;
      return Compare(*v, e.op, e.literal);
    }
  }
  return Tri::kUnknown;
}

void CollectNames(const WqlExpr* e, std::vector<const std::string*>* out) {
  if (!e) return;
  if (!e->property.empty()) out->push_back(&e->property);
  CollectNames(e->left.get(), out);
  CollectNames(e->right.get(), out);
}

void CollectIsA(const WqlExpr* e, std::vector<const WqlExpr*>* out) {
  if (!e) return;
  if (e->kind == WqlExpr::Kind::kIsA) out->push_back(e);
  CollectIsA(e->left.get(), out);
  CollectIsA(e->right.get(), out);
}

}  // namespace

bool WqlQuery::Matches(const providers::Instance& instance,
                       const WqlClassTest* is_a) const {
  if (!where_) return true;
  return Eval(*where_, instance, is_a) == Tri::kTrue;
}

std::string WqlQuery::CheckAgainst(const providers::ClassDecl& decl) const {
  std::vector<const std::string*> names;
  for (const std::string& p : properties_) names.push_back(&p);
  CollectNames(where_.get(), &names);
  for (const std::string* n : names) {
    if (!decl.FindProperty(*n)) {
      return "the class " + decl.name + " has no property \"" + *n + "\"";
    }
  }
  std::vector<const WqlExpr*> isa;
  CollectIsA(where_.get(), &isa);
  for (const WqlExpr* e : isa) {
    const providers::PropertyDecl* p = decl.FindProperty(e->property);
    if (p->type != CimType::kInstance && p->type != CimType::kReference) {
      return "ISA needs an embedded object or a reference, and \"" +
             e->property + "\" of " + decl.name + " is neither";
    }
  }
  return {};
}

}  // namespace wsman::engine::cim
