// gesture(): start, moves and end reach another client in order, with gestureId and phase
// in the callback value. The relay may coalesce MOVEs (D-13: newest MOVE per gesture,
// flushed at least every 16 ms, always before the END), so the receiver sees an ordered
// subset of the moves that ends with the last one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, useRelay, waitFor } from './helpers.mjs';

const ctx = useRelay();

function checkGesture(events, id, lastMoveX, endPayload) {
  const mine = events.filter((v) => v.gestureId === id);
  assert.ok(mine.length >= 2, `gesture ${id}: at least start and end arrived`);
  assert.deepStrictEqual(mine[0], { x: 0, y: 0, phase: 'start', gestureId: id }, `gesture ${id}: first is START`);
  assert.deepStrictEqual(mine.at(-1), { ...endPayload, phase: 'end', gestureId: id }, `gesture ${id}: last is END`);
  const moves = mine.slice(1, -1);
  assert.ok(moves.length >= 1, `gesture ${id}: at least one MOVE arrived`);
  for (const m of moves) {
    assert.equal(m.phase, 'move', `gesture ${id}: only MOVEs between START and END`);
    assert.deepStrictEqual(m, { x: m.x, y: -m.x, phase: 'move', gestureId: id }, `gesture ${id}: move payload intact`);
  }
  for (let i = 1; i < moves.length; i++) {
    assert.ok(moves[i].x > moves[i - 1].x, `gesture ${id}: moves in order (${moves.map((m) => m.x)})`);
  }
  assert.equal(moves.at(-1).x, lastMoveX, `gesture ${id}: the last MOVE is delivered before END`);
}

test('gesture start, moves and end arrive in order at another client', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/g/**');
  const own = collect(sender, '/g/**');
  await ready([reader, sender], '/g/ready');

  const M = 40;
  sender.gesture('/g/touch', 7, 'start', { x: 0, y: 0 });
  sender.gesture('/g/pen', 8, 'start', { x: 0, y: 0 });
  for (let i = 1; i <= M; i++) {
    sender.gesture('/g/touch', 7, 'move', { x: i, y: -i });
    sender.gesture('/g/pen', 8, 'move', { x: i * 2, y: -i * 2 });
  }
  sender.gesture('/g/touch', 7, 'end', { x: M + 1, y: -(M + 1) });
  sender.gesture('/g/pen', 8, 'end', { x: 999, y: -999 });
  sender.gesture('/g/cancelled', 9, 'start');
  sender.gesture('/g/cancelled', 9, 'cancel');

  await waitFor(
    () => [7, 8].every((id) => sub.seen.some((e) => e.value?.gestureId === id && e.value.phase === 'end'))
      && sub.seen.some((e) => e.value?.gestureId === 9 && e.value.phase === 'cancel'),
    5_000,
    'END of gestures 7 and 8 and CANCEL of gesture 9',
  );
  const values = (a) => sub.values(a);
  checkGesture(values('/g/touch'), 7, M, { x: M + 1, y: -(M + 1) });
  checkGesture(values('/g/pen'), 8, 2 * M, { x: 999, y: -999 });
  // Without payload the callback value is just {phase, gestureId}.
  assert.deepStrictEqual(values('/g/cancelled'), [
    { phase: 'start', gestureId: 9 },
    { phase: 'cancel', gestureId: 9 },
  ]);
  const pubs = received(reader, 'PUBLISH', (m) => m.address.startsWith('/g/') && m.signal !== undefined);
  assert.ok(pubs.every((m) => m.signal === 'gesture'), 'delivered as gesture PUBLISH');

  await barrier(sender, [reader, sender], '/g/done');
  assert.deepEqual(own.seen.filter((e) => e.address !== '/g/ready' && e.address !== '/g/done'), [], 'no gesture echo to the sender');
});

test('moves keep flowing while the gesture is active (coalescing is not a debounce)', async () => {
  const sender = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const sub = collect(reader, '/g2/**');
  await ready([reader], '/g2/ready');

  sender.gesture('/g2/t', 21, 'start', { x: 0, y: 0 });
  let x = 0;
  // A continuous stream of moves, one every 4 ms, until the first MOVE has come through.
  const timer = setInterval(() => { x += 1; sender.gesture('/g2/t', 21, 'move', { x, y: -x }); }, 4);
  try {
    await waitFor(() => sub.seen.some((e) => e.value?.phase === 'move'), 3_000, 'a MOVE delivered while moves keep coming');
  } finally {
    clearInterval(timer);
  }
  sender.gesture('/g2/t', 21, 'end', { x: x + 1, y: -(x + 1) });
  await waitFor(() => sub.seen.some((e) => e.value?.phase === 'end'), 5_000, 'END');
  checkGesture(sub.values('/g2/t'), 21, x, { x: x + 1, y: -(x + 1) });
});
