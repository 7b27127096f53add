// Legacy v0 payload decoding (protocol.md §6): one MessagePack map with a
// `type` key and snake_case fields, accepted on input only (we never emit v0).
// msgpack-cxx does the parsing; this file bounds what it may allocate, turns
// its exceptions into BadMessage at this edge, and maps the object tree onto
// messages.hpp with the reference's rules (§6.3, §6.4). Pure, no shared state.
#include <array>
#include <cstdint>
#include <exception>
#include <limits>
#include <msgpack.hpp>  // the build defines MSGPACK_NO_BOOST
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "codec.hpp"
#include "wire_read.hpp"

namespace clasp {
namespace {

using Obj = msgpack::object;
namespace mt = msgpack::type;

// Values may nest kMaxValueDepth containers deep counted from the value itself
// (D-4, same rule as v1). The envelope around the deepest value (root map,
// BUNDLE messages array, PUBLISH timeline keyframes) needs a few more levels.
constexpr std::size_t kMaxDocumentDepth = kMaxValueDepth + 8;

// msgpack-cxx allocates a container's slots when it reads the header, before
// any element arrives, so 64 KiB of nested array32 headers that each claim
// 65 535 items would make it allocate tens of megabytes. Every element needs
// at least one byte, so a well-formed payload declares at most len elements
// in total; this allocation-free pass rejects payloads that claim more, and
// nesting beyond the cap, before the real unpack.
class BoundsScan : public msgpack::null_visitor {
 public:
  explicit BoundsScan(std::size_t budget) : budget_(budget) {}
  bool start_array(std::uint32_t n) { return open(n); }
  bool start_map(std::uint32_t n) { return open(std::size_t{n} * 2); }
  bool end_array() { return close(); }
  bool end_map() { return close(); }
  bool tooDeep() const { return tooDeep_; }

