#!/usr/bin/env bash
# Cost of the metrics instrumentation, side by side in one run: a relay built
# without it (BASE_BUILD, e.g. the commit before the metrics layer), this
# tree's relay without --metrics-port, and this tree's relay with
# --metrics-port scraped once a second by curl. Each is driven by this tree's
# clasp-bench at full speed: 1 publisher -> SUBSCRIBERS (10) subscribers, SETs.
# Configurations take turns run by run, so machine noise spreads over all.
# Prints a Markdown table.
# Usage: bench/metrics_overhead.sh BASE_BUILD [BUILD_DIR] [REPEAT] [SUBSCRIBERS]
set -euo pipefail
cd "$(dirname "$0")/.."
base=$1
build=${2:-build/release}
repeat=${3:-3}
subscribers=${4:-10}
bench=$build/src/bench/clasp-bench
work=$(mktemp -d)
scraper=""
trap '[ -n "$scraper" ] && kill "$scraper" 2>/dev/null; rm -rf "$work"' EXIT

port_of() {  # scheme file
  local p=""
  for _ in $(seq 100); do
    p=$(sed -n "s|^listening on $1://127.0.0.1:\([0-9]*\)\$|\1|p" "$2")
    [ -n "$p" ] && break
    sleep 0.05
  done
  echo "$p"
}

run() {  # name relay-binary relay-flags...
  local name=$1 relay=$2
  shift 2
  "$relay" --host 127.0.0.1 --ws-port 0 --max-sessions 0 "$@" >"$work/out" 2>"$work/err" &
  local pid=$! port scrapes=0
  port=$(port_of ws "$work/out")
  : >"$work/scrapes"
  if [ "$name" = "metrics, scraped 1/s" ]; then
    local http
    http=$(port_of http "$work/out")
    (while true; do curl -s -o /dev/null "http://127.0.0.1:$http/metrics" && echo x >>"$work/scrapes"; sleep 1; done) &
    scraper=$!
  fi
  "$bench" fanout --url "ws://127.0.0.1:$port" -n "$subscribers" -p 1 --rate 0 --kind set --duration 5 --warmup 1 \
      2>/dev/null >"$work/json"
  if [ -n "$scraper" ]; then
    kill "$scraper"
    wait "$scraper" 2>/dev/null || true
    scraper=""
    scrapes=$(wc -l <"$work/scrapes")
  fi
  python3 -c '
import json, sys
d = json.load(open(sys.argv[3]))
print("| %s | %.2f M | %.0f K | %s | %d | %s |" % (sys.argv[1], d["deliveries_per_s"] / 1e6, d["sent_per_s"] / 1e3,
      d["p99_us"], d["loss"], sys.argv[2]))' "$name" "$scrapes" "$work/json"
  kill "$pid"
  wait "$pid" || true
}

echo "| relay | deliveries/s | SETs/s | p99 µs | loss | scrapes |"
echo "|---|---|---|---|---|---|"
for _ in $(seq "$repeat"); do
  run "base (no metrics code)" "$base/src/cli/clasp-relay"
  run "metrics code, off" "$build/src/cli/clasp-relay"
  run "metrics, scraped 1/s" "$build/src/cli/clasp-relay" --metrics-port 0
done
