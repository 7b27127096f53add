#!/usr/bin/env bash
# Cost of durable ACKs, side by side in one run: clasp-relay without a
# journal, with --journal (WAL, synchronous=NORMAL: survives kill -9) and with
# --journal --journal-fsync (also survives power loss), driven by clasp-bench.
#   write: 10 writers, SETs as fast as a window of 1000 unacknowledged each
#          allows, no subscribers (-n 0): SETs/s and ACK latency.
#   rate:  10 writers at a fixed 100 000 SETs/s in total: the ACK latency a
#          durable write adds when the relay is not saturated.
# Prints a Markdown table. Usage: bench/durability.sh [BUILD_DIR] [REPEAT]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
repeat=${2:-2}
relay=$build/src/cli/clasp-relay
bench=$build/src/bench/clasp-bench
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # config-name workload relay-flags...
  local name=$1 workload=$2
  shift 2
  rm -f "$work"/j.db*
  "$relay" --host 127.0.0.1 --ws-port 0 "$@" >"$work/out" 2>"$work/err" &
  local pid=$!
  local port=""
  for _ in $(seq 100); do
    port=$(sed -n 's|^listening on ws://127.0.0.1:\([0-9]*\)$|\1|p' "$work/out")
    [ -n "$port" ] && break
    sleep 0.05
  done
  local args=(fanout --url "ws://127.0.0.1:$port" -n 0 -p 10 --duration 10 --warmup 2 --addresses 100)
  [ "$workload" = rate ] && args+=(--rate 100000)
  "$bench" "${args[@]}" 2>/dev/null | python3 -c '
import json, sys
d = json.loads(sys.stdin.read())
print("| %s | %s | %.0f K | %d | %d | %d |" % (sys.argv[1], sys.argv[2], d["sent_per_s"] / 1000,
      d["ack_p50_us"], d["ack_p99_us"], d["ack_p999_us"]))' "$name" "$workload"
  kill "$pid"
  wait "$pid"
}

echo "| relay | workload | SETs/s | ACK p50 µs | ACK p99 µs | ACK p99.9 µs |"
echo "|---|---|---|---|---|---|"
for _ in $(seq "$repeat"); do
  for w in write rate; do
    run "no journal" "$w"
    run "--journal" "$w" --journal "$work/j.db"
    run "--journal --journal-fsync" "$w" --journal "$work/j.db" --journal-fsync
  done
done
