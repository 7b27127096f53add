// bundle(): set + emit members are applied atomically (all or nothing, delivered back to
// back); {at} in the future schedules the bundle on the relay's clock (D-9).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

test('a bundle of sets and an emit reaches subscribers completely, in order and back to back', async () => {
  const sender = await connectClient(ctx.url);
  const noisy = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const getter = await connectClient(ctx.url);
  const sub = collect(reader, '/bu/**');
  await ready([reader], '/bu/ready');

  // Another writer hammers a neighbouring address at the same time.
  for (let i = 0; i < 150; i++) noisy.set('/bu/noise', i);
  sender.bundle([{ set: ['/bu/x', 1] }, { set: ['/bu/y', 'two'] }, { emit: ['/bu/ev', { n: 3 }] }]);
  for (let i = 150; i < 300; i++) noisy.set('/bu/noise', i);

  await waitFor(() => sub.values('/bu/ev').length === 1 && sub.values('/bu/noise').length === 300, 5_000, 'bundle and noise');
  const order = sub.addresses().filter((a) => a !== '/bu/ready');
  const ix = order.indexOf('/bu/x');
  assert.deepEqual(order.slice(ix, ix + 3), ['/bu/x', '/bu/y', '/bu/ev'], 'bundle members delivered in order, nothing in between');
  assert.deepStrictEqual(sub.values('/bu/x'), [1]);
  assert.deepStrictEqual(sub.values('/bu/y'), ['two']);
  assert.deepStrictEqual(sub.values('/bu/ev'), [{ n: 3 }]);
  assert.deepStrictEqual(sub.values('/bu/noise'), Array.from({ length: 300 }, (_, i) => i));

  // One ACK for the accepted bundle, carrying the revision of its last SET.
  await waitFor(() => received(sender, 'ACK', (m) => m.address === undefined).length === 1, 5_000, 'the bundle ACK');
  assert.equal(received(sender, 'ACK', (m) => m.address === undefined)[0].revision, 1);
  assert.equal(await getter.get('/bu/x'), 1);
  assert.equal(await getter.get('/bu/y'), 'two');
  assert.equal(sender.getLastError(), null);
});

test('a bundle with one invalid member is rejected whole: ERROR, nothing applied', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/bu2/**');
  collect(sender, '/bu2/**');
  await ready([reader, sender], '/bu2/ready');

  sender.bundle([{ set: ['/bu2/ok', 1] }, { emit: ['/bu2/ev', 1] }, { set: ['/bu2//bad', 2] }]);
  await barrier(sender, [reader, sender], '/bu2/done');

  const err = sender.getLastError();
  assert.ok(err, 'the sender got an ERROR');
  assert.equal(err.code, 200, `invalid address -> ERROR 200 (${err.code} ${err.message})`);
  assert.equal(err.address, '/bu2//bad');
  assert.deepEqual(sub.addresses().filter((a) => a !== '/bu2/ready' && a !== '/bu2/done'), [], 'no member was applied or delivered');
  assert.equal(received(sender, 'ACK', (m) => m.address === undefined).length, 0, 'no ACK for a rejected bundle');
});

test('a bundle scheduled 300 ms ahead ({at}) runs after an immediate message, not before its time', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/bs/**');
  await ready([reader], '/bs/ready');

  const sentAt = performance.now();
  sender.bundle([{ set: ['/bs/x', 'later'] }, { emit: ['/bs/ev', 'later'] }], { at: sender.time() + 300_000 });
  sender.set('/bs/marker', 'now');
  await waitFor(() => sub.values('/bs/ev').length === 1, 5_000, 'the scheduled bundle');
  const arrivedAfter = (a) => sub.seen.find((e) => e.address === a).at - sentAt;

  const order = sub.addresses().filter((a) => a !== '/bs/ready');
  assert.deepEqual(order, ['/bs/marker', '/bs/x', '/bs/ev'], 'the immediate SET first, then the bundle members');
  assert.ok(arrivedAfter('/bs/x') >= 200, `not delivered before ~300 ms (arrived after ${arrivedAfter('/bs/x').toFixed(1)} ms)`);
  assert.deepStrictEqual(sub.values('/bs/x'), ['later']);
  assert.deepStrictEqual(sub.values('/bs/ev'), ['later']);
  assert.equal(sender.getLastError(), null);
});

test('a bundle with {at} in the past runs at once (before a later immediate message)', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/bp/**');
  await ready([reader], '/bp/ready');

  sender.bundle([{ set: ['/bp/x', 'past'] }], { at: sender.time() - 1_000_000 });
  sender.set('/bp/marker', 'after');
  await waitFor(() => sub.values('/bp/marker').length === 1, 5_000, 'the marker');
  assert.deepEqual(sub.addresses().filter((a) => a !== '/bp/ready'), ['/bp/x', '/bp/marker']);
  assert.equal(sender.getLastError(), null);
});
