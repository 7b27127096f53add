// Router: the CLASP routing engine (router.md with its Fix notes, DECISIONS
// D-1..D-17). It owns the sessions, the param store, the subscription index
// and the announced signals, and turns each inbound frame into replies and
// fan-out through the sessions' Outboxes. Single-threaded by design: the
// server serialises calls with one lock; nothing here blocks or does I/O.
//
// Reentrancy: Outbox calls made from the router never call back into it.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/codec.hpp"
#include "core/pattern_index.hpp"
#include "router/clock.hpp"
#include "router/durable.hpp"
#include "router/gesture_coalescer.hpp"
#include "router/param_store.hpp"
#include "router/outbox.hpp"
#include "router/router_config.hpp"
#include "router/router_stats.hpp"
#include "router/session.hpp"

namespace clasp::router {

class Router {
 public:
  Router(RouterConfig config, const Clock& clock);
  ~Router();
  Router(const Router&) = delete;
  Router& operator=(const Router&) = delete;

  // A transport accepted a connection. Null when the session limit is reached
  // (the transport then closes with 1013).
  RouterSession* open(Outbox& outbox) { return open(outbox, true); }

  // One transport message holding one CLASP frame (trailing bytes ignored).
  // Equivalent to decodeInbound followed by handleDecoded or rejectInbound.
  void handleMessage(RouterSession* s, std::span<const std::uint8_t> bytes);

  // Frame parsing and message decoding need no router state, so transports
  // do them on their own thread before taking the router lock. The error's
  // code says which rule applies (D-4): BadFrame closes, BadMessage does not.
  static Result<void> decodeInbound(std::span<const std::uint8_t> bytes, DecodedFrame& into);
  void handleDecoded(RouterSession* s, const DecodedFrame& f);
  void rejectInbound(RouterSession* s, const Error& e);

  // Adapter sessions (MQTT, OSC: router.md §9, §10 with D-28, D-29): the
  // session is established at once, without HELLO, WELCOME or the initial
  // snapshot, under the given name and scopes. Null at the session limit,
  // unless `limited` is false (OSC source addresses are not sessions a
  // client asked for and have their own cap, R10.2).
  RouterSession* openAdapter(Outbox& outbox, std::string name, std::uint8_t features, Scopes scopes,
                             bool limited = true);
  // One message from an adapter session, handled as a frame with this QoS.
  void handleAdapter(RouterSession* s, const Message& m, QoS qos);
  // Deletes a stored param (an MQTT empty retained PUBLISH, D-28): write
  // scope and lock rules as for SET; subscribers get the deletion notice
  // (SET with a null value and the next revision). Unknown address: no-op.
  void removeParam(RouterSession* s, std::string_view address);
  // Asks the configured validator about a token (R1.4 order); without a
  // validator every token is NotMine.
  TokenVerdict authenticate(std::string_view token) const;

  // The transport is gone: removes subscriptions, releases locks (D-10).
  void close(RouterSession* s);

  // Timers: gesture flushes, scheduled bundles, TTL expiry. Call often
  // (every few ms); each duty keeps its own schedule.
  void tick();

  std::size_t sessionCount() const { return sessions_.size(); }
  // CLASP sessions not yet closing (what a shutdown waits for; MQTT and OSC
  // sessions are closed at its start). Linear: for shutdown, not hot paths.
  std::size_t clientCount() const;

  // A reload (SIGHUP, D-24) takes the limits and the authentication of
  // `next`; admitted sessions keep the scopes they were given.
  void reconfigure(const RouterConfig& next);
  // Shutdown (D-25): every CLASP session gets ERROR 501 "shutting down";
  // adapter sessions (MQTT, OSC) are closed, which is their notice.
  void announceShutdown();
  // Asks every session's transport to close (after what is queued).
  void closeAll(CloseReason reason, std::string_view text);
  // Subscriptions of every session (walks the sessions: for the scrape).
  std::size_t subscriptionCount() const;
  const RouterConfig& config() const { return config_; }
  const ParamStore& params() const { return store_; }
  // Counters for the metrics endpoint; readable from any thread.
  const RouterStats& stats() const { return stats_; }

  // Error (200/402) when a SET cannot be stored or fanned out; checks address too.
  Result<void> validateSet(const Set& set) const;

  // The session's scopes (D-17); allow-all until a token narrows them.
  void setScopes(RouterSession* s, Scopes scopes) { s->scopes = std::move(scopes); }

