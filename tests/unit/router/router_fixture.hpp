// The router unit tests' fixture: the real Router with a manual clock and
// sessions whose Outbox decodes and records every frame the router sends.
#pragma once

#include <gtest/gtest.h>

#include "core/codec.hpp"
#include "router/router.hpp"

namespace clasp::router {

class ManualClock final : public Clock {
 public:
  std::uint64_t wallMicros() const override { return 1'700'000'000'000'000ull + now_; }
  std::uint64_t monoMicros() const override { return 1'000'000 + now_; }
  void advanceSeconds(double s) { now_ += static_cast<std::uint64_t>(s * 1e6); }

 private:
  std::uint64_t now_ = 0;
};

// Decodes every frame the router sends to one session.
class RecordingOutbox final : public Outbox {
 public:
  void send(std::span<const std::uint8_t> frame, Delivery, std::uint64_t) override {
    auto d = decodeFrame(frame);
    ASSERT_TRUE(d) << d.error().message;
    got.push_back(std::move(d->message));
  }
  void close(CloseReason r, std::string_view) override {
    closed = true;
    closes.push_back(r);
  }

  // Takes everything received so far.
  std::vector<Message> take() { return std::exchange(got, {}); }
  std::vector<Message> got;
  bool closed = false;
  std::vector<CloseReason> closes;
};

inline std::vector<std::uint8_t> frameOf(const Message& m, QoS qos = QoS::Fire) {
  OutBuffer b;
  EXPECT_TRUE(encodeFrame(m, b, qos));
  return {b.data(), b.data() + b.size()};
}

struct Client {
  RecordingOutbox out;
  RouterSession* session = nullptr;
};

class RouterTest : public ::testing::Test {
 protected:
  Client& connect(std::optional<Scopes> scopes = std::nullopt) {
    auto& c = *clients_.emplace_back(std::make_unique<Client>());
    c.session = router_->open(c.out);
    if (scopes) router_->setScopes(c.session, *scopes);
    send(c, Hello{1, 0xE0, "test", ""});
    c.out.take();  // WELCOME + initial SNAPSHOT
    return c;
  }
  void send(Client& c, const Message& m, QoS qos = QoS::Fire) { router_->handleMessage(c.session, frameOf(m, qos)); }
  void set(Client& c, const std::string& a, Value v, std::optional<Ttl> ttl = std::nullopt) {
    send(c, Set{a, std::move(v), std::nullopt, false, false, ttl});
  }
  static std::optional<ErrorMsg> onlyError(const std::vector<Message>& ms) {
    if (ms.size() == 1)
      if (const auto* e = std::get_if<ErrorMsg>(&ms[0])) return *e;
    return std::nullopt;
  }
  static Scopes grants(std::initializer_list<std::pair<Action, const char*>> list) {
    std::vector<Grant> g;
    for (auto [a, p] : list) g.push_back(Grant{a, *Pattern::parse(p)});
    return Scopes::granted(std::move(g));
  }
  // GET: true when the param exists (SNAPSHOT), false on ERROR 201.
  bool exists(Client& c, const std::string& a) {
    send(c, Get{a});
    auto ms = c.out.take();
    EXPECT_EQ(ms.size(), 1u);
    return !ms.empty() && std::holds_alternative<Snapshot>(ms[0]);
  }

  void makeRouter(RouterConfig cfg) { router_ = std::make_unique<Router>(std::move(cfg), clock_); }
  void SetUp() override { makeRouter(RouterConfig{}); }

  ManualClock clock_;
  std::unique_ptr<Router> router_;
  std::vector<std::unique_ptr<Client>> clients_;
};

}  // namespace clasp::router
