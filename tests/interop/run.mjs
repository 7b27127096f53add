// Runs every *.test.mjs here one file at a time with node:test's run() API
// (Node 18.17+ and 20 alike; the CLI flags for concurrency and timeouts are
// Node 20 only), prints the spec report, then one closing line
// "N passed, N failed" and exits non-zero on any failure.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const here = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.test.mjs') && (only.length === 0 || only.some((o) => f.includes(o))))
  .sort()
  .map((f) => path.join(here, f));

let passed = 0;
let failed = 0;
const stream = run({ files, concurrency: 1, timeout: 120_000 });
// Count tests, not the suites or files that contain them.
stream.on('test:pass', (e) => {
  if (e.details?.type !== 'suite' && !e.skip) passed += 1;
});
stream.on('test:fail', (e) => {
  if (e.details?.type !== 'suite') failed += 1;
});
stream.compose(spec).pipe(process.stdout);
stream.on('end', () => {
  // Let the reporter flush, then print the closing line on its own.
  setImmediate(() => {
    process.stdout.write(`\ninterop: ${passed} passed, ${failed} failed\n`);
    process.exit(failed === 0 && passed > 0 ? 0 : 1);
  });
});
