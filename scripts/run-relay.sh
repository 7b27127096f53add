#!/usr/bin/env bash
# Installs dependencies, builds the release tree and starts clasp-relay on
# port 7330 with its embedded defaults. The relay executable arrives with the
# router and WebSocket server; until then this builds the core library and
# says so.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh release

if [ -x build/release/src/cli/clasp-relay ]; then
  exec build/release/src/cli/clasp-relay "$@"
fi
echo "run-relay: the core protocol library is built (build/release/src/core)."
echo "run-relay: clasp-relay is not part of this version yet; nothing to start."
