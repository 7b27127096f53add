// The OSC front door: UDP receive loop, sessions per source address, the
// translation to router messages and back, the idle sweep.
#include "adapters/osc/osc_endpoint.hpp"

#include <boost/asio.hpp>
#include <chrono>
#include <map>
#include <spdlog/spdlog.h>
#include <vector>

#include "adapters/osc/osc_allow.hpp"
#include "adapters/osc/osc_codec.hpp"
#include "core/address.hpp"
#include "core/codec.hpp"
#include "transport/router_section.hpp"
#include "transport/sink.hpp"

namespace clasp::osc {

namespace asio = boost::asio;
using udp = asio::ip::udp;
using SteadyClock = std::chrono::steady_clock;

namespace {

// Datagrams read per readiness before other handlers of loop 0 get a turn
// (all of them are routed in one router section).
constexpr std::size_t kDatagramsPerTurn = 64;
constexpr auto kSweepInterval = std::chrono::seconds(1);

// Debug logs about bad input are limited to a burst per second per kind, so
// a flood of garbage cannot flood the log; what was left out is counted.
class LogLimiter {
 public:
  explicit LogLimiter(const char* what) : what_(what) {}
  bool allow() {
    if (!spdlog::should_log(spdlog::level::debug)) return false;
    const auto now = SteadyClock::now();
    if (now - window_ >= std::chrono::seconds(1)) {
      if (suppressed_ != 0) spdlog::debug("osc: {} more {} not logged", suppressed_, what_);
      window_ = now;
      count_ = 0;
      suppressed_ = 0;
    }
    if (count_ < kBurst) {
      ++count_;
      return true;
    }
    ++suppressed_;
    return false;
  }

 private:
  static constexpr int kBurst = 20;
  const char* what_;
  SteadyClock::time_point window_{};
  int count_ = 0;
  std::size_t suppressed_ = 0;
};

std::string endpointText(const udp::endpoint& ep) {
  asio::ip::address a = ep.address();
  if (a.is_v6() && a.to_v6().is_v4_mapped()) a = asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
  if (a.is_v6()) return "[" + a.to_string() + "]:" + std::to_string(ep.port());
  return a.to_string() + ":" + std::to_string(ep.port());
}

}  // namespace

class OscSession;

struct OscEndpoint::Impl {
  Impl(transport::Server& s, OscConfig c)
      : server(s), host(s.host()), loop(s.loop(0)), config(std::move(c)), socket(loop.context()) {
    rx.resize(kMaxDatagram + 1);
  }
  ~Impl();

  Result<std::uint16_t> listen(const std::string& hostName, std::uint16_t port);
  void waitReadable();
  void onReadable(boost::system::error_code ec);

  struct Work {
    udp::endpoint from;
    OscPacket packet;
  };
  void dispatch(std::vector<Work>& work);
  void handle(router::Router& r, Work& w, SteadyClock::time_point now);
  OscSession* sessionFor(router::Router& r, const udp::endpoint& ep, SteadyClock::time_point now);
  void control(router::Router& r, const udp::endpoint& from, OscMessage& m, SteadyClock::time_point now);
  Message dataMessage(OscMessage& m) const;

  // Loop thread: a CLASP frame the router sent to `s`.
  void forward(OscSession& s, std::span<const std::uint8_t> frame);
  void sendValue(OscSession& s, std::string_view address, const Value& value);
  void removeLater(const udp::endpoint& ep);
  void remove(const std::vector<udp::endpoint>& eps);
  void sweep();

