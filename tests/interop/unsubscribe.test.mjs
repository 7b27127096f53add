// The function returned by subscribe()/on() unsubscribes. The client drops the callback
// locally at once, so these tests also check the relay stopped sending (client.rx).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, useRelay } from './helpers.mjs';

const ctx = useRelay();

test('unsubscribe stops callbacks and the relay stops sending', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/u/**');
  collect(reader, '/ubar/*');
  await ready([reader], '/ubar/1');

  writer.set('/u/x', 1);
  await barrier(writer, [reader], '/ubar/1');
  assert.deepEqual(sub.values('/u/x'), [1]);

  sub.unsubscribe();
  // The UNSUBSCRIBE is processed before this later message of the same session.
  await barrier(reader, [reader], '/ubar/2');
  writer.set('/u/x', 2);
  writer.emit('/u/ev', 'e');
  await barrier(writer, [reader], '/ubar/1');

  assert.deepEqual(sub.values('/u/x'), [1], 'no callback after unsubscribe');
  assert.deepEqual(received(reader, 'SET', (m) => m.address === '/u/x').map((m) => m.value), [1], 'relay sent no SET after UNSUBSCRIBE');
  assert.equal(received(reader, 'PUBLISH', (m) => m.address === '/u/ev').length, 0, 'relay sent no PUBLISH after UNSUBSCRIBE');
  assert.equal(reader.cached('/u/x'), 1, 'the cache is no longer updated either');
});

test('unsubscribing one of two overlapping subscriptions keeps the other', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const narrow = collect(reader, '/u2/*');
  const wide = reader.on('/u2/**', () => {}); // on() is subscribe()
  const wideSeen = collect(reader, '/u2/**');
  await ready([reader], '/u2/mark');

  wide(); // unsubscribe one of the two identical /u2/** subscriptions
  narrow.unsubscribe();
  await barrier(reader, [reader], '/u2/mark');
  writer.set('/u2/a', 'a');
  writer.set('/u2/a/b', 'ab');
  await barrier(writer, [reader], '/u2/mark');

  assert.deepEqual(narrow.values('/u2/a'), []);
  assert.deepEqual(wideSeen.values('/u2/a'), ['a']);
  assert.deepEqual(wideSeen.values('/u2/a/b'), ['ab']);
  assert.equal(received(reader, 'SET', (m) => m.address === '/u2/a').length, 1, 'one copy');
});

test('subscribing again after unsubscribe works (new subscription id)', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const first = collect(reader, '/u3/**');
  await ready([reader], '/u3/mark');
  first.unsubscribe();
  const second = collect(reader, '/u3/**');
  await barrier(reader, [reader], '/u3/mark'); // subscribed again
  writer.set('/u3/x', 'again');
  await barrier(writer, [reader], '/u3/mark');
  assert.deepEqual(second.values('/u3/x'), ['again']);
  assert.deepEqual(first.values('/u3/x'), []);
  const ids = reader.tx.filter((t) => t.message.type === 'SUBSCRIBE').map((t) => t.message.id);
  assert.equal(new Set(ids).size, ids.length, 'subscription ids are never reused');
});
