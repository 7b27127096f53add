// Value helpers: equality (order-insensitive for maps), map updates, the wire
// type an encoder picks, and a debug rendering for logs and test output.
#include "value.hpp"

#include <bit>
#include <cstdio>
#include <unordered_map>

namespace clasp {

namespace {

bool mapsEqual(const Map& a, const Map& b) {
  if (a.size() != b.size()) return false;
  for (const MapEntry& e : a) {
    bool found = false;
    for (const MapEntry& f : b) {
      if (f.key == e.key) {
        if (!(f.value == e.value)) return false;
        found = true;
        break;
      }
    }
    if (!found) return false;
  }
  return true;
}

void appendDebug(std::string& out, const Value& v) {
  char buf[40];
  switch (v.kind()) {
    case Value::Kind::Null: out += "null"; break;
    case Value::Kind::Bool: out += *v.asBool() ? "true" : "false"; break;
    case Value::Kind::Int:
      std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(*v.asInt()));
      out += buf;
      break;
    case Value::Kind::Float:
      std::snprintf(buf, sizeof buf, "%.17gf", *v.asFloat());
      out += buf;
      break;
    case Value::Kind::String:
      out += '"';
      out += *v.asString();
      out += '"';
      break;
    case Value::Kind::Bytes:
      out += "b'";
      for (std::uint8_t c : *v.asBytes()) {
        std::snprintf(buf, sizeof buf, "%02x", c);
        out += buf;
      }
      out += '\'';
      break;
    case Value::Kind::Array: {
      out += '[';
      bool first = true;
      for (const Value& e : *v.asArray()) {
        if (!first) out += ", ";
        first = false;
        appendDebug(out, e);
      }
      out += ']';
      break;
    }
    case Value::Kind::Map: {
      out += '{';
      bool first = true;
      for (const MapEntry& e : *v.asMap()) {
        if (!first) out += ", ";
        first = false;
        out += e.key;
        out += ": ";
        appendDebug(out, e.value);
      }
      out += '}';
      break;
    }
  }
}

}  // namespace

bool operator==(const Value& a, const Value& b) {
  if (a.kind() != b.kind()) return false;
  switch (a.kind()) {
    case Value::Kind::Float:
      // Bitwise, so NaN payloads round-trip and compare equal to themselves.
      return std::bit_cast<std::uint64_t>(*a.asFloat()) ==
                 std::bit_cast<std::uint64_t>(*b.asFloat()) ||
             *a.asFloat() == *b.asFloat();
    case Value::Kind::Map: return mapsEqual(*a.asMap(), *b.asMap());
    default: return a.v == b.v;
  }
}

bool Value::toDouble(double& out) const {
  if (const auto* i = asInt()) {
    out = static_cast<double>(*i);
    return true;
  }
  if (const auto* d = asFloat()) {
    out = *d;
    return true;
  }
  return false;
}

const Value* Value::find(std::string_view key) const {
  if (const Map* m = asMap()) {
    for (const MapEntry& e : *m)
      if (e.key == key) return &e.value;
  }
  return nullptr;
}

ValueType Value::wireType() const {
  switch (kind()) {
    case Kind::Null: return ValueType::Null;
    case Kind::Bool: return ValueType::Bool;
    case Kind::Int: return ValueType::I64;
    case Kind::Float: return ValueType::F64;
    case Kind::String: return ValueType::String;
    case Kind::Bytes: return ValueType::Bytes;
    case Kind::Array: return ValueType::Array;
    case Kind::Map: return ValueType::Map;
  }
  return ValueType::Null;
}

void mapSet(Map& m, std::string key, Value value) {
  for (MapEntry& e : m) {
    if (e.key == key) {
      e.value = std::move(value);
      return;
    }
  }
  m.push_back(MapEntry{std::move(key), std::move(value)});
}

void dedupeMapKeys(Map& m) {
  if (m.size() < 2) return;
  bool dup = false;
  if (m.size() <= 16) {
    for (std::size_t i = 1; i < m.size() && !dup; ++i)
      for (std::size_t j = 0; j < i && !dup; ++j) dup = m[i].key == m[j].key;
    if (!dup) return;
  }
  // Views point into the keys, which stay in place until the compaction below.
  std::unordered_map<std::string_view, std::size_t> first;
  first.reserve(m.size());
  std::vector<bool> drop(m.size(), false);
  for (std::size_t i = 0; i < m.size(); ++i) {
    auto [it, fresh] = first.try_emplace(m[i].key, i);
    if (!fresh) {
      m[it->second].value = std::move(m[i].value);
      drop[i] = true;
      dup = true;
    }
  }
  if (!dup) return;
  std::size_t out = 0;
  for (std::size_t i = 0; i < m.size(); ++i)
    if (!drop[i]) {
      if (out != i) m[out] = std::move(m[i]);
      ++out;
    }
  m.resize(out);
}

std::string toDebugString(const Value& v) {
  std::string out;
  appendDebug(out, v);
  return out;
}

}  // namespace clasp
