// Topic/address and payload/value conversions of router.md R9.4/R9.5 (D-28).
// JSON goes through nlohmann-json; numbers are printed with std::to_chars,
// whose shortest round-trip form in fixed notation is exactly R9.5's rule.
#include "adapters/mqtt/mqtt_bridge.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>

#include "adapters/value_json.hpp"
#include "core/address.hpp"
#include "core/wire_read.hpp"

namespace clasp::mqtt {

namespace {

std::string joinNamespace(std::string_view ns, std::string_view rest) {
  std::string out;
  out.reserve(ns.size() + 1 + rest.size());
  if (ns != "/") out.append(ns);
  out.push_back('/');
  out.append(rest);
  return out;
}

void appendText(OutBuffer& out, std::string_view s) { out.append(s.data(), s.size()); }

}  // namespace

std::optional<std::string> topicToAddress(std::string_view ns, std::string_view topic) {
  std::string address = joinNamespace(ns, topic);
  if (!validateAddress(address)) return std::nullopt;
  return address;
}

std::optional<std::string> filterToPattern(std::string_view ns, std::string_view filter) {
  std::string rest;
  rest.reserve(filter.size() + 8);
  std::size_t start = 0;
  for (;;) {
    std::size_t slash = filter.find('/', start);
    std::string_view level = filter.substr(start, slash == std::string_view::npos ? std::string_view::npos : slash - start);
    if (level == "+") {
      rest.push_back('*');
    } else if (level == "#") {
      rest.append("**");
    } else {
      rest.append(level);
    }
    if (slash == std::string_view::npos) break;
    rest.push_back('/');
    start = slash + 1;
  }
  std::string pattern = joinNamespace(ns, rest);
  if (!validatePattern(pattern)) return std::nullopt;
  return pattern;
}

std::optional<std::string_view> addressToTopic(std::string_view ns, std::string_view address) {
  if (ns == "/") {
    if (address.size() < 2 || address.front() != '/') return std::nullopt;
    return address.substr(1);
  }
  if (address.size() <= ns.size() + 1 || address.substr(0, ns.size()) != ns || address[ns.size()] != '/')
    return std::nullopt;
  return address.substr(ns.size() + 1);
}

Value payloadToValue(std::string_view payload) {
  if (payload.empty()) return Value(std::string());
  if (!wire::isValidUtf8(payload)) return Value(Bytes(payload.begin(), payload.end()));
  // Deeper documents than a CLASP value may hold stay text.
  if (auto v = valueFromJson(payload)) return std::move(*v);
  // strtod accepts what R9.5 lists (nan, inf, infinity) but also leading
  // spaces and hex floats, which a decimal float parser does not.
  std::string text(payload);
  char* end = nullptr;
  const bool plain = !std::isspace(static_cast<unsigned char>(text.front())) &&
                     text.find_first_of("xX") == std::string::npos;
  double d = plain ? std::strtod(text.c_str(), &end) : 0.0;
  if (plain && end == text.c_str() + text.size()) return Value(d);
  if (payload == "true") return Value(true);
  if (payload == "false") return Value(false);
  return Value(std::move(text));
}

void appendPayload(OutBuffer& out, const Value& value) {
  switch (value.kind()) {
    case Value::Kind::Null: return appendText(out, "null");
    case Value::Kind::Bool: return appendText(out, *value.asBool() ? "true" : "false");
    case Value::Kind::Int: {
      char buf[24];
      auto r = std::to_chars(buf, buf + sizeof buf, *value.asInt());
      return out.append(buf, static_cast<std::size_t>(r.ptr - buf));
    }
    case Value::Kind::Float: {
      double d = *value.asFloat();
      if (std::isnan(d)) return appendText(out, "NaN");
      if (std::isinf(d)) return appendText(out, d > 0 ? "inf" : "-inf");
      char buf[400];  // fixed notation of the largest double: 309 digits
      auto r = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
      return out.append(buf, static_cast<std::size_t>(r.ptr - buf));
    }
    case Value::Kind::String: return appendText(out, *value.asString());
    case Value::Kind::Bytes: return out.append(value.asBytes()->data(), value.asBytes()->size());
    case Value::Kind::Array:
    case Value::Kind::Map: return appendText(out, valueToJson(value));
  }
}

}  // namespace clasp::mqtt
