#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Time-to-bug on real threads (gupfuzz stress), next to the deterministic
# fuzzer's (bench/time_to_bug.txt): RUNS runs per machine bug of core/base/bugs.def
# (jitter seeds 1..RUNS), round robin over the shipped benign scenarios, each
# capped at LIMIT seconds.  BUILD=tsan (default: ThreadSanitizer, which also
# reports the plain-load race) or BUILD=fuzz (ASan+UBSan; with UNCHECKED=1 the
# walkers really touch freed PTE tables, for ASan).  BUGS="a b" for only those.
# GUPFUZZ=<binary> runs another build of gupfuzz; PER_RUN=1 appends the
# seconds of each run (bench/run.sh parses them).
# Real threads need the machine's cores: run it on an otherwise idle machine.
# Usage: [BUILD=tsan|fuzz] [BUGS=...] bench/stress_time_to_bug.sh [RUNS] [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}; LIMIT=${2:-60}
BUILD=${BUILD:-tsan}
G=${GUPFUZZ:-build/$BUILD/repro/gupfuzz}
[ -x "$G" ] || { echo "build the $BUILD preset first (make test, or make stress for tsan)" >&2; exit 2; }
INPUTS=${INPUTS:-corpus/scenarios corpus/fuzz_gup_interleave corpus/regressions}
extra=(); [ "${UNCHECKED:-0}" = 1 ] && extra+=(--unchecked-tables)
bugs=${BUGS:-$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "",.*/\1/p' core/base/bugs.def)}
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
echo "# bench/stress_time_to_bug.sh $RUNS $LIMIT — $(date -u +%F), $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1), build $BUILD${extra[*]:+ ${extra[*]}}"
printf '%-28s %-6s %-40s %-44s %s\n' bug found by "executions to bug (per run)" "median s"
for b in $bugs; do
  execs=(); secs=(); found=0; by=""
  for r in $(seq 1 "$RUNS"); do
    t0=$(date +%s.%N)
    TSAN_OPTIONS=${TSAN_OPTIONS:-exitcode=0} "$G" stress --json --seconds "$LIMIT" --seed "$r" --bugs "$b" \
      "${extra[@]}" $INPUTS > "$W/out" 2> "$W/err" || true
    t1=$(date +%s.%N)
    read -r result n s how < <(python3 -c 'import json,sys
d = json.loads((sys.stdin.read().strip().splitlines() or ["{}"])[-1])
print(d.get("result", "?"), d.get("executions_to_bug", "-"), round(d.get("seconds_to_bug", 0), 3),
      d.get("by", "-") + ":" + d.get("oracle", "-"))' < "$W/out" 2>/dev/null || echo "? - - -")
    if [ "$result" = found ]; then
      found=$((found + 1)); execs+=("$n"); secs+=("$s"); by=$how
    elif grep -q "ERROR: AddressSanitizer" "$W/err"; then
      # ASan ends the process itself: wall time, start-up included.
      found=$((found + 1)); execs+=("?"); secs+=("$(echo "$t1 - $t0" | bc)"); by="AddressSanitizer"
    elif [ "$result" = clean ]; then
      execs+=("none"); secs+=("$LIMIT+")
    else  # no summary: the program died (a bug of gupfuzz itself, not a finding)
      echo "$b run $r: no summary; stderr:" >&2; tail -5 "$W/err" >&2
      execs+=("ERROR"); secs+=("$LIMIT+")
    fi
  done
  med=$(printf '%s\n' "${secs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%-28s %-6s %-40s %-44s %s' "$b" "$found/$RUNS" "${by:--}" "${execs[*]}" "$med"
  if [ "${PER_RUN:-0}" = 1 ]; then printf ' %s' "${secs[@]}"; fi
  echo
done
