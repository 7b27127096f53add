// The router's side of durable state (relay.md §5, §6; D-11, D-23): journal
// records for every change subscribers see, ACKs held until their entry is
// committed, REPLAY answers handed back by the journal, and the stored form
// of params for snapshots and restore. Times cross restarts as wall µs; the
// store keeps monotonic ones, converted here.
#include "router/ops/ops.hpp"

namespace clasp::router {

namespace {
// Monotonic µs of an event `ago` µs in the past (never before the clock's epoch).
std::uint64_t monoAgo(std::uint64_t monoNow, std::uint64_t ago) { return ago >= monoNow ? 0 : monoNow - ago; }
}  // namespace

void Router::journalSet(RouterSession* by, const std::string& address, const Param& p) {
  if (!journal_) return;
  JournalEntry e;
  e.kind = JournalEntry::Kind::Set;
  e.wallMicros = p.timestamp;
  e.author = p.writer;
  e.address = address;
  e.value = p.value;
  e.revision = p.revision;
  e.ttl = p.ttl;
  const std::uint64_t mono = clock_.monoMicros(), wall = clock_.wallMicros();
  e.ttlSinceWall = wall - std::min(wall, mono - std::min(mono, p.ttlSince));
  const std::uint64_t ticket = journal_->append(std::move(e));
  if (by) by->journalTicket = ticket;
}

void Router::journalDelete(RouterSession* by, std::string_view author, const std::string& address,
                           std::uint64_t revision) {
  if (!journal_) return;
  JournalEntry e;
  e.kind = JournalEntry::Kind::Delete;
  e.wallMicros = clock_.wallMicros();
  e.author = author;
  e.address = address;
  e.revision = revision;
  const std::uint64_t ticket = journal_->append(std::move(e));
  if (by) by->journalTicket = ticket;
}

void Router::journalPublish(RouterSession* by, const Publish& p) {
  // relay.md §5.3: P2P signalling and gestures (coalesced) are not recorded.
  if (!journal_ || p.signal == SignalType::Gesture || p.address.starts_with("/clasp/p2p/signal/")) return;
  JournalEntry e;
  e.kind = JournalEntry::Kind::Publish;
  e.wallMicros = clock_.wallMicros();
  e.author = by ? by->id : std::string("system");
  e.address = p.address;
  e.signal = p.signal;
  if (p.value) e.value = *p.value;
  const std::uint64_t ticket = journal_->append(std::move(e));
  if (by) by->journalTicket = ticket;
}

void Router::journalCommitted(std::uint64_t ticket) {
  if (ticket > committed_) committed_ = ticket;
  while (!held_.empty() && held_.front().ticket <= committed_) {
    HeldAck h = std::move(held_.front());
    held_.pop_front();
    if (!h.session) continue;
    --h.session->heldAcks;
    out_.clear();
    if (!encodeFrame(h.ack, out_)) continue;
    stats_.sent[typeSlot(MessageType::Ack)].add();
    h.session->outbox->send(out_.span(), Delivery::Reliable);
  }
}

void Router::deliverFrames(std::string_view sessionId, const std::vector<std::vector<std::uint8_t>>& frames) {
  auto it = byId_.find(sessionId);
  if (it == byId_.end() || it->second->closing) return;
  for (const auto& f : frames) {
    countFrame(f, 0);
    it->second->outbox->send(f, Delivery::Reliable);
  }
}

void Router::announceDeletion(const std::string& address, std::uint64_t revision) {
  Set notice{address, Value{}, revision, false, false, std::nullopt};
  fanout(notice, notice.address, SignalType::Param, nullptr, Delivery::Reliable);
}

StoredParam Router::stored(const std::string& address, const Param& p) const {
  const std::uint64_t mono = clock_.monoMicros(), wall = clock_.wallMicros();
  auto toWall = [&](std::uint64_t m) { return wall - std::min(wall, mono - std::min(mono, m)); };
  StoredParam s;
  s.address = address;
  s.value = p.value;
  s.revision = p.revision;
  s.writer = p.writer;
  s.timestamp = p.timestamp;
  s.ttl = p.ttl;
  s.ttlSince = toWall(p.ttlSince);
  s.lastAccess = toWall(p.lastAccess);
  return s;
}

std::vector<StoredParam> Router::takeChanges() {
  std::vector<StoredParam> out;
  std::vector<std::string> changed = store_.takeChanged();
  std::sort(changed.begin(), changed.end());
  changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
  out.reserve(changed.size());
  for (std::string& address : changed) {
    if (const Param* p = store_.find(address)) {
      out.push_back(stored(address, *p));
    } else {
      StoredParam gone;
      gone.address = std::move(address);
      gone.deleted = true;
      gone.revision = store_.tombstone(gone.address);
      out.push_back(std::move(gone));
    }
  }
  return out;
}

std::vector<StoredParam> Router::storedState() const {
  std::vector<StoredParam> out;
  out.reserve(store_.size());
  for (const auto& [address, p] : store_.all()) out.push_back(stored(address, p));
  return out;
}

void Router::restore(std::vector<StoredParam> items) {
  const std::uint64_t mono = clock_.monoMicros(), wall = clock_.wallMicros();
  auto toMono = [&](std::uint64_t w) { return monoAgo(mono, wall - std::min(wall, w)); };
  for (StoredParam& s : items) {
    if (s.deleted) {
      store_.restoreTombstone(s.address, s.revision);
      continue;
    }
    Param p;
    p.value = std::move(s.value);
    p.revision = s.revision;
    p.writer = std::move(s.writer);
    p.timestamp = s.timestamp;
    p.ttl = s.ttl;
    p.ttlSince = toMono(s.ttlSince);
    p.lastAccess = toMono(s.lastAccess);
    store_.restore(std::move(s.address), std::move(p));
  }
  if (config_.ttlEnabled) sweepParams(mono);
}

}  // namespace clasp::router
