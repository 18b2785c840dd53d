#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Time-to-bug of a fuzz target for every injected bug it can see: RUNS libFuzzer
# runs per bug (seeds 1..RUNS), from the shipped seeds and from an empty corpus,
# each capped at LIMIT seconds on one core.  Prints execs and seconds to the
# first crash, and the median, with the target's dictionary as make fuzz runs
# it.  TARGET=fuzz_gup_interleave (default: the machine's bugs) or
# TARGET=fuzz_pte_norecency (the helper bugs); BUGS="a b" for only those.
# FUZZ=<binary> runs another build of the target; PER_RUN=1 appends the
# seconds of each run (bench/run.sh parses them).
#
# Issue 19 (the fair comparison of make bench):
#   STARTS="seeds empty"  which starts to run (default both)
#   EMPTY_LIMIT=S         the cap of the empty start (default LIMIT)
#   SEEDS=DIR             the seed folder of the seeds start (default corpus/$TARGET)
#   SCHEDULE=steps        run the fuzzer as it was before issue 19: GUPFUZZ_SCHEDULE=steps
#                         (the old one-byte-per-step schedule encoding of
#                         fuzz_gup_interleave), GUPFUZZ_MUTATOR=0, GUPFUZZ_FEEDBACK=0 and
#                         -use_counters=1 (default: the target's own, the preemption-point
#                         form with its mutator, feedback and flags), and
#                         name the starts seeds_steps / empty_steps.  The old
#                         encoding's seeds are not the shipped ones once those are
#                         converted: bench/run.sh passes SEEDS= with the bytes of a
#                         commit before issue 19.  A binary that does not read the
#                         variable gets a `# note:` line (report.py shows it).
# Usage: [TARGET=...] [BUGS=...] bench/time_to_bug.sh [RUNS] [LIMIT]
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5}; LIMIT=${2:-60}
TARGET=${TARGET:-fuzz_gup_interleave}
FUZZ=${FUZZ:-build/fuzz/fuzz/$TARGET}
STARTS=${STARTS:-seeds empty}
EMPTY_LIMIT=${EMPTY_LIMIT:-$LIMIT}
SEEDS=${SEEDS:-corpus/$TARGET}
# The dictionary, as make fuzz and ClusterFuzzLite run the target.
dict=(); [ -f "corpus/$TARGET.dict" ] && dict=(-dict="corpus/$TARGET.dict")
SCHEDULE=${SCHEDULE:-}
[ -x "$FUZZ" ] || { echo "build the fuzz preset first (make test or make fuzz)" >&2; exit 2; }
case $SCHEDULE in
  "") suffix=; sched=(-u GUPFUZZ_SCHEDULE -u GUPFUZZ_MUTATOR -u GUPFUZZ_FEEDBACK); extra=() ;;  # the target's defaults
  # The fuzzer before issue 19 whole: the old encoding, libFuzzer's byte
  # mutations, edge features only, hit counts bucketed.
  steps) suffix=_steps; sched=(GUPFUZZ_SCHEDULE=steps GUPFUZZ_MUTATOR=0 GUPFUZZ_FEEDBACK=0); extra=(-use_counters=1)
    grep -q GUPFUZZ_SCHEDULE "$FUZZ" ||
      echo "# note: $(basename "$FUZZ") does not read GUPFUZZ_SCHEDULE: the *_steps rows ran its only schedule encoding" ;;
  *) echo "bench/time_to_bug.sh: SCHEDULE must be empty or steps (got '$SCHEDULE')" >&2; exit 2 ;;
esac
case " $STARTS " in *" seeds "*)
  ls "$SEEDS"/* >/dev/null 2>&1 || { echo "bench/time_to_bug.sh: no seeds in $SEEDS" >&2; exit 2; } ;; esac
W=$(mktemp -d); trap 'rm -rf "$W"' EXIT
# core/base/bugs.def: machine bugs have an empty `where`, helper bugs name a model.
if [ "$TARGET" = fuzz_pte_norecency ]; then
  bugs=$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "[^"].*/\1/p' core/base/bugs.def)
else
  bugs=$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "",.*/\1/p' core/base/bugs.def)
fi
[ -n "${BUGS:-}" ] && bugs=$BUGS
printf '%-28s %-12s %-40s %s\n' bug corpus "execs to bug (per run)" "median s"
for b in $bugs; do
  for start in $STARTS; do
    case $start in seeds) limit=$LIMIT ;; empty) limit=$EMPTY_LIMIT ;;
      *) echo "bench/time_to_bug.sh: STARTS are seeds and empty (got '$start')" >&2; exit 2 ;; esac
    execs=(); secs=()
    for r in $(seq 1 "$RUNS"); do
      rm -rf "$W/c" "$W/a"; mkdir -p "$W/c" "$W/a"
      [ $start = seeds ] && cp "$SEEDS"/* "$W/c/"
      t0=$(date +%s.%N)
      env "${sched[@]}" GUPFUZZ_BUGS="$b" timeout $((limit + 10)) "$FUZZ" "${extra[@]}" "${dict[@]}" -seed="$r" -max_len=1024 \
        -max_total_time="$limit" -print_final_stats=1 -artifact_prefix="$W/a/" "$W/c" > "$W/log" 2>&1 || true
      t1=$(date +%s.%N)
      if ls "$W/a"/crash-* >/dev/null 2>&1; then
        n=$(sed -n "s/^stat::number_of_executed_units: *//p" "$W/log" | tail -1); execs+=("${n:-?}")
        secs+=("$(echo "$t1 - $t0" | bc)")
      else
        execs+=("none"); secs+=("$limit+")
      fi
    done
    med=$(printf '%s\n' "${secs[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
    printf '%-28s %-12s %-40s %s' "$b" "$start$suffix" "${execs[*]}" "$med"
    if [ "${PER_RUN:-0}" = 1 ]; then printf ' %s' "${secs[@]}"; fi
    echo
  done
done
