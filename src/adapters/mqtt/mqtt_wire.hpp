// Internal to the MQTT codec: a bounds-checked reader with a sticky first
// error, a writer that length-prefixes in place, and the v5 property block
// reader/writer. Property ids each packet may carry are bit masks here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "adapters/mqtt/mqtt_packets.hpp"
#include "adapters/mqtt/mqtt_topic.hpp"
#include "core/out_buffer.hpp"

namespace clasp::mqtt::detail {

// Bytes a varint needs for `v` (v <= kMaxRemainingLength).
inline std::size_t varintSize(std::uint32_t v) {
  return v < 128 ? 1 : v < 16384 ? 2 : v < 2097152 ? 3 : 4;
}

class Reader {
 public:
  explicit Reader(Bytes b) : p_(b.data()), end_(b.data() + b.size()) {}

  bool ok() const { return !failed_; }
  const ProtocolError& error() const { return err_; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }

  // Records the first failure only; later reads return zeros.
  void fail(ReasonCode code, const char* reason, const char* field) {
    if (!failed_) err_ = ProtocolError{code, reason, field};
    failed_ = true;
    p_ = end_;
  }
  bool need(std::size_t n, const char* field) {
    if (remaining() >= n) return true;
    fail(ReasonCode::MalformedPacket, "truncated", field);
    return false;
  }

  std::uint8_t u8(const char* field) { return need(1, field) ? *p_++ : 0; }
  std::uint16_t u16(const char* field) {
    if (!need(2, field)) return 0;
    auto v = static_cast<std::uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return v;
  }
  std::uint32_t u32(const char* field) {
    if (!need(4, field)) return 0;
    std::uint32_t v = (std::uint32_t{p_[0]} << 24) | (std::uint32_t{p_[1]} << 16) |
                      (std::uint32_t{p_[2]} << 8) | p_[3];
    p_ += 4;
    return v;
  }
  std::uint32_t varint(const char* field);
  Bytes take(std::size_t n, const char* field) {
    if (!need(n, field)) return {};
    Bytes b(p_, n);
    p_ += n;
    return b;
  }
  Bytes binary(const char* field) { return take(u16(field), field); }
  std::string_view string(const char* field) {
    Bytes b = binary(field);
    std::string_view s(reinterpret_cast<const char*>(b.data()), b.size());
    if (ok() && !isValidMqttString(s)) fail(ReasonCode::MalformedPacket, "invalid UTF-8 string", field);
    return s;
  }

 private:
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  bool failed_ = false;
  ProtocolError err_{ReasonCode::Success, "", ""};
};

// Appends big-endian fields; strings over 65535 bytes make the write fail.
class Writer {
 public:
  explicit Writer(OutBuffer& out) : out_(out) {}

  bool ok() const { return ok_; }
  OutBuffer& out() { return out_; }

  void u8(std::uint8_t v) { out_.append(&v, 1); }
  void u16(std::uint16_t v) {
    std::uint8_t* p = out_.grow(2);
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
  }
  void u32(std::uint32_t v) {
    std::uint8_t* p = out_.grow(4);
    for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
  }
  void varint(std::uint32_t v) {
    do {
      std::uint8_t b = v & 0x7F;
      v >>= 7;
      if (v != 0) b |= 0x80;
      u8(b);
    } while (v != 0);
  }
  void binary(Bytes b) {
    if (b.size() > 0xFFFF) {
      ok_ = false;
      return;
    }
    u16(static_cast<std::uint16_t>(b.size()));
    out_.append(b.data(), b.size());
  }
  void string(std::string_view s) {
    binary(Bytes(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
  }

  // A length prefix whose value is known only after the body is written:
  // reserve 4 bytes, write the body, then close() moves the body down so the
  // varint takes only the bytes it needs. The move is a memmove of the body.
  std::size_t openLength() {
    const std::size_t at = out_.size();
    out_.grow(4);
    return at;
  }
  void closeLength(std::size_t at);

 private:
  OutBuffer& out_;
  bool ok_ = true;
};

// Property contexts: bit n set = property id n allowed.
constexpr std::uint64_t bit(unsigned id) { return std::uint64_t{1} << id; }
inline constexpr std::uint64_t kConnectProps = bit(0x11) | bit(0x21) | bit(0x27) | bit(0x22) |
                                               bit(0x19) | bit(0x17) | bit(0x26) | bit(0x15) |
                                               bit(0x16);
inline constexpr std::uint64_t kWillProps =
    bit(0x18) | bit(0x01) | bit(0x02) | bit(0x03) | bit(0x08) | bit(0x09) | bit(0x26);
inline constexpr std::uint64_t kPublishProps =
    bit(0x01) | bit(0x02) | bit(0x23) | bit(0x08) | bit(0x09) | bit(0x26) | bit(0x03);
inline constexpr std::uint64_t kAckProps = bit(0x1F) | bit(0x26);
inline constexpr std::uint64_t kSubscribeProps = bit(0x0B) | bit(0x26);
inline constexpr std::uint64_t kUnsubscribeProps = bit(0x26);
inline constexpr std::uint64_t kDisconnectProps = bit(0x11) | bit(0x1F) | bit(0x26) | bit(0x1C);
inline constexpr std::uint64_t kAuthProps = bit(0x15) | bit(0x16) | bit(0x1F) | bit(0x26);

// Reads a property length and the block it announces into `props`, allowing
// only the ids in `allowed`.
void readProperties(Reader& r, Properties& props, std::uint64_t allowed);
// Writes the property length and every property that is set.
void writeProperties(Writer& w, const Properties& props);

}  // namespace clasp::mqtt::detail
