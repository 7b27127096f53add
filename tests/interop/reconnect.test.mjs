// Reconnect: the relay stops (SIGTERM), a new relay starts on the same port, and a client
// created with reconnect enabled comes back by itself: new session id, and its
// subscriptions work again (the client re-sends SUBSCRIBE, without options, same ids).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  UUID_V4_RE, assertNoDecodeWarnings, barrier, closeAllClients, collect, connectClient, count, ready, startRelay, waitFor,
} from './helpers.mjs';

const relays = [];
after(async () => {
  await closeAllClients();
  for (const r of relays) await r.stop();
  assertNoDecodeWarnings();
});

test('a reconnecting client gets a new session on a restarted relay and its subscription works again', async () => {
  const relay1 = await startRelay();
  relays.push(relay1);
  const client = await connectClient(relay1.url, { reconnect: true, reconnectInterval: 100 });
  const sub = collect(client, '/r/**', { maxRate: 1000 });
  const writer1 = await connectClient(relay1.url);
  await ready([client], '/r/ready');
  await barrier(writer1, [client], '/r/one');
  assert.equal(sub.values('/r/one').length, 1, 'subscription works on the first relay');
  const firstSession = client.session;
  assert.match(firstSession, UUID_V4_RE);

  const disconnectsBefore = count(client, 'disconnect');
  const status = await relay1.stop();
  assert.equal(status.code, 0, 'relay exits 0 on SIGTERM');
  await waitFor(() => count(client, 'disconnect') > disconnectsBefore, 5_000, 'onDisconnect when the relay goes away');
  assert.equal(client.connected, false);

  const relay2 = await startRelay([], { port: relay1.port });
  relays.push(relay2);
  assert.equal(relay2.port, relay1.port);

  await waitFor(() => client.connected && client.session !== firstSession, 15_000, 'the client to reconnect to the new relay');
  assert.match(client.session, UUID_V4_RE);
  assert.ok(count(client, 'reconnect') >= 1, 'onReconnect fired');
  assert.ok(count(client, 'connect') >= 2, 'onConnect fired again');

  // The client re-sends SUBSCRIBE (same id, no options) right after the new WELCOME.
  const subscribes = () => client.tx.filter((t) => t.message.type === 'SUBSCRIBE' && t.message.pattern === '/r/**');
  await waitFor(() => subscribes().length === 2 && subscribes()[1].open, 5_000, 'SUBSCRIBE re-sent on the new connection');
  assert.equal(subscribes()[1].message.id, subscribes()[0].message.id, 'same subscription id');
  assert.equal(subscribes()[1].message.options, undefined, 'options are not re-sent');

  // The relay has the subscription: the client's own SET echoes back (D-7), ...
  await barrier(client, [client], '/r/probe');
  // ... and another client's updates arrive.
  const writer2 = await connectClient(relay2.url);
  writer2.set('/r/live', 'after restart');
  await waitFor(() => sub.values('/r/live').length === 1, 5_000, 'a live update after reconnect');
  assert.deepEqual(sub.values('/r/live'), ['after restart']);
  client.close();
});
