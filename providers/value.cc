#include "providers/value.h"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "base/duration.h"
#include "base/utf8.h"
#include "providers/instance.h"

namespace wsman::providers {
namespace {

constexpr std::string_view kTypeNames[] = {
    "boolean",  "uint8",  "sint8",     "uint16",  "sint16", "uint32",
    "sint32",   "uint64", "sint64",    "real32",  "real64", "char16",
    "datetime", "string", "reference", "instance"};

bool Digits(std::string_view s, size_t pos, size_t n, int* out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

// Days since 1970-01-01 of a civil date (proleptic Gregorian).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool ValidTime(int h, int mi, int s) {
  return h >= 0 && h < 24 && mi >= 0 && mi < 60 && s >= 0 && s < 61;
}

bool ValidDate(int y, int mo, int d) {
  return y >= 0 && y <= 9999 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31;
}

// Parses ".ffffff" (1 to 9 digits; beyond microseconds truncated) at `pos`.
bool Fraction(std::string_view s, size_t* pos, uint32_t* us) {
  *us = 0;
  if (*pos >= s.size() || s[*pos] != '.') return true;
  ++*pos;
  size_t start = *pos;
  uint32_t v = 0;
  int n = 0;
  while (*pos < s.size() && s[*pos] >= '0' && s[*pos] <= '9') {
    if (n < 6) {
      v = v * 10 + static_cast<uint32_t>(s[*pos] - '0');
      ++n;
    }
    ++*pos;
  }
  if (*pos == start) return false;
  while (n < 6) {
    v *= 10;
    ++n;
  }
  *us = v;
  return true;
}

template <typename T>
std::optional<T> ParseInt(std::string_view text) {
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  T v{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return v;
}

std::string RealToText(double v, bool single) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "INF" : "-INF";
  char buf[64];
  std::to_chars_result r =
      single ? std::to_chars(buf, buf + sizeof buf, static_cast<float>(v))
             : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::optional<double> RealFromText(std::string_view text, bool single) {
  if (text == "NaN") return std::numeric_limits<double>::quiet_NaN();
  if (text == "INF" || text == "+INF") {
    return std::numeric_limits<double>::infinity();
  }
  if (text == "-INF") return -std::numeric_limits<double>::infinity();
  if (!text.empty() && text[0] == '+') text.remove_prefix(1);
  if (text.empty()) return std::nullopt;
  // Only the xs:double lexical space: digits, '.', exponent, sign.
  for (char c : text) {
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' ||
          c == '-' || c == '+')) {
      return std::nullopt;
    }
  }
  if (single) {
    float f = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), f);
    if (ec != std::errc() || ptr != text.data() + text.size()) {
      return std::nullopt;
    }
    return f;
  }
  double d = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), d);
  if (ec != std::errc() || ptr != text.data() + text.size()) {
    return std::nullopt;
  }
  return d;
}

}  // namespace

std::string_view CimTypeName(CimType type) {
  return kTypeNames[static_cast<size_t>(type)];
}

std::optional<CimType> CimTypeFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kTypeNames); ++i) {
    if (NameEquals(kTypeNames[i], name)) return static_cast<CimType>(i);
  }
  return std::nullopt;
}

bool IsSignedInteger(CimType t) {
  return t == CimType::kSint8 || t == CimType::kSint16 ||
         t == CimType::kSint32 || t == CimType::kSint64;
}
bool IsUnsignedInteger(CimType t) {
  return t == CimType::kUint8 || t == CimType::kUint16 ||
         t == CimType::kUint32 || t == CimType::kUint64;
}
bool IsReal(CimType t) {
  return t == CimType::kReal32 || t == CimType::kReal64;
}

// ---------------------------------------------------------------- Datetime

Datetime Datetime::Timestamp(int year, int month, int day, int hour, int minute,
                             int second, uint32_t microseconds,
                             int utc_offset_minutes) {
  Datetime d;
  d.year = year;
  d.month = month;
  d.day = day;
  d.hour = hour;
  d.minute = minute;
  d.second = second;
  d.microseconds = microseconds;
  d.utc_offset_minutes = utc_offset_minutes;
  return d;
}

