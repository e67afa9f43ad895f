// WMI's association queries -> WqlAssociation (wql.h): ASSOCIATORS OF and
// REFERENCES OF with their object path and WHERE keywords, read by a small
// cursor over the text. Every error names its offset. The mapping onto the
// association filter (DSP0227 8.2) is cim_requests.cc's.
#include <optional>

#include "base/strings.h"
#include "engine/cim/wql.h"

namespace wsman::engine::cim {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsIdentStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
}
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

class Cursor {
 public:
  explicit Cursor(std::string_view s) : s_(s) {}

  size_t pos() const { return i_; }
  bool AtEnd() const { return i_ >= s_.size(); }
  char Peek() const { return AtEnd() ? '\0' : s_[i_]; }
  void Skip() { ++i_; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(s_[i_])) ++i_;
  }

  // An identifier at the cursor ("" when none).
  std::string Ident() {
    size_t start = i_;
    if (AtEnd() || !IsIdentStart(s_[i_])) return "";
    while (!AtEnd() && IsIdentChar(s_[i_])) ++i_;
    return std::string(s_.substr(start, i_ - start));
  }

  // A '...' or "..." string with backslash escapes, the cursor on its
  // opening quote; nullopt when it does not end.
  std::optional<std::string> Quoted() {
    char quote = s_[i_++];
    std::string out;
    while (!AtEnd()) {
      char c = s_[i_++];
      if (c == '\\' && !AtEnd()) {
        out += s_[i_++];
        continue;
      }
      if (c == quote) return out;
      out += c;
    }
    return std::nullopt;
  }

  std::string_view Rest(size_t from, size_t to) const {
    return s_.substr(from, to - from);
  }

 private:
  std::string_view s_;
  size_t i_ = 0;
};

std::string At(size_t pos) {
  return " (at character offset " + std::to_string(pos) + ")";
}

base::Status Error(std::string message, size_t pos) {
  return base::Status::InvalidArgument(std::move(message) + At(pos));
}

// The end of the object path: the '}' that closes it, outside quotes.
std::optional<size_t> PathEnd(std::string_view s, size_t from) {
  char quote = 0;
  for (size_t i = from; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == '}') {
      return i;
    }
  }
  return std::nullopt;
}

// [\\host\]ns: or [//host/]ns: before the class: its namespace, '/'
// separated; `path` loses the prefix.
base::StatusOr<std::string> SplitNamespace(std::string_view* path,
                                           size_t offset) {
  char quote = 0;
  size_t colon = std::string_view::npos;
  // A host name ("." or a dotted name) is not the class's '.'.
  size_t scan_from = 0;
  if (path->starts_with("\\\\") || path->starts_with("//")) {
    scan_from = path->find_first_of("\\/", 2);
    if (scan_from == std::string_view::npos) scan_from = path->size();
  }
  for (size_t i = scan_from; i < path->size(); ++i) {
    char c = (*path)[i];
    if (quote) {
      if (c == '\\') {
        ++i;
      } else if (c == quote) {
        quote = 0;
      }
      continue;
    }
    if (c == '\'' || c == '"') quote = c;
    if (c == '.' || c == '=') break;
    if (c == ':') {
      colon = i;
      break;
    }
  }
  if (colon == std::string_view::npos) {
    if (scan_from > 0) {
      return Error("the object path names a host but no namespace", offset);
    }
    return std::string();
  }
  std::string ns(path->substr(0, colon));
  for (char& c : ns) {
    if (c == '\\') c = '/';
  }
  if (ns.starts_with("//")) {
    size_t host_end = ns.find('/', 2);
    if (host_end == std::string::npos) {
      return Error("the object path names a host but no namespace", offset);
    }
    ns = ns.substr(host_end + 1);
  }
  while (!ns.empty() && ns.back() == '/') ns.pop_back();
  if (ns.empty()) {
    return Error("the object path's namespace is empty", offset);
  }
  path->remove_prefix(colon + 1);
  return ns;
}

// A key value: quoted, or the bare text up to ',' (a number, TRUE...).
base::StatusOr<std::string> KeyValue(Cursor& c, size_t end) {
  c.SkipSpace();
  if (c.Peek() == '\'' || c.Peek() == '"') {
    size_t at = c.pos();
    auto v = c.Quoted();
    if (!v || c.pos() > end) return Error("unterminated string", at);
    return *v;
  }
  size_t start = c.pos();
  while (c.pos() < end && c.Peek() != ',' && !IsSpace(c.Peek())) c.Skip();
  if (c.pos() == start) return Error("expected a key value", start);
  return std::string(c.Rest(start, c.pos()));
}