 private:
  bool open(std::size_t items) {
    if (++depth_ > kMaxDocumentDepth) {
      tooDeep_ = true;
      return false;
    }
    if (items > budget_) return false;
    budget_ -= items;
    return true;
  }
  bool close() {
    --depth_;
    return true;
  }
  std::size_t budget_;
  std::size_t depth_ = 0;
  bool tooDeep_ = false;
};

// Strings and bins point into the payload instead of being copied; the
// payload outlives the object tree.
bool referenceInput(mt::object_type, std::size_t, void*) { return true; }

// Where a field sits, for error text only: a chain of stack nodes from the
// root map, rendered as "params[2].revision" when something fails.
struct Path {
  static constexpr std::size_t kKey = static_cast<std::size_t>(-1);
  const Path* parent;
  std::string_view key;      // a map key, when index is kKey
  std::size_t index = kKey;  // else an array position
};

// At most 32 bytes of peer-supplied text go into an error message, cut on a
// UTF-8 boundary so the message can be sent back in an ERROR.
void appendClipped(std::string& out, std::string_view s) {
  if (s.size() <= 32) {
    out += s;
    return;
  }
  std::size_t n = 32;
  while (n > 0 && (static_cast<unsigned char>(s[n]) & 0xC0) == 0x80) --n;
  out += s.substr(0, n);
  out += "...";
}

void appendPath(std::string& out, const Path* p) {
  if (p == nullptr) return;
  appendPath(out, p->parent);
  if (p->index != Path::kKey) {
    out += '[' + std::to_string(p->index) + ']';
    return;
  }
  if (p->parent != nullptr) out += '.';
  appendClipped(out, p->key);
}

std::string quoted(std::string_view prefix, std::string_view s) {
  std::string out(prefix);
  out += " \"";
  appendClipped(out, s);
  out += '"';
  return out;
}

template <std::size_t N>
int indexOf(std::string_view s, const std::array<std::string_view, N>& names) {
  for (std::size_t i = 0; i < N; ++i)
    if (names[i] == s) return static_cast<int>(i);
  return -1;
}

constexpr std::array<std::string_view, 5> kSignalNames = {"param", "event", "stream", "gesture",
                                                          "timeline"};
constexpr std::array<std::string_view, 4> kPhaseNames = {"start", "move", "end", "cancel"};
constexpr std::array<std::string_view, 6> kEasingNames = {"linear",      "ease-in", "ease-out",
                                                          "ease-in-out", "step",    "cubic-bezier"};
constexpr std::array<std::string_view, 4> kFederationOps = {"DeclareNamespaces", "RequestSync",
                                                            "RevisionVector", "SyncComplete"};
constexpr std::array<std::string_view, 6> kFeatureNames = {"param",   "event",    "stream",
                                                           "gesture", "timeline", "federation"};
constexpr std::array<std::uint8_t, 6> kFeatureBits = {feature::kParam,    feature::kEvent,
                                                      feature::kStream,   feature::kGesture,
                                                      feature::kTimeline, feature::kFederation};

constexpr std::array<MessageType, 19> kAllTypes = {
    MessageType::Hello,     MessageType::Welcome,
    MessageType::Announce,  MessageType::FederationSync,
    MessageType::Subscribe, MessageType::Unsubscribe,
    MessageType::Publish,   MessageType::Set,
    MessageType::Get,       MessageType::Snapshot,
    MessageType::Replay,    MessageType::Bundle,
    MessageType::Sync,      MessageType::Ping,
    MessageType::Pong,      MessageType::Ack,
    MessageType::Error,     MessageType::Query,
    MessageType::Result};

std::span<const msgpack::object_kv> entriesOf(const Obj& o) {
  return {o.via.map.ptr, o.via.map.size};
}

std::string_view rawText(const Obj& o) {
  if (o.type == mt::STR) return {o.via.str.ptr, o.via.str.size};
  return {o.via.bin.ptr, o.via.bin.size};
}

// Later duplicates of a map key replace the earlier entry (§4.3). Small maps
// scan; big ones are hashed so a 10 000-key map stays linear, not quadratic.
class LaterWins {
 public:
  static constexpr std::size_t kNew = static_cast<std::size_t>(-1);
  explicit LaterWins(std::size_t n) : hashed_(n > 8) {}
  // The slot of an earlier entry with key, or kNew after recording key at next.
  std::size_t slot(std::string_view key, std::size_t next) {
    if (hashed_) {
      auto [it, fresh] = index_.try_emplace(key, next);
      return fresh ? kNew : it->second;
    }
    for (std::size_t i = 0; i < keys_.size(); ++i)
      if (keys_[i] == key) return i;
    keys_.push_back(key);
    return kNew;
  }

 private:
  bool hashed_;
  std::unordered_map<std::string_view, std::size_t> index_;
  std::vector<std::string_view> keys_;
};

// A struct field as found: the object (nullptr when absent, or nil for an
// optional field) and its path. Keep it in a named local: children point at it.
struct Field {
  const Obj* obj;
  Path path;
  explicit operator bool() const { return obj != nullptr; }
  const Obj& operator*() const { return *obj; }
};

// Converts one v0 message tree. Errors are sticky: the first one is kept and
// later reads return defaults, so callers check ok() only where it changes
// control flow (loops) and once at the end; nothing half-built escapes.
class Decoder {
 public:
  bool ok() const { return !error_; }
  Error takeError() { return std::move(*error_); }

