#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# gupfuzz minimize against libFuzzer's -minimize_crash=1 on the same crashes.
# For every machine bug of core/base/bugs.def and libFuzzer seeds 1..RUNS,
# fuzz_gup_interleave finds a crash from the shipped seeds (up to LIMIT s);
# then both minimizers shrink it:
#   - gupfuzz minimize (scenario-level delta debugging, same invariant);
#   - libFuzzer -minimize_crash=1 -runs=MINRUNS (byte-level; any crash counts).
# Prints, per crash, the violating step, the operations and the schedule
# length before and after each, whether the invariant was kept, and the time;
# then medians.  Both run the fuzz preset (clang 19, ASan+UBSan).
# Usage: bench/minimize_vs_libfuzzer.sh [RUNS] [LIMIT] [MINRUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-3}; LIMIT=${2:-30}; MINRUNS=${3:-20000}
FUZZ=build/fuzz/fuzz/fuzz_gup_interleave
TOOL=build/fuzz/repro/gupfuzz
[ -x "$FUZZ" ] && [ -x "$TOOL" ] || { echo "build the fuzz preset first (make build-fuzz)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
bugs=$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "",.*/\1/p' core/base/bugs.def)

# "step ops schedule invariant" of a scenario file (bytes: bugs from the environment).
shape() {
  GUPFUZZ_BUGS=$1 "$TOOL" replay --json "$2" 2>/dev/null | python3 -c '
import json, sys
j = json.loads(sys.stdin.readline())
s = j["scenario"]
print(j.get("step", "-"), sum(len(c) for c in s["cpus"]), len(s.get("schedule", [])),
      j["invariant"]["id"] if j["verdict"] == "violation" else "clean")'
}
now() { date +%s.%N; }

printf '%-26s %-4s | %-30s | %-38s | %-38s\n' bug seed "crash: step ops sched" \
  "gupfuzz minimize: step ops sched kept s" "libFuzzer -minimize_crash: step ops sched kept s"
for b in $bugs; do
  for r in $(seq 1 "$RUNS"); do
    rm -rf "$W/c" "$W/a"; mkdir -p "$W/c" "$W/a"; cp corpus/fuzz_gup_interleave/* "$W/c/"
    GUPFUZZ_BUGS=$b timeout $((LIMIT + 10)) "$FUZZ" -seed="$r" -max_len=1024 -max_total_time="$LIMIT" \
      -artifact_prefix="$W/a/" "$W/c" >"$W/log" 2>&1 || true
    crash=$(ls "$W/a"/crash-* 2>/dev/null | head -1 || true)
    [ -n "$crash" ] || { printf '%-26s %-4s | no crash in %ss\n' "$b" "$r" "$LIMIT"; continue; }
    read -r s0 o0 q0 inv <<<"$(shape "$b" "$crash")"
    t0=$(now); GUPFUZZ_BUGS=$b "$TOOL" minimize "$crash" -o "$W/g" >/dev/null; t1=$(now)
    read -r s1 o1 q1 inv1 <<<"$(shape "$b" "$W/g.bin")"
    t2=$(now)
    GUPFUZZ_BUGS=$b "$FUZZ" -minimize_crash=1 -runs="$MINRUNS" -seed=1 -exact_artifact_path="$W/l.bin" "$crash" \
      >"$W/min.log" 2>&1 || true
    t3=$(now)
    if [ -f "$W/l.bin" ]; then read -r s2 o2 q2 inv2 <<<"$(shape "$b" "$W/l.bin")"; else s2=-; o2=-; q2=-; inv2=none; fi
    rm -f "$W/l.bin" "$W/g.json" "$W/g.bin"
    printf '%-26s %-4s | %6s %3s %5s              | %6s %3s %5s %-4s %6.2f          | %6s %3s %5s %-4s %6.2f\n' \
      "$b" "$r" "$s0" "$o0" "$q0" "$s1" "$o1" "$q1" "$([ "$inv1" = "$inv" ] && echo yes || echo NO)" \
      "$(echo "$t1 - $t0" | bc)" "$s2" "$o2" "$q2" "$([ "$inv2" = "$inv" ] && echo yes || echo NO)" "$(echo "$t3 - $t2" | bc)"
  done
done
