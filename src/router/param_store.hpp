// ParamStore: the stored params (router.md §3.2) with revisions, writer,
// timestamps, locks (D-10) and TTL (D-11). Writes are split into check() and
// apply() so a BUNDLE can validate every member before applying any (D-9).
// Single-threaded: owned by the Router, used under its lock.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/messages.hpp"
#include "core/result.hpp"

namespace clasp::router {

struct Param {
  Value value;
  std::uint64_t revision = 0;
  std::string writer;          // session id of the last writer
  std::uint64_t timestamp = 0;  // wall µs of the last write
  std::string lockHolder;      // empty when unlocked
  std::optional<Ttl> ttl;      // per-param TTL; none = the store's default
  std::uint64_t lastAccess = 0;  // mono µs of the last write, GET or snapshot
  std::uint64_t ttlSince = 0;    // mono µs when the current TTL was set (absolute TTL)
  bool dirty = false;            // changed since persistence last took it
};

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};

class ParamStore {
 public:
  using Map = std::unordered_map<std::string, Param, StringHash, std::equal_to<>>;

  const Param* find(std::string_view address) const;
  Param* find(std::string_view address);
  std::size_t size() const { return params_.size(); }
  const Map& all() const { return params_; }
  Map& mutableAll() { return params_; }

  // Whether `writer` may apply `set` now: expected revision (400) and lock (401).
  Result<void> check(const Set& set, std::string_view writer) const;

  // The rule behind check(), for a param at `revision` locked by `holder`
  // (empty = unlocked; a missing param has revision 0). BUNDLE uses it on its
  // shadow state so members are judged as the earlier ones would leave it.
  static Result<void> checkWrite(const Set& set, std::string_view writer, std::uint64_t revision,
                                 std::string_view holder);

  // Applies a checked write and returns the param as stored.
  const Param& apply(const Set& set, std::string_view writer, std::uint64_t wallNow,
                     std::uint64_t monoNow);

  // Releases every lock `holder` holds, bumping each param's revision so
  // subscribers see the change. Returns the addresses released.
  std::vector<std::string> releaseLocks(std::string_view holder);

  // Marks a read (GET, snapshot) for sliding TTLs.
  void touch(Param& p, std::uint64_t monoNow) { p.lastAccess = monoNow; }

  // Removes params whose TTL has run out. defaultTtlSeconds 0 = params without
  // their own TTL never expire. Returns each removed address with the
  // revision of its deletion (the param's last revision + 1).
  std::vector<std::pair<std::string, std::uint64_t>> expire(std::uint64_t monoNow,
                                                            std::uint32_t defaultTtlSeconds);

  // Deletes a param; returns the deletion's revision (last + 1). D-11: the
  // revision is remembered, so a later write to the address continues above it.
  std::uint64_t erase(Map::iterator it);

  // The revision an address's deletion left (0 when none is remembered).
  std::uint64_t tombstone(std::string_view address) const;
  // Restores a param or a deletion read from a file (startup only).
  void restore(std::string address, Param p);
  void restoreTombstone(const std::string& address, std::uint64_t revision);

  // Change tracking for persistence: off until enabled, then every write,
  // lock release and deletion lists its address once until taken.
  void trackChanges(bool on) { tracking_ = on; }
  std::vector<std::string> takeChanged();

  // Deleted addresses remembered for D-11, oldest forgotten first.
  static constexpr std::size_t kMaxTombstones = 100'000;

 private:
  void markChanged(const std::string& address, Param* p);
  void remember(const std::string& address, std::uint64_t revision);

  Map params_;
  std::unordered_map<std::string, std::uint64_t, StringHash, std::equal_to<>> tombstones_;
  std::deque<std::string> tombstoneOrder_;
  bool tracking_ = false;
  std::vector<std::string> changed_;
};

}  // namespace clasp::router
