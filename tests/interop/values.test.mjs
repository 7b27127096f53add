// set()/get() of every value type the client can send, read back by a second client
// through a subscription callback and through get() (a real GET answered by SNAPSHOT),
// plus the writer's echo and ACK.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  barrier, collect, connectClient, encodeMessageBinary, payloads, ready, received, tapRawFrames, useRelay, waitFor, waitForAcks,
} from './helpers.mjs';

const ctx = useRelay();

// Every JS number goes out as F64 (0x07); the relay must not narrow it.
const CASES = [
  ['int', 42],
  ['negative', -7],
  ['fraction', 0.5],
  ['zero', 0],
  ['negative-zero', -0],
  ['pow2-40', 2 ** 40],
  ['max-safe-int', Number.MAX_SAFE_INTEGER],
  ['huge', 1e300],
  ['pi', Math.PI],
  ['denormal', 5e-324],
  ['true', true],
  ['false', false],
  ['ascii', 'hello'],
  ['non-ascii', 'hé ✓ 日本 🎛'],
  ['empty-string', ''],
  ['null', null],
  ['bytes', new Uint8Array([1, 2, 255])],
  ['empty-bytes', new Uint8Array(0)],
  ['array', [1, 'two', true]],
  ['empty-array', []],
  ['nested-array', [[1, [2, []]], null, 'x', new Uint8Array([7])]],
  ['object', { x: 1, y: { z: 'q', w: [2] } }],
  ['empty-object', {}],
  ['object-mixed', { 'clé ✓': 'valeur', bytes: new Uint8Array([0, 1]), n: null, f: false, list: [{ a: 1.25 }, {}] }],
];

const addr = (name) => `/types/${name}`;

function containsMap(v) {
  if (Array.isArray(v)) return v.some(containsMap);
  return v !== null && typeof v === 'object' && !(v instanceof Uint8Array);
}

test('every value type round-trips to a subscriber, through GET, and echoes to its writer', async () => {
  const writer = await connectClient(ctx.url);
  const subscriber = await connectClient(ctx.url);
  const getter = await connectClient(ctx.url); // never subscribes: its get() must ask the relay
  const fromSub = collect(subscriber, '/types/**');
  const fromEcho = collect(writer, '/types/**');
  await ready([subscriber, writer], '/types/ready');
  const raw = tapRawFrames(subscriber);

  for (const [name, value] of CASES) writer.set(addr(name), value);

  await waitFor(
    () => CASES.every(([name]) => fromSub.values(addr(name)).length === 1),
    5_000,
    'one callback per value at the subscriber',
  );
  await waitFor(() => CASES.every(([name]) => fromEcho.values(addr(name)).length === 1), 5_000, 'the writer echo');

  for (const [name, value] of CASES) {
    assert.deepStrictEqual(fromSub.values(addr(name)), [value], `subscriber callback for ${name}`);
    assert.deepStrictEqual(fromEcho.values(addr(name)), [value], `writer echo for ${name}`);
    assert.deepStrictEqual(subscriber.cached(addr(name)), value, `subscriber cached() for ${name}`);
  }

  // Each SET is acknowledged with its address and a revision (first write: 1).
  await waitForAcks(writer, CASES.length, (m) => m.address?.startsWith('/types/') && m.address !== '/types/ready');
  for (const [name] of CASES) {
    const ack = received(writer, 'ACK', (m) => m.address === addr(name))[0];
    assert.ok(ack, `ACK for ${name}`);
    assert.equal(ack.revision, 1, `ACK revision for ${name}`);
  }

  // On the wire: the fan-out is a SET carrying exactly the bytes of the value the client
  // wrote (same type code, F64 stays F64). Values with maps are compared after decoding
  // only, since a relay may legitimately reorder map keys.
  const sets = payloads(raw).filter((p) => p[0] === 0x21);
  for (const [name, value] of CASES) {
    if (containsMap(value)) continue;
    const sent = encodeMessageBinary({ type: 'SET', address: addr(name), value });
    const addrLen = (sent[2] << 8) | sent[3];
    const match = sets.find((p) => p.length >= sent.length
      && Buffer.from(p.subarray(2, 4 + addrLen)).equals(Buffer.from(sent.subarray(2, 4 + addrLen))));
    assert.ok(match, `a plain SET frame for ${addr(name)} reached the subscriber`);
    assert.equal(match[1] & 0x0f, sent[1] & 0x0f, `value type code for ${name}`);
    assert.deepEqual(
      [...match.subarray(4 + addrLen, sent.length)],
      [...sent.subarray(4 + addrLen)],
      `value bytes for ${name} are unchanged`,
    );
  }

  // get() from a client that has nothing cached sends GET; the relay answers with a
  // SNAPSHOT entry for the address (the only answer that resolves the client's get()).
  for (const [name] of CASES) assert.equal(getter.cached(addr(name)), undefined);
  const results = await Promise.all(CASES.map(([name]) => getter.get(addr(name))));
  CASES.forEach(([name, value], i) => assert.deepStrictEqual(results[i], value, `get() of ${name}`));
  const gets = getter.tx.filter((t) => t.message.type === 'GET').map((t) => t.message.address);
  assert.deepEqual(gets.sort(), CASES.map(([name]) => addr(name)).sort(), 'each get() went to the relay');
  for (const [name] of CASES) {
    const entry = received(getter, 'SNAPSHOT').flatMap((s) => s.params).find((p) => p.address === addr(name));
    assert.equal(entry.revision, 1, `revision in the GET answer for ${name}`);
    assert.equal(entry.writer, writer.session, `writer in the GET answer for ${name}`);
  }
  assert.equal(writer.getLastError(), null);
  assert.equal(getter.getLastError(), null);
});

