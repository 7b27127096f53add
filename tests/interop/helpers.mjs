// Shared helpers for the interop suite: the official JavaScript client
// (@clasp-to/core 3.3.2) against the real clasp-relay.
//
// * startRelay()    spawns $CLASP_RELAY_BIN on 127.0.0.1 with a kernel-chosen port and
//                   waits for its `listening on ws://HOST:PORT` line.
// * newClient()     builds an instrumented Clasp client (globalThis.WebSocket = ws).
// * waitFor()       waits for a condition, woken by every message/callback the clients
//                   see; never sleeps to order events, always fails after a timeout.
// * collect()       subscribes and records every callback (value, address, meta).
// * barrier()       "everything sent before this has been delivered": a SET whose fan-out
//                   reaches the readers after any earlier message of the same writer (D-8).
// * ready()         each client confirms its own subscriptions (own SET echoed back)
//                   before another client writes.

import { spawn } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocket as WsWebSocket } from 'ws';

// The client reads the global WebSocket on connect() and on every send (WebSocket.OPEN).
// Node 20 has none; newer Node versions have one, which we replace with ws's on purpose
// so every Node version runs the same transport.
globalThis.WebSocket = WsWebSocket;
const core = await import('@clasp-to/core');
export const { Clasp, decodeFrame, encode, encodeMessageBinary } = core;

export const RELAY_START_TIMEOUT_MS = 10_000;
export const RELAY_STOP_TIMEOUT_MS = 10_000;
export const DEFAULT_WAIT_MS = 5_000;

const VERBOSE = Boolean(process.env.CLASP_INTEROP_VERBOSE);

// ---------------------------------------------------------------------------------------
// Console capture. The client logs every ACK with console.debug (stdout), every ERROR
// with console.error and every decode failure with console.warn. We keep them (tests
// check that no decode failure happened) and only print them with CLASP_INTEROP_VERBOSE=1.

export const clientLog = [];

function formatArg(a) {
  if (a instanceof Error) return a.stack ?? String(a);
  if (typeof a === 'string') return a;
  try { return JSON.stringify(a); } catch { return String(a); }
}

for (const level of ['debug', 'warn', 'error']) {
  const original = console[level].bind(console);
  console[level] = (...args) => {
    clientLog.push({ level, text: args.map(formatArg).join(' ') });
    if (VERBOSE) original(...args);
  };
}

/** Decode failures the client logged (a relay frame it could not understand). */
export function decodeWarnings() {
  return clientLog.filter((l) => l.level === 'warn').map((l) => l.text);
}

export function assertNoDecodeWarnings() {
  assert.deepEqual(decodeWarnings(), [], 'the client logged decode warnings for frames the relay sent');
}

// ---------------------------------------------------------------------------------------
// Waiting.

const waiters = new Set();
let fallbackTimer = null;

/** Re-evaluate every pending waitFor() predicate. Called on every observed change. */
export function notify() {
  for (const w of [...waiters]) w.check();
}

function ensureFallback() {
  // A slow safety net for predicates over state we are not notified about. It only
  // re-checks conditions; nothing is ordered by it.
  if (fallbackTimer === null && waiters.size > 0) {
    fallbackTimer = setInterval(notify, 25);
  }
}

function dropFallbackIfIdle() {
  if (fallbackTimer !== null && waiters.size === 0) {
    clearInterval(fallbackTimer);
    fallbackTimer = null;
  }
}

/**
 * Wait until predicate() returns a truthy value (which is returned), or until a promise
 * settles. Fails with `what` in the message after timeoutMs.
 */
export function waitFor(predicateOrPromise, timeoutMs = DEFAULT_WAIT_MS, what = 'condition') {
  if (typeof predicateOrPromise?.then === 'function') {
    let timer;
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    });
    return Promise.race([predicateOrPromise, timeout]).finally(() => clearTimeout(timer));
  }
  const predicate = predicateOrPromise;
  return new Promise((resolve, reject) => {
    const w = {
      check() {
        let v;
        try {
          v = predicate();
        } catch (e) {
          finish();
          reject(e);
          return;
        }
        if (v) {
          finish();
          resolve(v);
        }
      },
    };
    const timer = setTimeout(() => {
      finish();
      reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
    }, timeoutMs);
    function finish() {
      clearTimeout(timer);
      waiters.delete(w);
      dropFallbackIfIdle();
    }
    waiters.add(w);
    ensureFallback();
    w.check();
  });
}

// ---------------------------------------------------------------------------------------
// Relay process.

const runningRelays = new Set();

