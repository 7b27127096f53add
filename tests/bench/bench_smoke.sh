#!/usr/bin/env bash
# Smoke test of clasp-bench against a real relay on a free port: a short
# fanout must lose nothing, deliver something and time its ACKs, a fanout
# without subscribers must send and time ACKs, and conns must get every
# session ready and read the relay's memory. When mosquitto is installed, the
# same fanout runs over MQTT against it (no ACKs there: null). Results are
# read from the JSON line.
# Usage: bench_smoke.sh <clasp-relay> <clasp-bench>
set -u
relay=$1
bench=$2
# shellcheck source=../script_test_lib.sh
source "$(dirname "$0")/../script_test_lib.sh"

field() {  # file, name -> the JSON number (or null) of that field
  sed -n "s/.*\"$2\":\([^,}]*\).*/\1/p" "$1"
}

expect() {  # what, file, field, test operator, value
  local got
  got=$(field "$2" "$3")
  if [ -n "$got" ] && [ "$got" != null ] && [ "${got%.*}" "$4" "$5" ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1: $3 = '$got', want $4 $5"
  fi
}

expect_null() {  # what, file, field
  local got
  got=$(field "$2" "$3")
  if [ "$got" = null ]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $1: $3 = '$got', want null"
  fi
}

run() {  # name, command... ; stdout -> $tmp/name.json, stderr shown on failure
  local name=$1
  shift
  if ! timeout 30 "$@" >"$tmp/$name.json" 2>"$tmp/$name.err"; then
    fail=$((fail + 1))
    echo "FAIL: $name exited with $?:"
    sed 's/^/  | /' "$tmp/$name.err" | tail -5
  fi
}

# The relay picks a free port and announces it on stdout: block on that line.
mkfifo "$tmp/relay.out"
"$relay" --host 127.0.0.1 --ws-port 0 >"$tmp/relay.out" 2>"$tmp/relay.err" &
relay_pid=$!
pids+=("$relay_pid")
exec 3<"$tmp/relay.out"
port=""
if read -r -t 10 line <&3; then
  port=$(echo "$line" | sed -n 's/^listening on ws:\/\/127\.0\.0\.1:\([0-9]*\)$/\1/p')
fi
if [ -z "$port" ]; then
  echo "FAIL: relay did not print its listening line"
  exit 1
fi
url="ws://127.0.0.1:$port"

run fanout "$bench" fanout --url "$url" --subscribers 10 --duration 1 --warmup 0.2
expect "fanout" "$tmp/fanout.json" loss -eq 0
expect "fanout" "$tmp/fanout.json" received -gt 0
expect "fanout" "$tmp/fanout.json" ack_p50_us -gt 0
expect "fanout" "$tmp/fanout.json" ack_max_us -ge "$(field "$tmp/fanout.json" ack_p99_us)"

# No subscribers: a write-throughput run, bounded only by the ACK window.
run writes "$bench" fanout --url "$url" -n 0 -p 2 --duration 1 --warmup 0.2
expect "fanout -n 0" "$tmp/writes.json" sent -gt 0
expect "fanout -n 0" "$tmp/writes.json" expected -eq 0
expect "fanout -n 0" "$tmp/writes.json" loss -eq 0
expect "fanout -n 0" "$tmp/writes.json" ack_p50_us -gt 0
expect_null "fanout -n 0" "$tmp/writes.json" p50_us
# Over MQTT nothing would bound or time it: a usage error before connecting.
check "mqtt fanout -n 0" 2 1 "$bench" fanout --url mqtt://127.0.0.1:1 -n 0

run conns "$bench" conns --url "$url" -n 200 --hold 0.2 --server-pid "$relay_pid"
expect "conns" "$tmp/conns.json" ready -eq 200
expect "conns" "$tmp/conns.json" failed -eq 0
expect "conns" "$tmp/conns.json" rss_after_kib -gt 0

# MQTT: mosquitto has no "any free port", so try a few in 27800-27899.
mosquitto=$(command -v mosquitto || echo /usr/sbin/mosquitto)
if [ -x "$mosquitto" ]; then
  mport=""
  for try in 0 1 2 3 4 5 6 7; do
    p=$((27800 + (RANDOM + try) % 100))
    # It logs "... running" once listening, or exits when the port is taken:
    # block on its log lines (a fifo) until one of the two happens.
    rm -f "$tmp/mosquitto.out"
    mkfifo "$tmp/mosquitto.out"
    "$mosquitto" -p "$p" >"$tmp/mosquitto.out" 2>&1 &
    mpid=$!
    exec 4<"$tmp/mosquitto.out"
    running=false
    while IFS= read -r -t 10 line <&4; do
      case $line in *" running"*) running=true; break ;; esac
    done
    if $running; then
      cat <&4 >/dev/null &  # keep draining its log
      pids+=("$mpid" "$!")
      mport=$p
      exec 4<&-
      break
    fi
    exec 4<&-
    kill "$mpid" 2>/dev/null
    wait "$mpid" 2>/dev/null
  done
  if [ -z "$mport" ]; then
    fail=$((fail + 1))
    echo "FAIL: mosquitto did not start on a port in 27800-27899"
  else
    run mqtt "$bench" fanout --url "mqtt://127.0.0.1:$mport" --subscribers 10 --duration 1 --warmup 0.2
    expect "mqtt fanout" "$tmp/mqtt.json" loss -eq 0
    expect "mqtt fanout" "$tmp/mqtt.json" received -gt 0
    expect_null "mqtt fanout" "$tmp/mqtt.json" ack_p50_us
  fi
else
  echo "bench: mosquitto not installed, MQTT part skipped"
fi

finish bench
