// OSC datagram decoder (ours, bounds-checked) and message builder (liblo).
#include "adapters/osc/osc_codec.hpp"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <lo/lo.h>

#include "core/wire_read.hpp"

namespace clasp::osc {

namespace {

// Seconds between the NTP epoch (1900) and the Unix epoch (1970).
constexpr std::uint64_t kNtpUnixOffset = 2'208'988'800ull;

class Cursor {
 public:
  explicit Cursor(std::span<const std::uint8_t> b) : b_(b) {}
  std::size_t offset() const { return pos_; }
  std::size_t remaining() const { return b_.size() - pos_; }
  bool atEnd() const { return pos_ == b_.size(); }

  bool u32(std::uint32_t& out) {
    if (remaining() < 4) return false;
    out = (std::uint32_t{b_[pos_]} << 24) | (std::uint32_t{b_[pos_ + 1]} << 16) |
          (std::uint32_t{b_[pos_ + 2]} << 8) | std::uint32_t{b_[pos_ + 3]};
    pos_ += 4;
    return true;
  }
  bool u64(std::uint64_t& out) {
    std::uint32_t hi = 0, lo = 0;
    if (remaining() < 8) return false;
    u32(hi);
    u32(lo);
    out = (std::uint64_t{hi} << 32) | lo;
    return true;
  }
  // OSC-string: bytes up to a NUL, then padding to a multiple of 4.
  bool str(std::string_view& out) {
    const std::uint8_t* start = b_.data() + pos_;
    const void* nul = std::memchr(start, 0, remaining());
    if (!nul) return false;
    std::size_t len = static_cast<std::size_t>(static_cast<const std::uint8_t*>(nul) - start);
    std::size_t padded = (len + 4) & ~std::size_t{3};
    if (padded > remaining()) return false;
    out = std::string_view(reinterpret_cast<const char*>(start), len);
    pos_ += padded;
    return true;
  }
  bool blob(std::span<const std::uint8_t>& out) {
    std::uint32_t size = 0;
    if (!u32(size)) return false;
    if (size > 0x7FFFFFFFu) return false;  // int32 on the wire: negative sizes are errors
    std::size_t padded = (std::size_t{size} + 3) & ~std::size_t{3};
    if (padded > remaining()) return false;
    out = b_.subspan(pos_, size);
    pos_ += padded;
    return true;
  }