Datetime Datetime::Interval(uint32_t days, int hours, int minutes, int seconds,
                            uint32_t microseconds) {
  Datetime d;
  d.is_interval = true;
  d.days = days;
  d.hour = hours;
  d.minute = minutes;
  d.second = seconds;
  d.microseconds = microseconds;
  return d;
}

std::string Datetime::ToCimString() const {
  char buf[40];
  if (is_interval) {
    std::snprintf(buf, sizeof buf, "%08u%02d%02d%02d.%06u:000", days, hour,
                  minute, second, microseconds);
  } else {
    int off = utc_offset_minutes;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::snprintf(buf, sizeof buf, "%04d%02d%02d%02d%02d%02d.%06u%c%03d", year,
                  month, day, hour, minute, second, microseconds, sign, off);
  }
  return buf;
}

std::optional<Datetime> Datetime::FromCimString(std::string_view s) {
  if (s.size() != 25 || s[14] != '.') return std::nullopt;
  Datetime d;
  int us = 0, a = 0, b = 0, c = 0;
  if (!Digits(s, 15, 6, &us) || !Digits(s, 8, 2, &a) || !Digits(s, 10, 2, &b) ||
      !Digits(s, 12, 2, &c)) {
    return std::nullopt;
  }
  d.hour = a;
  d.minute = b;
  d.second = c;
  d.microseconds = static_cast<uint32_t>(us);
  if (s[21] == ':') {
    int days = 0;
    if (!Digits(s, 0, 8, &days) || s.substr(22) != "000") return std::nullopt;
    d.is_interval = true;
    d.days = static_cast<uint32_t>(days);
    if (d.hour > 23 || d.minute > 59 || d.second > 59) return std::nullopt;
    return d;
  }
  if (s[21] != '+' && s[21] != '-') return std::nullopt;
  int off = 0;
  if (!Digits(s, 0, 4, &d.year) || !Digits(s, 4, 2, &d.month) ||
      !Digits(s, 6, 2, &d.day) || !Digits(s, 22, 3, &off)) {
    return std::nullopt;
  }
  d.utc_offset_minutes = s[21] == '-' ? -off : off;
  if (!ValidDate(d.year, d.month, d.day) ||
      !ValidTime(d.hour, d.minute, d.second)) {
    return std::nullopt;
  }
  return d;
}

std::string Datetime::ToXsd() const {
  char buf[64];
  if (is_interval) {
    std::snprintf(buf, sizeof buf, "P%uDT%dH%dM%d.%06uS", days, hour, minute,
                  second, microseconds);
    return buf;
  }
  int n = std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", year,
                        month, day, hour, minute, second);
  std::string out(buf, static_cast<size_t>(n));
  if (microseconds != 0) {
    std::snprintf(buf, sizeof buf, ".%06u", microseconds);
    out += buf;
  }
  if (utc_offset_minutes == 0) {
    out += 'Z';
  } else {
    int off = utc_offset_minutes;
    char sign = off < 0 ? '-' : '+';
    if (off < 0) off = -off;
    std::snprintf(buf, sizeof buf, "%c%02d:%02d", sign, off / 60, off % 60);
    out += buf;
  }
  return out;
}

std::optional<Datetime> Datetime::FromXsdDateTime(std::string_view s) {
  // YYYY-MM-DDThh:mm:ss[.f+][Z|(+|-)hh:mm]
  if (s.size() < 19 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
      s[13] != ':' || s[16] != ':') {
    return std::nullopt;
  }
  Datetime d;
  if (!Digits(s, 0, 4, &d.year) || !Digits(s, 5, 2, &d.month) ||
      !Digits(s, 8, 2, &d.day) || !Digits(s, 11, 2, &d.hour) ||
      !Digits(s, 14, 2, &d.minute) || !Digits(s, 17, 2, &d.second)) {
    return std::nullopt;
  }
  size_t pos = 19;
  if (!Fraction(s, &pos, &d.microseconds)) return std::nullopt;
  if (pos < s.size()) {
    if (s[pos] == 'Z' && pos + 1 == s.size()) {
      d.utc_offset_minutes = 0;
    } else if ((s[pos] == '+' || s[pos] == '-') && pos + 6 == s.size() &&
               s[pos + 3] == ':') {
      int h = 0, m = 0;
      if (!Digits(s, pos + 1, 2, &h) || !Digits(s, pos + 4, 2, &m) || h > 14 ||
          m > 59) {
        return std::nullopt;
      }
      d.utc_offset_minutes = (s[pos] == '-' ? -1 : 1) * (h * 60 + m);
    } else {
      return std::nullopt;
    }
  }
  if (!ValidDate(d.year, d.month, d.day) ||
      !ValidTime(d.hour, d.minute, d.second)) {
    return std::nullopt;
  }
  return d;
}