  // Durable state (relay.md §5, §6; D-11, D-23). Attach before serving.
  // With a journal, every state change and recorded PUBLISH is appended, and
  // an ACK that follows one waits until the journal has committed it.
  void attachJournal(JournalPort* journal) { journal_ = journal; }
  // The journal committed every entry up to `ticket`: held ACKs go out.
  void journalCommitted(std::uint64_t ticket);
  // Frames produced off the router (a REPLAY answer) for a session, if it is
  // still there. Each element is one complete CLASP frame.
  void deliverFrames(std::string_view sessionId, const std::vector<std::vector<std::uint8_t>>& frames);
  // Persistence: start listing changed params; then take them as stored form
  // (deletions included) whenever a snapshot is due.
  void trackChanges() { store_.trackChanges(true); }
  std::vector<StoredParam> takeChanges();
  // Every param and remembered deletion, for a full snapshot.
  std::vector<StoredParam> storedState() const;
  // Startup: params and deletions read from files, before any session.
  // Params whose TTL ran out while the server was down are removed at once
  // (and the removal journalled, when a journal is attached already).
  void restore(std::vector<StoredParam> items);

 private:
  friend struct Ops;

  // Dispatch of one decoded message (ops/*.cpp).
  void dispatch(RouterSession* s, const Message& m, QoS qos);

  // Outbound helpers.
  void reply(RouterSession* s, const Message& m, Delivery kind = Delivery::Reliable);
  void sendError(RouterSession* s, Errc code, std::string_view text,
                 std::optional<std::string_view> address = std::nullopt);
  // Encodes m once and sends it to every session with a matching subscription
  // whose type filter admits `signal`, once per session, skipping `exclude`.
  // `value` feeds the D-12 epsilon filter (null when the message has none).
  void fanout(const Message& m, std::string_view address, SignalType signal,
              const RouterSession* exclude, Delivery kind, const Value* value = nullptr);
  // SNAPSHOT frames of the given params (≤ 800 and ≤ 65 535 bytes each).
  void sendSnapshot(RouterSession* s, const std::vector<const std::pair<const std::string, Param>*>& items,
                    bool evenIfEmpty);

  // Applies a checked SET as `writer` and fans it out (SET and BUNDLE).
  // `by` is the session acting (null for a scheduled bundle whose sender
  // left); it gets the journal ticket.
  const Param& applySet(RouterSession* by, std::string_view writer, const Set& set);
  // Routes a PUBLISH (P2P, gestures, fan-out) for PUBLISH and BUNDLE. `sender`
  // is null for a scheduled bundle whose sender has left. `qos` is the frame's:
  // only Fire-QoS streams may be dropped for a slow reader (D-15).
  void routePublish(RouterSession* sender, const Publish& p, QoS qos);
  std::string newSessionId();
  // Journal records (no-ops without a journal). `by` gets the entry's ticket
  // so its next ACK waits for the commit.
  void journalSet(RouterSession* by, const std::string& address, const Param& p);
  void journalDelete(RouterSession* by, std::string_view author, const std::string& address,
                     std::uint64_t revision);
  void journalPublish(RouterSession* by, const Publish& p);
  StoredParam stored(const std::string& address, const Param& p) const;
  // Removes params whose TTL ran out: journalled, announced (TTL sweeps).
  void sweepParams(std::uint64_t mono);
  // Sends a SET of null with the deletion's revision (MQTT delete, expiry).
  void announceDeletion(const std::string& address, std::uint64_t revision);
  RouterSession* open(Outbox& outbox, bool limited);
  // Gives an established session its id and registers it.
  void registerSession(RouterSession* s);

  // Counts a frame produced elsewhere (REPLAY pages, D-12 releases) as sent.
  void countFrame(std::span<const std::uint8_t> frame, std::uint64_t deliveries);

  RouterConfig config_;
  const Clock& clock_;
  RouterStats stats_;
  ParamStore store_;
  PatternIndex<SubRef> index_;
  std::unordered_map<RouterSession*, std::unique_ptr<RouterSession>> sessions_;
  std::unordered_map<std::string, RouterSession*, StringHash, std::equal_to<>> byId_;
  std::unordered_map<std::string, std::pair<SignalDefinition, std::uint64_t>, StringHash,
                     std::equal_to<>>
      signals_;  // announced signals and when (mono µs)
  GestureCoalescer gestures_;
  struct Scheduled {
    RouterSession* session;  // null once the sender left
    std::string sessionId;
    Scopes scopes;
    Bundle bundle;
  };
  std::multimap<std::uint64_t, Scheduled> scheduled_;  // by wall µs
  std::unordered_set<RouterSession*> throttled_;  // sessions with D-12 deliveries waiting
  OutBuffer out_;                 // encode scratch, reused
  DecodedFrame inbound_;          // handleMessage's decode target, reused
  std::size_t limitedSessions_ = 0;  // sessions counted toward maxSessions
  std::uint64_t fanoutStamp_ = 0;
  std::uint64_t nextTtlSweep_ = 0;
  JournalPort* journal_ = nullptr;
  std::uint64_t committed_ = 0;  // highest journal ticket committed
  struct HeldAck {
    std::uint64_t ticket;
    RouterSession* session;  // null once the session closed
    Ack ack;
  };
  std::deque<HeldAck> held_;
  std::mt19937_64 rng_;
};

}  // namespace clasp::router
