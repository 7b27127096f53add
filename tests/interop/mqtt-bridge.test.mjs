// MQTT <-> CLASP across the relay: Debian's mosquitto_pub/mosquitto_sub on one
// side, the official JS client on the other (router.md §9 with its Fixes, D-28).
// Retained MQTT messages are params, the rest events; CLASP writes reach MQTT
// subscribers with the namespace stripped; locks and revisions hold across
// protocols. A mosquitto_sub is known to be subscribed once it printed the
// retained "ready" value it was started to expect.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { encode } from '@clasp-to/core';
import {
  collect, connectClient, listeningPort, notify, received, startRelay, waitFor, waitForAcks, closeAllClients,
  assertNoDecodeWarnings,
} from './helpers.mjs';

const relays = [];
const subs = new Set();
async function relayWith(args) {
  const relay = await startRelay(['--mqtt-port', '0', ...args]);
  relays.push(relay);
  return { relay, url: relay.url, mqtt: await listeningPort(relay, 'mqtt') };
}
after(async () => {
  for (const s of subs) s.kill('SIGKILL');
  await closeAllClients();
  for (const r of relays) await r.stop();
  assertNoDecodeWarnings();
});

function mosquittoPub(port, topic, message, flags = []) {
  const args = ['-h', '127.0.0.1', '-p', String(port), '-t', topic, ...flags];
  if (message === null) args.push('-n');
  else args.push('-m', message);
  const r = spawnSync('mosquitto_pub', args, { encoding: 'utf8', timeout: 10_000 });
  return { status: r.status, stderr: r.stderr };
}

/** mosquitto_sub printing "<retain> <topic> <payload>" per message, as lines. */
function mosquittoSub(port, topic, flags = []) {
  const child = spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', String(port), '-t', topic, '-F', '%r %t %p', ...flags]);
  subs.add(child);
  const lines = [];
  let buf = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d) => {
    buf += d;
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      lines.push(buf.slice(0, i));
      buf = buf.slice(i + 1);
    }
    notify();
  });
  return { lines, kill: () => { child.kill(); subs.delete(child); } };
}

test('MQTT publish -> CLASP subscriber: retained is a param, the rest events, payloads typed (R9.5)', async () => {
  const { url, mqtt } = await relayWith([]);
  const clasp = await connectClient(url);
  const params = collect(clasp, '/mqtt/house/**');
  // A subscription only takes effect once the relay has it: confirm with our own echo.
  clasp.set('/mqtt/house/ready', 1);
  await waitFor(() => params.values('/mqtt/house/ready').length === 1, 5_000, 'own echo');

  assert.equal(mosquittoPub(mqtt, 'house/temp', '21.5', ['-r']).status, 0);
  assert.equal(mosquittoPub(mqtt, 'house/count', '42', ['-r', '-q', '1']).status, 0);
  assert.equal(mosquittoPub(mqtt, 'house/cfg', '{"on":true,"levels":[1,2]}', ['-r', '-q', '2']).status, 0);
  assert.equal(mosquittoPub(mqtt, 'house/name', 'kitchen', ['-r']).status, 0);
  assert.equal(mosquittoPub(mqtt, 'house/doorbell', 'ring', []).status, 0);
  await waitFor(() => params.seen.length >= 6, 5_000, 'five MQTT messages at the CLASP subscriber');
  assert.deepEqual(params.values('/mqtt/house/temp'), [21.5]);
  assert.deepEqual(params.values('/mqtt/house/count'), [42]);
  assert.deepEqual(params.values('/mqtt/house/cfg'), [{ on: true, levels: [1, 2] }]);
  assert.deepEqual(params.values('/mqtt/house/name'), ['kitchen']);
  assert.deepEqual(params.values('/mqtt/house/doorbell'), ['ring']);
  const sets = received(clasp, 'SET').map((m) => m.address);
  const events = received(clasp, 'PUBLISH').map((m) => m.address);
  assert.ok(sets.includes('/mqtt/house/temp') && sets.includes('/mqtt/house/cfg'), 'retained -> SET');
  assert.ok(events.includes('/mqtt/house/doorbell') && !sets.includes('/mqtt/house/doorbell'), 'non-retained -> event');

  // Stored with revisions: a later CLASP client reads the MQTT writes back.
  assert.equal(mosquittoPub(mqtt, 'house/count', '43', ['-r']).status, 0);
  await waitFor(() => params.values('/mqtt/house/count').length === 2, 5_000, 'second write');
  const late = await connectClient(url);
  const seen = collect(late, '/mqtt/house/count');
  await waitFor(() => seen.seen.length === 1, 5_000, 'snapshot of the MQTT-written param');
  assert.equal(seen.seen[0].value, 43);
  assert.equal(seen.seen[0].meta.revision, 2);
  assert.match(seen.seen[0].meta.writer, /^[0-9a-f-]{36}$/, 'the MQTT session is the writer');

  // Empty retained payload deletes (D-28).
  assert.equal(mosquittoPub(mqtt, 'house/name', null, ['-r']).status, 0);
  await waitFor(() => params.values('/mqtt/house/name').length === 2, 5_000, 'deletion notice');
  assert.equal(params.values('/mqtt/house/name')[1], null);
  const later = await connectClient(url);
  await waitFor(() => later.cached('/mqtt/house/count') !== undefined, 5_000, 'snapshot after WELCOME');
  assert.equal(later.cached('/mqtt/house/name'), undefined, 'deleted param is not in the state');
});