// {path}: the cursor just after '{'; `end` is the offset of '}'.
base::StatusOr<WqlObjectPath> ParsePath(std::string_view text, size_t begin,
                                        size_t end) {
  WqlObjectPath path;
  size_t first = begin;
  while (first < end && IsSpace(text[first])) ++first;
  std::string_view body = text.substr(first, end - first);
  auto ns = SplitNamespace(&body, first);
  if (!ns.ok()) return ns.status();
  path.namespace_name = std::move(*ns);
  size_t class_at = end - body.size();
  Cursor c(text);
  while (c.pos() < class_at) c.Skip();
  c.SkipSpace();
  size_t name_at = c.pos();
  path.class_name = c.Ident();
  if (path.class_name.empty()) {
    return Error("expected a class name in the object path", name_at);
  }
  c.SkipSpace();
  if (c.pos() >= end) {
    return Error("the object path names no key (Class.Key=\"value\")", c.pos());
  }
  if (c.Peek() == '=') {
    // Class="v": the class's single key; Class=@: a singleton.
    c.Skip();
    c.SkipSpace();
    if (c.Peek() == '@') {
      c.Skip();
    } else {
      auto v = KeyValue(c, end);
      if (!v.ok()) return v.status();
      path.keys.emplace_back("", std::move(*v));
    }
  } else if (c.Peek() == '.') {
    c.Skip();
    for (;;) {
      c.SkipSpace();
      size_t key_at = c.pos();
      std::string key = c.Ident();
      if (key.empty()) return Error("expected a key property name", key_at);
      c.SkipSpace();
      if (c.Peek() != '=') return Error("expected = after the key", c.pos());
      c.Skip();
      auto v = KeyValue(c, end);
      if (!v.ok()) return v.status();
      path.keys.emplace_back(std::move(key), std::move(*v));
      c.SkipSpace();
      if (c.pos() < end && c.Peek() == ',') {
        c.Skip();
        continue;
      }
      break;
    }
  } else {
    return Error("expected . or = after the class name", c.pos());
  }
  c.SkipSpace();
  if (c.pos() < end) {
    return Error("unexpected text in the object path", c.pos());
  }
  return path;
}

bool Is(std::string_view word, std::string_view kw) {
  return providers::NameEquals(word, kw);
}

}  // namespace

bool IsWqlAssociationQuery(std::string_view text) {
  Cursor c(text);
  c.SkipSpace();
  std::string word = c.Ident();
  return Is(word, "associators") || Is(word, "references");
}

base::StatusOr<WqlAssociation> ParseWqlAssociation(std::string_view text,
                                                   const WqlLimits& limits) {
  if (text.size() > limits.max_length) {
    return Error("the query is too long", limits.max_length);
  }
  WqlAssociation q;
  Cursor c(text);
  c.SkipSpace();
  size_t at = c.pos();
  std::string word = c.Ident();
  if (Is(word, "references")) {
    q.associators = false;
  } else if (!Is(word, "associators")) {
    return Error("expected ASSOCIATORS or REFERENCES", at);
  }
  c.SkipSpace();
  at = c.pos();
  if (!Is(c.Ident(), "of")) return Error("expected OF", at);
  c.SkipSpace();
  if (c.Peek() != '{')
    return Error("expected { before the object path", c.pos());
  c.Skip();
  std::optional<size_t> end = PathEnd(text, c.pos());
  if (!end) return Error("the object path has no closing }", c.pos());
  auto path = ParsePath(text, c.pos(), *end);
  if (!path.ok()) return path.status();
  q.object = std::move(*path);
  while (c.pos() <= *end) c.Skip();
  c.SkipSpace();
  if (c.AtEnd()) return q;
  at = c.pos();
  if (!Is(c.Ident(), "where")) return Error("expected WHERE or the end", at);
  size_t clauses = 0;
  for (;;) {
    c.SkipSpace();
    if (c.AtEnd()) break;
    at = c.pos();
    std::string kw = c.Ident();
    if (kw.empty()) return Error("expected a WHERE keyword", at);
    if (++clauses > 16) return Error("too many WHERE keywords", at);
    if (Is(kw, "classdefsonly")) {
      q.class_defs_only = true;
      continue;
    }
    if (Is(kw, "keysonly")) {
      q.keys_only = true;
      continue;
    }
    std::string* target = nullptr;
    if (Is(kw, "resultclass")) {
      target = &q.result_class;
    } else if (Is(kw, "role")) {
      target = &q.role;
    } else if (Is(kw, "requiredqualifier")) {
      target = &q.required_qualifier;
    } else if (q.associators && Is(kw, "assocclass")) {
      target = &q.assoc_class;
    } else if (q.associators && Is(kw, "resultrole")) {
      target = &q.result_role;
    } else if (q.associators && Is(kw, "requiredassocqualifier")) {
      target = &q.required_assoc_qualifier;
    } else {
      return Error("\"" + kw + "\" is not a keyword of " +
                       (q.associators ? "ASSOCIATORS OF" : "REFERENCES OF"),
                   at);
    }
    c.SkipSpace();
    if (c.Peek() != '=') return Error("expected = after " + kw, c.pos());
    c.Skip();
    c.SkipSpace();
    size_t value_at = c.pos();
    std::string value;
    if (c.Peek() == '\'' || c.Peek() == '"') {
      auto v = c.Quoted();
      if (!v) return Error("unterminated string", value_at);
      value = std::move(*v);
    } else {
      value = c.Ident();
    }
    if (value.empty()) return Error("expected a name after =", value_at);
    if (!target->empty()) return Error(kw + " is given twice", at);
    *target = std::move(value);
  }
  return q;
}

}  // namespace wsman::engine::cim
