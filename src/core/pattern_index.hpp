// PatternIndex<T>: the subscription index. Maps D-1 patterns to small values
// (e.g. {session, subscription id}) and answers "which entries match this
// address" without scanning every pattern (a token trie, as NATS's sublist).
// Not thread-safe, not even for concurrent match(): match() reuses scratch
// buffers held in the index. One owner thread (the router's) uses it.
//
// GRAMMAR (pattern.hpp has the full text): after the leading '/', segments are
// `**` (zero or more segments), `*` (one segment), a glob holding '*' (one
// segment, glob over its bytes) or a literal. "/" is the zero-segment pattern.
//
// DESIGN. Nodes live in one vector and refer to each other by index; freed
// nodes go to a free list, so churn reuses slots. A node has literal children
// in a small open-addressing hash map (string_view lookup with a hash computed
// once per address segment, no allocation), one `*` child, one `**` child, a
// short list of glob children, and the entries whose pattern ends at the node.
// match() simulates the trie as an NFA over the address segments: the active
// set starts as the root plus its chain of `**` children (which may match
// nothing); each segment moves every active node to its matching children,
// and a node reached through `**` also stays active. A generation
// stamp per node keeps each set duplicate-free, so every node (and so every
// entry) is reported once however many `**` paths reach it.
//
// COMPLEXITY. insert/remove: O(segments) hash operations, plus O(entries at
// the node) for the duplicate check. match: O(segments x active nodes), where
// active nodes <= trie nodes; hostile patterns like `/**/**/**/**` add a
// handful of nodes to each set, never a blow-up. match() does not allocate.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/address.hpp"
#include "core/pattern.hpp"
#include "core/result.hpp"

namespace clasp {
namespace detail {

// Hash of one segment: 8 bytes per multiply, then a murmur3 finaliser so the
// low bits (the probe start) depend on every byte. Unseeded, like std::hash.
inline std::uint64_t hashSegment(std::string_view s) {
  constexpr std::uint64_t kMul = 0xbf58476d1ce4e5b9ULL;
  std::uint64_t h = 0x9e3779b97f4a7c15ULL ^ s.size();
  const char* p = s.data();
  std::size_t n = s.size();
  for (; n >= 8; n -= 8, p += 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 31;
  }
  if (n > 0) {
    std::uint64_t w = 0;
    for (std::size_t i = 0; i < n; ++i) {
      w |= std::uint64_t{static_cast<unsigned char>(p[i])} << (8 * i);
    }
    h = (h ^ w) * kMul;
  }
  h ^= h >> 33;
  h *= 0xff51afd7ed558ccdULL;
  h ^= h >> 33;
  return h;
}

// Literal children of one trie node: segment text -> node index. Open
// addressing with linear probing and backward-shift deletion (no tombstones),
// at most 3/4 full. Unlike std::unordered_map it takes the hash from the
// caller, so match() hashes each address segment once for all active nodes.
class LiteralChildren {
 public:
  static constexpr std::uint32_t kNone = std::numeric_limits<std::uint32_t>::max();

  bool empty() const { return size_ == 0; }
  std::size_t size() const { return size_; }

  std::uint32_t find(std::string_view key, std::uint64_t hash) const {
    if (size_ == 0) return kNone;
    const std::size_t i = slotOf(key, hash);
    return i == kMissing ? kNone : slots_[i].child;
  }

  // `key` must not be present yet.
  void insert(std::string_view key, std::uint64_t hash, std::uint32_t child) {
    if ((size_ + 1) * 4 > slots_.size() * 3) grow();
    place(Slot{std::string(key), hash, child});
    ++size_;
  }

  bool erase(std::string_view key, std::uint64_t hash) {
    if (size_ == 0) return false;
    std::size_t hole = slotOf(key, hash);
    if (hole == kMissing) return false;
    const std::size_t mask = slots_.size() - 1;
    // Pull later slots of the probe run back into the hole when their home
    // position allows it, so lookups never need tombstones.
    for (std::size_t j = (hole + 1) & mask; slots_[j].child != kNone; j = (j + 1) & mask) {
      const std::size_t home = slots_[j].hash & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots_[hole] = std::move(slots_[j]);
        hole = j;
      }
    }
    slots_[hole] = Slot{};
    if (--size_ == 0) slots_ = {};  // an emptied node gives its table back
    return true;
  }

 private:
  static constexpr std::size_t kMissing = std::numeric_limits<std::size_t>::max();

  struct Slot {
    std::string key;
    std::uint64_t hash = 0;
    std::uint32_t child = kNone;  // kNone marks a free slot
  };

  std::size_t slotOf(std::string_view key, std::uint64_t hash) const {
    const std::size_t mask = slots_.size() - 1;
    for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (s.child == kNone) return kMissing;
      if (s.hash == hash && s.key == key) return i;
    }
  }

