// 50 clients x 200 sets each: a subscriber receives every value, in order per writer,
// nothing lost, on per-writer addresses and on one shared address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

const WRITERS = 50;
const SETS = 200;
const TIMEOUT = 30_000;

let writers = [];
let subscriber;

function ackCounter(client, prefix) {
  let n = 0;
  const handle = client.handleMessage;
  client.handleMessage = function (m) {
    if (m.type === 'ACK' && m.address?.startsWith(prefix)) n++;
    return handle.call(this, m);
  };
  return () => n;
}

test('setup: 50 writers and a subscriber connect', async () => {
  writers = await Promise.all(Array.from({ length: WRITERS }, (_, i) => connectClient(ctx.url, { name: `writer-${i}` })));
  subscriber = await connectClient(ctx.url, { name: 'subscriber' });
  assert.equal(new Set(writers.map((w) => w.session)).size, WRITERS);
});

test('50 writers x 200 sets to their own address: all received, in order', async (t) => {
  const perAddress = new Map();
  const revisions = new Map();
  let total = 0;
  subscriber.subscribe('/load/own/*', (value, address) => {
    let list = perAddress.get(address);
    if (!list) perAddress.set(address, (list = []));
    list.push(value);
    total++;
  });
  collect(subscriber, '/load/mark');
  // Track revisions as they arrive (the SET's revision is not exposed to callbacks).
  const handle = subscriber.handleMessage;
  subscriber.handleMessage = function (m) {
    if (m.type === 'SET' && m.address.startsWith('/load/own/')) {
      const r = revisions.get(m.address) ?? [];
      r.push(m.revision);
      revisions.set(m.address, r);
    }
    return handle.call(this, m);
  };
  await barrier(subscriber, [subscriber], '/load/mark');
  const acks = writers.map((w) => ackCounter(w, '/load/own/'));

  const started = performance.now();
  for (let k = 0; k < SETS; k++) {
    for (let i = 0; i < WRITERS; i++) writers[i].set(`/load/own/${i}`, k);
  }
  await waitFor(() => total >= WRITERS * SETS, TIMEOUT, `${WRITERS * SETS} deliveries (have ${total})`);
  const elapsed = performance.now() - started;

  const expected = Array.from({ length: SETS }, (_, k) => k);
  for (let i = 0; i < WRITERS; i++) {
    const a = `/load/own/${i}`;
    assert.deepStrictEqual(perAddress.get(a), expected, `values of ${a} all present, in order`);
    const revs = revisions.get(a);
    for (let j = 1; j < revs.length; j++) assert.ok(revs[j] > revs[j - 1], `${a}: revisions increase`);
  }
  assert.equal(total, WRITERS * SETS, 'no extra deliveries');
  await waitFor(() => acks.every((n) => n() >= SETS), TIMEOUT, 'every SET acknowledged');
  assert.ok(acks.every((n) => n() === SETS), 'exactly one ACK per SET');
  t.diagnostic(`${WRITERS * SETS} sets fanned out in ${elapsed.toFixed(0)} ms`);
});

test('50 writers x 200 sets to one shared address: per-writer order kept, nothing lost', async () => {
  const perWriter = Array.from({ length: WRITERS }, () => []);
  const revisions = [];
  let total = 0;
  subscriber.subscribe('/load/shared', (value) => {
    perWriter[value[0]].push(value[1]);
    total++;
  });
  const handle = subscriber.handleMessage;
  subscriber.handleMessage = function (m) {
    if (m.type === 'SET' && m.address === '/load/shared') revisions.push(m.revision);
    return handle.call(this, m);
  };
  await barrier(subscriber, [subscriber], '/load/mark');

  for (let k = 0; k < SETS; k++) {
    for (let i = 0; i < WRITERS; i++) writers[i].set('/load/shared', [i, k]);
  }
  await waitFor(() => total >= WRITERS * SETS, TIMEOUT, `${WRITERS * SETS} deliveries (have ${total})`);

  const expected = Array.from({ length: SETS }, (_, k) => k);
  perWriter.forEach((got, i) => assert.deepStrictEqual(got, expected, `writer ${i}: all values, in order`));
  assert.equal(total, WRITERS * SETS);
  for (let j = 1; j < revisions.length; j++) {
    assert.ok(revisions[j] > revisions[j - 1], `revisions of /load/shared arrive increasing (index ${j}: ${revisions[j - 1]} then ${revisions[j]})`);
  }
  assert.equal(revisions.length, WRITERS * SETS);

  // The subscriber's cache ends on the relay's current value, which a late joiner sees.
  const late = await connectClient(ctx.url);
  await waitFor(() => late.cached('/load/shared') !== undefined, 5_000, 'late joiner snapshot');
  assert.deepStrictEqual(late.cached('/load/shared'), subscriber.cached('/load/shared'));
});
