// Typed-value reading and writing (protocol.md §4). Decoders accept every
// width the spec lists (i8..i64, f32, f64) and widen; encoders emit i64 and
// f64 only, as the reference does (§4.2).
#include "value_codec.hpp"

#include <bit>

#include "wire_write.hpp"

namespace clasp::codec {

std::uint16_t readCount(wire::Reader& r, std::size_t minItemBytes, const char* field) {
  std::uint16_t n = r.u16(field);
  if (r.ok() && static_cast<std::size_t>(n) * minItemBytes > r.remaining()) {
    r.fail(field, "count exceeds remaining bytes");
    return 0;
  }
  return n;
}

Value readValueData(wire::Reader& r, std::uint8_t type, int depth) {
  switch (static_cast<ValueType>(type)) {
    case ValueType::Null: return Value();
    case ValueType::Bool: return Value(r.u8("value.bool") != 0);
    case ValueType::I8:
      return Value(static_cast<std::int64_t>(static_cast<std::int8_t>(r.u8("value.i8"))));
    case ValueType::I16:
      return Value(static_cast<std::int64_t>(static_cast<std::int16_t>(r.u16("value.i16"))));
    case ValueType::I32:
      return Value(static_cast<std::int64_t>(static_cast<std::int32_t>(r.u32("value.i32"))));
    case ValueType::I64: return Value(static_cast<std::int64_t>(r.u64("value.i64")));
    case ValueType::F32: return Value(static_cast<double>(r.f32("value.f32")));
    case ValueType::F64: return Value(r.f64("value.f64"));
    case ValueType::String: return Value(r.str("value.string"));
    case ValueType::Bytes: {
      std::uint16_t n = r.u16("value.bytes");
      auto raw = r.raw(n, "value.bytes");
      return Value(Bytes(raw.begin(), raw.end()));
    }
    case ValueType::Array: {
      if (depth >= kMaxValueDepth) {
        r.fail("value.array", "nesting deeper than 32 levels");
        return Value();
      }
      std::uint16_t n = readCount(r, 1, "value.array.count");
      Array items;
      items.reserve(n);
      for (std::uint16_t i = 0; i < n && r.ok(); ++i) items.push_back(readTypedValue(r, depth + 1));
      return Value(std::move(items));
    }
    case ValueType::Map: {
      if (depth >= kMaxValueDepth) {
        r.fail("value.map", "nesting deeper than 32 levels");
        return Value();
      }
      std::uint16_t n = readCount(r, 3, "value.map.count");
      Map entries;
      entries.reserve(n);
      for (std::uint16_t i = 0; i < n && r.ok(); ++i) {
        std::string key = r.str("value.map.key");
        Value v = readTypedValue(r, depth + 1);
        if (!r.ok()) break;
        entries.push_back(MapEntry{std::move(key), std::move(v)});
      }
      dedupeMapKeys(entries);
      return Value(std::move(entries));
    }
  }
  r.fail("value.type", "unknown value type");
  return Value();
}

Value readTypedValue(wire::Reader& r, int depth) {
  std::uint8_t type = r.u8("value.type");
  if (!r.ok()) return Value();
  return readValueData(r, type, depth);
}

bool writeValueData(OutBuffer& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return true;
    case Value::Kind::Bool: wire::putU8(out, *v.asBool() ? 1 : 0); return true;
    case Value::Kind::Int: wire::putU64(out, static_cast<std::uint64_t>(*v.asInt())); return true;
    case Value::Kind::Float: wire::putF64(out, *v.asFloat()); return true;
    case Value::Kind::String: {
      const std::string& s = *v.asString();
      if (s.size() > 0xFFFF) return false;
      wire::putStr(out, s);
      return true;
    }
    case Value::Kind::Bytes: {
      const Bytes& b = *v.asBytes();
      if (b.size() > 0xFFFF) return false;
      wire::putU16(out, static_cast<std::uint16_t>(b.size()));
      out.append(b.data(), b.size());
      return true;
    }
    case Value::Kind::Array: {
      const Array& a = *v.asArray();
      if (a.size() > 0xFFFF) return false;
      wire::putU16(out, static_cast<std::uint16_t>(a.size()));
      for (const Value& e : a)
        if (!writeTypedValue(out, e)) return false;
      return true;
    }
    case Value::Kind::Map: {
      const Map& m = *v.asMap();
      if (m.size() > 0xFFFF) return false;
      wire::putU16(out, static_cast<std::uint16_t>(m.size()));
      for (const MapEntry& e : m) {
        if (e.key.size() > 0xFFFF) return false;
        wire::putStr(out, e.key);
        if (!writeTypedValue(out, e.value)) return false;
      }
      return true;
    }
  }
  return false;
}

bool writeTypedValue(OutBuffer& out, const Value& v) {
  wire::putU8(out, static_cast<std::uint8_t>(v.wireType()));
  return writeValueData(out, v);
}

}  // namespace clasp::codec
