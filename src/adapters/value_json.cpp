// Value <-> JSON through nlohmann-json (insertion-ordered objects for output).
#include "adapters/value_json.hpp"

#include <cmath>
#include <limits>
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

namespace {

// Parsing uses the sorted object: ordered_json's insertion is linear per key,
// which a hostile payload with many keys would turn quadratic.
using ParsedJson = nlohmann::json;

std::optional<Value> fromJson(const ParsedJson& j, int depth) {
  if (depth > kMaxValueDepth) return std::nullopt;
  switch (j.type()) {
    case ParsedJson::value_t::null: return Value{};
    case ParsedJson::value_t::boolean: return Value(j.get<bool>());
    case ParsedJson::value_t::number_integer: return Value(j.get<std::int64_t>());
    case ParsedJson::value_t::number_unsigned: {
      auto u = j.get<std::uint64_t>();
      if (u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return Value(static_cast<std::int64_t>(u));
      return Value(static_cast<double>(u));
    }
    case ParsedJson::value_t::number_float: return Value(j.get<double>());
    case ParsedJson::value_t::string: return Value(j.get_ref<const std::string&>());
    case ParsedJson::value_t::array: {
      Array a;
      a.reserve(j.size());
      for (const auto& e : j) {
        auto v = fromJson(e, depth + 1);
        if (!v) return std::nullopt;
        a.push_back(std::move(*v));
      }
      return Value(std::move(a));
    }
    case ParsedJson::value_t::object: {
      Map m;
      m.reserve(j.size());
      for (const auto& [k, e] : j.items()) {
        auto v = fromJson(e, depth + 1);
        if (!v) return std::nullopt;
        m.push_back(MapEntry{k, std::move(*v)});
      }
      return Value(std::move(m));
    }
    default: return std::nullopt;  // binary/discarded: not produced by parse()
  }
}

}  // namespace

std::optional<Value> valueFromJson(std::string_view text) {
  ParsedJson j = ParsedJson::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return std::nullopt;
  return fromJson(j, 0);
}

}  // namespace clasp
