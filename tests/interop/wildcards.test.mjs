// `*` and `**` subscriptions. Two matchers are involved: the relay's (D-1: `*` one
// segment, `**` zero or more, so `/w/**` matches `/w`) decides what is sent, then the
// client's own regex (`*` -> [^/]+, `**` -> .*) decides which callbacks run. So `/w/**`
// never calls back for `/w`, `*` never matches an empty segment, and `/w/**/z` calls back
// for `/w/a/z`. Each client receives one copy per message however many of its
// subscriptions match (D-7).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barrier, collect, connectClient, ready, received, useRelay } from './helpers.mjs';

const ctx = useRelay();

const ADDRESSES = ['/w', '/w/a', '/w/z', '/w/a/b', '/w/a/z', '/w/a/b/z', '/wx/a', '/z/zone51', '/z/zone5x', '/z/zone4', '/z/zone5/x'];
const MARK = '/mark/wild';

// Expected callbacks, from the client's regex (and within what D-1 lets the relay send).
const EXPECTED = {
  '/w/*': ['/w/a', '/w/z'],
  '/w/**': ['/w/a', '/w/z', '/w/a/b', '/w/a/z', '/w/a/b/z'],
  '/w/*/z': ['/w/a/z'],
  '/w/**/z': ['/w/a/z', '/w/a/b/z'],
  '/*/a': ['/w/a', '/wx/a'],
  '/w': ['/w'],
  '/w/a/b/z': ['/w/a/b/z'],
  '/z/zone5*': ['/z/zone51', '/z/zone5x'],
  '/**': ADDRESSES,
};

test('wildcard subscriptions call back for exactly the matching addresses, once each', async () => {
  const writer = await connectClient(ctx.url);
  const reader = await connectClient(ctx.url);
  const subs = Object.keys(EXPECTED).map((p) => collect(reader, p));
  collect(reader, MARK);
  await ready([reader], MARK);
  const base = new Map(subs.map((s) => [s.pattern, s.seen.length]));

  ADDRESSES.forEach((a, i) => writer.set(a, i));
  await barrier(writer, [reader], MARK);

  for (const s of subs) {
    const got = s.seen.slice(base.get(s.pattern)).map((e) => e.address).filter((a) => a !== MARK);
    assert.deepEqual(got, EXPECTED[s.pattern], `callbacks for pattern ${s.pattern}`);
  }
  // One copy per message although up to five subscriptions match.
  for (const a of ADDRESSES) {
    const copies = received(reader, 'SET', (m) => m.address === a).length;
    assert.equal(copies, 1, `${a} delivered once to a client with overlapping subscriptions`);
  }
  ADDRESSES.forEach((a, i) => assert.equal(reader.cached(a), i, `cached(${a})`));
});

test('the relay routes by D-1: `/p/**` includes `/p`, `*` is exactly one segment', async () => {
  const writer = await connectClient(ctx.url);
  const deep = await connectClient(ctx.url);
  const single = await connectClient(ctx.url);
  const deepSub = collect(deep, '/p/**');
  collect(single, '/p/*');
  collect(deep, MARK);
  collect(single, MARK);
  await ready([deep, single], MARK);

  for (const a of ['/p', '/p/a', '/p/a/b', '/px']) writer.set(a, a);
  await barrier(writer, [deep, single], MARK);

  const sentTo = (c) => received(c, 'SET', (m) => m.address.startsWith('/p')).map((m) => m.address);
  assert.deepEqual(sentTo(deep), ['/p', '/p/a', '/p/a/b'], 'relay sends /p, /p/a, /p/a/b for /p/**');
  assert.deepEqual(sentTo(single), ['/p/a'], 'relay sends only /p/a for /p/*');
  // The client receives /p (fills its cache) but its regex never calls back for it.
  assert.equal(deep.cached('/p'), '/p');
  assert.deepEqual(deepSub.addresses(), ['/p/a', '/p/a/b']);
});
