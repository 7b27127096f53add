// Value -> JSON written directly; JSON -> Value through nlohmann-json.
#include "adapters/value_json.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>

#include "core/wire_read.hpp"

namespace clasp {

namespace {

// Output is written directly: linear in the value (nlohmann's ordered
// object inserts by linear search, quadratic for a map with many keys, and
// the journal writes JSON for every entry).
void appendEscaped(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      // A whole valid sequence is copied; each byte of an invalid one becomes U+FFFD.
      const std::size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (len > 1 && i + len <= s.size() && wire::isValidUtf8(s.substr(i, len))) {
        out.append(s.substr(i, len));
        i += len;
      } else {
        out.append("\xEF\xBF\xBD");
        ++i;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      default:
        if (c < 0x20) {
          out.append("\\u00");
          out.push_back(kHex[c >> 4]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(static_cast<char>(c));
        }
    }
    ++i;
  }
  out.push_back('"');
}

void appendJson(std::string& out, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: out.append("null"); return;
    case Value::Kind::Bool: out.append(*v.asBool() ? "true" : "false"); return;
    case Value::Kind::Int: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, *v.asInt());
      out.append(buf, r.ptr);
      return;
    }
    case Value::Kind::Float: {
      const double d = *v.asFloat();
      if (!std::isfinite(d)) {
        out.append("null");  // JSON cannot spell NaN or infinities
        return;
      }
      char buf[32];
      auto r = std::to_chars(buf, buf + sizeof buf, d);  // shortest round trip
      std::string_view t(buf, static_cast<std::size_t>(r.ptr - buf));
      out.append(t);
      // Keep a float recognisable as one (2.0, not 2), as JSON readers type it.
      if (t.find_first_of(".eE") == std::string_view::npos) out.append(".0");
      return;
    }
    case Value::Kind::String: appendEscaped(out, *v.asString()); return;
    case Value::Kind::Bytes: {
      out.push_back('[');
      bool first = true;
      for (std::uint8_t b : *v.asBytes()) {
        if (!first) out.push_back(',');
        first = false;
        char buf[4];
        auto r = std::to_chars(buf, buf + sizeof buf, static_cast<unsigned>(b));
        out.append(buf, r.ptr);
      }
      out.push_back(']');
      return;
    }
    case Value::Kind::Array: {
      out.push_back('[');
      bool first = true;
      for (const Value& e : *v.asArray()) {
        if (!first) out.push_back(',');
        first = false;
        appendJson(out, e);
      }
      out.push_back(']');
      return;
    }
    case Value::Kind::Map: {
      out.push_back('{');
      bool first = true;
      for (const MapEntry& e : *v.asMap()) {
        if (!first) out.push_back(',');
        first = false;
        appendEscaped(out, e.key);
        out.push_back(':');
        appendJson(out, e.value);
      }
      out.push_back('}');
      return;
    }
  }
}

}  // namespace

std::string valueToJson(const Value& v) {
  std::string out;
  appendJson(out, v);
  return out;
}

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
