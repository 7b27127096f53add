// Black-box test of the OSC front door (router.md §10 with Fixes, D-18, D-29,
// docs/decisions.md "OSC"): the real clasp-relay with --osc-port on a
// kernel-chosen port, liblo's oscsend (writes) and oscdump (receives), the
// official JS client (CLASP side, from tests/interop), and raw datagrams from
// Node for what oscsend cannot express (blobs, time tags, r, arrays, bundles,
// malformed input). Nothing sleeps to order events: every step waits for
// output (oscdump lines, client callbacks, relay log lines) with a timeout.
//
// Run: CLASP_RELAY_BIN=build/osc/src/cli/clasp-relay node --test tests/osc/osc.test.mjs
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connectClient, collect, waitFor, notify, closeAllClients, relayBinary, encode } from '../interop/helpers.mjs';

const WAIT_MS = 5_000;

// ---------------------------------------------------------------------------------------
// Processes.

const children = new Set();
process.on('exit', () => {
  for (const c of children) {
    try { c.kill('SIGKILL'); } catch { /* gone */ }
  }
});

function track(child) {
  children.add(child);
  child.on('exit', () => { children.delete(child); notify(); });
  return child;
}

/** Start clasp-relay with --osc-port 0; resolves with its ports and log access. */
async function startRelay(extra = []) {
  const args = ['--host', '127.0.0.1', '--ws-port', '0', '--osc-port', '0', '--verbose', ...extra];
  const cwd = mkdtempSync(path.join(tmpdir(), 'clasp-osc-'));
  const child = track(spawn(relayBinary(), args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] }));
  const r = { child, stdout: '', stderr: '', wsPort: 0, oscPort: 0, exited: null };
  child.on('exit', (code, signal) => { r.exited = { code, signal }; });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stdout.on('data', (d) => { r.stdout += d; notify(); });
  child.stderr.on('data', (d) => { r.stderr += d; notify(); });
  await waitFor(() => r.exited || /listening on osc\.udp:\/\/[^\s]+:\d+/.test(r.stdout), WAIT_MS, 'the relay to listen');
  assert.equal(r.exited, null, `relay exited early:\n${r.stdout}\n${r.stderr}`);
  r.wsPort = Number(/listening on ws:\/\/[^\s]+:(\d+)/.exec(r.stdout)[1]);
  r.oscPort = Number(/listening on osc\.udp:\/\/[^\s]+:(\d+)/.exec(r.stdout)[1]);
  r.url = `ws://127.0.0.1:${r.wsPort}`;
  r.log = (re, what) => waitFor(() => re.test(r.stderr), WAIT_MS, what ?? `relay log ${re}`);
  r.stop = async () => {
    if (!r.exited) {
      child.kill('SIGTERM');
      await waitFor(() => r.exited, WAIT_MS, 'the relay to stop');
    }
    rmSync(cwd, { recursive: true, force: true });
    // A clean stop: exit code 0 and no sanitizer report in the log.
    assert.deepEqual(r.exited, { code: 0, signal: null }, `relay exit\n${r.stderr.slice(-4000)}`);
    assert.doesNotMatch(r.stderr, /Sanitizer|runtime error/, 'sanitizer report in the relay log');
  };
  return r;
}

