// Reader: bounds-checked big-endian reads over a byte span (protocol.md §0, §3).
// The error is sticky: the first failed read records which field and why, and
// every later read returns a zero value without touching memory. Decoders check
// ok() where a failure would change control flow (loops, branches) and once at
// the end, which keeps the hot path free of per-field branches on Result.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>

namespace clasp::wire {

// True when s is well-formed UTF-8 (no overlongs, no surrogates, <= U+10FFFF).
bool isValidUtf8(std::string_view s);

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> bytes)
      : begin_(bytes.data()), p_(bytes.data()), end_(bytes.data() + bytes.size()) {}

  bool ok() const { return field_ == nullptr; }
  std::size_t remaining() const { return static_cast<std::size_t>(end_ - p_); }
  std::size_t offset() const { return static_cast<std::size_t>(p_ - begin_); }
  const std::uint8_t* position() const { return p_; }

  // The first failure: field name, reason and the offset where it happened.
  const char* failedField() const { return field_; }
  const char* failedReason() const { return reason_; }
  std::size_t failedOffset() const { return failOffset_; }
  std::string describeFailure() const;

  void fail(const char* field, const char* reason) {
    if (field_ == nullptr) {
      field_ = field;
      reason_ = reason;
      failOffset_ = offset();
    }
    p_ = end_;
  }

  bool need(std::size_t n, const char* field) {
    if (static_cast<std::size_t>(end_ - p_) >= n) return true;
    fail(field, "truncated");
    return false;
  }

  std::uint8_t u8(const char* field) {
    if (!need(1, field)) return 0;
    return *p_++;
  }
  std::uint16_t u16(const char* field) {
    if (!need(2, field)) return 0;
    std::uint16_t v = static_cast<std::uint16_t>((p_[0] << 8) | p_[1]);
    p_ += 2;
    return v;
  }
  std::uint32_t u32(const char* field) {
    if (!need(4, field)) return 0;
    std::uint32_t v;
    std::memcpy(&v, p_, 4);
    p_ += 4;
    return std::byteswap(v);
  }
  std::uint64_t u64(const char* field) {
    if (!need(8, field)) return 0;
    std::uint64_t v;
    std::memcpy(&v, p_, 8);
    p_ += 8;
    return std::byteswap(v);
  }
  double f64(const char* field) { return std::bit_cast<double>(u64(field)); }
  float f32(const char* field) { return std::bit_cast<float>(u32(field)); }

  // n raw bytes; an empty view on failure.
  std::span<const std::uint8_t> raw(std::size_t n, const char* field) {
    if (!need(n, field)) return {};
    std::span<const std::uint8_t> s(p_, n);
    p_ += n;
    return s;
  }

  // u16 length + UTF-8 text, validated. A view into the input.
  std::string_view strView(const char* field) {
    std::uint16_t n = u16(field);
    if (!need(n, field)) return {};
    std::string_view s(reinterpret_cast<const char*>(p_), n);
    if (!isValidUtf8(s)) {
      fail(field, "invalid UTF-8");
      return {};
    }
    p_ += n;
    return s;
  }
  std::string str(const char* field) { return std::string(strView(field)); }

 private:
  const std::uint8_t* begin_;
  const std::uint8_t* p_;
  const std::uint8_t* end_;
  const char* field_ = nullptr;
  const char* reason_ = nullptr;
  std::size_t failOffset_ = 0;
};

}  // namespace clasp::wire