std::optional<Datetime> Datetime::FromXsdDuration(std::string_view s) {
  auto parsed = base::ParseXsdDuration(s);
  if (!parsed.ok()) return std::nullopt;
  const base::XsdDuration& x = *parsed;
  // A CIM interval holds at most 99999999 days; a component beyond this
  // bound cannot normalise into one (and the sums below cannot overflow).
  constexpr int64_t kMaxComponent = 0xFFFFFFFFll * 24 * 3600;
  for (int64_t v : {x.years, x.months, x.days, x.hours, x.minutes, x.seconds}) {
    if (v > kMaxComponent) return std::nullopt;
  }
  uint64_t days = static_cast<uint64_t>(x.years) * 365 +
                  static_cast<uint64_t>(x.months) * 30 +
                  static_cast<uint64_t>(x.days);
  uint64_t hours = static_cast<uint64_t>(x.hours);
  uint64_t minutes = static_cast<uint64_t>(x.minutes);
  uint64_t seconds = static_cast<uint64_t>(x.seconds);
  const uint32_t us = x.nanoseconds / 1000;
  // Normalise.
  minutes += seconds / 60;
  seconds %= 60;
  hours += minutes / 60;
  minutes %= 60;
  days += hours / 24;
  hours %= 24;
  if (days > 99999999) return std::nullopt;
  return Interval(static_cast<uint32_t>(days), static_cast<int>(hours),
                  static_cast<int>(minutes), static_cast<int>(seconds), us);
}

std::optional<Datetime> Datetime::Parse(std::string_view text) {
  if (auto d = FromCimString(text)) return d;
  if (auto d = FromXsdDateTime(text)) return d;
  return FromXsdDuration(text);
}

int64_t Datetime::TotalMicroseconds() const {
  int64_t secs = static_cast<int64_t>(hour) * 3600 + minute * 60 + second;
  if (is_interval) {
    secs += static_cast<int64_t>(days) * 86400;
  } else {
    secs += DaysFromCivil(year, static_cast<unsigned>(month),
                          static_cast<unsigned>(day)) *
            86400;
    secs -= static_cast<int64_t>(utc_offset_minutes) * 60;
  }
  return secs * 1000000 + microseconds;
}

// ------------------------------------------------------------------- Value

size_t ScalarIndexFor(CimType type) {
  switch (type) {
    case CimType::kBoolean:
      return 0;
    case CimType::kSint8:
    case CimType::kSint16:
    case CimType::kSint32:
    case CimType::kSint64:
      return 1;
    case CimType::kUint8:
    case CimType::kUint16:
    case CimType::kUint32:
    case CimType::kUint64:
    case CimType::kChar16:
      return 2;
    case CimType::kReal32:
    case CimType::kReal64:
      return 3;
    case CimType::kString:
      return 4;
    case CimType::kDatetime:
      return 5;
    case CimType::kReference:
    case CimType::kInstance:
      return 6;
  }
  return 4;
}

Value Value::Null(CimType type, bool is_array) {
  Value v;
  v.type_ = type;
  v.array_ = is_array;
  v.null_ = true;
  return v;
}

#define WSMAND_SCALAR(Name, Ctype, Type, Expr) \
  Value Value::Name(Ctype x) {                 \
    Value v;                                   \
    v.type_ = CimType::Type;                   \
    v.null_ = false;                           \
    v.scalar_ = Expr;                          \
    return v;                                  \
  }
