// timeline(): the 3.3.2 encoder drops keyframes and loop, so only the address and the
// timestamp (startTime, or client.time()) reach other clients (D-14: forwarded as
// received, not stored). The callback value is null.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, settled, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

test('timeline: address and timestamp arrive at other subscribers; nothing else, no echo', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/tl/**');
  const own = collect(sender, '/tl/**');
  await ready([reader, sender], '/tl/ready');

  const start = sender.time() + 5_000_000;
  sender.timeline('/tl/fade', [{ time: 0, value: 0 }, { time: 1_000_000, value: 1 }], { loop: true, startTime: start });
  const t0 = sender.time();
  sender.timeline('/tl/now', [{ time: 0, value: 'a' }]);
  const t1 = sender.time();

  await waitFor(() => sub.values('/tl/fade').length === 1 && sub.values('/tl/now').length === 1, 5_000, 'both timelines');
  assert.deepStrictEqual(sub.values('/tl/fade'), [null]);
  assert.deepStrictEqual(sub.values('/tl/now'), [null]);

  const [fade] = received(reader, 'PUBLISH', (m) => m.address === '/tl/fade');
  assert.equal(fade.signal, 'timeline');
  assert.equal(fade.timestamp, start, 'startTime is forwarded unchanged as the timestamp');
  assert.equal(fade.value, undefined, 'no value');
  assert.equal(fade.keyframes, undefined, 'no keyframes (the client never encodes them)');
  const [now] = received(reader, 'PUBLISH', (m) => m.address === '/tl/now');
  assert.equal(now.signal, 'timeline');
  assert.ok(now.timestamp >= t0 && now.timestamp <= t1, `timestamp is the sender's client.time() (${now.timestamp} in [${t0}, ${t1}])`);

  await barrier(sender, [reader, sender], '/tl/done');
  assert.deepEqual(own.values('/tl/fade'), [], 'not echoed to the sender');
  // QoS Confirm: each timeline is acknowledged.
  assert.equal(received(sender, 'ACK', (m) => m.address === '/tl/fade' || m.address === '/tl/now').length, 2);
  assert.equal(sender.getLastError(), null);

  // Not stored: a late subscriber gets only params.
  const late = await connectClient(ctx.url);
  await settled(late);
  const lateSub = collect(late, '/tl/**');
  await barrier(late, [late], '/tl/zz-late');
  assert.deepEqual(lateSub.addresses().filter((a) => a.startsWith('/tl/fade') || a.startsWith('/tl/now')), []);
});
