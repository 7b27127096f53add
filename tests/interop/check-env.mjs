// Run by `npm test` (pretest): fail at once, with one clear message, when the relay
// executable is not configured, instead of failing in every test file.
// (helpers.mjs repeats this check for direct `node --test` runs.)
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

const bin = process.env.CLASP_RELAY_BIN;
if (!bin) {
  process.stderr.write(
    'interop: CLASP_RELAY_BIN is not set. Point it at the clasp-relay executable, e.g.\n' +
      '  CLASP_RELAY_BIN=build/release/src/cli/clasp-relay npm --prefix tests/interop test\n',
  );
  process.exit(1);
}
const abs = path.resolve(process.env.INIT_CWD ?? process.cwd(), bin);
try {
  if (!statSync(abs).isFile()) throw new Error('not a file');
  accessSync(abs, constants.X_OK);
} catch (e) {
  process.stderr.write(`interop: CLASP_RELAY_BIN=${bin} (${abs}) is not an executable file: ${e.message}\n`);
  process.exit(1);
}
console.log(`interop: using relay ${abs}`);