WSMAND_SCALAR(Boolean, bool, kBoolean, x)
WSMAND_SCALAR(Uint8, uint8_t, kUint8, static_cast<uint64_t>(x))
WSMAND_SCALAR(Sint8, int8_t, kSint8, static_cast<int64_t>(x))
WSMAND_SCALAR(Uint16, uint16_t, kUint16, static_cast<uint64_t>(x))
WSMAND_SCALAR(Sint16, int16_t, kSint16, static_cast<int64_t>(x))
WSMAND_SCALAR(Uint32, uint32_t, kUint32, static_cast<uint64_t>(x))
WSMAND_SCALAR(Sint32, int32_t, kSint32, static_cast<int64_t>(x))
WSMAND_SCALAR(Uint64, uint64_t, kUint64, static_cast<uint64_t>(x))
WSMAND_SCALAR(Sint64, int64_t, kSint64, static_cast<int64_t>(x))
WSMAND_SCALAR(Real32, float, kReal32, static_cast<double>(x))
WSMAND_SCALAR(Real64, double, kReal64, x)
WSMAND_SCALAR(Char16, char16_t, kChar16, static_cast<uint64_t>(x))
WSMAND_SCALAR(String, std::string, kString, std::move(x))
WSMAND_SCALAR(DateTime, Datetime, kDatetime, x)
WSMAND_SCALAR(Reference, InstancePtr, kReference, std::move(x))
WSMAND_SCALAR(EmbeddedInstance, InstancePtr, kInstance, std::move(x))
#undef WSMAND_SCALAR

Value Value::Array(CimType type, std::vector<Scalar> elements) {
  Value v;
  v.type_ = type;
  v.array_ = true;
  v.null_ = false;
  v.elements_ = std::move(elements);
  return v;
}

std::optional<Value> Value::Make(CimType type, Scalar scalar) {
  if (scalar.index() != ScalarIndexFor(type)) return std::nullopt;
  Value v;
  v.type_ = type;
  v.null_ = false;
  v.scalar_ = std::move(scalar);
  return v;
}

std::optional<bool> Value::AsBool() const {
  if (null_ || array_ || type_ != CimType::kBoolean) return std::nullopt;
  return std::get<bool>(scalar_);
}

std::optional<int64_t> Value::AsInt() const {
  if (null_ || array_) return std::nullopt;
  if (const int64_t* i = std::get_if<int64_t>(&scalar_)) return *i;
  if (const uint64_t* u = std::get_if<uint64_t>(&scalar_)) {
    if (*u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      return static_cast<int64_t>(*u);
    }
  }
  return std::nullopt;
}

std::optional<uint64_t> Value::AsUint() const {
  if (null_ || array_) return std::nullopt;
  if (const uint64_t* u = std::get_if<uint64_t>(&scalar_)) return *u;
  if (const int64_t* i = std::get_if<int64_t>(&scalar_)) {
    if (*i >= 0) return static_cast<uint64_t>(*i);
  }
  return std::nullopt;
}

std::optional<double> Value::AsReal() const {
  if (null_ || array_) return std::nullopt;
  if (const double* d = std::get_if<double>(&scalar_)) return *d;
  if (const int64_t* i = std::get_if<int64_t>(&scalar_)) {
    return static_cast<double>(*i);
  }
  if (const uint64_t* u = std::get_if<uint64_t>(&scalar_)) {
    return static_cast<double>(*u);
  }
  return std::nullopt;
}

const std::string* Value::AsString() const {
  if (null_ || array_) return nullptr;
  return std::get_if<std::string>(&scalar_);
}

InstancePtr Value::AsInstance() const {
  if (null_ || array_) return nullptr;
  if (const InstancePtr* p = std::get_if<InstancePtr>(&scalar_)) return *p;
  return nullptr;
}

namespace {
bool ScalarEquals(const Scalar& a, const Scalar& b) {
  if (a.index() != b.index()) return false;
  if (const InstancePtr* pa = std::get_if<InstancePtr>(&a)) {
    const InstancePtr& pb = std::get<InstancePtr>(b);
    if (!*pa || !pb) return !*pa && !pb;
    return **pa == *pb;
  }
  if (const double* da = std::get_if<double>(&a)) {
    double db = std::get<double>(b);
    return *da == db || (std::isnan(*da) && std::isnan(db));
  }
  return a == b;
}
}  // namespace

