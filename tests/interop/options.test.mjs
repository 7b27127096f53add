// Subscription options (D-12) as the JS client sends them: maxRate keeps only the
// newest value per address between deliveries (latest value wins, nothing stale is
// left behind), epsilon suppresses numeric changes smaller than the threshold.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collect, connectClient, ready, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

test('maxRate: a burst of 200 SETs reaches a maxRate 10 subscriber thinned out, ending on the last value', async () => {
  const writer = await connectClient(ctx.url);
  const slow = await connectClient(ctx.url);
  const full = await connectClient(ctx.url);
  const s = collect(slow, '/rate/**', { maxRate: 10 });
  const f = collect(full, '/rate/**');
  await ready([slow, full], '/rate/ready');

  for (let i = 1; i <= 200; i += 1) writer.set('/rate/x', i);
  // The unthrottled subscriber sees every value; the throttled one must end on 200.
  await waitFor(() => f.values('/rate/x').length === 200, 10_000, 'all 200 values at the plain subscriber');
  await waitFor(() => s.values('/rate/x').at(-1) === 200, 10_000, 'the last value at the maxRate subscriber');

  const got = s.values('/rate/x');
  assert.ok(got.length < 20, `maxRate 10 thins a burst of 200 (got ${got.length} values)`);
  for (let i = 1; i < got.length; i += 1) assert.ok(got[i] > got[i - 1], 'values only move forward');
});

test('epsilon: changes smaller than epsilon are suppressed, larger ones delivered', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const r = collect(reader, '/eps/**', { epsilon: 0.5 });
  await ready([reader], '/eps/ready');

  const sent = [0, 0.1, 0.2, 0.3, 0.6, 0.7, 1.2, 1.25, 3];
  for (const v of sent) writer.set('/eps/v', v);
  writer.set('/eps/done', 'yes');  // a non-numeric marker on another address
  await waitFor(() => r.values('/eps/done').length === 1, 5_000, 'the marker');
  // Compared with the last value delivered: 0 -> 0.6 -> 1.2 -> 3.
  assert.deepStrictEqual(r.values('/eps/v'), [0, 0.6, 1.2, 3]);
});