  Message message(const Obj& m, const Path* at) {
    if (!structMap(m, at)) return Message{};
    Field t = req(m, at, "type");
    std::string_view name = t ? text(*t, &t.path) : std::string_view();
    if (!ok()) return Message{};
    // Exact, case-sensitive names (§6.3): "ping" is not PING.
    const MessageType* type = nullptr;
    for (const MessageType& candidate : kAllTypes)
      if (name == messageTypeName(candidate)) type = &candidate;
    if (type == nullptr) {
      fail(&t.path, quoted("has unknown message type", name));
      return Message{};
    }
    if (type_ == nullptr) type_ = messageTypeName(*type);
    using U32 = std::uint32_t;
    using U64 = std::uint64_t;
    // Braced initialisers evaluate in order, so fields are checked in a fixed order.
    switch (*type) {
      case MessageType::Hello: return hello(m, at);
      case MessageType::Welcome:
        return Welcome{
            .version = reqUint<std::uint8_t>(m, at, "version"),
            .features = static_cast<std::uint8_t>(featureBits(m, at) & ~feature::kFederation),
            .time = reqUint<U64>(m, at, "time"),
            .session = reqStr(m, at, "session"),
            .name = reqStr(m, at, "name"),
            .token = optStr(m, at, "token").value_or("")};
      case MessageType::Announce: return announce(m, at);
      case MessageType::FederationSync: return federationSync(m, at);
      case MessageType::Subscribe: return subscribe(m, at);
      case MessageType::Unsubscribe: return Unsubscribe{reqUint<U32>(m, at, "id")};
      case MessageType::Publish: return publish(m, at);
      case MessageType::Set: {
        Set s{.address = reqStr(m, at, "address"),
              .value = reqValue(m, at, "value"),
              .revision = optUint<U64>(m, at, "revision"),
              .lock = optBool(m, at, "lock").value_or(false),
              .unlock = optBool(m, at, "unlock").value_or(false),
              .ttl = std::nullopt};
        if (Field f = opt(m, at, "ttl")) s.ttl = ttlOf(*f, &f.path);
        return s;
      }
      case MessageType::Get: return Get{reqStr(m, at, "address")};
      case MessageType::Snapshot: return snapshot(m, at);
      case MessageType::Replay:
        return Replay{.pattern = reqStr(m, at, "pattern"),
                      .from = optUint<U64>(m, at, "from"),
                      .to = optUint<U64>(m, at, "to"),
                      .limit = optUint<U32>(m, at, "limit"),
                      .types = typeMask(m, at)};
      case MessageType::Bundle: return bundle(m, at);
      case MessageType::Sync:
        return Sync{reqUint<U64>(m, at, "t1"), optUint<U64>(m, at, "t2"),
                    optUint<U64>(m, at, "t3")};
      case MessageType::Ping: return Ping{};
      case MessageType::Pong: return Pong{};
      case MessageType::Ack:
        return Ack{.address = optStr(m, at, "address"),
                   .revision = optUint<U64>(m, at, "revision"),
                   .locked = optBool(m, at, "locked"),
                   .holder = optStr(m, at, "holder"),
                   .correlationId = optUint<U32>(m, at, "correlation_id")};
      case MessageType::Error:
        return ErrorMsg{.code = reqUint<std::uint16_t>(m, at, "code"),
                        .message = reqStr(m, at, "message"),
                        .address = optStr(m, at, "address"),
                        .correlationId = optUint<U32>(m, at, "correlation_id")};
      case MessageType::Query: return Query{reqStr(m, at, "pattern")};
      case MessageType::Result: {
        QueryResult r;
        if (Field f = req(m, at, "signals")) r.signals = signalList(*f, &f.path, false);
        return r;
      }
    }
    return Message{};
  }

 private:
  // --- errors -----------------------------------------------------------------
  void failText(const std::string& what) {
    if (error_) return;
    std::string msg = type_ != nullptr ? std::string("v0 ") + type_ + ": " : "v0: ";
    error_ = Error{Errc::BadMessage, msg + what};
  }
  void fail(const Path* at, std::string_view what) {
    // The root map has no key of its own; call it "message".
    std::string msg = "message ";
    if (at != nullptr) {
      msg = "'";
      appendPath(msg, at);
      msg += "' ";
    }
    failText(msg.append(what));
  }

