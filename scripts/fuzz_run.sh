#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# fuzz_run.sh: the engine behind `make fuzz`.  Runs each libFuzzer target on a
# copy of its seed corpus for a fixed budget, then prints one summary table and,
# for every crash, the command that replays it.
#
#   scripts/fuzz_run.sh SECONDS TARGET...
#
# Per target, everything lands in build/fuzz-run/<target>/:
#   corpus/    the seeds of corpus/<target>/ (never written) plus what libFuzzer added
#   crashes/   artifacts (crash-*, leak-*, timeout-*, oom-*)
#   fuzz.log   libFuzzer's output
#
# Environment: GUPFUZZ_BUGS passes through to the targets (injected bugs);
# FUZZ_ARGS adds libFuzzer flags (e.g. FUZZ_ARGS=-seed=1); FUZZ_BUILD,
# FUZZ_OUT and REPLAY_TOOL override build/fuzz, build/fuzz-run and
# build/dev/repro/gupfuzz.
#
# Exit: 0 no crash, 1 at least one crash, 2 a target could not be run.
set -euo pipefail
cd "$(dirname "$0")/.."

if (($# < 2)) || ! [[ $1 =~ ^[0-9]+$ ]]; then
  echo "usage: $0 SECONDS TARGET..." >&2
  exit 2
fi
seconds=$1
shift
build=${FUZZ_BUILD:-build/fuzz}
out=${FUZZ_OUT:-build/fuzz-run}
tool=${REPLAY_TOOL:-build/dev/repro/gupfuzz}
read -r -a extra <<<"${FUZZ_ARGS:-}"

bugs_prefix=""
[[ -n ${GUPFUZZ_BUGS:-} ]] && bugs_prefix="GUPFUZZ_BUGS=$(printf %q "$GUPFUZZ_BUGS") "

# Artifacts, i.e. every file libFuzzer wrote to crashes/ but slow-unit-* (a
# report, not a failure).
artifacts() {
  find "$1" -maxdepth 1 -type f ! -name 'slow-unit-*' 2>/dev/null | LC_ALL=C sort
}

# Stats off a libFuzzer log: "execs/s cov ft" ('-' when absent).  execs/s from
# -print_final_stats (printed on a crash too), else the last status line;
# cov/ft from the last status line (DONE when the run ended normally).
log_stats() {
  awk '
    /^#[0-9]+[ \t]/ && / cov: / {
      for (i = 1; i < NF; i++) {
        if ($i == "cov:") cov = $(i + 1)
        if ($i == "ft:") ft = $(i + 1)
        if ($i == "exec/s:") eps = $(i + 1)
      }
    }
    /^stat::average_exec_per_sec:/ { final = $2 }
    /^stat::number_of_executed_units:/ { units = $2 }
    END {
      if (final != "") eps = final
      # libFuzzer counts whole seconds: a crash in the first one says 0.  The
      # crash block gives execs and wall time instead.
      if (eps == 0) eps = ""
      printf "%s %s %s %s\n", (eps == "" ? "-" : eps), (cov == "" ? "-" : cov), (ft == "" ? "-" : ft),
             (units == "" ? "-" : units)
    }' "$1"
}

# The title of the crash in a log: gupfuzz's SUMMARY line, else the sanitizer's
# or libFuzzer's.
crash_title() {
  local t
  t=$(grep -m1 '^SUMMARY: gupfuzz:' "$1" || true)
  [[ -n $t ]] || t=$(grep -m1 '^SUMMARY: ' "$1" || true)
  echo "${t:-(no SUMMARY line; see $1)}"
}

declare -a rows=()
declare -A wall=() units=()
status=0
for t in "$@"; do
  bin=$build/fuzz/$t
  run=$out/$t
  rm -rf "$run"
  mkdir -p "$run/corpus" "$run/crashes"
  [[ -d corpus/$t ]] && cp -R "corpus/$t/." "$run/corpus/"
  seeds=$(find "$run/corpus" -type f | wc -l)

  args=(-max_total_time="$seconds" -max_len=1024 -print_final_stats=1 -fork=0
        -artifact_prefix="$run/crashes/")
  [[ -f corpus/$t.dict ]] && args+=(-dict="corpus/$t.dict")
  args+=("${extra[@]}")

  echo "fuzz: $t for ${seconds}s from $seeds seed(s)${GUPFUZZ_BUGS:+, GUPFUZZ_BUGS=$GUPFUZZ_BUGS}; log: $run/fuzz.log"
  if [[ ! -x $bin ]]; then
    echo "fuzz: $bin not built" | tee "$run/fuzz.log" >&2
    rc=127
  else
    echo "+ $bin ${args[*]} $run/corpus" >"$run/fuzz.log"
    rc=0
    start=$(date +%s.%N)
    "$bin" "${args[@]}" "$run/corpus" >>"$run/fuzz.log" 2>&1 || rc=$?
    wall[$t]=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  fi

  read -r eps cov ft n < <(log_stats "$run/fuzz.log")
  units[$t]=$n
  files=$(find "$run/corpus" -type f | wc -l)
  mapfile -t found < <(artifacts "$run/crashes")
  if ((${#found[@]} > 0)); then
    result=${#found[@]}
    status=1
  elif ((rc != 0)); then
    result="error (exit $rc)"
    ((status == 1)) || status=2
  else
    result=0
  fi
  rows+=("$t|$eps|$files ($seeds seeds)|cov $cov ft $ft|$result")
done

# The table.
header="target|execs/s|corpus (files)|coverage|crashes"
w=(0 0 0 0 0)
for r in "$header" "${rows[@]}"; do
  IFS='|' read -r -a c <<<"$r"
  for i in 0 1 2 3 4; do
    if ((${#c[i]} > w[i])); then w[i]=${#c[i]}; fi
  done
done
line() {
  IFS='|' read -r -a c <<<"$1"
  printf "%-*s | %*s | %*s | %-*s | %s\n" "${w[0]}" "${c[0]}" "${w[1]}" "${c[1]}" "${w[2]}" "${c[2]}" \
    "${w[3]}" "${c[3]}" "${c[4]}"
}
echo
echo "== gupfuzz: ${seconds}s per target${GUPFUZZ_BUGS:+, GUPFUZZ_BUGS=$GUPFUZZ_BUGS}"
line "$header"
printf '%s\n' "$(line "$header" | tr -c '|\n' '-')"
for r in "${rows[@]}"; do line "$r"; done

# Every crash, with the commands that replay it.
for t in "$@"; do
  run=$out/$t
  mapfile -t found < <(artifacts "$run/crashes")
  for a in "${found[@]}"; do
    q=$(printf %q "$a")
    echo
    seed=""
    for f in "corpus/$t"/*; do
      [[ -f $f ]] && cmp -s "$f" "$a" && { seed=$f; break; }
    done
    echo "crash: $a${seed:+   (the seed $seed itself)}"
    echo "  $(crash_title "$run/fuzz.log")"
    echo "  found after ${units[$t]} execs, ${wall[$t]}s"
    case $t in
      fuzz_pte_norecency)
        echo "  replay:     ${bugs_prefix}$tool pte-check $q"
        echo "  as JSON:    ${bugs_prefix}$tool decode --pte $q" ;;
      fuzz_gup_interleave)
        echo "  replay:     ${bugs_prefix}$tool replay $q"
        echo "  trace:      ${bugs_prefix}$tool trace $q"
        echo "  minimize:   ${bugs_prefix}$tool minimize $q -o $(printf %q "$run/min-$(basename "$a")")" ;;
      *)
        echo "  replay:     ${bugs_prefix}$build/fuzz/${t}_replay $q" ;;
    esac
    echo "  under ASan: ${bugs_prefix}$build/fuzz/$t $q"
  done
  if ((${#found[@]} > 1)); then
    echo
    pte_flag=""
    [[ $t = fuzz_pte_norecency ]] && pte_flag=" --pte"
    echo "$t: ${#found[@]} crashes; group them: ${bugs_prefix}$tool triage$pte_flag $(printf %q "$run/crashes")"
  fi
  # Findings that are not crashes (fuzz_pte_norecency: spurious, known), once each.
  if grep -q '^FINDING ' "$run/fuzz.log" 2>/dev/null; then
    echo
    echo "$t: findings (not crashes):"
    grep '^FINDING ' "$run/fuzz.log" | cut -d: -f1 | LC_ALL=C sort | uniq -c | sed 's/^/  /'
  fi
  if ((${#found[@]} == 0)) && grep -q '^+' "$run/fuzz.log" && ! grep -q 'Done [0-9]* runs' "$run/fuzz.log"; then
    echo
    echo "$t: libFuzzer did not finish; last lines of $run/fuzz.log:"
    tail -n 15 "$run/fuzz.log" | sed 's/^/  /'
  fi
done
[[ -x $tool ]] || { echo; echo "note: $tool is not built (cmake --build --preset dev --target gupfuzz)"; }
exit "$status"