  transport::Server& server;
  transport::RouterHost& host;
  transport::Loop& loop;
  OscConfig config;
  udp::socket socket;
  AllowList allow;
  std::map<udp::endpoint, std::unique_ptr<OscSession>> sessions;
  std::vector<std::uint8_t> rx;
  std::vector<std::uint8_t> tx;
  std::vector<Work> work;
  SteadyClock::time_point nextSweep{};
  LogLimiter badLog{"malformed datagrams"};
  LogLimiter refusedLog{"refused datagrams"};
  LogLimiter routerLog{"router errors"};
  LogLimiter sendLog{"send failures"};
};

// One OSC source address as the router sees it (Outbox) and as the delivery
// path sees it (Sink). Owned by the endpoint, used on loop 0 only, except
// send/close, which the router calls under its lock from any thread.
class OscSession final : public router::Outbox, public transport::Sink {
 public:
  OscSession(OscEndpoint::Impl& ep, udp::endpoint at) : peer(std::move(at)), ep_(ep) {}

  void send(std::span<const std::uint8_t> frame, router::Delivery kind, std::uint64_t shared) override {
    transport::RouterSection::deliver(*this, frame, kind, shared);
  }
  void close(router::CloseReason reason, std::string_view text) override {
    transport::RouterSection::close(*this, reason, text);
  }

  transport::Loop& loop() override { return ep_.loop; }
  void deliver(std::span<const std::uint8_t> frame, router::Delivery) override { ep_.forward(*this, frame); }
  void deliverClose(router::CloseReason, std::string_view text) override {
    if (closing) return;
    closing = true;
    spdlog::debug("osc: session {} closed by the router: {}", endpointText(peer), text);
    ep_.removeLater(peer);
  }
  void flushQueued() override {}  // datagrams leave as they are delivered

  const udp::endpoint peer;
  router::RouterSession* session = nullptr;
  SteadyClock::time_point lastSeen{};
  std::map<std::string, std::uint32_t, std::less<>> subscriptions;  // pattern -> id
  std::uint32_t nextSubscription = 1;
  bool closing = false;