  // --- struct maps and their fields ---------------------------------------------
  bool structMap(const Obj& o, const Path* at) {
    if (o.type != mt::MAP) {
      fail(at, "must be a map");
      return false;
    }
    // Keys we ignore are type-checked only, not UTF-8-checked.
    for (const auto& kv : entriesOf(o)) {
      if (kv.key.type != mt::STR && kv.key.type != mt::BIN) {
        fail(at, "has a key that is not a string");
        return false;
      }
    }
    return true;
  }
  // The entry for key; a repeated known key is an error, as in the reference.
  Field find(const Obj& m, const Path* at, const char* key) {
    Field f{nullptr, Path{at, key}};
    for (const auto& kv : entriesOf(m)) {
      if (rawText(kv.key) != f.path.key) continue;
      if (f.obj != nullptr) {
        fail(&f.path, "appears twice");
        return Field{nullptr, f.path};
      }
      f.obj = &kv.val;
    }
    return f;
  }
  Field req(const Obj& m, const Path* at, const char* key) {
    Field f = find(m, at, key);
    if (!f && ok()) {
      std::string msg = "missing required key '";
      appendPath(msg, &f.path);
      failText(msg + "'");
    }
    return f;
  }
  // Optional field; nil counts as absent, as serde reads Option<T>.
  Field opt(const Obj& m, const Path* at, const char* key) {
    Field f = find(m, at, key);
    if (f && f.obj->type == mt::NIL) f.obj = nullptr;
    return f;
  }

  // --- conversions ----------------------------------------------------------------
  std::string_view text(const Obj& o, const Path* p) {
    if (o.type != mt::STR && o.type != mt::BIN) {
      fail(p, "must be a string");
      return {};
    }
    std::string_view s = rawText(o);
    if (!wire::isValidUtf8(s)) fail(p, "is not valid UTF-8");
    return s;
  }
  // A map key, reported against the map itself since it has no path yet.
  std::string_view keyText(const Obj& key, const Path* map) {
    if (key.type != mt::STR && key.type != mt::BIN) {
      fail(map, "has a key that is not a string");
      return {};
    }
    std::string_view s = rawText(key);
    if (!wire::isValidUtf8(s)) fail(map, "has a key that is not valid UTF-8");
    return s;
  }
  template <class T>
  T uintOf(const Obj& o, const Path* p) {
    if (o.type == mt::POSITIVE_INTEGER && o.via.u64 <= std::numeric_limits<T>::max())
      return static_cast<T>(o.via.u64);
    if (o.type == mt::POSITIVE_INTEGER)
      fail(p, "is out of range for u" + std::to_string(sizeof(T) * 8));
    else
      fail(p,
           o.type == mt::NEGATIVE_INTEGER ? "must not be negative" : "must be an unsigned integer");
    return T{};
  }
  double numberOf(const Obj& o, const Path* p) {
    switch (o.type) {
      case mt::FLOAT32:
      case mt::FLOAT64: return o.via.f64;
      case mt::POSITIVE_INTEGER: return static_cast<double>(o.via.u64);
      case mt::NEGATIVE_INTEGER: return static_cast<double>(o.via.i64);
      default: fail(p, "must be a number"); return 0;
    }
  }
  template <std::size_t N>
  int enumOf(const Obj& o, const Path* p, const std::array<std::string_view, N>& names) {
    std::string_view s = text(o, p);
    int i = ok() ? indexOf(s, names) : 0;
    if (i < 0) fail(p, quoted("has unknown value", s));
    return i < 0 ? 0 : i;
  }
  SignalType signalOf(const Obj& o, const Path* p) {
    return static_cast<SignalType>(enumOf(o, p, kSignalNames));
  }
  // Calls fn(element, path) for each array element until the first error.
  template <class Fn>
  void forEach(const Obj& o, const Path* p, Fn&& fn) {
    if (o.type != mt::ARRAY) return fail(p, "must be an array");
    for (std::size_t i = 0; i < o.via.array.size && ok(); ++i) {
      Path ip{p, {}, i};
      fn(o.via.array.ptr[i], &ip);
    }
  }
  std::vector<double> numbers(const Obj& o, const Path* p, std::size_t exactly) {
    std::vector<double> out;
    if (exactly != 0 && o.type == mt::ARRAY && o.via.array.size != exactly)
      fail(p, "must have exactly " + std::to_string(exactly) + " elements");
    forEach(o, p, [&](const Obj& e, const Path* ep) { out.push_back(numberOf(e, ep)); });
    return out;
  }

