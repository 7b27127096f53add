#!/usr/bin/env bash
# Installs everything the build needs on Debian 12 from Debian's packages, and
# with --test also what the tests need: Node.js (Debian's, unless the machine
# already has a node) and the npm packages pinned in tests/interop's lockfile.
# Idempotent: packages already present are not touched (no apt-get update).
set -euo pipefail

cd "$(dirname "$0")/.."
with_tests=false
[ "${1:-}" = "--test" ] && with_tests=true

PACKAGES=(
  build-essential cmake ninja-build pkg-config
  libmsgpack-cxx-dev nlohmann-json3-dev  # core: v0 payloads; tests: spec vectors
  libboost-dev libspdlog-dev libcli11-dev  # Asio/Beast, logging, flags
  liblo-dev                              # OSC parsing and building
  libsqlite3-dev                         # journal and state file
  libyaml-cpp-dev                        # clasp server -c config files
  libbenchmark-dev
)
if $with_tests; then
  PACKAGES+=(
    clang-16 libclang-rt-16-dev          # libFuzzer + sanitizers for fuzz targets
    libgtest-dev libgmock-dev
    curl                                 # black-box HTTP probe checks
    python3                              # bench/compare, test helpers
    mosquitto mosquitto-clients          # the MQTT broker and clients we compare and test against
    python3-paho-mqtt                    # MQTT 5 and QoS 2 test client
    python3-prometheus-client            # tests/metrics: the reference exposition parser
    liblo-tools                          # oscsend/oscdump, OSC test clients
  )
  # Debian's Node.js unless one is installed already (the image may ship a newer one).
  command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
  command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
else
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -q
  $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

if $with_tests; then
  # Exactly the versions in the lockfile (the official JS client 3.3.2 and ws).
  echo "install-deps: npm ci in tests/interop"
  npm ci --prefix tests/interop --no-audit --no-fund --loglevel=error
fi