test('CLASP writes -> MQTT subscribers: namespace stripped, state sent with RETAIN=1, live with 0', async () => {
  const { url, mqtt } = await relayWith([]);
  const clasp = await connectClient(url);
  clasp.set('/mqtt/lights/ready', 'yes');
  clasp.set('/mqtt/lights/1', 0.5);
  await waitForAcks(clasp, 2);
  const sub = mosquittoSub(mqtt, 'lights/#', ['-q', '1']);
  await waitFor(() => sub.lines.includes('1 lights/ready yes'), 5_000, 'retained state at subscribe');
  assert.ok(sub.lines.includes('1 lights/1 0.5'), `state lines: ${sub.lines}`);
  clasp.set('/mqtt/lights/2', { r: 255 });
  clasp.emit('/mqtt/lights/flash', 3);
  clasp.set('/elsewhere/x', 1);  // outside the namespace: never an MQTT topic
  await waitFor(() => sub.lines.includes('0 lights/flash 3'), 5_000, 'live event');
  // The JS client sends numbers as floats; JSON keeps them floats (255.0), as serde_json does.
  assert.ok(sub.lines.includes('0 lights/2 {"r":255.0}'), `live lines: ${sub.lines}`);
  assert.ok(!sub.lines.some((l) => l.includes('elsewhere')));
  sub.kill();
});

test('locks and scopes hold across protocols: an MQTT write to a locked param changes nothing', async () => {
  const { url, mqtt } = await relayWith([]);
  const owner = await connectClient(url);
  const watcher = await connectClient(url);
  const seen = collect(watcher, '/mqtt/locked/**');
  owner.ws.send(encode({ type: 'SET', address: '/mqtt/locked/v', value: 1, lock: true }));
  await waitFor(() => seen.values('/mqtt/locked/v').length === 1, 5_000, 'locked value');
  // v5 PUBACK carries the refusal; v3.1.1 cannot say it but the value stays.
  const r = mosquittoPub(mqtt, 'locked/v', '2', ['-r', '-q', '1', '-V', 'mqttv5']);
  assert.match(r.stderr, /[Ii]mplementation specific error|0x83|131/, `mosquitto_pub -V 5 reports the refusal: ${r.stderr}`);
  assert.equal(mosquittoPub(mqtt, 'locked/v', '3', ['-r', '-q', '1']).status, 0);
  // Barrier: a later write by the owner arrives; nothing from MQTT came before it.
  owner.set('/mqtt/locked/after', 'x');
  await waitFor(() => seen.values('/mqtt/locked/after').length === 1, 5_000, 'barrier');
  assert.deepEqual(seen.values('/mqtt/locked/v'), [1]);
});

test('a custom namespace is stripped only at a segment boundary', async () => {
  const { url, mqtt } = await relayWith(['--mqtt-namespace', '/devices']);
  const clasp = await connectClient(url);
  clasp.set('/devices/ready', 1);
  await waitForAcks(clasp, 1);
  const sub = mosquittoSub(mqtt, '#');
  await waitFor(() => sub.lines.includes('1 ready 1'), 5_000, 'subscribed');
  clasp.set('/devicesx/a', 'outside');
  clasp.set('/devices/a/b', 'inside');
  await waitFor(() => sub.lines.includes('0 a/b inside'), 5_000, 'inside write');
  assert.ok(!sub.lines.some((l) => l.includes('outside')), `lines: ${sub.lines}`);
  const seen = collect(clasp, '/devices/**');
  assert.equal(mosquittoPub(mqtt, 'from/mqtt', '7', ['-r']).status, 0);
  await waitFor(() => seen.values('/devices/from/mqtt').length === 1, 5_000, 'MQTT write under /devices');
  sub.kill();
});