process.on('exit', () => {
  for (const child of runningRelays) {
    try { child.kill('SIGKILL'); } catch { /* already gone */ }
  }
});

/** Absolute path of the relay executable, or a clear error. */
export function relayBinary() {
  const bin = process.env.CLASP_RELAY_BIN;
  if (!bin) {
    throw new Error(
      'CLASP_RELAY_BIN is not set. Point it at the clasp-relay executable, e.g.\n' +
        '  CLASP_RELAY_BIN=build/release/src/cli/clasp-relay npm --prefix tests/interop test',
    );
  }
  // npm runs scripts inside tests/interop; a relative path is meant relative to where
  // the user typed the command (npm exports that as INIT_CWD).
  const abs = path.resolve(process.env.INIT_CWD ?? process.cwd(), bin);
  try {
    if (!statSync(abs).isFile()) throw new Error('not a file');
    accessSync(abs, fsConstants.X_OK);
  } catch (e) {
    throw new Error(`CLASP_RELAY_BIN=${bin} (${abs}) is not an executable file: ${e.message}`);
  }
  return abs;
}

const LISTENING_RE = /listening on ws:\/\/(\[[^\]]+\]|[^\s:/]+):(\d+)/;

/**
 * Start the relay: `--host 127.0.0.1 --ws-port <port> ...extraArgs`
 * ($CLASP_RELAY_ARGS adds flags),
 * in a fresh temporary working directory (so no stray ./config/*.json is picked up).
 * Resolves once it printed its listening line.
 * @returns {Promise<{url: string, port: number, host: string, child, stderr: () => string,
 *   stop: () => Promise<{code: number|null, signal: string|null}>}>}
 */