bool Value::operator==(const Value& o) const {
  if (type_ != o.type_ || array_ != o.array_ || null_ != o.null_) return false;
  if (null_) return true;
  if (!array_) return ScalarEquals(scalar_, o.scalar_);
  if (elements_.size() != o.elements_.size()) return false;
  for (size_t i = 0; i < elements_.size(); ++i) {
    if (!ScalarEquals(elements_[i], o.elements_[i])) return false;
  }
  return true;
}

// ------------------------------------------------------------ text forms

std::optional<char16_t> Char16FromUtf8(std::string_view t) {
  // One code point of the Basic Multilingual Plane, nothing else.
  size_t i = 0;
  uint32_t cp = 0;
  if (t.empty() || !base::NextUtf8(t, &i, &cp) || i != t.size() ||
      cp > 0xFFFF) {
    return std::nullopt;
  }
  return static_cast<char16_t>(cp);
}

std::string Char16ToUtf8(char16_t c) {
  std::string out;
  base::AppendUtf8(c, &out);
  return out;
}

std::string ScalarToText(CimType type, const Scalar& s) {
  switch (type) {
    case CimType::kBoolean:
      return std::get<bool>(s) ? "true" : "false";
    case CimType::kSint8:
    case CimType::kSint16:
    case CimType::kSint32:
    case CimType::kSint64:
      return std::to_string(std::get<int64_t>(s));
    case CimType::kUint8:
    case CimType::kUint16:
    case CimType::kUint32:
    case CimType::kUint64:
      return std::to_string(std::get<uint64_t>(s));
    case CimType::kChar16:
      return Char16ToUtf8(static_cast<char16_t>(std::get<uint64_t>(s)));
    case CimType::kReal32:
      return RealToText(std::get<double>(s), true);
    case CimType::kReal64:
      return RealToText(std::get<double>(s), false);
    case CimType::kString:
      return std::get<std::string>(s);
    case CimType::kDatetime:
      return std::get<Datetime>(s).ToXsd();
    case CimType::kReference:
    case CimType::kInstance:
      return {};
  }
  return {};
}

std::optional<Scalar> ScalarFromText(CimType type, std::string_view text) {
  switch (type) {
    case CimType::kBoolean:
      if (text == "true" || text == "1" || text == "TRUE" || text == "True") {
        return Scalar(true);
      }
      if (text == "false" || text == "0" || text == "FALSE" ||
          text == "False") {
        return Scalar(false);
      }
      return std::nullopt;
    case CimType::kSint8:
    case CimType::kSint16:
    case CimType::kSint32:
    case CimType::kSint64: {
      auto v = ParseInt<int64_t>(text);
      if (!v) return std::nullopt;
      int64_t lo = type == CimType::kSint8    ? INT8_MIN
                   : type == CimType::kSint16 ? INT16_MIN
                   : type == CimType::kSint32 ? INT32_MIN
                                              : INT64_MIN;
      int64_t hi = type == CimType::kSint8    ? INT8_MAX
                   : type == CimType::kSint16 ? INT16_MAX
                   : type == CimType::kSint32 ? INT32_MAX
                                              : INT64_MAX;
      if (*v < lo || *v > hi) return std::nullopt;
      return Scalar(*v);
    }
    case CimType::kUint8:
    case CimType::kUint16:
    case CimType::kUint32:
    case CimType::kUint64: {
      auto v = ParseInt<uint64_t>(text);
      if (!v) return std::nullopt;
      uint64_t hi = type == CimType::kUint8    ? UINT8_MAX
                    : type == CimType::kUint16 ? UINT16_MAX
                    : type == CimType::kUint32 ? UINT32_MAX
                                               : UINT64_MAX;
      if (*v > hi) return std::nullopt;
      return Scalar(*v);
    }
    case CimType::kChar16: {
      auto c = Char16FromUtf8(text);
      if (!c) return std::nullopt;
      return Scalar(static_cast<uint64_t>(*c));
    }
    case CimType::kReal32:
    case CimType::kReal64: {
      auto d = RealFromText(text, type == CimType::kReal32);
      if (!d) return std::nullopt;
      return Scalar(*d);
    }
    case CimType::kString:
      return Scalar(std::string(text));
    case CimType::kDatetime: {
      auto d = Datetime::Parse(text);
      if (!d) return std::nullopt;
      return Scalar(*d);
    }
    case CimType::kReference:
    case CimType::kInstance:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace wsman::providers
