// stream(): Fire-QoS samples reach subscribers in order (well under the slow-consumer
// limit nothing may be dropped), keep their value type, are not acknowledged, not echoed
// and not stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, settled, useRelay } from './helpers.mjs';

const ctx = useRelay();

test('stream samples arrive in order at every subscriber, never at the sender', async () => {
  const sender = await connectClient(ctx.url);
  const r1 = await connectClient(ctx.url);
  const r2 = await connectClient(ctx.url);
  const s1 = collect(r1, '/st/**');
  const s2 = collect(r2, '/st/x');
  collect(r2, '/st/done');
  const own = collect(sender, '/st/**');
  await ready([sender, r1, r2], '/st/done');

  const samples = Array.from({ length: 300 }, (_, i) => i / 10 - 5);
  for (const v of samples) sender.stream('/st/x', v);
  await barrier(sender, [sender, r1, r2], '/st/done');

  assert.deepStrictEqual(s1.values('/st/x'), samples, 'subscriber 1 got all samples in order');
  assert.deepStrictEqual(s2.values('/st/x'), samples, 'subscriber 2 got all samples in order');
  assert.deepEqual(own.values('/st/x'), [], 'the sender does not get its own samples');
  const pubs = received(r1, 'PUBLISH', (m) => m.address === '/st/x');
  assert.ok(pubs.every((m) => m.signal === 'stream'), 'delivered as stream PUBLISH');
  assert.equal(received(sender, 'ACK', (m) => m.address === '/st/x').length, 0, 'Fire QoS: no ACK');
  assert.equal(r1.cached('/st/x'), undefined, 'streams do not fill the cache');
});

test('stream values of every type arrive unchanged (arrays stay arrays)', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/st2/**');
  await ready([reader], '/st2/ready');
  const values = [[1, 2], { x: 1, y: [2, 3] }, 'abc ✓', true, false, null, new Uint8Array([1, 2]), -0.25, [], {}];
  values.forEach((v) => sender.stream('/st2/v', v));
  await barrier(sender, [reader], '/st2/done');
  assert.deepStrictEqual(sub.values('/st2/v'), values);
});

test('a stream is not stored: a later subscriber gets nothing for it', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  collect(reader, '/st3/**');
  await ready([reader], '/st3/a-param');
  sender.stream('/st3/s', 1);
  await barrier(sender, [reader], '/st3/a-param');
  assert.equal(received(reader, 'PUBLISH', (m) => m.address === '/st3/s').length, 1);

  const late = await connectClient(ctx.url);
  await settled(late);
  const sub = collect(late, '/st3/**');
  await barrier(late, [late], '/st3/zz-late');
  assert.deepEqual([...new Set(sub.addresses().filter((a) => a !== '/st3/zz-late'))], ['/st3/a-param']);
});