test('a writer that is also a subscriber gets its echo before its ACK', async () => {
  const w = await connectClient(ctx.url);
  collect(w, '/echo-order/*');
  await barrier(w, [w], '/echo-order/ready');
  w.set('/echo-order/x', 1);
  await waitForAcks(w, 1, (m) => m.address === '/echo-order/x');
  const iSet = w.rx.findIndex((m) => m.type === 'SET' && m.address === '/echo-order/x');
  const iAck = w.rx.findIndex((m) => m.type === 'ACK' && m.address === '/echo-order/x');
  assert.ok(iSet >= 0, 'echo received');
  assert.ok(iSet < iAck, 'echo SET arrives before the ACK');
});

test('one address changing type and value: every update arrives in order, revisions grow', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const seen = collect(reader, '/types/morph');
  await barrier(reader, [reader], '/types/morph'); // also the first write (a string)
  const sequence = [1, 'one', [1], { one: 1 }, new Uint8Array([1]), true, null, 1.5];
  for (const v of sequence) writer.set('/types/morph', v);
  await waitFor(() => seen.seen.length === sequence.length + 1, 5_000, 'all updates');
  assert.deepStrictEqual(seen.values('/types/morph').slice(1), sequence);
  const revisions = received(reader, 'SET', (m) => m.address === '/types/morph').map((m) => m.revision);
  for (let i = 1; i < revisions.length; i++) {
    assert.ok(revisions[i] > revisions[i - 1], `revisions strictly increase: ${revisions}`);
  }
  const fresh = await connectClient(ctx.url);
  assert.equal(await fresh.get('/types/morph'), 1.5);
});

test('non-finite numbers are either delivered unchanged or refused with an ERROR', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const seen = collect(reader, '/types/nonfinite/*');
  collect(writer, '/types/nonfinite/*');
  await ready([reader, writer], '/types/nonfinite/ready');
  const cases = [['nan', NaN], ['inf', Infinity], ['neg-inf', -Infinity]];
  for (const [name, v] of cases) writer.set(`/types/nonfinite/${name}`, v);
  await barrier(writer, [reader, writer], '/types/nonfinite/done');
  for (const [name, v] of cases) {
    const a = `/types/nonfinite/${name}`;
    const got = seen.values(a);
    const ack = received(writer, 'ACK', (m) => m.address === a).length;
    const err = received(writer, 'ERROR', (m) => m.address === a).length;
    if (got.length > 0) {
      assert.deepStrictEqual(got, [v], `${name} is delivered unchanged`);
      assert.equal(ack, 1, `${name} accepted with an ACK`);
    } else {
      assert.equal(err, 1, `${name} not delivered, so the writer must get an ERROR`);
    }
  }
});
