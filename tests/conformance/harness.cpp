// Small shared helpers of the harness: message descriptions for failure
// output, hex conversion, frame encoding and the wall clock.
#include "harness.hpp"

namespace clasp::conformance {

std::string hex(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  const std::size_t shown = std::min<std::size_t>(bytes.size(), 64);
  for (std::size_t i = 0; i < shown; ++i) {
    if (i != 0) out += ' ';
    out += kDigits[bytes[i] >> 4];
    out += kDigits[bytes[i] & 0x0F];
  }
  if (shown < bytes.size()) out += " ... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

Bytes fromHex(std::string_view text) {
  Bytes out;
  int hi = -1;
  for (char c : text) {
    int v = (c >= '0' && c <= '9')   ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (v < 0) continue;
    if (hi < 0) {
      hi = v;
    } else {
      out.push_back(static_cast<std::uint8_t>(hi << 4 | v));
      hi = -1;
    }
  }
  return out;
}

Bytes frameOf(const Message& m, std::optional<QoS> qos) {
  OutBuffer buf;
  auto r = encodeFrame(m, buf, qos);
  if (!r) {
    ADD_FAILURE() << "cannot encode " << describe(m) << ": " << r.error().message;
    return {};
  }
  return Bytes(buf.data(), buf.data() + buf.size());
}

std::uint64_t nowMicros() {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::microseconds>(
                                        std::chrono::system_clock::now().time_since_epoch())
                                        .count());
}

namespace {
std::string quoted(const std::string& s) {
  std::string out = "\"";
  out += s.size() > 80 ? s.substr(0, 80) + "..." : s;
  return out + "\"";
}
std::string optStr(const char* key, const std::optional<std::string>& v) {
  return v ? std::string(", ") + key + "=" + quoted(*v) : std::string();
}
template <class N>
std::string optNum(const char* key, const std::optional<N>& v) {
  return v ? std::string(", ") + key + "=" + std::to_string(*v) : std::string();
}
std::string shortValue(const Value& v) {
  std::string s = toDebugString(v);
  return s.size() > 80 ? s.substr(0, 80) + "..." : s;
}
}  // namespace

std::string describe(const Message& m) {
  std::string name = messageTypeName(m.type());
  if (auto* e = std::get_if<ErrorMsg>(&m.variant())) {
    return name + "{code=" + std::to_string(e->code) + ", message=" + quoted(e->message) +
           optStr("address", e->address) + "}";
  }
  if (auto* s = std::get_if<Set>(&m.variant())) {
    return name + "{address=" + quoted(s->address) + ", value=" + shortValue(s->value) +
           optNum("revision", s->revision) + (s->lock ? ", lock" : "") +
           (s->unlock ? ", unlock" : "") + "}";
  }
  if (auto* p = std::get_if<Publish>(&m.variant())) {
    return name + "{address=" + quoted(p->address) +
           ", signal=" + std::to_string(static_cast<int>(p->signal)) +
           ", phase=" + std::to_string(static_cast<int>(p->phase)) +
           (p->value ? ", value=" + shortValue(*p->value) : "") + optNum("id", p->id) + "}";
  }
  if (auto* a = std::get_if<Ack>(&m.variant())) {
    std::string locked = a->locked ? (*a->locked ? ", locked=true" : ", locked=false") : "";
    return name + "{" + optStr("address", a->address) + optNum("revision", a->revision) + locked +
           optStr("holder", a->holder) + "}";
  }
  if (auto* s = std::get_if<Snapshot>(&m.variant())) {
    std::string out = name + "{" + std::to_string(s->params.size()) + " params";
    for (std::size_t i = 0; i < s->params.size() && i < 3; ++i) {
      out += ", " + quoted(s->params[i].address) + "=" + shortValue(s->params[i].value) + "@" +
             std::to_string(s->params[i].revision);
    }
    return out + (s->params.size() > 3 ? ", ...}" : "}");
  }
  if (auto* w = std::get_if<Welcome>(&m.variant())) {
    return name + "{version=" + std::to_string(w->version) + ", session=" + quoted(w->session) + "}";
  }
  return name;
}

}  // namespace clasp::conformance
