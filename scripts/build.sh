#!/usr/bin/env bash
# Configures and builds one or more build trees under build/:
#   release  optimised, with benchmarks        (build/release)
#   asan     AddressSanitizer + UBSan, tests   (build/asan)
#   fuzz     clang-16 libFuzzer targets        (build/fuzz)
# Usage: scripts/build.sh [release] [asan] [fuzz]   (default: release)
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)
configure() {  # dir, extra cmake args...
  local dir=$1; shift
  cmake -S . -B "build/$dir" -G Ninja "$@" >/dev/null
}

for kind in "${@:-release}"; do
  case "$kind" in
    release) configure release -DCMAKE_BUILD_TYPE=Release ;;
    asan) configure asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLASP_SANITIZE=ON -DCLASP_BENCH=OFF ;;
    fuzz) configure fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCLASP_FUZZ=ON -DCLASP_BENCH=OFF \
            -DCMAKE_CXX_COMPILER=clang++-16 ;;
    *) echo "build.sh: unknown build kind '$kind' (release|asan|fuzz)" >&2; exit 2 ;;
  esac
  echo "build: $kind"
  ninja -C "build/$kind" -j "$jobs"
done
