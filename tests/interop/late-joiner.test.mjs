// A client that connects after values were set: the SNAPSHOT after WELCOME fills its
// cache (so get() answers without asking), and subscribing calls back for existing values
// (SNAPSHOT entries carry revision, writer and timestamp as `meta`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connectClient, received, useRelay, waitFor, waitForAcks } from './helpers.mjs';

const ctx = useRelay();

const STATE = [
  ['/lj/a', 1],
  ['/lj/b', { k: 'v', n: [1, 2] }],
  ['/lj/c', null],
  ['/lj/d/deep', 'deep ✓'],
  ['/other/x', true],
];

test('late joiner: snapshot after WELCOME fills cached() and get(); subscribe calls back for existing values', async () => {
  const writer = await connectClient(ctx.url);
  for (const [a, v] of STATE) writer.set(a, v);
  await waitForAcks(writer, STATE.length);
  const tWrite = writer.time();

  const late = await connectClient(ctx.url);
  await waitFor(() => STATE.every(([a]) => late.cached(a) !== undefined), 5_000, 'the snapshot after WELCOME');
  for (const [a, v] of STATE) assert.deepStrictEqual(late.cached(a), v, `cached(${a})`);
  for (const [a, v] of STATE) assert.deepStrictEqual(await late.get(a), v, `get(${a})`);
  assert.equal(late.tx.filter((t) => t.message.type === 'GET').length, 0, 'get() answered from the snapshot, no GET sent');

  // Subscribing: the relay answers with the current matching values (SNAPSHOT), which
  // call back with meta; /lj/* matches /lj/a, /lj/b, /lj/c only.
  const snapsBefore = received(late, 'SNAPSHOT').length;
  const sub = collect(late, '/lj/*');
  await waitFor(() => sub.seen.length >= 3, 5_000, 'callbacks for the 3 existing values matching /lj/*');
  assert.deepEqual(sub.addresses().sort(), ['/lj/a', '/lj/b', '/lj/c']);
  for (const e of sub.seen) {
    const expected = STATE.find(([a]) => a === e.address)[1];
    assert.deepStrictEqual(e.value, expected, `value for ${e.address}`);
    assert.ok(e.meta, `meta for ${e.address} (the relay answered SUBSCRIBE with a SNAPSHOT)`);
    assert.equal(e.meta.address, e.address);
    assert.equal(e.meta.revision, 1, `revision of ${e.address}`);
    assert.equal(e.meta.writer, writer.session, `writer of ${e.address}`);
    assert.equal(typeof e.meta.timestamp, 'number', `timestamp of ${e.address}`);
    assert.ok(Math.abs(e.meta.timestamp - tWrite) < 10_000_000, `timestamp of ${e.address} is server µs near the write (${e.meta.timestamp} vs ${tWrite})`);
  }
  assert.ok(received(late, 'SNAPSHOT').length > snapsBefore, 'a SNAPSHOT answered the SUBSCRIBE');

  // A subscription matching nothing yet stays silent until a value is set.
  const none = collect(late, '/lj/nothing/**');
  writer.set('/lj/nothing/x', 5);
  await waitFor(() => none.seen.length === 1, 5_000, 'live update after an empty subscribe');
  assert.deepEqual(none.values('/lj/nothing/x'), [5]);
});

test('a large state reaches a late joiner completely (split over several SNAPSHOTs)', async () => {
  const writer = await connectClient(ctx.url);
  const N = 1200;
  const BIG = 20;
  const bigValue = (i) => `${i}:`.padEnd(8000, 'x');
  for (let i = 0; i < N; i++) writer.set(`/big/n/${i}`, i);
  for (let i = 0; i < BIG; i++) writer.set(`/big/s/${i}`, bigValue(i)); // ~160 kB in total
  await waitForAcks(writer, N + BIG, (m) => m.address?.startsWith('/big/'), 15_000);

  const late = await connectClient(ctx.url);
  await waitFor(
    () => late.cached(`/big/n/${N - 1}`) !== undefined && late.cached(`/big/s/${BIG - 1}`) !== undefined
      && Array.from({ length: N }, (_, i) => i).every((i) => late.cached(`/big/n/${i}`) === i),
    10_000,
    `all ${N + BIG} params in the snapshot after WELCOME`,
  );
  for (let i = 0; i < BIG; i++) assert.equal(late.cached(`/big/s/${i}`), bigValue(i));
  const snaps = received(late, 'SNAPSHOT');
  assert.ok(snaps.length >= 2, `the snapshot was split (${snaps.length} SNAPSHOT messages)`);
  for (const s of snaps) assert.ok(s.params.length <= 800, `at most 800 params per SNAPSHOT (got ${s.params.length})`);

  // Same through a SUBSCRIBE answer.
  const sub = collect(late, '/big/**');
  await waitFor(() => sub.seen.length >= N + BIG, 10_000, 'callbacks for every existing /big/** param');
  assert.equal(new Set(sub.addresses()).size, N + BIG);
});
