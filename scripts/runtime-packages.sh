#!/usr/bin/env bash
# Prints the Debian packages (one per line) that provide the shared libraries
# the given binaries load: what the container image's runtime stage installs
# (Dockerfile), so the list never drifts from what the build links.
# Usage: scripts/runtime-packages.sh BINARY...
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: runtime-packages.sh BINARY..." >&2; exit 2; }

libs=$(for bin in "$@"; do ldd "$bin"; done | awk '/=> \// {print $3}' | sort -u)
status=0
packages=()
for lib in $libs; do
  pkg=""
  # Debian 12 has a merged /usr: ldd may name /lib/... while dpkg knows /usr/lib/...
  for candidate in "$lib" "/usr$lib" "${lib#/usr}" "$(readlink -f "$lib")"; do
    if found=$(dpkg -S "$candidate" 2>/dev/null); then
      pkg=${found%%:*}
      break
    fi
  done
  if [ -z "$pkg" ]; then
    echo "runtime-packages: no package provides $lib" >&2
    status=1
  else
    packages+=("$pkg")
  fi
done
printf '%s\n' "${packages[@]}" | sort -u
exit $status
