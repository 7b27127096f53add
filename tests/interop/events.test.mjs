// emit(): events with and without payload reach other subscribers, never the sender,
// and are not stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, settled, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

const EVENTS = [
  ['/ev/go', { cue: 'intro' }],
  ['/ev/bare', undefined], // emit without payload: the callback gets null
  ['/ev/num', 3.5],
  ['/ev/str', 'fire ✓'],
  ['/ev/arr', [1, 'two', null]],
  ['/ev/bytes', new Uint8Array([9, 8, 7])],
  ['/ev/go', { cue: 'outro' }], // same address again: events are not deduplicated
];

test('events reach other subscribers in order, with and without payload, but not the sender', async () => {
  const sender = await connectClient(ctx.url);
  const r1 = await connectClient(ctx.url);
  const r2 = await connectClient(ctx.url);
  const s1 = collect(r1, '/ev/**');
  const s2 = collect(r2, '/ev/*');
  const own = collect(sender, '/ev/**');
  await ready([sender, r1, r2], '/ev/ready');
  const base = [s1.seen.length, s2.seen.length, own.seen.length];

  const t0 = sender.time();
  for (const [a, p] of EVENTS) {
    if (p === undefined) sender.emit(a);
    else sender.emit(a, p);
  }
  const t1 = sender.time();
  await barrier(sender, [sender, r1, r2], '/ev/done');

  const expected = EVENTS.map(([a, p]) => ({ address: a, value: p === undefined ? null : p }));
  const got = (s, i) => s.seen.slice(base[i])
    .filter((e) => e.address !== '/ev/done' && e.address !== '/ev/ready')
    .map(({ address, value }) => ({ address, value }));
  assert.deepStrictEqual(got(s1, 0), expected, 'subscriber 1 (/ev/**)');
  assert.deepStrictEqual(got(s2, 1), expected, 'subscriber 2 (/ev/*)');
  assert.deepStrictEqual(got(own, 2), [], 'the sender does not receive its own events');

  // Delivered as PUBLISH events carrying a plausible server-clock timestamp (µs).
  const pubs = received(r1, 'PUBLISH', (m) => m.address.startsWith('/ev/'));
  assert.equal(pubs.length, EVENTS.length);
  for (const m of pubs) {
    assert.equal(m.signal, 'event', `signal of ${m.address}`);
    assert.equal(typeof m.timestamp, 'number', `timestamp of ${m.address}`);
    assert.ok(m.timestamp >= t0 - 5_000_000 && m.timestamp <= t1 + 5_000_000, `timestamp of ${m.address} near the emit (${m.timestamp}, emitted in [${t0}, ${t1}])`);
  }
  // Events do not touch the cache (they are not params).
  assert.equal(r1.cached('/ev/go'), undefined);
  // emit() uses QoS Confirm: each one is acknowledged (D-6).
  assert.equal(received(sender, 'ACK', (m) => ['/ev/go', '/ev/bare', '/ev/num'].includes(m.address)).length, 4);
  assert.equal(sender.getLastError(), null);
});

test('events are not stored: a later subscriber gets no snapshot of them', async () => {
  const sender = await connectClient(ctx.url);
  sender.emit('/ev2/once', 'x');
  sender.set('/ev2/param', 'p');
  await waitFor(() => received(sender, 'ACK', (m) => m.address === '/ev2/param').length === 1, 5_000, 'ACK of the param');

  const late = await connectClient(ctx.url);
  await settled(late);
  const sub = collect(late, '/ev2/**');
  await barrier(late, [late], '/ev2/zz-late'); // the SUBSCRIBE answer comes before this echo
  const addresses = new Set(sub.addresses().filter((a) => a !== '/ev2/zz-late'));
  assert.deepEqual([...addresses], ['/ev2/param'], 'only the param is in the state');
});