export async function startRelay(extraArgs = [], { port = 0 } = {}) {
  const bin = relayBinary();
  const split = (v) => v.split(/\s+/).filter(Boolean);
  // Base flags for every relay. The reconnect and shutdown
  // tests rely on SIGTERM ending the relay promptly: no drain wait by default.
  // A test's own --drain-timeout replaces the base one (the relay refuses a flag given twice).
  const ownDrain = extraArgs.includes('--drain-timeout');
  const baseArgs = split(process.env.CLASP_RELAY_BASE_ARGS ?? (ownDrain ? '' : '--drain-timeout 0'));
  const envArgs = split(process.env.CLASP_RELAY_ARGS ?? '');
  const args = ['--host', '127.0.0.1', '--ws-port', String(port), ...baseArgs, ...envArgs, ...extraArgs];
  const cwd = mkdtempSync(path.join(tmpdir(), 'clasp-interop-'));
  const child = spawn(bin, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  runningRelays.add(child);

  let stdout = '';
  let stderr = '';
  let exitStatus = null;
  const exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exitStatus = { code, signal };
      runningRelays.delete(child);
      resolve(exitStatus);
      notify();
    });
  });
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  // Keep draining both pipes for the relay's whole life so it never blocks on a full pipe.
  child.stderr.on('data', (d) => {
    stderr = (stderr + d).slice(-20_000);
    if (VERBOSE) process.stderr.write(`[relay] ${d}`);
  });

  const describe = () =>
    `relay: ${bin} ${args.join(' ')}\n--- stdout ---\n${stdout.slice(-4000)}\n--- stderr ---\n${stderr.slice(-4000)}`;

  const listening = await new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      child.kill('SIGKILL');
      reject(new Error(`the relay did not print "listening on ws://HOST:PORT" within ${RELAY_START_TIMEOUT_MS} ms\n${describe()}`));
    }, RELAY_START_TIMEOUT_MS);
    child.stdout.on('data', (d) => {
      stdout = (stdout + d).slice(-20_000);
      if (VERBOSE) process.stderr.write(`[relay stdout] ${d}`);
      notify();
      const m = LISTENING_RE.exec(stdout);
      if (m && !done) {
        done = true;
        clearTimeout(timer);
        resolve({ host: m[1], port: Number(m[2]) });
      }
    });
    child.on('error', (e) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`could not start the relay: ${e.message}\n${describe()}`));
    });
    exited.then(({ code, signal }) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      reject(new Error(`the relay exited (code ${code}, signal ${signal}) before listening\n${describe()}`));
    });
  });

  assert.equal(listening.host, '127.0.0.1', `relay printed an unexpected host\n${describe()}`);
  if (port !== 0) assert.equal(listening.port, port, `relay listened on another port than --ws-port ${port}`);
  assert.ok(listening.port > 0, 'relay printed port 0');

  let stopping = null;
  const stop = () => {
    if (stopping) return stopping;
    stopping = (async () => {
      if (exitStatus !== null) {
        rmSync(cwd, { recursive: true, force: true });
        throw new Error(`the relay had already exited (code ${exitStatus.code}, signal ${exitStatus.signal}) before it was stopped\n${describe()}`);
      }
      child.kill('SIGTERM');
      let timer;
      const timedOut = await Promise.race([
        exited.then(() => false),
        new Promise((r) => { timer = setTimeout(() => r(true), RELAY_STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(timer);
      if (timedOut) {
        child.kill('SIGKILL');
        await exited;
        rmSync(cwd, { recursive: true, force: true });
        throw new Error(`the relay did not exit within ${RELAY_STOP_TIMEOUT_MS} ms of SIGTERM (killed)\n${describe()}`);
      }
      rmSync(cwd, { recursive: true, force: true });
      return exitStatus;
    })();
    return stopping;
  };

  return {
    url: `ws://127.0.0.1:${listening.port}`,
    host: listening.host,
    port: listening.port,
    child,
    stderr: () => stderr,
    stdout: () => stdout,
    exited: () => exitStatus,
    stop,
    // For a test that sent the signal itself: waits for the relay to end on
    // its own (no further signal), then cleans up as stop() does.
    waitExit: async (timeoutMs) => {
      try {
        await waitFor(() => exitStatus !== null, timeoutMs, `the relay to exit by itself\n${describe()}`);
      } finally {
        if (exitStatus === null) {
          child.kill('SIGKILL');
          await exited;
        }
        rmSync(cwd, { recursive: true, force: true });
      }
      return exitStatus;
    },
  };
}

/**
 * The port of another front door the relay announced on stdout
 * (`listening on mqtt://HOST:PORT`, `listening on osc.udp://HOST:PORT`).
 */
export async function listeningPort(relay, scheme) {
  const re = new RegExp(`listening on ${scheme.replace('.', '\\.')}://[^:\\s]+:(\\d+)`);
  let port = null;
  await waitFor(() => {
    const m = re.exec(relay.stdout());
    if (m) port = Number(m[1]);
    return port !== null;
  }, RELAY_START_TIMEOUT_MS, `the relay's ${scheme} listening line`);
  return port;
}

// ---------------------------------------------------------------------------------------
// Clients.

const liveClients = new Set();

/**
 * A Clasp client with recording hooks:
 *   client.rx      every decoded message handed to the client (BUNDLE members included,
 *                  each recorded after the client handled it)
 *   client.tx      every message the client tried to send: {message, qos, open}
 *   client.log     'connect' | 'disconnect' | 'reconnect' | 'error' records
 * Reconnect is OFF unless options.reconnect is given, so a stopped relay does not leave
 * clients retrying in the background.
 */
export function newClient(url, options = {}) {
  const client = new Clasp(url, { reconnect: false, connectionTimeout: 5_000, ...options });
  client.rx = [];
  client.tx = [];
  client.log = [];

  const handle = client.handleMessage; // prototype method (private in the .d.ts only)
  client.handleMessage = function (message) {
    try {
      return handle.call(this, message);
    } finally {
      client.rx.push(message);
      notify();
    }
  };
  const send = client.send;
  client.send = function (message, qos) {
    client.tx.push({ message, qos, open: this.ws?.readyState === WsWebSocket.OPEN });
    return send.call(this, message, qos);
  };
  client.onConnect(() => { client.log.push({ kind: 'connect', session: client.session }); notify(); });
  client.onDisconnect((reason) => { client.log.push({ kind: 'disconnect', reason }); notify(); });
  client.onReconnect((attempt) => { client.log.push({ kind: 'reconnect', attempt }); notify(); });
  client.onError((error) => { client.log.push({ kind: 'error', error }); notify(); });
  liveClients.add(client);
  return client;
}

/** newClient() + connect(). */
export async function connectClient(url, options = {}) {
  const client = newClient(url, options);
  await client.connect();
  return client;
}

/**
 * Wait for the first SNAPSHOT after WELCOME (connect() resolves on WELCOME alone). A
 * subscription made before the state snapshot is processed also gets callbacks from it.
 * With a small state that one SNAPSHOT is all of it; the relay sends no end marker.
 */
export function settled(client, timeoutMs = DEFAULT_WAIT_MS) {
  return waitFor(() => client.rx.some((m) => m.type === 'SNAPSHOT'), timeoutMs, 'the SNAPSHOT after WELCOME');
}

export function count(client, kind) {
  return client.log.filter((l) => l.kind === kind).length;
}

/** Close every client created so far and wait (briefly) for their close handshakes. */
export async function closeAllClients(timeoutMs = 3_000) {
  const clients = [...liveClients];
  liveClients.clear();
  const pending = [];
  for (const c of clients) {
    // A socket that is not CLOSED yet will still report its close event.
    const willReport = c.ws != null && c.ws.readyState !== WsWebSocket.CLOSED;
    const disconnectsBefore = count(c, 'disconnect');
    c.close();
    if (willReport) pending.push(() => count(c, 'disconnect') > disconnectsBefore);
  }
  try {
    await waitFor(() => pending.every((p) => p()), timeoutMs, 'clients to finish closing');
  } catch {
    // Cleanup only; tests that care about the close handshake assert it themselves.
  }
}

/** Messages of a given type the client received, optionally filtered. */
export function received(client, type, filter = () => true) {
  return client.rx.filter((m) => m.type === type && filter(m));
}

/**
 * Subscribe and record every callback. Returns
 *   { seen: [{value, address, meta, at}], unsubscribe, values(address), addresses() }
 * (`at` is performance.now() when the callback ran.)
 */
export function collect(client, pattern, options) {
  const seen = [];
  const unsubscribe = client.subscribe(
    pattern,
    (value, address, meta) => {
      seen.push({ value, address, meta, at: performance.now() });
      notify();
    },
    options,
  );
  return {
    pattern,
    seen,
    unsubscribe,
    values: (address) => seen.filter((e) => e.address === address).map((e) => e.value),
    addresses: () => seen.map((e) => e.address),
  };
}

let barrierCounter = 0;

/**
 * Barrier on the relay's per-session ordering (D-8): `writer` SETs `address` to a fresh
 * token; resolves when every reader has received that SET. Everything the writer sent
 * before has then been delivered to those readers. The readers' subscriptions to
 * `address` must already be in effect on the relay (see ready()).
 */
export async function barrier(writer, readers, address, timeoutMs = DEFAULT_WAIT_MS) {
  const token = `barrier-${process.pid}-${++barrierCounter}`;
  writer.set(address, token);
  await waitFor(
    () => readers.every((r) => r.rx.some((m) => m.type === 'SET' && m.address === address && m.value === token)),
    timeoutMs,
    `barrier SET ${address}=${token} to reach ${readers.length} reader(s)`,
  );
  return token;
}

/**
 * Make sure the relay has applied the subscriptions each client made so far: every client
 * SETs `address` (which one of its subscriptions must match) and waits for its own echo
 * (D-7). A client's messages are handled in order, so its earlier SUBSCRIBEs are in
 * effect. Needed before a *different* client writes: SUBSCRIBE and SET from two sessions
 * are not ordered with respect to each other.
 */
export async function ready(clients, address, timeoutMs = DEFAULT_WAIT_MS) {
  await Promise.all(clients.map((c) => barrier(c, [c], address, timeoutMs)));
}

/** Wait until `client` received at least n ACKs matching filter. */
export function waitForAcks(client, n, filter = () => true, timeoutMs = DEFAULT_WAIT_MS) {
  return waitFor(() => received(client, 'ACK', filter).length >= n, timeoutMs, `${n} ACK(s)`);
}

// ---------------------------------------------------------------------------------------
// Raw frames.

/** Record every raw binary message the client's current socket receives from now on. */
export function tapRawFrames(client) {
  const frames = [];
  assert.ok(client.ws, 'tapRawFrames needs a connected client');
  client.ws.on('message', (data, isBinary) => {
    if (!isBinary) return;
    const bytes = data instanceof ArrayBuffer ? new Uint8Array(data) : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    frames.push(Uint8Array.from(bytes));
  });
  return frames;
}

/** Payloads (frame header stripped) of the raw frames. */
export function payloads(frames) {
  return frames.map((f) => decodeFrame(f).payload);
}

// ---------------------------------------------------------------------------------------
// Per-file relay fixture.

/**
 * Start one relay for the test file (before) and tear everything down afterwards:
 * close every client, stop the relay, and check the client never failed to decode a
 * relay frame. `ctx.relay` / `ctx.url` are set once the before hook ran.
 */
export function useRelay(extraArgs = []) {
  const ctx = { relay: null, url: null };
  before(async () => {
    ctx.relay = await startRelay(extraArgs);
    ctx.url = ctx.relay.url;
  });
  after(async () => {
    await closeAllClients();
    if (ctx.relay) await ctx.relay.stop();
    assertNoDecodeWarnings();
  });
  return ctx;
}

export const UUID_V4_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;