  template <class T>
  T reqUint(const Obj& m, const Path* at, const char* key) {
    Field f = req(m, at, key);
    return f ? uintOf<T>(*f, &f.path) : T{};
  }
  template <class T>
  std::optional<T> optUint(const Obj& m, const Path* at, const char* key) {
    Field f = opt(m, at, key);
    return f ? std::optional<T>(uintOf<T>(*f, &f.path)) : std::nullopt;
  }
  std::string reqStr(const Obj& m, const Path* at, const char* key) {
    Field f = req(m, at, key);
    return f ? std::string(text(*f, &f.path)) : std::string();
  }
  std::optional<std::string> optStr(const Obj& m, const Path* at, const char* key) {
    Field f = opt(m, at, key);
    return f ? std::optional<std::string>(text(*f, &f.path)) : std::nullopt;
  }
  std::optional<bool> optBool(const Obj& m, const Path* at, const char* key) {
    Field f = opt(m, at, key);
    if (f && f.obj->type != mt::BOOLEAN) fail(&f.path, "must be a boolean");
    return f ? std::optional<bool>(f.obj->type == mt::BOOLEAN && f.obj->via.boolean) : std::nullopt;
  }
  std::optional<double> optNumber(const Obj& m, const Path* at, const char* key) {
    Field f = opt(m, at, key);
    return f ? std::optional<double>(numberOf(*f, &f.path)) : std::nullopt;
  }
  // A required Value field: present-but-nil is Null (SET value, keyframes).
  Value reqValue(const Obj& m, const Path* at, const char* key) {
    Field f = req(m, at, key);
    return f ? valueOf(*f, &f.path, 0) : Value();
  }
  std::optional<Value> optValue(const Obj& m, const Path* at, const char* key) {
    Field f = opt(m, at, key);
    return f ? std::optional<Value>(valueOf(*f, &f.path, 0)) : std::nullopt;
  }

