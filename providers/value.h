// CIM values: the intrinsic CIM types (DSP0004) a property, a method
// parameter or a key can hold, scalar or array, or null.
#ifndef WSMAND_PROVIDERS_VALUE_H_
#define WSMAND_PROVIDERS_VALUE_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace wsman::providers {

enum class CimType : uint8_t {
  kBoolean,
  kUint8,
  kSint8,
  kUint16,
  kSint16,
  kUint32,
  kSint32,
  kUint64,
  kSint64,
  kReal32,
  kReal64,
  kChar16,
  kDatetime,  // a timestamp or an interval
  kString,
  kReference,  // a reference to an instance (its class, namespace and keys)
  kInstance,   // an embedded instance
};

// "boolean", "uint8", ..., "string", "reference", "instance".
std::string_view CimTypeName(CimType type);
std::optional<CimType> CimTypeFromName(std::string_view name);
bool IsSignedInteger(CimType type);
bool IsUnsignedInteger(CimType type);  // char16 excluded
bool IsReal(CimType type);

// A CIM datetime: a point in time (with its UTC offset) or an interval.
struct Datetime {
  bool is_interval = false;
  // Timestamp fields.
  int year = 0, month = 1, day = 1;
  int utc_offset_minutes = 0;
  // Interval days.
  uint32_t days = 0;
  // Shared by both.
  int hour = 0, minute = 0, second = 0;
  uint32_t microseconds = 0;

  static Datetime Timestamp(int year, int month, int day, int hour, int minute,
                            int second, uint32_t microseconds = 0,
                            int utc_offset_minutes = 0);
  static Datetime Interval(uint32_t days, int hours, int minutes, int seconds,
                           uint32_t microseconds = 0);

  // DSP0004 string form: "yyyymmddhhmmss.mmmmmmsutc" for a timestamp,
  // "ddddddddhhmmss.mmmmmm:000" for an interval.
  std::string ToCimString() const;
  static std::optional<Datetime> FromCimString(std::string_view text);
  // XML Schema form used by DSP0230: xs:dateTime for a timestamp
  // ("2024-01-02T03:04:05.000006+01:00", "Z" for UTC), xs:duration for an
  // interval ("P1DT2H3M4.000005S").
  std::string ToXsd() const;
  static std::optional<Datetime> FromXsdDateTime(std::string_view text);
  // The strict lexical form of base/duration.h (designators in order, so
  // "PT1S1M" is refused, as for wsman:OperationTimeout); digits past the
  // microsecond are truncated.
  static std::optional<Datetime> FromXsdDuration(std::string_view text);
  // Either form, either kind.
  static std::optional<Datetime> Parse(std::string_view text);
  // Microseconds since 1970 UTC for a timestamp, length for an interval.
  int64_t TotalMicroseconds() const;

  bool operator==(const Datetime&) const = default;
};

class Instance;
using InstancePtr = std::shared_ptr<const Instance>;

// One scalar: signed integers in int64_t, unsigned integers and char16 (a
// UTF-16 code unit) in uint64_t, reals in double, strings as UTF-8,
// references and embedded instances as InstancePtr.
using Scalar = std::variant<bool, int64_t, uint64_t, double, std::string,
                            Datetime, InstancePtr>;

class Value {
 public:
  // A null string.
  Value() = default;

  static Value Null(CimType type, bool is_array = false);
  static Value Boolean(bool v);
  static Value Uint8(uint8_t v);
  static Value Sint8(int8_t v);
  static Value Uint16(uint16_t v);
  static Value Sint16(int16_t v);
  static Value Uint32(uint32_t v);
  static Value Sint32(int32_t v);
  static Value Uint64(uint64_t v);
  static Value Sint64(int64_t v);
  static Value Real32(float v);
  static Value Real64(double v);
  static Value Char16(char16_t v);
  static Value String(std::string v);
  static Value DateTime(Datetime v);
  static Value Reference(InstancePtr v);
  static Value EmbeddedInstance(InstancePtr v);
  // An array of `type`; each element must hold the alternative that type
  // uses (see Scalar).
  static Value Array(CimType type, std::vector<Scalar> elements);
  // A scalar of `type` from its alternative (checked: nullopt on mismatch).
  static std::optional<Value> Make(CimType type, Scalar scalar);

  CimType type() const { return type_; }
  bool is_array() const { return array_; }
  bool is_null() const { return null_; }
  const Scalar& scalar() const { return scalar_; }
  const std::vector<Scalar>& elements() const { return elements_; }

  // Convenience readers (nullopt when null, an array or another type).
  std::optional<bool> AsBool() const;
  std::optional<int64_t> AsInt() const;    // signed or unsigned (<= INT64_MAX)
  std::optional<uint64_t> AsUint() const;  // unsigned, char16
  std::optional<double> AsReal() const;    // any number
  const std::string* AsString() const;
  InstancePtr AsInstance() const;  // reference or embedded instance

  bool operator==(const Value& other) const;

 private:
  CimType type_ = CimType::kString;
  bool array_ = false;
  bool null_ = true;
  Scalar scalar_;
  std::vector<Scalar> elements_;
};

// Which Scalar alternative `type` uses.
size_t ScalarIndexFor(CimType type);

// The text of a scalar as CIM XML carries it (DSP0230): "true"/"false",
// decimal integers, xs:float/xs:double reals ("INF", "-INF", "NaN"), the
// character of a char16, the string itself, the xs form of a datetime.
// References and embedded instances have no text form ("").
std::string ScalarToText(CimType type, const Scalar& scalar);
// Parses `text` as a scalar of `type`; nullopt when it is not one (out of
// range, malformed). References and embedded instances cannot be parsed
// from text.
std::optional<Scalar> ScalarFromText(CimType type, std::string_view text);

// UTF-8 <-> one UTF-16 code unit, for char16 (nullopt unless `text` is one
// BMP character).
std::optional<char16_t> Char16FromUtf8(std::string_view text);
std::string Char16ToUtf8(char16_t c);

}  // namespace wsman::providers

#endif  // WSMAND_PROVIDERS_VALUE_H_
