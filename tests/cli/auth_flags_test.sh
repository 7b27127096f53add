#!/usr/bin/env bash
# Black-box tests of the authentication flags (router.md R11.2, R11.3;
# docs/decisions.md "Token file", "--require-auth without a token source"):
# a token file that cannot be used stops either program at start with one
# line on stderr that names the file (and line) and the problem but never a
# token, exit code 2; `clasp server --require-auth` without a token source
# refuses to start; with a good file both programs start.
# Usage: auth_flags_test.sh <clasp-relay> <clasp>
set -u
relay=$1
clasp=$2
# shellcheck source=../script_test_lib.sh
source "$(dirname "$0")/../script_test_lib.sh"

lacks() {  # name, file, text: a secret that must not be printed
  if grep -qF -- "$3" "$2"; then fail=$((fail + 1)); echo "FAIL: $1: '$3' printed in $2"; else pass=$((pass + 1)); fi
}

# Starts a program in the background; true once it printed its listening line (10 s).
starts() {  # name, command...
  local name=$1
  shift
  local fifo="$tmp/start.$RANDOM"
  mkfifo "$fifo"
  "$@" >"$fifo" 2>"$tmp/start.err" &
  local pid=$!
  pids+=("$pid")
  local line=""
  exec 4<"$fifo"
  read -r -t 10 line <&4
  exec 4<&-
  if echo "$line" | grep -q '^listening on ws://'; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    echo "FAIL: $name: no listening line (got '$line')"
    sed 's/^/  | /' "$tmp/start.err" | head -5
  fi
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
}

printf 'ok-token read:/a/**\n' >"$tmp/good.txt"
printf '# operators\n\nok-token\nsupersecret bogus:/x\n' >"$tmp/bad-scope.txt"
printf 'supersecret read:/a/\n' >"$tmp/bad-pattern.txt"
printf 'supersecret read:/a expires=tomorrow\n' >"$tmp/bad-expiry.txt"
printf '# nothing but comments\n\n' >"$tmp/empty.txt"
printf 'supersecret\nsupersecret read:/a\n' >"$tmp/repeat.txt"
mkdir "$tmp/dir"

# Loopback and a kernel-chosen port, so a build that wrongly starts serving
# takes no fixed port (and the timeout in check() ends it).
for prog in relay server; do
  if [ $prog = relay ]; then cmd=("$relay" --host 127.0.0.1 --ws-port 0); else cmd=("$clasp" server --bind 127.0.0.1 --port 0); fi
  check "$prog missing token file" 2 1 "${cmd[@]}" --token-file "$tmp/missing.txt"
  contains "$prog missing token file says why" "$tmp/err" "cannot read '$tmp/missing.txt': No such file or directory"
  check "$prog token file is a directory" 2 1 "${cmd[@]}" --token-file "$tmp/dir"
  contains "$prog directory says why" "$tmp/err" "is a directory"
  check "$prog token file bad scope" 2 1 "${cmd[@]}" --token-file "$tmp/bad-scope.txt"
  contains "$prog bad scope names file:line and scope" "$tmp/err" "bad-scope.txt:4: invalid scope 'bogus:/x'"
  lacks "$prog bad scope hides the token" "$tmp/err" supersecret
  check "$prog token file bad pattern" 2 1 "${cmd[@]}" --token-file "$tmp/bad-pattern.txt"
  contains "$prog bad pattern names file:line" "$tmp/err" "bad-pattern.txt:1: invalid scope 'read:/a/'"
  lacks "$prog bad pattern hides the token" "$tmp/err" supersecret
  check "$prog token file bad expiry" 2 1 "${cmd[@]}" --token-file "$tmp/bad-expiry.txt"
  contains "$prog bad expiry names file:line" "$tmp/err" "bad-expiry.txt:1: 'expires=tomorrow'"
  lacks "$prog bad expiry hides the token" "$tmp/err" supersecret
  check "$prog token file without tokens" 2 1 "${cmd[@]}" --token-file "$tmp/empty.txt"
  contains "$prog no tokens says why" "$tmp/err" "empty.txt: no tokens"
  check "$prog token file repeats a token" 2 1 "${cmd[@]}" --token-file "$tmp/repeat.txt"
  contains "$prog repeat names both lines" "$tmp/err" "repeat.txt:2: token repeats the one on line 1"
  lacks "$prog repeat hides the token" "$tmp/err" supersecret
  check "$prog --token-file without a value" 2 1 "${cmd[@]}" --token-file
  check "$prog help" 0 0 "${cmd[@]}" --help
  contains "$prog help lists --token-file" "$tmp/out" "--token-file"
done

# --require-auth (clasp-server.md): needs a token source; JWT is not built yet.
check "server --require-auth alone" 2 1 "$clasp" server --bind 127.0.0.1 --port 0 --require-auth
contains "server --require-auth says what is missing" "$tmp/err" "needs a token source"
contains "server help lists --require-auth" <("$clasp" server --help) "--require-auth"
check "relay has no --require-auth (not on its user page)" 2 1 "$relay" --host 127.0.0.1 --ws-port 0 --require-auth

# A good file: both programs start, in either flag order.
starts "relay with a token file" "$relay" --host 127.0.0.1 --ws-port 0 --token-file "$tmp/good.txt"
starts "server --require-auth --token-file" "$clasp" server --bind 127.0.0.1 --port 0 --require-auth --token-file "$tmp/good.txt"
starts "server --token-file --require-auth" "$clasp" server --bind 127.0.0.1 --port 0 --token-file "$tmp/good.txt" --require-auth
starts "server --token-file alone" "$clasp" server --bind 127.0.0.1 --port 0 --token-file "$tmp/good.txt"

finish cli_auth
