#!/usr/bin/env bash
# The container image without a Docker engine: the Dockerfile's build steps
# must be the scripts the README and CI run, its runtime package list must
# come out of scripts/runtime-packages.sh for the built binaries, and the
# relay must start the way the image starts it (its ENV, an unprivileged
# user, the working directory volume) with /healthz answering as the
# HEALTHCHECK expects.
# Usage: container_test.sh <clasp-relay> <clasp>
set -u
relay=$(readlink -f "$1")
clasp=$(readlink -f "$2")
root="$(cd "$(dirname "$0")/../.." && pwd)"
dockerfile="$root/Dockerfile"
# shellcheck source=../script_test_lib.sh
source "$(dirname "$0")/../script_test_lib.sh"

expect() {  # name, condition result (0 = pass), detail
  if [ "$2" -eq 0 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1${3:+: $3}"; fi
}

# Build steps: the same scripts CI runs (scripts/test.sh calls both).
contains "Dockerfile installs with install-deps.sh" "$dockerfile" "bash scripts/install-deps.sh"
contains "Dockerfile builds with build.sh release" "$dockerfile" "bash scripts/build.sh release"
contains "test.sh runs install-deps.sh" "$root/scripts/test.sh" "bash scripts/install-deps.sh"
contains "test.sh runs build.sh" "$root/scripts/test.sh" "bash scripts/build.sh release"
contains "Dockerfile lists runtime packages with the script" "$dockerfile" "scripts/runtime-packages.sh"
grep -Eq '^FROM debian:12 AS build' "$dockerfile"; expect "Debian 12 build stage" $?
grep -Eq '^FROM debian:12-slim' "$dockerfile"; expect "Debian 12 runtime stage" $?
user=$(awk '$1 == "USER" {print $2}' "$dockerfile" | tail -1)
[ -n "$user" ] && [ "$user" != root ] && [ "$user" != 0 ]; expect "runs as a non-root user" $? "USER '$user'"
grep -Eq '^EXPOSE .*7330/tcp' "$dockerfile"; expect "exposes 7330" $?
grep -Eq '^HEALTHCHECK' "$dockerfile" && grep -q '/healthz' "$dockerfile"; expect "HEALTHCHECK on /healthz" $?

# Runtime packages: every library the binaries load has a package, and it is installed.
if bash "$root/scripts/runtime-packages.sh" "$relay" "$clasp" >"$tmp/packages" 2>"$tmp/packages.err"; then
  pass=$((pass + 1))
  missing=""
  while read -r p; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
  done <"$tmp/packages"
  [ -z "$missing" ]; expect "runtime packages are real installed packages" $? "$missing"
  grep -qx 'libsqlite3-0' "$tmp/packages"; expect "runtime packages include SQLite" $?
else
  fail=$((fail + 1))
  echo "FAIL: runtime-packages.sh: $(cat "$tmp/packages.err")"
fi

# Start as the image does: its ENV lines, an unprivileged user, a private
# working directory; the health port is moved to 0 (kernel's choice) only
# because tests run beside each other.
envs=()
while read -r name value; do envs+=("$name=$value"); done < <(awk '$1 == "ENV" {split($2, kv, "="); print kv[1], kv[2]}' "$dockerfile")
grep -q 'CLASP_HEALTH_PORT=7360' <(printf '%s\n' "${envs[@]}"); expect "image sets the health port" $?
grep -q 'http://127.0.0.1:7360/healthz' "$dockerfile"; expect "HEALTHCHECK asks the health port" $?
work="$tmp/var-lib-clasp"
mkdir -p "$work"
chown 65534:65534 "$work" "$tmp"
runas=()
[ "$(id -u)" -eq 0 ] && runas=(setpriv --reuid=65534 --regid=65534 --clear-groups)
mkfifo "$tmp/relay.out"
(cd "$work" && exec env "${envs[@]}" CLASP_HEALTH_PORT=0 CLASP_METRICS_PORT=0 "${runas[@]}" "$relay" --host 127.0.0.1 --ws-port 0 \
  >"$tmp/relay.out" 2>"$tmp/relay.err") &
pids+=($!)
exec 3<"$tmp/relay.out"
http=""
# Blocks until the relay announces its listeners (deadline 10 s each line).
while read -r -t 10 line <&3; do
  case "$line" in
    "listening on health://"*) http=${line#listening on health://}; break ;;
  esac
done
if [ -z "$http" ]; then
  fail=$((fail + 1))
  echo "FAIL: the relay started as in the image printed no 'listening on health://' line"
  sed 's/^/  | /' "$tmp/relay.err" | head -5
else
  pass=$((pass + 1))
  # The HEALTHCHECK's own command line, on the announced port.
  curl -fsS "http://$http/healthz" >"$tmp/health"; expect "HEALTHCHECK command succeeds" $?
  curl -fsS "http://$http/readyz" >/dev/null; expect "ready once listening" $?
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$http/metrics")" = 404 ]; expect "health port serves no metrics" $?
fi

finish container
