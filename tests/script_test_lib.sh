# Shared by the black-box shell tests (tests/cli, tests/bench): pass/fail
# counters, check/contains, a scratch folder, and a cleanup that stops every process whose pid
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

# Runs a command that must end by itself and checks its exit code and the
# number of lines it wrote to stderr ("-" = any).
check() {  # name, expected exit, expected stderr lines (or -), command...
  local name=$1 want=$2 lines=$3
  shift 3
  # A build that wrongly starts serving must not hang the suite.
  timeout 10 "$@" >"$tmp/out" 2>"$tmp/err"
  local got=$?
  local n
  n=$(wc -l <"$tmp/err")
  if [ "$got" -eq "$want" ] && { [ "$lines" = - ] || [ "$n" -eq "$lines" ]; }; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: exit $got (want $want), $n stderr line(s) (want $lines):"
    sed 's/^/  | /' "$tmp/err" | head -5
  fi
}

contains() {  # name, file, text
  if grep -qF -- "$3" "$2"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1: no '$3' in $2:"; sed 's/^/  | /' "$2" | head -5; fi
}

# Prints the summary line and returns non-zero when anything failed.
finish() {  # suite name
  echo "$1: $pass passed, $fail failed"
  [ "$fail" -eq 0 ]
}