  void grow() {
    std::vector<Slot> old = std::move(slots_);
    slots_ = std::vector<Slot>(old.empty() ? 4 : old.size() * 2);
    for (Slot& s : old) {
      if (s.child != kNone) place(std::move(s));
    }
  }

  void place(Slot s) {
    const std::size_t mask = slots_.size() - 1;
    std::size_t i = s.hash & mask;
    while (slots_[i].child != kNone) i = (i + 1) & mask;
    slots_[i] = std::move(s);
  }

  std::vector<Slot> slots_;  // size is 0 or a power of two
  std::size_t size_ = 0;
};

}  // namespace detail

template <class T>
class PatternIndex {
 public:
  PatternIndex() { clear(); }

  // Validates per D-1 (Errc::PatternError). Inserting an existing
  // (pattern, value) pair again is a no-op, so the pair is stored once.
  Result<void> insert(std::string_view pattern, T value) {
    if (auto ok = validatePattern(pattern); !ok) return ok;
    std::array<std::string_view, kMaxAddressSegments> segs;
    const int n = splitSegments(pattern, segs.data(), static_cast<int>(segs.size()));
    std::uint32_t node = kRoot;
    for (int i = 0; i < n; ++i) node = childOrCreate(node, segs[static_cast<std::size_t>(i)]);
    auto& entries = nodes_[node].entries;
    if (std::find(entries.begin(), entries.end(), value) != entries.end()) return {};
    entries.push_back(std::move(value));
    ++size_;
    return {};
  }

  // Removes one (pattern, value) pair; returns whether it was present. Nodes
  // left with no entries and no children are freed, deepest first.
  bool remove(std::string_view pattern, const T& value) {
    std::array<std::string_view, kMaxAddressSegments> segs;
    const int n = splitSegments(pattern, segs.data(), static_cast<int>(segs.size()));
    if (n < 0) return false;  // never inserted: insert() would have refused it
    std::array<std::uint32_t, kMaxAddressSegments + 1> path;
    path[0] = kRoot;
    for (int i = 0; i < n; ++i) {
      const auto d = static_cast<std::size_t>(i);
      path[d + 1] = child(path[d], segs[d]);
      if (path[d + 1] == kNone) return false;
    }
    auto& entries = nodes_[path[static_cast<std::size_t>(n)]].entries;
    const auto it = std::find(entries.begin(), entries.end(), value);
    if (it == entries.end()) return false;
    // Order within a node carries no meaning, so swap-and-pop.
    if (it != entries.end() - 1) *it = std::move(entries.back());
    entries.pop_back();
    --size_;
    for (auto d = static_cast<std::size_t>(n); d > 0; --d) {
      if (!isBare(nodes_[path[d]])) break;
      detach(path[d - 1], segs[d - 1]);
      freeNode(path[d]);
    }
    return true;
  }

  // Calls visit(const T&) once for every entry whose pattern matches the
  // address. `visit` must not modify or query this index (it runs while the
  // scratch sets are in use). An address that does not start with '/' or has
  // more than kMaxAddressSegments segments matches nothing, as Pattern::matches.
  template <class F>
  void match(std::string_view address, F&& visit) const {
    if (address.empty() || address.front() != '/') return;
    // The active sets live in the two halves of scratch_; each half holds
    // every node at most once. Plain pointers (not vectors) so the hot loop
    // keeps them in registers.
    const std::size_t half = scratch_.size() / 2;
    ActiveSet cur{scratch_.data(), 0};
    ActiveSet next{scratch_.data() + half, 0};
    addClosure(kRoot, cur, nextGeneration());
    // Segments are read one at a time straight from the address (the same
    // split as splitSegments, without filling an array), and a dead end stops
    // the scan early. "/" has no segment.
    std::size_t segments = 0;
    for (std::size_t pos = 1; address.size() > 1 && pos <= address.size();) {
      std::size_t end = pos;
      while (end < address.size() && address[end] != '/') ++end;
      if (++segments > kMaxAddressSegments) return;
      step(address.substr(pos, end - pos), cur, next);
      std::swap(cur, next);
      if (cur.size == 0) return;
      pos = end + 1;
    }
    for (std::size_t i = 0; i < cur.size; ++i) {
      for (const T& value : nodes_[cur.ids[i]].entries) visit(value);
    }
  }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

  void clear() {
    nodes_.clear();
    free_.clear();
    stamps_.clear();
    size_ = 0;
    generation_ = 0;
    allocNode(false);  // the root, always index 0
  }

  // Live trie nodes, root included (1 when empty), and the slots allocated
  // for them; tests use these to check pruning and slot reuse.
  std::size_t nodeCount() const { return nodes_.size() - free_.size(); }
  std::size_t nodeSlots() const { return nodes_.size(); }

 private:
  static constexpr std::uint32_t kNone = detail::LiteralChildren::kNone;
  static constexpr std::uint32_t kRoot = 0;

  struct Node {
    detail::LiteralChildren literal;
    std::vector<std::pair<std::string, std::uint32_t>> globs;  // few per node: a scan is fine
    std::vector<T> entries;
    std::uint32_t star = kNone;
    std::uint32_t doubleStar = kNone;
    bool viaDoubleStar = false;  // reached through a `**` edge: stays active
  };

