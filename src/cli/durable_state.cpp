// DurableState: opening, merging the two sources, the snapshot timer and
// the journal's hooks into the router.
#include "cli/durable_state.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <unordered_map>

#include "log/fields.hpp"
#include "transport/router_section.hpp"

namespace clasp::cli {

namespace {
std::uint64_t monoMicros() {
  using namespace std::chrono;
  return static_cast<std::uint64_t>(duration_cast<microseconds>(steady_clock::now().time_since_epoch()).count());
}
}  // namespace

Result<std::unique_ptr<DurableState>> DurableState::open(const DurableOptions& options) {
  auto d = std::make_unique<DurableState>();
  d->options_ = options;
  if (options.journalPath || options.journalMemory) {
    storage::JournalOptions j;
    j.path = options.journalPath.value_or(":memory:");
    j.compactAgeMicros = options.compactAgeSeconds * 1'000'000ull;
    j.maxEntries = options.maxEntries.value_or(options.journalPath ? 10'000'000 : 100'000);
    j.fsync = options.fsync;
    auto journal = storage::Journal::open(j);
    if (!journal) return fail(Errc::InternalError, "cannot open journal " + journal.error().message);
    d->journal_ = std::move(*journal);
  }
  if (options.persistPath) {
    auto state = storage::StateFile::open(*options.persistPath);
    if (!state) return fail(Errc::InternalError, "cannot open state file " + state.error().message);
    d->state_ = std::move(*state);
  }
  return d;
}

DurableState::~DurableState() = default;

Result<void> DurableState::restore(transport::RouterHost& host) {
  std::unordered_map<std::string, router::StoredParam> merged;
  std::size_t fromState = 0, fromJournal = 0;
  if (state_) {
    auto items = state_->load();
    if (!items) return fail(Errc::InternalError, "cannot read state file " + items.error().message);
    fromState = items->size();
    for (auto& p : *items) merged.insert_or_assign(p.address, std::move(p));
  }
  if (journal_ && options_.journalPath) {
    auto items = journal_->latestState();
    if (!items) return fail(Errc::InternalError, "cannot read journal " + items.error().message);
    fromJournal = items->size();
    // The journal is written before each ACK, the snapshot only now and
    // then: for an address both know, the higher revision is the newer.
    std::vector<router::StoredParam> newer;
    for (auto& p : *items) {
      auto it = merged.find(p.address);
      if (it != merged.end() && p.revision < it->second.revision) continue;
      if (state_ && (it == merged.end() || p.revision > it->second.revision)) newer.push_back(p);
      merged.insert_or_assign(p.address, std::move(p));
    }
    // The state file catches up with what only the journal knew.
    if (state_) state_->submit(std::move(newer));
  }
  std::vector<router::StoredParam> all;
  all.reserve(merged.size());
  for (auto& [address, p] : merged) all.push_back(std::move(p));
  std::size_t live = 0;
  for (const auto& p : all) live += p.deleted ? 0 : 1;
  {
    // Attached first, so what restore removes (TTL ran out while down) is
    // recorded in both files.
    transport::RouterSection section(host);
    if (state_) section.router().trackChanges();
    if (journal_) section.router().attachJournal(journal_.get());
    section.router().restore(std::move(all));
  }
  if (state_ || (journal_ && options_.journalPath))
    slog::info({{"event", "state_restored"}, {"params", live}, {"state_file_rows", fromState}, {"journal_addresses", fromJournal}},
               "restored {} params (state file {} rows, journal {} addresses)", live, fromState, fromJournal);
  return {};
}

void DurableState::attach(transport::RouterHost& host, transport::Server& server) {
  if (journal_) {
    storage::Journal::Hooks hooks;
    hooks.committed = [&host](std::uint64_t ticket) {
      transport::RouterSection section(host);
      section.router().journalCommitted(ticket);
    };
    hooks.answer = [&host](const std::string& id, std::vector<std::vector<std::uint8_t>>&& frames) {
      transport::RouterSection section(host);
      section.router().deliverFrames(id, frames);
    };
    journal_->start(std::move(hooks));
  }
  if (state_ && options_.persistIntervalSeconds != 0) {
    const std::uint64_t interval = std::uint64_t{options_.persistIntervalSeconds} * 1'000'000;
    nextSnapshotMono_ = monoMicros() + interval;  // relay.md §6.2: first one after one interval
    server.onTick([this, &host, interval] {
      const std::uint64_t now = monoMicros();
      if (now < nextSnapshotMono_) return;
      nextSnapshotMono_ = now + interval;
      std::vector<router::StoredParam> changes;
      {
        transport::RouterSection section(host);
        changes = section.router().takeChanges();
      }
      state_->submit(std::move(changes));
    });
  }
}

void DurableState::finish(transport::RouterHost& host) {
  if (journal_) journal_->stop();
  if (state_) {
    std::vector<router::StoredParam> changes;
    {
      transport::RouterSection section(host);
      changes = section.router().takeChanges();
    }
    if (auto ok = state_->finish(changes); !ok) spdlog::error("persist: final snapshot failed: {}", ok.error().message);
    else slog::info({{"event", "state_saved"}, {"path", *options_.persistPath}}, "state saved to {}", *options_.persistPath);
  }
}

}  // namespace clasp::cli
