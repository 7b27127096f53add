// What the router hands to durable storage and takes back from it (relay.md
// §5, §6; DECISIONS D-11, D-23). The router itself does no I/O: a journal
// implementation queues entries for its own thread, and persistence takes
// the changed params at its interval. Both restore through StoredParam.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/messages.hpp"

namespace clasp::router {

// One journal record: an accepted SET (or a lock release's revision bump), a
// param's deletion or expiry, or a PUBLISH of the PUBLISH handler.
struct JournalEntry {
  enum class Kind : std::uint8_t { Set, Delete, Publish };
  Kind kind = Kind::Set;
  std::uint64_t wallMicros = 0;  // when it happened; the journal makes timestamps unique
  std::string author;            // the writer's session id ("system" for expiry)
  std::string address;
  SignalType signal = SignalType::Param;
  Value value;                   // Null for a deletion or a PUBLISH without value
  std::uint64_t revision = 0;    // Set and Delete
  std::optional<Ttl> ttl;        // the param's TTL after the write (Set)
  std::uint64_t ttlSinceWall = 0;  // wall µs its absolute TTL counts from (Set)
};

// A journal as the router sees it. Every call is made with the router lock
// held and only queues work.
class JournalPort {
 public:
  virtual ~JournalPort() = default;
  // Queues the entry; returns its ticket. Tickets grow by one per entry and
  // are committed in order; the host calls Router::journalCommitted(ticket).
  virtual std::uint64_t append(JournalEntry&& entry) = 0;
  // Queues a REPLAY query; the host delivers the answer frames (entries and
  // the end marker) with Router::deliverFrames(sessionId, ...).
  virtual void replay(std::string sessionId, Replay query) = 0;
};

// A param as stored in a file (or a deletion, kept so revisions never go
// back, D-11). Times are wall µs so they mean the same after a restart.
struct StoredParam {
  std::string address;
  bool deleted = false;
  Value value;
  std::uint64_t revision = 0;
  std::string writer;
  std::uint64_t timestamp = 0;   // last write
  std::optional<Ttl> ttl;
  std::uint64_t ttlSince = 0;    // absolute TTL start
  std::uint64_t lastAccess = 0;  // last write or read (sliding TTL)
};

}  // namespace clasp::router
