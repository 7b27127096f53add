// RouterSection: per-thread batches by target loop, and the ordering rule
// that makes them safe: batches for other loops are handed over before the
// router lock is released, and this loop's inbox is taken before it, so
// everything routed earlier reaches a connection before anything routed later.
#include "transport/router_section.hpp"

#include <vector>

#include "transport/loop.hpp"

namespace clasp::transport {

namespace {

struct SectionState {
  std::vector<std::pair<Loop*, DeliveryBatch>> byLoop;  // indexed by Loop::index()
  std::vector<DeliveryBatch> taken;
  bool active = false;
  // The batch used last: consecutive records mostly go to the same loop.
  Loop* lastLoop = nullptr;
  DeliveryBatch* lastBatch = nullptr;
};

thread_local SectionState tls;

DeliveryBatch& batchFor(Loop& loop) {
  if (tls.lastLoop == &loop) return *tls.lastBatch;
  auto& v = tls.byLoop;
  if (v.size() <= loop.index()) v.resize(loop.index() + 1);  // once per thread and loop
  v[loop.index()].first = &loop;
  tls.lastLoop = &loop;
  tls.lastBatch = &v[loop.index()].second;
  return *tls.lastBatch;
}

// Outside a section (should not happen: every router call is made in one)
// the record still travels through the target loop's inbox, in order.
template <class Add>
void record(Sink& sink, Add add) {
  if (tls.active) return add(batchFor(sink.loop()));
  DeliveryBatch single;
  add(single);
  sink.loop().handOver(single);
}

}  // namespace

RouterSection::RouterSection(RouterHost& host) : host_(host), lock_(host.mutex) {
  host.clock.refresh();
  tls.active = true;
  tls.lastLoop = nullptr;
}

RouterSection::~RouterSection() {
  Loop* self = Loop::current();
  for (auto& [loop, batch] : tls.byLoop)
    if (loop != nullptr && loop != self && !batch.empty()) loop->handOver(batch);
  if (self) self->takeInbox(tls.taken);
  tls.active = false;
  lock_.unlock();
  if (!self) return;
  for (const DeliveryBatch& b : tls.taken) b.apply(*self);
  self->recycle(tls.taken);
  if (tls.byLoop.size() > self->index()) {
    DeliveryBatch& own = tls.byLoop[self->index()].second;
    own.apply(*self);
    own.clear();
  }
  self->flushListed();
}

void RouterSection::deliver(Sink& sink, std::span<const std::uint8_t> frame, router::Delivery kind,
                            std::uint64_t shared) {
  record(sink, [&](DeliveryBatch& b) { b.addFrame(&sink, frame, kind, shared); });
}

void RouterSection::close(Sink& sink, router::CloseReason reason, std::string_view text) {
  record(sink, [&](DeliveryBatch& b) { b.addClose(&sink, reason, text); });
}

}  // namespace clasp::transport