function run(cmd, args) {
  return new Promise((resolve, reject) => {
    const child = track(spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code} ${err}`))));
  });
}

/** oscsend to the relay (a new source port each time). */
const oscsend = (relay, address, types = '', ...values) =>
  run('oscsend', ['127.0.0.1', String(relay.oscPort), address, ...(types ? [types, ...values.map(String)] : [])]);

async function freeUdpPort() {
  const s = dgram.createSocket('udp4');
  await new Promise((res) => s.bind(0, '127.0.0.1', res));
  const { port } = s.address();
  await new Promise((res) => s.close(res));
  return port;
}

/**
 * oscdump on a free port; `lines` are parsed as {address, types, args, text}. Ready once
 * it printed a probe we sent it directly.
 */
async function startDump() {
  const port = await freeUdpPort();
  const child = track(spawn('oscdump', ['-L', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  const d = { port, child, lines: [], buf: '' };
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk) => {
    d.buf += chunk;
    let i;
    while ((i = d.buf.indexOf('\n')) >= 0) {
      const text = d.buf.slice(0, i);
      d.buf = d.buf.slice(i + 1);
      const parts = text.split(' ');
      if (/^[0-9a-f]+\.[0-9a-f]+$/.test(parts[0])) parts.shift();  // oscdump's time stamp
      d.lines.push({ address: parts[0], types: parts[1] ?? '', args: parts.slice(2).join(' '), text });
    }
    notify();
  });
  const probe = dgram.createSocket('udp4');
  const timer = setInterval(() => probe.send(message('/probe', ','), port, '127.0.0.1'), 50);
  try {
    await waitFor(() => d.lines.some((l) => l.address === '/probe'), WAIT_MS, 'oscdump to start');
  } finally {
    clearInterval(timer);
    probe.close();
  }
  d.next = (address) => waitFor(() => d.lines.find((l) => l.address === address), WAIT_MS, `oscdump to print ${address}`);
  d.stop = () => child.kill('SIGTERM');
  return d;
}

// ---------------------------------------------------------------------------------------
// Raw OSC encoding for datagrams oscsend cannot produce.

const pad4 = (b) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);
const oscString = (s) => pad4(Buffer.concat([Buffer.from(s, 'utf8'), Buffer.alloc(1)]));
const i32 = (v) => { const b = Buffer.alloc(4); b.writeInt32BE(v); return b; };
const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32BE(v >>> 0); return b; };
const u64 = (v) => { const b = Buffer.alloc(8); b.writeBigUInt64BE(BigInt(v)); return b; };

/** message('/a', ',is', i32(1), oscString('x')) */
function message(address, tags, ...args) {
  return Buffer.concat([oscString(address), ...(tags === undefined ? [] : [oscString(tags)]), ...args]);
}

function bundle(timeTag, ...elements) {
  return Buffer.concat([oscString('#bundle'), u64(timeTag), ...elements.flatMap((e) => [u32(e.length), e])]);
}

/** NTP time tag for a Unix time in ms. */
function timeTag(ms) {
  const secs = BigInt(Math.floor(ms / 1000)) + 2208988800n;
  const frac = (BigInt(Math.round((ms % 1000) * 1000)) << 32n) / 1000000n;
  return (secs << 32n) | frac;
}

async function rawSocket() {
  const s = dgram.createSocket('udp4');
  await new Promise((res) => s.bind(0, '127.0.0.1', res));
  s.sendTo = (relay, buf) => new Promise((res, rej) => s.send(buf, relay.oscPort, '127.0.0.1', (e) => (e ? rej(e) : res())));
  return s;
}

// ---------------------------------------------------------------------------------------

const relays = [];
async function relay(extra) {
  const r = await startRelay(extra);
  relays.push(r);
  return r;
}
const dumps = [];
async function dump() {
  const d = await startDump();
  dumps.push(d);
  return d;
}
const sockets = [];
async function socket() {
  const s = await rawSocket();
  sockets.push(s);
  return s;
}

after(async () => {
  await closeAllClients();
  for (const d of dumps) d.stop();
  for (const s of sockets) s.close();
  for (const r of relays) await r.stop();
});

const main = relay();

/** Resolves when `sub` (a collect()) saw `address`; returns the entries for it. */
const seen = (sub, address, n = 1) =>
  waitFor(() => { const v = sub.seen.filter((e) => e.address === address); return v.length >= n && v; }, WAIT_MS, `${address} at the CLASP client`);

let barrierCount = 0;
/** Everything sent to the relay's OSC socket before this has been handled. */
async function barrier(r, sub) {
  const addr = `/barrier/${++barrierCount}`;
  await oscsend(r, addr, 'i', barrierCount);
  await seen(sub, `/osc${addr}`);
}

test('an OSC message becomes a SET under the namespace that CLASP clients see', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  await oscsend(r, '/synth/volume', 'f', 0.5);
  const [e] = await seen(sub, '/osc/synth/volume');
  assert.equal(e.value, 0.5);
  // Stored as a param: a later subscriber gets it from the state.
  const late = collect(await connectClient(r.url), '/osc/synth/*');
  await seen(late, '/osc/synth/volume');
});

test('inbound type tags map to values as R10.3 says (oscsend)', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/types/**');
  await oscsend(r, '/types/a', 'ihfdscTFNIm', 1, 5000000000, 3.5, 4.25, 'hey', 'A', '00903c7f');
  const [e] = await seen(sub, '/osc/types/a');
  assert.deepEqual(e.value, [1, 5000000000, 3.5, 4.25, 'hey', 'A', true, false, null, Infinity, [0, 0x90, 0x3c, 0x7f]]);
  await oscsend(r, '/types/one', 'i', 42);
  assert.equal((await seen(sub, '/osc/types/one'))[0].value, 42);
  await oscsend(r, '/types/none');
  assert.equal((await seen(sub, '/osc/types/none'))[0].value, null);
  await oscsend(r, '/types/sym', 'S', 'symbol');
  assert.equal((await seen(sub, '/osc/types/sym'))[0].value, 'symbol');
});

test('inbound b, t, r, arrays and bare messages (raw datagrams)', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/raw/**');
  const s = await socket();
  await s.sendTo(r, message('/raw/blob', ',b', u32(3), Buffer.from([1, 2, 255, 0])));
  await s.sendTo(r, message('/raw/tt', ',t', u64(12345)));
  await s.sendTo(r, message('/raw/rgba', ',r', Buffer.from([255, 128, 0, 64])));
  await s.sendTo(r, message('/raw/array', ',i[f[s]]T', i32(7), Buffer.from([0x3f, 0x40, 0, 0]), oscString('in')));
  await s.sendTo(r, message('/raw/bare'));
  assert.deepEqual([...(await seen(sub, '/osc/raw/blob'))[0].value], [1, 2, 255]);
  assert.equal((await seen(sub, '/osc/raw/tt'))[0].value, null);
  assert.deepEqual((await seen(sub, '/osc/raw/rgba'))[0].value, [255, 128, 0, 64]);
  assert.deepEqual((await seen(sub, '/osc/raw/array'))[0].value, [7, [0.75, ['in']], true]);
  assert.equal((await seen(sub, '/osc/raw/bare'))[0].value, null);
});

test('CLASP SETs reach an OSC subscriber with the namespace stripped; patterns are absolute', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const d = await dump();
  // oscsend sends from a fresh port each time; the reply port names oscdump's.
  await oscsend(r, '/clasp/subscribe', 'si', '/osc/fader/**', d.port);
  await oscsend(r, '/clasp/subscribe', 'si', '/oscillator/**', d.port);
  await oscsend(r, '/clasp/subscribe', 'si', '/lights/**', d.port);
  await barrier(r, sub);
  c.set('/osc/fader/1', 0.75);
  c.set('/oscillator/x', 3);   // outside the namespace: not stripped (R10.4 Fix)
  c.set('/lights/1/dimmer', 'full');
  const fader = await d.next('/fader/1');
  assert.equal(fader.types, 'f');
  assert.equal(fader.args, '0.750000');
  assert.equal((await d.next('/oscillator/x')).args, '3.000000');  // JS numbers are float64
  assert.equal((await d.next('/lights/1/dimmer')).args, '"full"');
  assert.ok(!d.lines.some((l) => l.address === '/osc/fader/1' || l.address === 'illator/x'));
});

test('a new subscription first gets the matching state', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  c.set('/osc/state/a', 11);
  const mine = collect(c, '/osc/state/a');
  await seen(mine, '/osc/state/a');  // stored
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'si', '/osc/state/**', d.port);
  assert.equal((await d.next('/state/a')).args, '11.000000');
});

test('outbound values map to type tags as R10.4 says', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'si', '/out/**', d.port);
  await barrier(r, sub);
  const cases = [
    ['/out/null', null, 'N'],
    ['/out/true', true, 'T'],
    ['/out/false', false, 'F'],
    ['/out/float', 0.25, 'f'],
    ['/out/whole', 7, 'f'],             // the JS client sends every number as float64
    ['/out/str', 'text', 's'],
    ['/out/bytes', new Uint8Array([1, 2, 3]), 'b'],
    ['/out/array', [1, [2.5, 'x'], null], 'ffsN'],  // flattened
    ['/out/map', { k: 'v', n: 0.5 }, 's'],
  ];
  for (const [address, value] of cases) c.set(address, value);
  for (const [address, , types] of cases) {
    const line = await d.next(address);
    assert.equal(line.types, types, `${address}: ${line.text}`);
  }
  assert.equal((await d.next('/out/map')).args, '"{"k":"v","n":0.5}"');
  // Integers (written here by OSC clients, stored as ints): i in i32 range, else h.
  await oscsend(r, '/clasp/subscribe', 'si', '/osc/outi/**', d.port);
  await barrier(r, sub);
  await oscsend(r, '/outi/int', 'i', -7);
  await oscsend(r, '/outi/big', 'h', 2 ** 40);
  await oscsend(r, '/outi/list', 'iTs', 1, 'x');
  assert.equal((await d.next('/outi/int')).text.split(' ').slice(-2).join(' '), 'i -7');
  assert.equal((await d.next('/outi/big')).types, 'h');
  assert.equal((await d.next('/outi/big')).args, String(2 ** 40));
  assert.equal((await d.next('/outi/list')).types, 'iTs');
});

test('/clasp/unsubscribe stops delivery for that pattern only', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'si', '/un/a/**', d.port);
  await oscsend(r, '/clasp/subscribe', 'si', '/un/b/**', d.port);
  await barrier(r, sub);
  c.set('/un/a/1', 1);
  await d.next('/un/a/1');
  await oscsend(r, '/clasp/unsubscribe', 'si', '/un/a/**', d.port);
  await barrier(r, sub);
  c.set('/un/a/2', 2);
  c.set('/un/b/2', 3);   // same writer, later: arrives after /un/a/2 would have (D-8)
  await d.next('/un/b/2');
  assert.ok(!d.lines.some((l) => l.address === '/un/a/2'), 'unsubscribed pattern still delivered');
  // Without a pattern: everything.
  await oscsend(r, '/clasp/unsubscribe', 'i', d.port);
  await barrier(r, sub);
  c.set('/un/b/3', 4);
  await oscsend(r, '/clasp/subscribe', 'si', '/un/c/**', d.port);
  await barrier(r, sub);
  c.set('/un/c/1', 5);
  await d.next('/un/c/1');
  assert.ok(!d.lines.some((l) => l.address === '/un/b/3'), 'unsubscribe-all left a subscription');
});

test('a bundle with a future time tag applies at that time, atomically', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const s = await socket();
  const at = Date.now() + 700;
  await s.sendTo(r, bundle(timeTag(at),
    message('/sched/a', ',i', i32(1)),
    bundle(1n, message('/sched/b', ',i', i32(2))),   // nested "immediately": the outer time
  ));
  await s.sendTo(r, message('/sched/marker', ','));
  await seen(sub, '/osc/sched/marker');
  assert.ok(!sub.seen.some((e) => e.address.startsWith('/osc/sched/') && e.address !== '/osc/sched/marker'),
    'scheduled members arrived before a message sent after the bundle');
  const [a] = await seen(sub, '/osc/sched/a');
  const [b] = await seen(sub, '/osc/sched/b');
  const arrived = Math.min(a.at, b.at) + performance.timeOrigin;
  // Clocks: Date.now() and performance.timeOrigin may differ by a few ms.
  assert.ok(arrived >= at - 5, `applied ${at - arrived} ms early`);
  assert.equal(a.value, 1);
  assert.equal(b.value, 2);
});

test('an immediate bundle is atomic: one bad member applies nothing', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const s = await socket();
  await s.sendTo(r, bundle(1n, message('/atomic/ok', ',i', i32(1)), message('/atomic/bad*', ',i', i32(2))));
  await s.sendTo(r, bundle(1n, message('/atomic/x', ',i', i32(3)), bundle(1n, message('/atomic/y', ',i', i32(4)))));
  const [x] = await seen(sub, '/osc/atomic/x');
  const [y] = await seen(sub, '/osc/atomic/y');
  assert.equal(x.value + y.value, 7);
  assert.ok(!sub.seen.some((e) => e.address === '/osc/atomic/ok'), 'a member of a refused bundle was applied');
  await r.log(/refused by the router: 200 .*\/osc\/atomic\/bad\*/, 'the router error for the bad member in the log');
});

test('malformed datagrams are dropped and the relay keeps serving', async () => {
  const r = await main;
  const c = await connectClient(r.url);
  const sub = collect(c, '/osc/**');
  const s = await socket();
  const bad = [
    Buffer.from('/tru'),                                        // truncated address
    message('/m', ',i'),                                        // missing int32
    message('/m', ',s'),                                        // missing string
    message('/m', ',Q', i32(1)),                                // unknown type tag
    message('/m', ',[i', i32(1)),                               // unclosed array
    message('/m', 'ii', i32(1), i32(2)),                        // no ','
    message('/m', ',b', u32(1000), Buffer.alloc(4)),            // blob beyond the end
    Buffer.concat([oscString('#bundle'), u64(1), u32(400), message('/m', ',')]),   // element too long
    Buffer.concat([oscString('#bundle'), u64(1), u32(6), Buffer.alloc(8)]),        // size not /4
    Buffer.concat([oscString('#bundle'), u64(1), u32(0)]),                         // zero size
    Buffer.concat([oscString('#bundle'), u32(1)]),                                 // truncated time tag
    Buffer.alloc(0),
    Buffer.alloc(3000, 0xff),
  ];
  for (const b of bad) await s.sendTo(r, b);
  await s.sendTo(r, message('/after/garbage', ',i', i32(9)));
  assert.equal((await seen(sub, '/osc/after/garbage'))[0].value, 9);
  assert.ok(!sub.seen.some((e) => e.address === '/osc/m'));
  await r.log(/dropped datagram of 4 bytes from 127\.0\.0\.1:\d+: OSC: unterminated address/);
  await r.log(/unknown type tag 'Q'/);
  await r.log(/bad bundle element size 400/);
  assert.equal(r.exited, null);
  // Another source was never affected.
  await oscsend(r, '/after/other', 'i', 1);
  await seen(sub, '/osc/after/other');
});

test('--osc-allow refuses sources outside its networks (D-18)', async () => {
  const refusing = await relay(['--osc-allow', '10.0.0.0/8', '--osc-allow', '192.168.0.0/16']);
  const c = await connectClient(refusing.url);
  const sub = collect(c, '/osc/**');
  await oscsend(refusing, '/denied', 'i', 1);
  await refusing.log(/refused datagram from 127\.0\.0\.1:\d+: source not in --osc-allow \(10\.0\.0\.0\/8, 192\.168\.0\.0\/16\)/);
  // Refused before parsing: no session, no SET. A CLASP write still works.
  c.set('/osc/clasp-side', 1);
  await seen(sub, '/osc/clasp-side');
  assert.ok(!sub.seen.some((e) => e.address === '/osc/denied'));
  assert.ok(!/new session 127\.0\.0\.1/.test(refusing.stderr));

  const allowing = await relay(['--osc-allow', '127.0.0.0/8']);
  const c2 = await connectClient(allowing.url);
  const sub2 = collect(c2, '/osc/**');
  await oscsend(allowing, '/allowed', 'i', 1);
  await seen(sub2, '/osc/allowed');
});

test('a bad --osc-allow entry stops the relay at start', async () => {
  const child = track(spawn(relayBinary(), ['--host', '127.0.0.1', '--ws-port', '0', '--osc-port', '0', '--osc-allow', '10.0.0.0/40'],
    { stdio: ['ignore', 'pipe', 'pipe'] }));
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const code = await new Promise((res) => child.on('exit', (c) => res(c)));
  assert.equal(code, 2);
  assert.match(err, /--osc-allow: '10\.0\.0\.0\/40': bad prefix length/);
});

test('--osc-events: OSC messages become events, not stored params', async () => {
  const r = await relay(['--osc-events', '--osc-namespace', '/stage']);
  const c = await connectClient(r.url);
  const sub = collect(c, '/stage/**');
  await oscsend(r, '/dimmer', 'f', 0.25);
  const [e] = await seen(sub, '/stage/dimmer');
  assert.equal(e.value, 0.25);
  assert.ok(c.rx.some((m) => m.type === 'PUBLISH' && m.address === '/stage/dimmer'));
  assert.ok(!c.rx.some((m) => m.type === 'SET' && m.address === '/stage/dimmer'));
  // Not stored: a later subscriber's snapshot does not have it; a SET written after it does arrive.
  const c2 = await connectClient(r.url);
  const late = collect(c2, '/stage/**');
  c.set('/stage/after', 1);
  await seen(late, '/stage/after');
  assert.ok(!late.seen.some((x) => x.address === '/stage/dimmer'));
  // The namespace is stripped at the boundary on the way out, too.
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'i', d.port);   // default pattern: <ns>/**
  await oscsend(r, '/ready', 'i', 1);                  // handled after the subscribe
  await seen(sub, '/stage/ready');
  c.set('/stage/x', 1);
  assert.equal((await d.next('/x')).args, '1.000000');
  assert.ok(!d.lines.some((l) => l.address.startsWith('/stage/')));
});

test('OSC <-> MQTT through the relay: oscsend reaches mosquitto_sub, mosquitto_pub reaches oscdump', async () => {
  // MQTT namespace "/" makes every address an MQTT topic: /osc/stage/dimmer is osc/stage/dimmer.
  const r = await relay(['--mqtt-port', '0', '--mqtt-namespace', '/']);
  await waitFor(() => /listening on mqtt:\/\/[^\s]+:\d+/.test(r.stdout), WAIT_MS, 'the MQTT listener');
  const mqttPort = String(/listening on mqtt:\/\/[^\s]+:(\d+)/.exec(r.stdout)[1]);
  const pub = (topic, msg, flags = []) => run('mosquitto_pub', ['-h', '127.0.0.1', '-p', mqttPort, '-t', topic, '-m', msg, ...flags]);

  // An MQTT subscriber, known to be subscribed once the retained osc/ready arrives.
  await pub('osc/ready', '1', ['-r']);
  const sub = track(spawn('mosquitto_sub', ['-h', '127.0.0.1', '-p', mqttPort, '-t', 'osc/#', '-F', '%r %t %p']));
  const lines = [];
  sub.stdout.setEncoding('utf8');
  sub.stdout.on('data', (d) => { lines.push(...d.split('\n').filter(Boolean)); notify(); });
  await waitFor(() => lines.includes('1 osc/ready 1'), WAIT_MS, 'mosquitto_sub to be subscribed');
  await oscsend(r, '/stage/dimmer', 'f', 0.5);
  await waitFor(() => lines.includes('0 osc/stage/dimmer 0.5'), WAIT_MS, 'the OSC write at the MQTT subscriber');
  sub.kill('SIGTERM');

  // An OSC subscriber of MQTT topics (addresses outside the OSC namespace go out unchanged).
  await pub('sensors/ready', '1', ['-r']);
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'si', '/sensors/**', d.port);
  await d.next('/sensors/ready');  // the state a new subscription gets first
  await pub('sensors/temp', '21');
  const temp = await d.next('/sensors/temp');
  assert.equal(temp.types, 'i');
  assert.equal(temp.args, '21');
});

test('locks and revisions hold for OSC writers', async () => {
  const r = await relay([]);
  const owner = await connectClient(r.url);
  const sub = collect(owner, '/osc/**');
  owner.ws.send(encode({ type: 'SET', address: '/osc/locked', value: 1, lock: true }));
  await seen(sub, '/osc/locked');
  await oscsend(r, '/locked', 'f', 2);  // refused: the lock is the CLASP client's
  await oscsend(r, '/free', 'i', 1);
  await oscsend(r, '/free', 'i', 2);
  await barrier(r, sub);
  assert.deepEqual(sub.seen.filter((e) => e.address === '/osc/locked').map((e) => e.value), [1]);
  assert.deepEqual(sub.seen.filter((e) => e.address === '/osc/free').map((e) => e.value), [1, 2]);
  const late = await connectClient(r.url);
  const state = collect(late, '/osc/free');
  const [x] = await seen(state, '/osc/free');
  assert.equal(x.meta.revision, 2);
});

test('an OSC subscription ends after --osc-session-timeout without traffic', async () => {
  const r = await relay(['--osc-session-timeout', '1']);
  const c = await connectClient(r.url);
  const mine = collect(c, '/osc/**');
  c.set('/osc/idle/ready', 1);
  await seen(mine, '/osc/idle/ready');
  const d = await dump();
  await oscsend(r, '/clasp/subscribe', 'si', '/osc/idle/**', d.port);
  await d.next('/idle/ready');  // subscribed
  await r.log(/osc: session \S+ idle for 1 s, removed/, 'the idle OSC session to be removed');
  c.set('/osc/idle/x', 2);  // nobody subscribed any more
  await oscsend(r, '/clasp/subscribe', 'si', '/osc/other/**', d.port);
  c.set('/osc/other/y', 3);  // after /osc/idle/x from the same writer
  await d.next('/other/y');
  assert.ok(!d.lines.some((l) => l.address === '/idle/x'), 'delivery after the session timed out');
});
