#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Time-to-bug of a fuzz target for every injected bug it can see: RUNS libFuzzer
# runs per bug (seeds 1..RUNS), from the shipped seeds and from an empty corpus,
# each capped at LIMIT seconds on one core.  Prints execs and seconds to the
# first crash, and the median.  TARGET=fuzz_gup_interleave (default: the
# machine's bugs) or TARGET=fuzz_pte_norecency (the helper bugs); BUGS="a b"
# for only those.  FUZZ=<binary> runs another build of the target; PER_RUN=1
# appends the seconds of each run (bench/run.sh parses them).
# Usage: [TARGET=...] [BUGS=...] bench/time_to_bug.sh [RUNS] [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}; LIMIT=${2:-60}
TARGET=${TARGET:-fuzz_gup_interleave}
FUZZ=${FUZZ:-build/fuzz/fuzz/$TARGET}
[ -x "$FUZZ" ] || { echo "build the fuzz preset first (make test or make fuzz)" >&2; exit 2; }
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
# core/base/bugs.def: machine bugs have an empty `where`, helper bugs name a model.
if [ "$TARGET" = fuzz_pte_norecency ]; then
  bugs=$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "[^"].*/\1/p' core/base/bugs.def)
else
  bugs=$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "",.*/\1/p' core/base/bugs.def)
fi
[ -n "${BUGS:-}" ] && bugs=$BUGS
printf '%-28s %-6s %-40s %s\n' bug corpus "execs to bug (per run)" "median s"
for b in $bugs; do
  for start in seeds empty; do
    execs=(); secs=()
    for r in $(seq 1 "$RUNS"); do
      rm -rf "$W/c" "$W/a"; mkdir -p "$W/c" "$W/a"
      [ $start = seeds ] && cp corpus/"$TARGET"/* "$W/c/"
      t0=$(date +%s.%N)
      GUPFUZZ_BUGS=$b timeout $((LIMIT + 10)) "$FUZZ" -seed="$r" -max_len=1024 -max_total_time="$LIMIT" -print_final_stats=1 \
        -artifact_prefix="$W/a/" "$W/c" > "$W/log" 2>&1 || true
      t1=$(date +%s.%N)
      if ls "$W/a"/crash-* >/dev/null 2>&1; then
        n=$(sed -n "s/^stat::number_of_executed_units: *//p" "$W/log" | tail -1); execs+=("${n:-?}")
        secs+=("$(echo "$t1 - $t0" | bc)")
      else
        execs+=("none"); secs+=("$LIMIT+")
      fi
    done
    med=$(printf '%s\n' "${secs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-28s %-6s %-40s %s' "$b" "$start" "${execs[*]}" "$med"
    if [ "${PER_RUN:-0}" = 1 ]; then printf ' %s' "${secs[@]}"; fi
    echo
  done
done
