# Shared by the black-box shell tests (tests/cli, tests/bench): pass/fail
# counters, a scratch folder, and a cleanup that stops every process whose pid
# was added to `pids` and removes the folder on exit. Source it after `set -u`.
pass=0
fail=0
tmp=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}
trap cleanup EXIT

# Prints the summary line and returns non-zero when anything failed.
finish() {  # suite name
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
