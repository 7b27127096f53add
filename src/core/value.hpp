// Value: the CLASP data model (protocol.md §4.1): null, bool, int64, double,
// string, bytes, array, map. Integers and floats stay distinct; the decoder
// widens i8/i16/i32 to Int and f32 to Float. Maps keep insertion order (so a
// JS client's map re-encodes to the same bytes) and unique keys (on decode a
// later duplicate replaces the earlier entry, as the reference does).
// Plain data: no thread affinity, no allocation beyond the containers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace clasp {

struct Value;
struct MapEntry;
using Array = std::vector<Value>;
using Map = std::vector<MapEntry>;
using Bytes = std::vector<std::uint8_t>;
struct Null {
  bool operator==(const Null&) const = default;
};

// Wire type codes of §4.1. The codec emits only the widest form of each kind.
enum class ValueType : std::uint8_t {
  Null = 0x00,
  Bool = 0x01,
  I8 = 0x02,
  I16 = 0x03,
  I32 = 0x04,
  I64 = 0x05,
  F32 = 0x06,
  F64 = 0x07,
  String = 0x08,
  Bytes = 0x09,
  Array = 0x0A,
  Map = 0x0B,
};

// Deepest container nesting a decoder accepts (DECISIONS D-4).
inline constexpr int kMaxValueDepth = 32;

struct Value {
  enum class Kind : std::uint8_t { Null, Bool, Int, Float, String, Bytes, Array, Map };
  using Storage = std::variant<Null, bool, std::int64_t, double, std::string, Bytes, Array, Map>;

  Storage v;

  // Defined after MapEntry: the variant needs every alternative complete.
  Value();
  Value(Null);
  Value(bool b);
  Value(std::int64_t i);
  Value(int i);
  Value(double d);
  Value(std::string s);
  Value(const char* s);
  Value(std::string_view s);
  Value(Bytes b);
  Value(Array a);
  Value(Map m);

  Kind kind() const { return static_cast<Kind>(v.index()); }
  bool isNull() const { return kind() == Kind::Null; }
  bool isNumber() const { return kind() == Kind::Int || kind() == Kind::Float; }

  const bool* asBool() const { return std::get_if<bool>(&v); }
  const std::int64_t* asInt() const { return std::get_if<std::int64_t>(&v); }
  const double* asFloat() const { return std::get_if<double>(&v); }
  const std::string* asString() const { return std::get_if<std::string>(&v); }
  const Bytes* asBytes() const { return std::get_if<Bytes>(&v); }
  const Array* asArray() const { return std::get_if<Array>(&v); }
  const Map* asMap() const { return std::get_if<Map>(&v); }
  Map* asMap() { return std::get_if<Map>(&v); }

  // Int or Float as a double; false for every other kind.
  bool toDouble(double& out) const;
  // Map lookup by key; nullptr when absent or not a map.
  const Value* find(std::string_view key) const;

  // The wire type code the encoder writes for this value (§4.2).
  ValueType wireType() const;

  // Structural equality. Maps compare as sets of entries (order-insensitive),
  // Int and Float never compare equal to each other, NaN equals NaN bitwise.
  friend bool operator==(const Value& a, const Value& b);
};

struct MapEntry {
  std::string key;
  Value value;
  friend bool operator==(const MapEntry&, const MapEntry&) = default;
};

inline Value::Value() = default;
inline Value::Value(Null) {}
inline Value::Value(bool b) : v(b) {}
inline Value::Value(std::int64_t i) : v(i) {}
inline Value::Value(int i) : v(static_cast<std::int64_t>(i)) {}
inline Value::Value(double d) : v(d) {}
inline Value::Value(std::string s) : v(std::move(s)) {}
inline Value::Value(const char* s) : v(std::string(s)) {}
inline Value::Value(std::string_view s) : v(std::string(s)) {}
inline Value::Value(Bytes b) : v(std::move(b)) {}
inline Value::Value(Array a) : v(std::move(a)) {}
inline Value::Value(Map m) : v(std::move(m)) {}

// Sets key to value, replacing an existing entry with the same key.
// Linear in the map size: for building maps entry by entry in small numbers.
void mapSet(Map& m, std::string key, Value value);

// Removes duplicate keys in O(n): each key keeps its first position and its
// last value (what a decoder must do with wire maps, §4.3).
void dedupeMapKeys(Map& m);

// Short human-readable rendering for logs and test failure messages.
std::string toDebugString(const Value& v);

}  // namespace clasp