  Value valueOf(const Obj& o, const Path* p, int depth) {
    switch (o.type) {
      case mt::NIL: return Value();
      case mt::BOOLEAN: return Value(o.via.boolean);
      case mt::POSITIVE_INTEGER:
        // Above i64 the reference's untagged Value falls through to Float.
        if (o.via.u64 <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
          return Value(static_cast<std::int64_t>(o.via.u64));
        return Value(static_cast<double>(o.via.u64));
      case mt::NEGATIVE_INTEGER: return Value(o.via.i64);
      case mt::FLOAT32:
      case mt::FLOAT64: return Value(o.via.f64);
      // bin is read as text, never as Bytes: v0 cannot produce Bytes (§6.4).
      case mt::STR:
      case mt::BIN: return Value(text(o, p));
      case mt::ARRAY:
      case mt::MAP:
        if (depth >= kMaxValueDepth) {
          fail(p, "nests deeper than 32 levels");
          return Value();
        }
        return o.type == mt::ARRAY ? arrayValue(o, p, depth) : mapValue(o, p, depth);
      default: fail(p, "holds a MessagePack ext value, which is not a CLASP value"); return Value();
    }
  }
  Value arrayValue(const Obj& o, const Path* p, int depth) {
    Array items;
    items.reserve(o.via.array.size);
    forEach(o, p,
            [&](const Obj& e, const Path* ep) { items.push_back(valueOf(e, ep, depth + 1)); });
    return Value(std::move(items));
  }
  Value mapValue(const Obj& o, const Path* p, int depth) {
    Map entries;
    entries.reserve(o.via.map.size);
    LaterWins seen(o.via.map.size);
    for (const auto& kv : entriesOf(o)) {
      std::string_view key = keyText(kv.key, p);
      Path kp{p, key};
      Value v = valueOf(kv.val, &kp, depth + 1);
      if (!ok()) break;
      std::size_t slot = seen.slot(key, entries.size());
      if (slot != LaterWins::kNew)
        entries[slot].value = std::move(v);
      else
        entries.push_back(MapEntry{std::string(key), std::move(v)});
    }
    return Value(std::move(entries));
  }

  // --- enum lists and nested structures -----------------------------------------
  // `types` (SUBSCRIBE, REPLAY): signal names to mask bits; empty means all (0).
  std::uint8_t typeMask(const Obj& m, const Path* at) {
    std::uint8_t mask = 0;
    if (Field f = opt(m, at, "types"))
      forEach(*f, &f.path,
              [&](const Obj& e, const Path* ep) { mask |= typemask::bitFor(signalOf(e, ep)); });
    return mask;
  }
  // HELLO/WELCOME `features`: unknown names are dropped, as the reference's v1
  // encoder drops them.
  std::uint8_t featureBits(const Obj& m, const Path* at) {
    std::uint8_t bits = 0;
    if (Field f = opt(m, at, "features")) {
      forEach(*f, &f.path, [&](const Obj& e, const Path* ep) {
        int i = indexOf(text(e, ep), kFeatureNames);
        if (i >= 0) bits |= kFeatureBits[static_cast<std::size_t>(i)];
      });
    }
    return bits;
  }
  // serde's externally tagged enum: {"Sliding": n}, {"Absolute": n} or "Never".
  Ttl ttlOf(const Obj& o, const Path* p) {
    if (o.type == mt::STR || o.type == mt::BIN) {
      std::string_view s = text(o, p);
      if (ok() && s != "Never") fail(p, quoted("has unknown value", s));
      return Ttl{Ttl::Kind::Never, 0};
    }
    if (o.type != mt::MAP || o.via.map.size != 1) {
      fail(p, "must be {\"Sliding\": n}, {\"Absolute\": n} or \"Never\"");
      return Ttl{};
    }
    std::string_view kind = keyText(o.via.map.ptr[0].key, p);
    if (ok() && kind != "Sliding" && kind != "Absolute") fail(p, quoted("has unknown kind", kind));
    Path sp{p, kind};
    std::uint32_t seconds = ok() ? uintOf<std::uint32_t>(o.via.map.ptr[0].val, &sp) : 0u;
    // The wire field keeps 31 bits (§9.7); masking would turn 2^31 into Never.
    if (ok() && seconds > 0x7FFFFFFFu) fail(&sp, "is out of range for 31-bit seconds");
    return Ttl{kind == "Sliding" ? Ttl::Kind::Sliding : Ttl::Kind::Absolute, seconds};
  }
  std::vector<SignalDefinition> signalList(const Obj& o, const Path* p, bool keepMeta) {
    std::vector<SignalDefinition> out;
    forEach(o, p, [&](const Obj& e, const Path* ep) {
      if (!structMap(e, ep)) return;
      SignalDefinition& d = out.emplace_back();
      d.address = reqStr(e, ep, "address");
      if (Field t = req(e, ep, "type")) d.type = signalOf(*t, &t.path);
      d.datatype = optStr(e, ep, "datatype");
      d.access = optStr(e, ep, "access");
      Field mf = opt(e, ep, "meta");
      if (!mf || !structMap(*mf, &mf.path)) return;
      const Path* mp = &mf.path;
      SignalMeta meta;
      meta.unit = optStr(*mf, mp, "unit");
      if (Field r = opt(*mf, mp, "range")) {
        std::vector<double> mm = numbers(*r, &r.path, 2);
        if (ok()) meta.range = std::pair{mm[0], mm[1]};
      }
      meta.defaultValue = optValue(*mf, mp, "default");
      meta.description = optStr(*mf, mp, "description");
      // RESULT has no meta block in v1 (§5.17): checked, then not kept.
      if (keepMeta) d.meta = std::move(meta);
    });
    return out;
  }
  // TimelineData is checked as the reference would and then dropped: Publish
  // has no field for it because v1 cannot carry keyframes (§5.7, D-14).
  void timeline(const Obj& o, const Path* p) {
    if (!structMap(o, p)) return;
    if (Field kf = req(o, p, "keyframes")) {
      forEach(*kf, &kf.path, [&](const Obj& k, const Path* kp) {
        if (!structMap(k, kp)) return;
        reqUint<std::uint64_t>(k, kp, "time");
        reqValue(k, kp, "value");
        if (Field e = opt(k, kp, "easing")) enumOf(*e, &e.path, kEasingNames);
        if (Field b = opt(k, kp, "bezier")) numbers(*b, &b.path, 4);
      });
    }
    optBool(o, p, "loop_");
    optUint<std::uint64_t>(o, p, "start_time");
    optUint<std::uint64_t>(o, p, "duration");
  }

  // --- the larger message types -----------------------------------------------------
  Message hello(const Obj& m, const Path* at) {
    Hello h{.version = reqUint<std::uint8_t>(m, at, "version"),
            .features = featureBits(m, at),
            .name = reqStr(m, at, "name"),
            .token = optStr(m, at, "token").value_or("")};
    // Capabilities have no v1 form and nothing uses them: checked, not kept.
    if (Field c = opt(m, at, "capabilities"); c && structMap(*c, &c.path)) {
      optBool(*c, &c.path, "encryption");
      optStr(*c, &c.path, "compression");
    }
    return h;
  }
  Message announce(const Obj& m, const Path* at) {
    Announce a{.ns = reqStr(m, at, "namespace"), .signals = {}};
    if (Field s = opt(m, at, "signals")) a.signals = signalList(*s, &s.path, true);
    // The message-level meta map has no v1 form (§5.3): checked, not kept.
    if (Field meta = opt(m, at, "meta"); meta && structMap(*meta, &meta.path))
      valueOf(*meta, &meta.path, 0);
    return a;
  }
  Message subscribe(const Obj& m, const Path* at) {
    Subscribe s{.id = reqUint<std::uint32_t>(m, at, "id"),
                .pattern = reqStr(m, at, "pattern"),
                .types = typeMask(m, at),
                .options = std::nullopt};
    if (Field o = opt(m, at, "options"); o && structMap(*o, &o.path)) {
      s.options = SubscribeOptions{.maxRate = optUint<std::uint32_t>(*o, &o.path, "max_rate"),
                                   .epsilon = optNumber(*o, &o.path, "epsilon"),
                                   .history = optUint<std::uint32_t>(*o, &o.path, "history"),
                                   .window = optUint<std::uint32_t>(*o, &o.path, "window")};
    }
    return s;
  }
  Message publish(const Obj& m, const Path* at) {
    Publish pub;
    pub.address = reqStr(m, at, "address");
    if (Field s = opt(m, at, "signal")) pub.signal = signalOf(*s, &s.path);
    if (Field ph = opt(m, at, "phase"))
      pub.phase = static_cast<GesturePhase>(enumOf(*ph, &ph.path, kPhaseNames));
    // `value` wins over `payload`; both are the same v1 slot (§5.7).
    std::optional<Value> value = optValue(m, at, "value");
    std::optional<Value> payload = optValue(m, at, "payload");
    pub.value = value ? std::move(value) : std::move(payload);
    if (Field s = opt(m, at, "samples")) pub.samples = numbers(*s, &s.path, 0);
    pub.timestamp = optUint<std::uint64_t>(m, at, "timestamp");
    pub.id = optUint<std::uint32_t>(m, at, "id");
    pub.rate = optUint<std::uint32_t>(m, at, "rate");
    if (Field t = opt(m, at, "timeline")) timeline(*t, &t.path);
    return pub;
  }
  Message snapshot(const Obj& m, const Path* at) {
    Snapshot snap;
    if (Field ps = req(m, at, "params")) {
      forEach(*ps, &ps.path, [&](const Obj& e, const Path* ep) {
        if (!structMap(e, ep)) return;
        snap.params.push_back(ParamValue{.address = reqStr(e, ep, "address"),
                                         .value = reqValue(e, ep, "value"),
                                         .revision = reqUint<std::uint64_t>(e, ep, "revision"),
                                         .writer = optStr(e, ep, "writer"),
                                         .timestamp = optUint<std::uint64_t>(e, ep, "timestamp")});
      });
    }
    return snap;
  }
  Message federationSync(const Obj& m, const Path* at) {
    FederationSync f;
    if (Field op = req(m, at, "op"))
      f.op = static_cast<FederationOp>(enumOf(*op, &op.path, kFederationOps) + 1);
    if (Field ps = opt(m, at, "patterns"))
      forEach(*ps, &ps.path,
              [&](const Obj& e, const Path* ep) { f.patterns.emplace_back(text(e, ep)); });
    // A Rust HashMap on the other side: a repeated address keeps the last value.
    if (Field rs = opt(m, at, "revisions"); rs && structMap(*rs, &rs.path)) {
      LaterWins seen(rs.obj->via.map.size);
      for (const auto& kv : entriesOf(*rs)) {
        std::string_view address = keyText(kv.key, &rs.path);
        Path kp{&rs.path, address};
        auto revision = uintOf<std::uint64_t>(kv.val, &kp);
        if (!ok()) break;
        std::size_t slot = seen.slot(address, f.revisions.size());
        if (slot != LaterWins::kNew)
          f.revisions[slot].second = revision;
        else
          f.revisions.emplace_back(std::string(address), revision);
      }
    }
    f.sinceRevision = optUint<std::uint64_t>(m, at, "since_revision");
    f.origin = optStr(m, at, "origin");
    return f;
  }
  Message bundle(const Obj& m, const Path* at) {
    Bundle b{.timestamp = optUint<std::uint64_t>(m, at, "timestamp"), .messages = {}};
    // Recursion is bounded: each level costs two of kMaxDocumentDepth's levels.
    if (Field ms = req(m, at, "messages"))
      forEach(*ms, &ms.path,
              [&](const Obj& e, const Path* ep) { b.messages.push_back(message(e, ep)); });
    return b;
  }

  const char* type_ = nullptr;  // the root message's name, for error text
  std::optional<Error> error_;
};

}  // namespace

Result<Message> decodeMessageV0(std::span<const std::uint8_t> payload) {
  const char* data = reinterpret_cast<const char*>(payload.data());
  const std::size_t len = payload.size();
  if (len == 0) return fail(Errc::BadMessage, "v0: empty payload");
  BoundsScan scan(len);
  bool wellFormed = false;
  msgpack::object_handle handle;
  try {
    std::size_t off = 0;
    wellFormed = msgpack::parse(data, len, off, scan);
    if (wellFormed) {
      off = 0;
      msgpack::unpack_limit limit(len, len / 2, len, len, len, kMaxDocumentDepth);
      handle = msgpack::unpack(data, len, off, referenceInput, nullptr, limit);
    }
  } catch (const std::exception& e) {
    return fail(Errc::BadMessage, std::string("v0: malformed MessagePack (") + e.what() + ")");
  }
  if (!wellFormed) {
    if (scan.tooDeep())
      return fail(Errc::BadMessage,
                  "v0: nesting deeper than " + std::to_string(kMaxDocumentDepth) + " levels");
    return fail(Errc::BadMessage, "v0: truncated or malformed MessagePack");
  }
  Decoder decoder;
  Message m = decoder.message(handle.get(), nullptr);
  if (!decoder.ok()) return std::unexpected(decoder.takeError());
  return m;
}

}  // namespace clasp