 private:
  OscEndpoint::Impl& ep_;
};

OscEndpoint::Impl::~Impl() {
  boost::system::error_code ignored;
  socket.close(ignored);
  if (sessions.empty()) return;
  {
    transport::RouterSection section(host);
    for (auto& [ep, s] : sessions)
      if (s->session) section.router().close(s->session);
  }
  sessions.clear();
}

Result<std::uint16_t> OscEndpoint::Impl::listen(const std::string& hostName, std::uint16_t port) {
  auto list = AllowList::build(config.allow, host.router.config().requireAuth);
  if (!list) return std::unexpected(list.error());
  allow = std::move(*list);
  boost::system::error_code ec;
  auto address = asio::ip::make_address(hostName, ec);
  if (ec) return fail(Errc::InternalError, "invalid bind address '" + hostName + "'");
  udp::endpoint ep(address, port);
  socket.open(ep.protocol(), ec);
  if (!ec) socket.bind(ep, ec);
  if (!ec) socket.non_blocking(true, ec);
  if (ec)
    return fail(Errc::InternalError,
                "cannot listen for OSC on " + hostName + ":" + std::to_string(port) + ": " + ec.message());
  server.onTick([this] { sweep(); });
  waitReadable();
  spdlog::info("OSC: {} from {}; namespace {}; session timeout {} s, at most {} sessions",
               config.events ? "events" : "SETs", allow.describe(), config.ns, config.sessionTimeoutSeconds,
               config.maxSessions);
  return socket.local_endpoint().port();
}

void OscEndpoint::Impl::waitReadable() {
  socket.async_wait(udp::socket::wait_read, [this](boost::system::error_code ec) { onReadable(ec); });
}

void OscEndpoint::Impl::onReadable(boost::system::error_code ec) {
  if (ec) {
    if (ec != asio::error::operation_aborted) spdlog::warn("osc: socket wait failed: {}", ec.message());
    return;
  }
  const auto now = SteadyClock::now();
  std::size_t count = 0;
  bool more = true;
  for (; count < kDatagramsPerTurn; ++count) {
    udp::endpoint from;
    std::size_t n = socket.receive_from(asio::buffer(rx), from, 0, ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      more = false;
      break;
    }
    if (ec) {
      // ICMP errors from earlier sends (connection refused) surface here; the
      // socket itself is fine.
      if (sendLog.allow()) spdlog::debug("osc: receive: {}", ec.message());
      continue;
    }
    if (!allow.allows(from.address())) {
      if (refusedLog.allow())
        spdlog::debug("osc: refused datagram from {}: source not in --osc-allow ({})", endpointText(from),
                      allow.describe());
      continue;
    }
    // Any datagram shows the source is alive, even one we cannot use.
    if (auto it = sessions.find(from); it != sessions.end()) it->second->lastSeen = now;
    auto packet = parsePacket(std::span<const std::uint8_t>(rx.data(), n));
    if (!packet) {
      if (badLog.allow())
        spdlog::debug("osc: dropped datagram of {} bytes from {}: {}", n, endpointText(from),
                      packet.error().message);
      continue;
    }
    work.push_back(Work{from, std::move(*packet)});
  }
  if (!work.empty()) dispatch(work);
  if (more) {
    // Still more to read: let loop 0's other handlers run first.
    asio::post(loop.context(), [this] { onReadable({}); });
  } else {
    waitReadable();
  }
}

void OscEndpoint::Impl::dispatch(std::vector<Work>& batch) {
  const auto now = SteadyClock::now();
  {
    transport::RouterSection section(host);
    for (Work& w : batch) handle(section.router(), w, now);
  }
  batch.clear();
}

OscSession* OscEndpoint::Impl::sessionFor(router::Router& r, const udp::endpoint& ep, SteadyClock::time_point now) {
  if (auto it = sessions.find(ep); it != sessions.end()) {
    if (it->second->closing) return nullptr;
    it->second->lastSeen = now;
    return it->second.get();
  }
  if (config.maxSessions != 0 && sessions.size() >= config.maxSessions) {
    if (refusedLog.allow())
      spdlog::debug("osc: refused {}: {} OSC sessions already (the limit)", endpointText(ep), sessions.size());
    return nullptr;
  }
  auto s = std::make_unique<OscSession>(*this, ep);
  // R10.2: OSC sources do not count toward --max-sessions (OscConfig caps them).
  s->session = r.openAdapter(*s, "osc:" + endpointText(ep), feature::kParam | feature::kEvent,
                             router::Scopes::allowAll(), /*limited=*/false);
  if (!s->session) {
    if (refusedLog.allow()) spdlog::debug("osc: refused {}: the router's session limit is reached", endpointText(ep));
    return nullptr;
  }
  s->lastSeen = now;
  spdlog::debug("osc: new session {}", endpointText(ep));
  return sessions.emplace(ep, std::move(s)).first->second.get();
}

Message OscEndpoint::Impl::dataMessage(OscMessage& m) const {
  std::string address = toClaspAddress(config.ns, m.address);
  Value value = argsToValue(std::move(m.args));
  if (config.events) {
    Publish p;
    p.address = std::move(address);
    p.signal = SignalType::Event;
    p.value = std::move(value);
    return p;
  }
  return Set{std::move(address), std::move(value), std::nullopt, false, false, std::nullopt};
}

void OscEndpoint::Impl::handle(router::Router& r, Work& w, SteadyClock::time_point now) {
  // Control messages act at once (inside a bundle too, before its data).
  std::map<std::uint64_t, Bundle> byTime;  // bundles: one atomic BUNDLE per time tag
  OscMessage* single = nullptr;
  for (OscMessage& m : w.packet.messages) {
    if (m.address.starts_with("/clasp/")) {
      control(r, w.from, m, now);
    } else if (!w.packet.bundle) {
      single = &m;
    } else {
      Bundle& b = byTime[m.timeTag];
      b.messages.push_back(dataMessage(m));
    }
  }
  if (!single && byTime.empty()) {
    // Nothing for the router: still a sign of life for a known source.
    return;
  }
  OscSession* s = sessionFor(r, w.from, now);
  if (!s) return;
  if (single) {
    Message msg = dataMessage(*single);
    r.handleAdapter(s->session, msg, config.events ? QoS::Fire : QoS::Confirm);
    return;
  }
  // Earliest first: the immediate bundle (tag 1) before any scheduled one.
  for (auto& [tag, bundle] : byTime) {
    bundle.timestamp = timeTagToMicros(tag);
    r.handleAdapter(s->session, Message(std::move(bundle)), QoS::Confirm);
  }
}

void OscEndpoint::Impl::control(router::Router& r, const udp::endpoint& from, OscMessage& m,
                                SteadyClock::time_point now) {
  const bool subscribe = m.address == "/clasp/subscribe";
  if (!subscribe && m.address != "/clasp/unsubscribe") {
    if (badLog.allow()) spdlog::debug("osc: {}: unknown control message {} ignored", endpointText(from), m.address);
    return;
  }
  // Arguments: [pattern (s/S)] [reply port (i/h)].
  std::optional<std::string> pattern;
  std::optional<std::int64_t> port;
  std::size_t i = 0;
  if (i < m.args.size() && m.args[i].asString()) pattern = *m.args[i++].asString();
  if (i < m.args.size() && m.args[i].asInt()) port = *m.args[i++].asInt();
  if (i != m.args.size() || (port && (*port < 1 || *port > 65535))) {
    if (badLog.allow())
      spdlog::debug("osc: {}: {} wants [pattern:s] [reply-port:i], got ',{}'", endpointText(from), m.address,
                    m.typeTags);
    return;
  }
  const udp::endpoint target = port ? udp::endpoint(from.address(), static_cast<std::uint16_t>(*port)) : from;
  if (subscribe) {
    std::string p = pattern.value_or(config.ns == "/" ? "/**" : config.ns + "/**");
    if (auto ok = validatePattern(p); !ok) {
      if (badLog.allow()) spdlog::debug("osc: {}: bad pattern: {}", endpointText(from), ok.error().message);
      return;
    }
    OscSession* s = sessionFor(r, target, now);
    if (!s) return;
    if (s->subscriptions.contains(p)) return;  // a refresh: keeps the session alive
    const std::uint32_t limit = r.config().maxSubscriptions;
    if (limit != 0 && s->subscriptions.size() >= limit) {
      if (badLog.allow())
        spdlog::debug("osc: {}: subscription limit ({}) reached, {} ignored", endpointText(target), limit, p);
      return;
    }
    const std::uint32_t id = s->nextSubscription++;
    s->subscriptions.emplace(p, id);
    spdlog::debug("osc: {} subscribed to {}", endpointText(target), p);
    r.handleAdapter(s->session, Subscribe{id, std::move(p), 0, std::nullopt}, QoS::Fire);
    return;
  }
  auto it = sessions.find(target);
  if (it == sessions.end() || it->second->closing) return;
  OscSession& s = *it->second;
  s.lastSeen = now;
  if (!pattern) {
    for (auto& [text, id] : s.subscriptions) r.handleAdapter(s.session, Unsubscribe{id}, QoS::Fire);
    s.subscriptions.clear();
    spdlog::debug("osc: {} unsubscribed from everything", endpointText(target));
    return;
  }
  auto sub = s.subscriptions.find(*pattern);
  if (sub == s.subscriptions.end()) return;
  r.handleAdapter(s.session, Unsubscribe{sub->second}, QoS::Fire);
  s.subscriptions.erase(sub);
  spdlog::debug("osc: {} unsubscribed from {}", endpointText(target), *pattern);
}

void OscEndpoint::Impl::forward(OscSession& s, std::span<const std::uint8_t> frame) {
  if (s.closing) return;
  auto view = parseFrame(frame);
  if (!view || view->payload.empty()) return;
  // Only these carry something for an OSC peer; ACKs and the rest are dropped
  // before any decoding.
  const auto type = static_cast<MessageType>(view->payload[0]);
  if (type != MessageType::Set && type != MessageType::Publish && type != MessageType::Snapshot &&
      type != MessageType::Error)
    return;
  auto decoded = decodeMessage(view->payload);
  if (!decoded) return;
  if (const Set* set = std::get_if<Set>(&*decoded)) return sendValue(s, set->address, set->value);
  if (const Publish* p = std::get_if<Publish>(&*decoded)) {
    if (p->value) return sendValue(s, p->address, *p->value);
    if (p->samples) {
      Array a;
      for (double d : *p->samples) a.emplace_back(d);
      return sendValue(s, p->address, Value(std::move(a)));
    }
    return;  // value-less PUBLISH (gesture end, ...): nothing to say in OSC
  }
  if (const Snapshot* snap = std::get_if<Snapshot>(&*decoded)) {
    for (const ParamValue& pv : snap->params) sendValue(s, pv.address, pv.value);
    return;
  }
  if (const ErrorMsg* e = std::get_if<ErrorMsg>(&*decoded)) {
    if (routerLog.allow())
      spdlog::debug("osc: {}: refused by the router: {} {}{}{}", endpointText(s.peer), e->code, e->message,
                    e->address ? " " : "", e->address.value_or(""));
  }
}

void OscEndpoint::Impl::sendValue(OscSession& s, std::string_view address, const Value& value) {
  tx.clear();
  if (auto ok = buildMessage(toOscAddress(config.ns, address), value, tx); !ok) {
    if (sendLog.allow()) spdlog::debug("osc: {} not sent to {}: {}", address, endpointText(s.peer), ok.error().message);
    return;
  }
  boost::system::error_code ec;
  socket.send_to(asio::buffer(tx), s.peer, 0, ec);
  // UDP: a full socket buffer or an unreachable peer loses the datagram.
  if (ec && sendLog.allow()) spdlog::debug("osc: send to {} failed: {}", endpointText(s.peer), ec.message());
}

void OscEndpoint::Impl::removeLater(const udp::endpoint& ep) {
  // Called while a delivery batch is applied, where no router section may be
  // opened: the removal runs as its own handler.
  asio::post(loop.context(), [this, ep] { remove({ep}); });
}

void OscEndpoint::Impl::remove(const std::vector<udp::endpoint>& eps) {
  {
    transport::RouterSection section(host);
    for (const udp::endpoint& ep : eps) {
      auto it = sessions.find(ep);
      if (it == sessions.end()) continue;
      it->second->closing = true;
      if (it->second->session) section.router().close(it->second->session);
      it->second->session = nullptr;
    }
  }
  // After the section no delivery record names these sessions any more
  // (docs/architecture.md, Lifetime), so they can go.
  for (const udp::endpoint& ep : eps) sessions.erase(ep);
}

void OscEndpoint::Impl::sweep() {
  const auto now = SteadyClock::now();
  if (now < nextSweep) return;
  nextSweep = now + kSweepInterval;
  if (config.sessionTimeoutSeconds == 0 || sessions.empty()) return;
  const auto timeout = std::chrono::seconds(config.sessionTimeoutSeconds);
  std::vector<udp::endpoint> idle;
  for (auto& [ep, s] : sessions)
    if (now - s->lastSeen >= timeout) idle.push_back(ep);
  if (idle.empty()) return;
  for (const udp::endpoint& ep : idle)
    spdlog::debug("osc: session {} idle for {} s, removed", endpointText(ep), config.sessionTimeoutSeconds);
  remove(idle);
}

OscEndpoint::OscEndpoint(transport::Server& server, OscConfig config)
    : impl_(std::make_unique<Impl>(server, std::move(config))) {}

OscEndpoint::~OscEndpoint() = default;

Result<std::uint16_t> OscEndpoint::listen(const std::string& host, std::uint16_t port) {
  return impl_->listen(host, port);
}

}  // namespace clasp::osc
