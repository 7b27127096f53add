// OutBuffer: a growable byte buffer with uninitialised growth, the target of
// every encoder. Reused across messages (clear() keeps capacity) so that the
// steady state encodes without touching the allocator. Single owner.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <string_view>

namespace clasp {

class OutBuffer {
 public:
  OutBuffer() = default;
  explicit OutBuffer(std::size_t capacity) { reserve(capacity); }
  OutBuffer(OutBuffer&&) noexcept = default;
  OutBuffer& operator=(OutBuffer&&) noexcept = default;

  // Returns a pointer to n writable bytes appended at the end.
  std::uint8_t* grow(std::size_t n) {
    if (size_ + n > cap_) reallocate(size_ + n);
    std::uint8_t* p = data_.get() + size_;
    size_ += n;
    return p;
  }
  void append(const void* src, std::size_t n) {
    if (n != 0) std::memcpy(grow(n), src, n);
  }
  void reserve(std::size_t n) {
    if (n > cap_) reallocate(n);
  }
  void clear() { size_ = 0; }
  void truncate(std::size_t n) {
    if (n < size_) size_ = n;
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::size_t capacity() const { return cap_; }
  std::uint8_t* data() { return data_.get(); }
  const std::uint8_t* data() const { return data_.get(); }
  std::span<const std::uint8_t> span() const { return {data_.get(), size_}; }

 private:
  void reallocate(std::size_t need) {
    std::size_t cap = cap_ < 64 ? 64 : cap_;
    while (cap < need) cap *= 2;
    auto fresh = std::make_unique_for_overwrite<std::uint8_t[]>(cap);
    if (size_ != 0) std::memcpy(fresh.get(), data_.get(), size_);
    data_ = std::move(fresh);
    cap_ = cap;
  }

  std::unique_ptr<std::uint8_t[]> data_;
  std::size_t size_ = 0;
  std::size_t cap_ = 0;
};

}  // namespace clasp
