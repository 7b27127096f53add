// Reading the journal: the newest state per address for startup recovery
// (D-23: the last value wins, with its revision), REPLAY answers (R4.5 with
// D-1's matcher, an end marker and a continuation point), and retention.
#include <spdlog/spdlog.h>

#include "adapters/value_json.hpp"
#include "core/codec.hpp"
#include "core/pattern.hpp"
#include "storage/journal.hpp"
#include "storage/value_blob.hpp"

namespace clasp::storage {

namespace {

SignalType signalFromName(std::string_view s) {
  if (s == "param") return SignalType::Param;
  if (s == "stream") return SignalType::Stream;
  if (s == "gesture") return SignalType::Gesture;
  if (s == "timeline") return SignalType::Timeline;
  return SignalType::Event;
}

// The stored value: our typed bytes, or the JSON of a reference-written row.
std::optional<Value> rowValue(const Statement& st, int blobCol, int jsonCol) {
  if (!st.isNull(blobCol)) return valueFromBlob(st.blob(blobCol));
  return valueFromJson(st.text(jsonCol));
}

// The literal start of a pattern, up to its first wildcard segment: rows
// outside [prefix, prefix+0xFF) cannot match, so SQL can skip them.
std::string literalPrefix(const Pattern& p) {
  const std::string& t = p.text();
  std::size_t star = t.find('*');
  if (star == std::string::npos) return t;
  std::size_t slash = t.rfind('/', star);
  return t.substr(0, slash == std::string::npos ? 0 : slash);
}

// The smallest seq position p whose first row (seq >= p) has a timestamp
// above `ts` (or at it, when `inclusive`): timestamps grow with seq, so a
// binary search over seq replaces an index on timestamp.
Result<std::int64_t> seqBound(SqliteDb& db, std::uint64_t ts, bool inclusive) {
  auto maxSeq = db.scalar("SELECT COALESCE(MAX(seq), 0) FROM journal_entries");
  if (!maxSeq) return std::unexpected(maxSeq.error());
  auto probe = db.prepare("SELECT timestamp FROM journal_entries WHERE seq >= ?1 ORDER BY seq LIMIT 1");
  if (!probe) return std::unexpected(probe.error());
  std::int64_t lo = 0, hi = *maxSeq + 1;
  while (lo < hi) {
    const std::int64_t mid = lo + (hi - lo) / 2;
    probe->bind(1, mid);
    const int rc = probe->step();
    const bool past = rc != SQLITE_ROW || (inclusive ? probe->u64(0) >= ts : probe->u64(0) > ts);
    probe->reset();
    if (past) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

}  // namespace

Result<std::vector<router::StoredParam>> Journal::latestState() {
  auto st = db_.prepare(
      "SELECT j.seq, j.address, j.value_bin, j.value_json, j.revision, j.author, j.timestamp, j.ttl,"
      " j.ttl_since, j.deleted FROM journal_latest l JOIN journal_entries j ON j.seq = l.seq");
  if (!st) return std::unexpected(st.error());
  std::vector<router::StoredParam> out;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    router::StoredParam p;
    p.address = std::string(st->text(1));
    p.deleted = st->i64(9) != 0;
    p.revision = st->u64(4);
    if (!p.deleted) {
      auto v = rowValue(*st, 2, 3);
      if (!v)
        return fail(Errc::InternalError,
                    db_.name() + ": damaged journal entry (seq " + std::to_string(st->i64(0)) + "): bad value");
      p.value = std::move(*v);
    }
    p.writer = std::string(st->text(5));
    p.timestamp = st->u64(6);
    if (!st->isNull(7)) p.ttl = Ttl::fromRaw(static_cast<std::uint32_t>(st->i64(7)));
    p.ttlSince = st->isNull(8) ? p.timestamp : st->u64(8);
    p.lastAccess = p.timestamp;
    out.push_back(std::move(p));
  }
  if (rc != SQLITE_DONE) return std::unexpected(db_.error("recovery"));
  return out;
}

std::vector<std::vector<std::uint8_t>> Journal::answer(const Replay& q) {
  std::vector<std::vector<std::uint8_t>> frames;
  OutBuffer out(256);
  auto emit = [&](const Message& m) {
    out.clear();
    if (encodeFrame(m, out)) frames.emplace_back(out.span().begin(), out.span().end());
  };
  auto fault = [&](const std::string& detail) {
    frames.clear();
    ErrorMsg e{static_cast<std::uint16_t>(Errc::InternalError), "Journal query failed: " + detail, q.pattern,
               std::nullopt};
    emit(e);
    return std::move(frames);
  };
  auto pattern = Pattern::parse(q.pattern);
  if (!pattern) return fault(pattern.error().message);  // the router checked it already

  std::int64_t seqFrom = 0, seqTo = INT64_MAX;
  if (q.from) {
    auto b = seqBound(db_, *q.from, /*inclusive=*/true);
    if (!b) return fault(b.error().message);
    seqFrom = *b;
  }
  if (q.to) {
    auto b = seqBound(db_, *q.to, /*inclusive=*/false);
    if (!b) return fault(b.error().message);
    seqTo = *b;
  }
  std::string sql =
      "SELECT timestamp, address, signal_type, msg_type, value_bin, value_json, revision, deleted"
      " FROM journal_entries WHERE seq >= ?5 AND seq < ?6 AND timestamp >= ?1 AND timestamp <= ?2";
  const std::string prefix = literalPrefix(*pattern);
  if (pattern->isExact()) sql += " AND address = ?3";
  else if (!prefix.empty()) sql += " AND address >= ?3 AND address < ?4";
  sql += " ORDER BY seq";
  auto st = db_.prepare(sql);
  if (!st) return fault(st.error().message);
  st->bind(1, q.from.value_or(0));
  st->bind(2, std::min<std::uint64_t>(q.to.value_or(INT64_MAX), INT64_MAX));
  std::string upper = prefix + '\xFF';
  if (pattern->isExact() || !prefix.empty()) st->bind(3, std::string_view(prefix));
  if (!pattern->isExact() && !prefix.empty()) st->bind(4, std::string_view(upper));
  st->bind(5, seqFrom);
  st->bind(6, seqTo);

  const std::uint64_t wanted = q.limit.value_or(UINT32_MAX);
  std::uint64_t sent = 0;
  std::size_t bytes = 0;
  std::optional<std::uint64_t> next;
  std::size_t scanned = 0;
  int rc;
  while ((rc = st->step()) == SQLITE_ROW) {
    if (++scanned > kPageScan) {
      // Enough work for one answer: the client continues from this row.
      next = st->u64(0);
      break;
    }
    const std::string_view address = st->text(1);
    const SignalType signal = signalFromName(st->text(2));
    if (q.types != 0 && (q.types & (1u << static_cast<unsigned>(signal))) == 0) continue;
    if (!pattern->matches(address)) continue;
    if (sent >= wanted || sent >= kPageEntries || bytes >= kPageBytes) {
      next = st->u64(0);
      break;
    }
    std::optional<Value> value = st->i64(7) != 0 ? std::optional<Value>(Value{}) : rowValue(*st, 4, 5);
    if (!value) return fault("damaged entry at " + std::string(address));
    const std::size_t before = frames.size();
    if (st->i64(3) == 0x21) {
      emit(Set{std::string(address), std::move(*value), st->isNull(6) ? std::nullopt : std::optional(st->u64(6)),
               false, false, std::nullopt});
    } else {
      Publish p;
      p.address = std::string(address);
      p.signal = signal;
      if (!value->isNull()) p.value = std::move(*value);
      emit(p);
    }
    if (frames.size() > before) bytes += frames.back().size();
    ++sent;
  }
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) return fault(db_.error("").message);
  // The end marker: ACK{pattern}, with where to continue when cut short.
  emit(Ack{q.pattern, next, std::nullopt, std::nullopt, std::nullopt});
  return frames;
}

bool Journal::compactStep(std::uint64_t nowMicros) {
  if (nowMicros < nextCompact_ && compactCursor_ == 0) return false;
  const std::uint64_t cutoff =
      options_.compactAgeMicros == 0 || options_.compactAgeMicros > nowMicros ? 0 : nowMicros - options_.compactAgeMicros;
  auto overflow = [&] {
    return options_.maxEntries != 0 && entries_ > static_cast<std::int64_t>(options_.maxEntries);
  };
  if (cutoff == 0 && !overflow()) {
    nextCompact_ = nowMicros + 10'000'000;
    return false;
  }
  constexpr int kChunk = 5000;
  auto rows = db_.prepare("SELECT seq, address, timestamp FROM journal_entries WHERE seq > ?1 ORDER BY seq LIMIT ?2");
  auto del = db_.prepare("DELETE FROM journal_entries WHERE seq = ?1");
  if (!rows || !del) return false;
  rows->bind(1, compactCursor_);
  rows->bind(2, std::int64_t{kChunk});
  struct Row {
    std::int64_t seq;
    std::string address;
    std::uint64_t timestamp;
  };
  std::vector<Row> chunk;
  while (rows->step() == SQLITE_ROW) chunk.push_back(Row{rows->i64(0), std::string(rows->text(1)), rows->u64(2)});
  rows->reset();
  bool passDone = chunk.size() < static_cast<std::size_t>(kChunk);
  auto ok = db_.transaction([&]() -> Result<void> {
    for (const Row& r : chunk) {
      if (r.timestamp >= cutoff && !overflow()) {
        passDone = true;
        break;
      }
      // The newest SET or deletion of an address stays: it is the state.
      auto it = latest_.find(r.address);
      if (it == latest_.end() || it->second != r.seq) {
        del->bind(1, r.seq);
        if (auto step = db_.run(*del, "retention"); !step) return step;
        --entries_;
      }
      compactCursor_ = r.seq;
    }
    return {};
  });
  if (!ok) {
    spdlog::warn("journal: retention step failed: {}", ok.error().message);
    passDone = true;
  }
  if (passDone) {
    compactCursor_ = 0;
    nextCompact_ = nowMicros + 10'000'000;
  }
  return !passDone;
}

}  // namespace clasp::storage
