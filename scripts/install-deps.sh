#!/usr/bin/env bash
# Installs everything the build and the tests need on Debian 12, from Debian's
# packages only. Idempotent: a machine that already has every package is left
# alone (no apt-get update), so repeated runs cost a second.
set -euo pipefail

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  clang-16 libclang-rt-16-dev            # libFuzzer + sanitizers for fuzz targets
  libgtest-dev libgmock-dev libbenchmark-dev
  libmsgpack-cxx-dev nlohmann-json3-dev
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