 private:
  std::span<const std::uint8_t> b_;
  std::size_t pos_ = 0;
};

std::unexpected<Error> bad(std::string what, std::size_t offset) {
  return fail(Errc::BadMessage, "OSC: " + what + " at byte " + std::to_string(offset));
}

// A code point as UTF-8; U+FFFD for values that are not Unicode scalars.
std::string utf8Char(std::uint32_t cp) {
  if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) cp = 0xFFFD;
  std::string s;
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
  return s;
}

Value fourInts(std::uint32_t w) {
  return Value(Array{Value(static_cast<std::int64_t>(w >> 24)), Value(static_cast<std::int64_t>((w >> 16) & 0xFF)),
                     Value(static_cast<std::int64_t>((w >> 8) & 0xFF)), Value(static_cast<std::int64_t>(w & 0xFF))});
}

Result<void> parseArgs(Cursor& c, std::string_view tags, std::vector<Value>& out) {
  // Open arrays: the outermost level is `out`; nested ones are built here.
  std::vector<Array> stack;
  auto push = [&](Value v) {
    if (stack.empty()) {
      out.push_back(std::move(v));
    } else {
      stack.back().push_back(std::move(v));
    }
  };
  for (char t : tags) {
    const std::size_t at = c.offset();
    std::uint32_t w = 0;
    std::uint64_t q = 0;
    switch (t) {
      case 'i':
        if (!c.u32(w)) return bad("truncated int32 argument", at);
        push(Value(static_cast<std::int64_t>(static_cast<std::int32_t>(w))));
        break;
      case 'h':
        if (!c.u64(q)) return bad("truncated int64 argument", at);
        push(Value(static_cast<std::int64_t>(q)));
        break;
      case 'f':
        if (!c.u32(w)) return bad("truncated float32 argument", at);
        push(Value(static_cast<double>(std::bit_cast<float>(w))));
        break;
      case 'd':
        if (!c.u64(q)) return bad("truncated float64 argument", at);
        push(Value(std::bit_cast<double>(q)));
        break;
      case 's':
      case 'S': {
        std::string_view s;
        if (!c.str(s)) return bad("unterminated string argument", at);
        if (wire::isValidUtf8(s)) {
          push(Value(std::string(s)));
        } else {
          push(Value(Bytes(s.begin(), s.end())));  // not text: kept as bytes
        }
        break;
      }
      case 'c':
        if (!c.u32(w)) return bad("truncated char argument", at);
        push(Value(utf8Char(w)));
        break;
      case 'b': {
        std::span<const std::uint8_t> b;
        if (!c.blob(b)) return bad("bad blob size", at);
        push(Value(Bytes(b.begin(), b.end())));
        break;
      }
      case 'T': push(Value(true)); break;
      case 'F': push(Value(false)); break;
      case 'N': push(Value()); break;
      case 'I': push(Value(std::numeric_limits<double>::infinity())); break;
      case 't':
        if (!c.u64(q)) return bad("truncated time tag argument", at);
        push(Value());  // R10.3: a time tag argument carries no value
        break;
      case 'r':
      case 'm':
        if (!c.u32(w)) return bad(t == 'r' ? "truncated RGBA argument" : "truncated MIDI argument", at);
        push(fourInts(w));
        break;
      case '[':
        if (stack.size() >= static_cast<std::size_t>(kMaxValueDepth - 1)) return bad("arrays nested too deep", at);
        stack.emplace_back();
        break;
      case ']': {
        if (stack.empty()) return bad("']' without '['", at);
        Array a = std::move(stack.back());
        stack.pop_back();
        push(Value(std::move(a)));
        break;
      }
      default: {
        const auto u = static_cast<unsigned char>(t);
        return bad(u >= 0x20 && u < 0x7F ? std::string("unknown type tag '") + t + "'"
                                         : "unknown type tag 0x" + std::to_string(u),
                   at);
      }
    }
  }
  if (!stack.empty()) return bad("'[' without ']'", c.offset());
  return {};
}

Result<void> parseElement(std::span<const std::uint8_t> bytes, std::size_t base, std::uint64_t timeTag, int depth,
                          OscPacket& out);

Result<void> parseBundle(std::span<const std::uint8_t> bytes, std::size_t base, std::uint64_t parentTag, int depth,
                         OscPacket& out) {
  if (depth > kMaxBundleDepth) return bad("bundles nested too deep", base);
  Cursor head(bytes);
  std::string_view tag;
  if (!head.str(tag) || tag != "#bundle") return bad("not a bundle", base);
  std::uint64_t own = 0;
  if (!head.u64(own)) return bad("truncated bundle time tag", base + head.offset());
  // Immediate (0/1) inherits the enclosing bundle's time; a later tag wins.
  const std::uint64_t effective = std::max(own <= kImmediate ? kImmediate : own, parentTag);
  std::size_t pos = head.offset();
  while (pos < bytes.size()) {
    Cursor e(bytes.subspan(pos));
    std::uint32_t size = 0;
    if (!e.u32(size)) return bad("truncated bundle element size", base + pos);
    if (size == 0 || size % 4 != 0 || size > e.remaining())
      return bad("bad bundle element size " + std::to_string(size), base + pos);
    if (auto ok = parseElement(bytes.subspan(pos + 4, size), base + pos + 4, effective, depth + 1, out); !ok)
      return ok;
    pos += 4 + size;
  }
  return {};
}

Result<void> parseElement(std::span<const std::uint8_t> bytes, std::size_t base, std::uint64_t timeTag, int depth,
                          OscPacket& out) {
  if (!bytes.empty() && bytes[0] == '#') return parseBundle(bytes, base, timeTag, depth, out);
  auto m = parseMessage(bytes);
  if (!m) {
    Error e = m.error();
    e.message += " (element at byte " + std::to_string(base) + ")";
    return std::unexpected(std::move(e));
  }
  m->timeTag = timeTag;
  out.messages.push_back(std::move(*m));
  return {};
}

// Adds `v` to `m` as R10.4 says; false when liblo refused an argument.
bool addValue(lo_message m, const Value& v) {
  switch (v.kind()) {
    case Value::Kind::Null: return lo_message_add_nil(m) == 0;
    case Value::Kind::Bool: return (*v.asBool() ? lo_message_add_true(m) : lo_message_add_false(m)) == 0;
    case Value::Kind::Int: {
      const std::int64_t i = *v.asInt();
      if (i >= std::numeric_limits<std::int32_t>::min() && i <= std::numeric_limits<std::int32_t>::max())
        return lo_message_add_int32(m, static_cast<std::int32_t>(i)) == 0;
      return lo_message_add_int64(m, i) == 0;
    }
    case Value::Kind::Float: return lo_message_add_float(m, static_cast<float>(*v.asFloat())) == 0;
    case Value::Kind::String: return lo_message_add_string(m, v.asString()->c_str()) == 0;
    case Value::Kind::Bytes: {
      const Bytes& b = *v.asBytes();
      if (b.size() > kMaxDatagram) return false;
      lo_blob blob = lo_blob_new(static_cast<std::int32_t>(b.size()), b.data());
      if (!blob) return false;
      const bool ok = lo_message_add_blob(m, blob) == 0;
      lo_blob_free(blob);  // the message keeps its own copy
      return ok;
    }
    case Value::Kind::Array:
      for (const Value& e : *v.asArray())
        if (!addValue(m, e)) return false;
      return true;
    case Value::Kind::Map: return lo_message_add_string(m, valueToJson(v).c_str()) == 0;
  }
  return false;
}

}  // namespace

