#!/usr/bin/env bash
# Installs dependencies, builds the release tree and starts clasp-relay on
# port 7330 with its embedded defaults. Extra arguments go to clasp-relay.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/build.sh release

exec build/release/src/cli/clasp-relay "$@"
