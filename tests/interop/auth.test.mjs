// Authenticated relay (`--token-file`; router.md R1.4, §7, R11.2) with the official client:
// the client's `token` option carries the token in HELLO. A listed token connects and
// gets exactly its scopes (reads and live updates inside them, ERROR 301 outside); an
// unknown token and a missing one make connect() reject, after the client recorded the
// relay's ERROR 300 (the close reason repeats its text).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { UUID_V4_RE, barrier, collect, connectClient, newClient, useRelay, waitFor } from './helpers.mjs';

// The relay reads the file once at start; it is removed when this file's tests end.
const dir = mkdtempSync(path.join(tmpdir(), 'clasp-interop-auth-'));
const tokenFile = path.join(dir, 'tokens.txt');
writeFileSync(tokenFile, '# interop tokens\ninterop-admin\ninterop-reader read:/auth/**\n');
after(() => rmSync(dir, { recursive: true, force: true }));

const ctx = useRelay(['--token-file', tokenFile]);

test('a listed token connects and gets exactly its scopes', async () => {
  const admin = await connectClient(ctx.url, { token: 'interop-admin' });
  const reader = await connectClient(ctx.url, { token: 'interop-reader' });
  assert.match(reader.session, UUID_V4_RE);
  collect(admin, '/auth/**');
  await barrier(admin, [admin], '/auth/ready');  // admin:/** may write, so it can check its own echo

  const r = collect(reader, '/auth/**');
  // The reader cannot write, so its GET is its barrier: the relay handles its SUBSCRIBE first.
  assert.equal(await waitFor(reader.get('/auth/ready'), 5_000, 'GET /auth/ready'), (await admin.get('/auth/ready')));
  admin.set('/auth/x', 42);
  await waitFor(() => r.values('/auth/x').includes(42), 5_000, 'the admin\'s SET at the read-only subscriber');

  reader.set('/auth/x', 1);
  const e = await waitFor(() => reader.getLastError(), 5_000, 'ERROR for a SET outside the scope');
  assert.equal(e.code, 301);
  assert.equal(e.message, 'Insufficient scope for write operation');
  assert.equal(reader.connected, true, 'a refused operation does not end the session');
});

test('an unknown token is refused: ERROR 300, then connect() rejects', async () => {
  const c = newClient(ctx.url, { token: 'not-in-the-file' });
  await assert.rejects(c.connect(), /Invalid token: token not found/);
  assert.equal(c.connected, false);
  assert.equal(c.getLastError()?.code, 300);
  assert.equal(c.getLastError()?.message, 'Invalid token: token not found');
});

test('no token is refused: ERROR 300 "Authentication required"', async () => {
  const c = newClient(ctx.url);
  await assert.rejects(c.connect(), /Authentication required/);
  assert.equal(c.getLastError()?.code, 300);
  assert.equal(c.getLastError()?.message, 'Authentication required');
});
