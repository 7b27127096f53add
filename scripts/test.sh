#!/usr/bin/env bash
# The one test command: installs dependencies, builds the release, sanitizer
# and fuzz trees, runs every test suite in the release and the ASan/UBSan
# builds, then runs each fuzz target for a bounded time. Exit 0 only if all pass.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh --test
bash scripts/build.sh release asan fuzz

failed=0
for tree in release asan; do
  echo "test: ctest in build/$tree"
  (cd "build/$tree" && ctest --output-on-failure -j "$(nproc)") || failed=1
done
bash scripts/fuzz.sh || failed=1

if [ $failed -ne 0 ]; then
  echo "test: FAILED"
  exit 1
fi
echo "test: all suites and fuzz targets passed"
