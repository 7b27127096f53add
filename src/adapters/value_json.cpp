// Value -> JSON through nlohmann-json's insertion-ordered object.
#include "adapters/value_json.hpp"

#include <cmath>
#include <nlohmann/json.hpp>

namespace clasp {

namespace {

using Json = nlohmann::ordered_json;

Json toJson(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return nullptr;
    case Value::Kind::Bool: return *v.asBool();
    case Value::Kind::Int: return *v.asInt();
    case Value::Kind::Float: {
      const double d = *v.asFloat();
      if (!std::isfinite(d)) return nullptr;
      return d;
    }
    case Value::Kind::String: return *v.asString();
    case Value::Kind::Bytes: {
      Json a = Json::array();
      for (std::uint8_t b : *v.asBytes()) a.push_back(b);
      return a;
    }
    case Value::Kind::Array: {
      Json a = Json::array();
      for (const Value& e : *v.asArray()) a.push_back(toJson(e));
      return a;
    }
    case Value::Kind::Map: {
      Json o = Json::object();
      for (const MapEntry& e : *v.asMap()) o[e.key] = toJson(e.value);
      return o;
    }
  }
  return nullptr;
}

}  // namespace

std::string valueToJson(const Value& v) { return toJson(v).dump(-1, ' ', false, Json::error_handler_t::replace); }

}  // namespace clasp
