#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time under ASan/UBSan, seeded from
# the specification's vectors (regenerated each run by fuzz_seed_corpus, so the
# seeds never drift from the spec), plus the hand-written seeds under
# fuzz/seeds/<target>/ for protocols the spec has no vectors for (MQTT, OSC).
# Any crash, leak or timeout fails the run.
# CLASP_FUZZ_SECONDS sets the time per target (default 60).
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${CLASP_FUZZ_SECONDS:-60}
work=build/fuzz/work
rm -rf "$work"
mkdir -p "$work"
./build/fuzz/fuzz/fuzz_seed_corpus "$work"

status=0
for target in frame_decoder message_decoder pattern_parser ws_parser mqtt_parser osc_parser; do
  corpus="$work/$target"
  mkdir -p "$corpus" "$work/$target-artifacts"
  # Hand-written seeds for targets the spec has no vectors for (fuzz/seeds/<target>/).
  if [ -d "fuzz/seeds/$target" ]; then cp fuzz/seeds/"$target"/* "$corpus"/; fi
  echo "fuzz: $target for ${seconds}s ($(ls "$corpus" | wc -l) seeds)"
  if ! ./build/fuzz/fuzz/fuzz_$target "$corpus" -dict=fuzz/clasp.dict \
      -max_total_time="$seconds" -max_len=70000 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="$work/$target-artifacts/" -print_final_stats=1 \
      >"$work/$target.log" 2>&1; then
    echo "fuzz: $target FAILED; last lines of $work/$target.log:"
    tail -40 "$work/$target.log"
    status=1
  else
    grep -E 'stat::number_of_executed_units|stat::peak_rss_mb' "$work/$target.log" | sed "s/^/fuzz: $target /"
  fi
done
exit $status
