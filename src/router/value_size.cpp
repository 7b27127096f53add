// Value size computation mirroring core's encoder (i64/f64 widths).
#include "router/value_size.hpp"

namespace clasp::router {

std::size_t valueDataSize(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return 0;
    case Value::Kind::Bool: return 1;
    case Value::Kind::Int:
    case Value::Kind::Float: return 8;
    case Value::Kind::String: return 2 + v.asString()->size();
    case Value::Kind::Bytes: return 2 + v.asBytes()->size();
    case Value::Kind::Array: {
      std::size_t n = 2;
      for (const Value& e : *v.asArray()) n += 1 + valueDataSize(e);
      return n;
    }
    case Value::Kind::Map: {
      std::size_t n = 2;
      for (const MapEntry& e : *v.asMap()) n += 2 + e.key.size() + 1 + valueDataSize(e.value);
      return n;
    }
  }
  return 0;
}

}  // namespace clasp::router