Result<OscMessage> parseMessage(std::span<const std::uint8_t> bytes) {
  Cursor c(bytes);
  std::string_view address;
  if (!c.str(address)) return bad("unterminated address", 0);
  if (address.empty() || address.front() != '/') return bad("address does not start with '/'", 0);
  if (!wire::isValidUtf8(address)) return bad("address is not UTF-8", 0);
  OscMessage m;
  m.address.assign(address);
  // OSC 1.0: a message without a type tag string has no arguments.
  if (c.atEnd()) return m;
  const std::size_t tagsAt = c.offset();
  std::string_view tags;
  if (!c.str(tags)) return bad("unterminated type tag string", tagsAt);
  if (tags.empty() || tags.front() != ',') return bad("type tag string does not start with ','", tagsAt);
  tags.remove_prefix(1);
  m.typeTags.assign(tags);
  m.args.reserve(tags.size());
  if (auto ok = parseArgs(c, tags, m.args); !ok) return std::unexpected(ok.error());
  if (!c.atEnd()) return bad(std::to_string(c.remaining()) + " bytes after the last argument", c.offset());
  return m;
}

Result<OscPacket> parsePacket(std::span<const std::uint8_t> datagram) {
  if (datagram.empty()) return bad("empty datagram", 0);
  if (datagram.size() > kMaxDatagram) return bad("datagram over 65535 bytes", 0);
  if (datagram.size() % 4 != 0) return bad("size " + std::to_string(datagram.size()) + " is not a multiple of 4", 0);
  OscPacket p;
  if (datagram[0] == '#') {
    p.bundle = true;
    if (auto ok = parseBundle(datagram, 0, kImmediate, 1, p); !ok) return std::unexpected(ok.error());
    return p;
  }
  auto m = parseMessage(datagram);
  if (!m) return std::unexpected(m.error());
  p.messages.push_back(std::move(*m));
  return p;
}

Value argsToValue(std::vector<Value> args) {
  if (args.empty()) return Value();
  if (args.size() == 1) return std::move(args.front());
  return Value(Array(std::make_move_iterator(args.begin()), std::make_move_iterator(args.end())));
}

std::string toClaspAddress(std::string_view ns, std::string_view oscAddress) {
  if (ns == "/") return std::string(oscAddress);
  if (oscAddress == "/") return std::string(ns);
  std::string out;
  out.reserve(ns.size() + oscAddress.size());
  out.append(ns).append(oscAddress);
  return out;
}

std::string_view toOscAddress(std::string_view ns, std::string_view claspAddress) {
  if (ns == "/") return claspAddress;
  if (claspAddress == ns) return "/";
  if (claspAddress.size() > ns.size() && claspAddress.starts_with(ns) && claspAddress[ns.size()] == '/')
    return claspAddress.substr(ns.size());
  return claspAddress;
}

std::optional<std::uint64_t> timeTagToMicros(std::uint64_t ntp) {
  if (ntp <= kImmediate) return std::nullopt;
  const std::uint64_t secs = ntp >> 32;
  if (secs < kNtpUnixOffset) return std::nullopt;
  const std::uint64_t frac = ntp & 0xFFFFFFFFu;
  return (secs - kNtpUnixOffset) * 1'000'000ull + ((frac * 1'000'000ull) >> 32);
}

std::uint64_t microsToTimeTag(std::uint64_t micros) {
  const std::uint64_t secs = micros / 1'000'000ull + kNtpUnixOffset;
  const std::uint64_t rem = micros % 1'000'000ull;
  // Round up so that timeTagToMicros(microsToTimeTag(x)) == x.
  const std::uint64_t frac = ((rem << 32) + 999'999ull) / 1'000'000ull;
  return (secs << 32) | (frac & 0xFFFFFFFFu);
}

Result<void> buildMessage(std::string_view address, const Value& value, std::vector<std::uint8_t>& out) {
  lo_message m = lo_message_new();
  if (!m) return fail(Errc::InternalError, "OSC: out of memory");
  const std::string path(address);
  if (!addValue(m, value)) {
    lo_message_free(m);
    return fail(Errc::InvalidValue, "OSC: value cannot be sent as OSC arguments");
  }
  std::size_t len = lo_message_length(m, path.c_str());
  if (len > kMaxDatagram) {
    lo_message_free(m);
    return fail(Errc::InvalidValue, "OSC: message of " + std::to_string(len) + " bytes does not fit a datagram");
  }
  const std::size_t at = out.size();
  out.resize(at + len);
  std::size_t written = len;
  void* p = lo_message_serialise(m, path.c_str(), out.data() + at, &written);
  lo_message_free(m);
  if (!p || written != len) {
    out.resize(at);
    return fail(Errc::InternalError, "OSC: message serialisation failed");
  }
  return {};
}


}  // namespace clasp::osc
