// Connection lifecycle: WELCOME, session id, subprotocol, server time, initial SNAPSHOT,
// close(), and what a client sees when the relay shuts down.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Clasp, UUID_V4_RE, barrier, collect, connectClient, count, newClient, received, startRelay, useRelay, waitFor,
} from './helpers.mjs';

const ctx = useRelay();

test('connect() resolves on WELCOME; a SNAPSHOT (empty on a fresh relay) follows', async () => {
  const c = newClient(ctx.url);
  await c.connect();
  assert.equal(c.connected, true);
  assert.equal(c.rx[0]?.type, 'WELCOME', 'the first message is WELCOME');
  const snap = await waitFor(() => received(c, 'SNAPSHOT')[0], 5_000, 'the SNAPSHOT after WELCOME');
  assert.deepEqual(snap.params, [], 'nothing was set yet, so the snapshot is empty');
  assert.equal(count(c, 'connect'), 1, 'onConnect fired once');
});

test('session id is a 36-character UUID v4, different for every connection', async () => {
  const a = await connectClient(ctx.url);
  const b = await connectClient(ctx.url);
  for (const c of [a, b]) {
    assert.equal(typeof c.session, 'string');
    assert.equal(c.session.length, 36);
    assert.match(c.session, UUID_V4_RE);
  }
  assert.notEqual(a.session, b.session);
});

test('the relay selects the "clasp" WebSocket subprotocol', async () => {
  const c = await connectClient(ctx.url);
  assert.equal(c.ws.protocol, 'clasp');
});

test('WELCOME time is the server clock in microseconds (client.time() ~ now)', async () => {
  const c = await connectClient(ctx.url);
  const t = c.time();
  assert.ok(Number.isSafeInteger(t), `client.time() is an integer number of µs (got ${t})`);
  const drift = Math.abs(t - Date.now() * 1000);
  assert.ok(drift < 2_000_000, `server time is within 2 s of local time on the same host (drift ${drift} µs)`);
});

test('non-default client options (name, token, all five features) are accepted', async () => {
  const c = await connectClient(ctx.url, {
    name: 'interop åäö',
    token: 'ignored-in-open-mode',
    features: ['param', 'event', 'stream', 'gesture', 'timeline'],
  });
  assert.match(c.session, UUID_V4_RE);
  // The session is usable: it gets its own echo.
  collect(c, '/connect/opts/**');
  await barrier(c, [c], '/connect/opts/probe');
  assert.equal(c.getLastError(), null);
});

test('the Builder API connects too', async () => {
  const builder = Clasp.builder(ctx.url).withName('built').withReconnect(false);
  const c = await builder.connect();
  try {
    assert.equal(c.connected, true);
    assert.match(c.session, UUID_V4_RE);
  } finally {
    c.close();
  }
});

test('close() ends the session cleanly and leaves other clients working', async () => {
  const a = await connectClient(ctx.url);
  const b = await connectClient(ctx.url);
  const before = count(a, 'disconnect');
  a.close();
  assert.equal(a.connected, false);
  await waitFor(() => count(a, 'disconnect') > before, 5_000, 'onDisconnect after close() (close handshake answered)');
  collect(b, '/connect/after-close/**');
  await barrier(b, [b], '/connect/after-close/probe');
  assert.equal(b.connected, true);
});

test('graceful drain (D-25): ERROR 501 "shutting down", no new connections, exit 0 once the clients left', async () => {
  const relay = await startRelay(['--drain-timeout', '60']);
  const c = await connectClient(relay.url);
  relay.child.kill('SIGTERM');
  const err = await waitFor(() => received(c, 'ERROR').find((m) => m.code === 501), 5_000, 'ERROR 501 after SIGTERM');
  assert.equal(err.message, 'shutting down');
  assert.equal(c.connected, true, 'the drain leaves the client connected until it goes');
  // The listener closed before the notice went out.
  const late = newClient(relay.url);
  await assert.rejects(late.connect(), 'a connection during the drain is refused');
  c.close();
  // Well before the 60 s drain timeout: the relay ends because its last client left.
  const status = await relay.waitExit(10_000);
  assert.deepEqual(status, { code: 0, signal: null });
});

test('drain timeout (D-25): a client that stays is closed with 1001 when the timeout ends, exit 0', async () => {
  const relay = await startRelay(['--drain-timeout', '1']);
  const c = await connectClient(relay.url);
  const before = count(c, 'disconnect');
  relay.child.kill('SIGTERM');
  await waitFor(() => received(c, 'ERROR').find((m) => m.code === 501), 5_000, 'ERROR 501 after SIGTERM');
  await waitFor(() => count(c, 'disconnect') > before, 10_000, 'onDisconnect when the drain timeout closes the client');
  const status = await relay.waitExit(10_000);
  assert.deepEqual(status, { code: 0, signal: null });
});

test('relay shutdown (SIGTERM): connected clients see onDisconnect and the relay exits 0', async () => {
  const relay = await startRelay();
  const c = await connectClient(relay.url);
  const before = count(c, 'disconnect');
  const status = await relay.stop();
  await waitFor(() => count(c, 'disconnect') > before, 5_000, 'onDisconnect after the relay stopped');
  assert.equal(c.connected, false);
  assert.deepEqual(status, { code: 0, signal: null }, 'graceful shutdown exits with status 0 (D-25)');
});
