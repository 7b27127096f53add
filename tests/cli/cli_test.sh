#!/usr/bin/env bash
# Black-box tests of the two executables' command lines: every usage error is
# one line on stderr and exit code 2; help and version exit 0; the relay
# prints its listening line, answers a plain HTTP probe with "ok" (curl), and
# a second relay on a port in use fails with exit 2.
# Usage: cli_test.sh <clasp-relay> <clasp>
set -u
relay=$1
clasp=$2
# shellcheck source=../script_test_lib.sh
source "$(dirname "$0")/../script_test_lib.sh"

# Usage errors: exit 2, exactly one line.
check "relay unknown flag" 2 1 "$relay" --bogus
check "relay bad value" 2 1 "$relay" --ws-port notaport
check "relay out of range" 2 1 "$relay" --ws-port 70000
check "relay flag of a later feature" 2 1 "$relay" --rules rules.json
check "relay bad --journal-compact-age unit" 2 1 "$relay" --ws-port 0 --journal-memory --journal-compact-age 5y
check "relay bad --journal-compact-age number" 2 1 "$relay" --ws-port 0 --journal-memory --journal-compact-age h
check "relay negative --persist-interval" 2 1 "$relay" --ws-port 0 --persist-interval -1
check "relay --persist-interval beyond a day" 2 1 "$relay" --ws-port 0 --persist-interval 86401
check "relay bad --journal-max-entries" 2 1 "$relay" --ws-port 0 --journal-memory --journal-max-entries many
check "relay --persist without a path" 2 1 "$relay" --persist
check "clasp server --persist-path without --persist" 2 1 "$clasp" server --port 0 --persist-path x.db
check "clasp server bad --persist-interval" 2 1 "$clasp" server --port 0 --persist --persist-interval soon
check "clasp server has no --journal" 2 1 "$clasp" server --port 0 --journal j.db
check "relay namespace without leading slash" 2 1 "$relay" --mqtt-namespace mqtt
check "relay namespace with trailing slash" 2 1 "$relay" --osc-namespace /osc/
check "relay OSC session timeout of 0" 2 1 "$relay" --osc-session-timeout 0
check "relay bad --osc-allow network" 2 1 "$relay" --ws-port 0 --osc-port 0 --osc-allow 10.0.0.0/40
check "relay missing value" 2 1 "$relay" --name
check "clasp no subcommand" 2 1 "$clasp"
check "clasp server unknown flag" 2 1 "$clasp" server --quic-port 9
check "clasp server bad log level" 2 1 "$clasp" server --log-level loud
check "clasp server message size too small" 2 1 "$clasp" server --max-message-size 10

# Help and version.
check "relay help" 0 0 "$relay" --help
contains "relay help lists --ws-port" "$tmp/out" "--ws-port"
contains "relay help lists --param-ttl" "$tmp/out" "--param-ttl"
check "clasp server help" 0 0 "$clasp" server -h
contains "server help lists --max-subscriptions" "$tmp/out" "--max-subscriptions"
check "clasp version" 0 0 "$clasp" -V
contains "version names the program" "$tmp/out" "clasp"
check "relay version" 0 0 "$relay" --version
contains "relay version has the number" "$tmp/out" "clasp-relay 0.1.0"
contains "relay version lists build features" "$tmp/out" "features: websocket mqtt osc"
check "clasp server version" 0 0 "$clasp" server -V
contains "server version lists the config file" "$tmp/out" "config-file"
check "clasp server help" 0 0 "$clasp" server --help
contains "server help shows the -c option" "$tmp/out" "-c, --config <PATH>"
contains "server help shows a default" "$tmp/out" "[default: 7330]"
check "clasp server given a flag twice" 2 1 "$clasp" server --port 0 --port 1
check "relay bad --drain-timeout" 2 1 "$relay" --drain-timeout soon
check "relay with no protocol" 2 1 "$relay" --ws-port 0 --no-websocket

# A relay on a free port: listening line, HTTP probe, then port-in-use.
mkfifo "$tmp/relay.out"
"$relay" --host 127.0.0.1 --ws-port 0 >"$tmp/relay.out" 2>"$tmp/relay.err" &
pids+=($!)
exec 3<"$tmp/relay.out"
port=""
# Blocks until the relay announces itself (deadline 10 s).
if read -r -t 10 line <&3; then
  port=$(echo "$line" | sed -n 's/^listening on ws:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p')
fi
if [ -z "$port" ]; then
  fail=$((fail + 1))
  echo "FAIL: relay did not print its listening line"
else
  pass=$((pass + 1))
  body=$(curl -s --max-time 5 "http://127.0.0.1:$port/health")
  if [ "$body" = "ok" ]; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: probe body '$body'"; fi
  head=$(curl -s -I --max-time 5 "http://127.0.0.1:$port/")
  if echo "$head" | grep -q "200 OK"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: HEAD probe: $head"; fi
  check "port in use" 2 1 "$relay" --host 127.0.0.1 --ws-port "$port"
  contains "port in use says why" "$tmp/err" "cannot listen"
  check "clasp server port in use" 2 1 "$clasp" server --bind 127.0.0.1 --port "$port"
fi

finish cli