  std::uint32_t allocNode(bool viaDoubleStar) {
    std::uint32_t id;
    if (!free_.empty()) {
      id = free_.back();
      free_.pop_back();
    } else {
      id = static_cast<std::uint32_t>(nodes_.size());
      nodes_.emplace_back();
      stamps_.push_back(0);
      // An active set never holds more than every node once; growing the
      // scratch here is what keeps match() free of allocation.
      if (scratch_.size() < 2 * nodes_.size()) scratch_.resize(4 * nodes_.size());
    }
    nodes_[id].viaDoubleStar = viaDoubleStar;
    return id;
  }

  void freeNode(std::uint32_t id) {
    nodes_[id] = Node{};  // drop container memory too; the slot is what gets reused
    free_.push_back(id);
  }

  static bool isBare(const Node& n) {
    return n.entries.empty() && n.literal.empty() && n.globs.empty() && n.star == kNone &&
           n.doubleStar == kNone;
  }

  std::uint32_t child(std::uint32_t parent, std::string_view seg) const {
    const Node& p = nodes_[parent];
    switch (classifySegment(seg)) {
      case SegmentKind::Star:
        return p.star;
      case SegmentKind::DoubleStar:
        return p.doubleStar;
      case SegmentKind::Glob:
        for (const auto& [glob, target] : p.globs) {
          if (glob == seg) return target;
        }
        return kNone;
      case SegmentKind::Literal:
        break;
    }
    return p.literal.find(seg, detail::hashSegment(seg));
  }

  // Never holds a Node reference across allocNode(): it may grow nodes_.
  std::uint32_t childOrCreate(std::uint32_t parent, std::string_view seg) {
    const std::uint32_t existing = child(parent, seg);
    if (existing != kNone) return existing;
    const SegmentKind kind = classifySegment(seg);
    const std::uint32_t id = allocNode(kind == SegmentKind::DoubleStar);
    Node& p = nodes_[parent];
    switch (kind) {
      case SegmentKind::Star:
        p.star = id;
        break;
      case SegmentKind::DoubleStar:
        p.doubleStar = id;
        break;
      case SegmentKind::Glob:
        p.globs.emplace_back(std::string(seg), id);
        break;
      case SegmentKind::Literal:
        p.literal.insert(seg, detail::hashSegment(seg), id);
        break;
    }
    return id;
  }

  void detach(std::uint32_t parent, std::string_view seg) {
    Node& p = nodes_[parent];
    switch (classifySegment(seg)) {
      case SegmentKind::Star:
        p.star = kNone;
        return;
      case SegmentKind::DoubleStar:
        p.doubleStar = kNone;
        return;
      case SegmentKind::Glob:
        std::erase_if(p.globs, [seg](const auto& g) { return g.first == seg; });
        return;
      case SegmentKind::Literal:
        p.literal.erase(seg, detail::hashSegment(seg));
        return;
    }
  }

  struct ActiveSet {
    std::uint32_t* ids;
    std::size_t size;
  };

  // Fills `next` with the nodes `cur` reaches across one address segment.
  void step(std::string_view seg, const ActiveSet& cur, ActiveSet& next) const {
    const std::uint64_t hash = detail::hashSegment(seg);
    const std::uint64_t gen = nextGeneration();
    next.size = 0;
    for (std::size_t i = 0; i < cur.size; ++i) {
      const std::uint32_t id = cur.ids[i];
      const Node& node = nodes_[id];
      if (node.viaDoubleStar) addClosure(id, next, gen);  // `**` eats this segment too
      if (!node.literal.empty()) addClosure(node.literal.find(seg, hash), next, gen);
      if (node.star != kNone) addClosure(node.star, next, gen);
      for (const auto& [glob, target] : node.globs) {
        if (segmentGlobMatch(glob, seg)) addClosure(target, next, gen);
      }
    }
  }

  // Adds a node and the chain of `**` children below it (each may match zero
  // segments) to `set`, skipping nodes already stamped for this step.
  void addClosure(std::uint32_t id, ActiveSet& set, std::uint64_t gen) const {
    while (id != kNone && stamps_[id] != gen) {
      stamps_[id] = gen;
      set.ids[set.size++] = id;
      id = nodes_[id].doubleStar;
    }
  }

  // 64 bits: a stamp from an earlier step can never come round again.
  std::uint64_t nextGeneration() const { return ++generation_; }

  std::vector<Node> nodes_;
  std::vector<std::uint32_t> free_;
  std::size_t size_ = 0;
  // Scratch for match(): per-node step stamps, and room for two active sets
  // (each half at least nodes_.size() long).
  mutable std::vector<std::uint64_t> stamps_;
  mutable std::uint64_t generation_ = 0;
  mutable std::vector<std::uint32_t> scratch_;
};

}  // namespace clasp
