#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: build what the benchmarks need, run them, and write
# bench/REPORT.md and bench/report.json (bench/report.py; both atomically).
#
#   throughput    execs/s of every fuzz target for TPUT_SECONDS from its shipped
#                 corpus (-seed=1), with ASan+UBSan (preset fuzz) and without
#                 sanitizers (preset fuzz-nosan); Google Benchmark micro
#                 benchmarks (bench/micro.cc) in a Release build and under ASan+UBSan
#   time to bug   every machine bug of core/base/bugs.def x every strategy:
#                 random, pct1..3, exhaustive (bench/strategy_ttb.cc, on the
#                 witness without its schedule); the same-start baselines
#                 random_seeds, pct1..3_seeds, rr_seeds (strategy_ttb --seeds: the
#                 seed scenarios libFuzzer starts from, no witness; issue 19);
#                 fuzz (bench/time_to_bug.sh, from the seeds and from an empty
#                 corpus), the same with the old one-byte-per-step schedule
#                 encoding (GUPFUZZ_SCHEDULE=steps, from the seed bytes of
#                 OLD_SEEDS_COMMIT: fuzz_seeds_steps, fuzz_empty_steps) and
#                 threads (bench/stress_time_to_bug.sh, ThreadSanitizer build)
#   exhaustive    every schedule of bench/explore_2x12.json (Release) and of
#                 bench/explore_3x12.json up to 3 preemptions (ASan+UBSan)
#   correct model the same strategies without the bugs: must find nothing
#
# BUDGET=quick (default: a few minutes on 2 cores), BUDGET=medium (about half an hour
# when the fuzzer finds every bug fast; up to an hour more when it does not: 10 fuzz
# runs per bug of up to 30 s from the seeds, old encoding included, and 60 s from
# an empty corpus) or BUDGET=full (hours).
# Each knob can be set on its own: TRIALS, MAX_EXECS, MAX_SECONDS (per model
# trial), CORRECT_EXECS (random and pct on the correct model),
# CORRECT_EXPLORE_EXECS (exhaustive on the correct model; 0 = no limit),
# SEEDS_TRIALS, SEEDS_EXECS, SEEDS_SECONDS (per same-start trial),
# FUZZ_RUNS, FUZZ_LIMIT (from the seeds), FUZZ_EMPTY_LIMIT (from an empty corpus),
# FUZZ_STEPS (the starts of the old encoding: "seeds", "seeds empty" or "" for none),
# OLD_SEEDS_COMMIT, THREADS_RUNS, THREADS_LIMIT, TPUT_SECONDS,
# MICRO_MIN_TIME, EXPLORE_EXECS, JOBS (build jobs), FUZZ_JOBS (time-to-bug fuzzers
# and same-start baselines at once), BUGS="a b".
# A section whose build fails is reported as missing; the rest still runs.
set -euo pipefail
cd "$(dirname "$0")/.."

BUDGET=${BUDGET:-quick}
case $BUDGET in
  quick) d=(10 20000 1 5000 3 5 3 3 5 0.05 300000 200000 5 20000 1 5 seeds) ;;
  medium) d=(20 200000 10 50000 10 30 10 5 10 0.1 300000 200000 10 50000 5 60 seeds) ;;
  full) d=(20 2000000 120 1000000 20 60 10 60 60 1 0 0 20 1000000 60 60 "seeds empty") ;;
  *) echo "bench/run.sh: BUDGET must be quick, medium or full (got '$BUDGET')" >&2; exit 2 ;;
esac
TRIALS=${TRIALS:-${d[0]}} MAX_EXECS=${MAX_EXECS:-${d[1]}} MAX_SECONDS=${MAX_SECONDS:-${d[2]}}
CORRECT_EXECS=${CORRECT_EXECS:-${d[3]}} FUZZ_RUNS=${FUZZ_RUNS:-${d[4]}} FUZZ_LIMIT=${FUZZ_LIMIT:-${d[5]}}
THREADS_RUNS=${THREADS_RUNS:-${d[6]}} THREADS_LIMIT=${THREADS_LIMIT:-${d[7]}} TPUT_SECONDS=${TPUT_SECONDS:-${d[8]}}
MICRO_MIN_TIME=${MICRO_MIN_TIME:-${d[9]}} EXPLORE_EXECS=${EXPLORE_EXECS:-${d[10]}}
CORRECT_EXPLORE_EXECS=${CORRECT_EXPLORE_EXECS:-${d[11]}}
SEEDS_TRIALS=${SEEDS_TRIALS:-${d[12]}} SEEDS_EXECS=${SEEDS_EXECS:-${d[13]}} SEEDS_SECONDS=${SEEDS_SECONDS:-${d[14]}}
FUZZ_EMPTY_LIMIT=${FUZZ_EMPTY_LIMIT:-${d[15]}} FUZZ_STEPS=${FUZZ_STEPS-${d[16]}}
# The last commit whose corpus/fuzz_gup_interleave/ holds the old one-byte-per-step
# encoding (before issue 19): the seeds of fuzz_seeds_steps.
OLD_SEEDS_COMMIT=${OLD_SEEDS_COMMIT:-d3e5184150d823d14fc616d6da2c8c14c23f5f46}
JOBS=${JOBS:-$(nproc)}
FUZZ_JOBS=${FUZZ_JOBS:-$(nproc)}  # time-to-bug libFuzzer processes at once, one core each
BUGS=$(echo ${BUGS:-$(sed -n 's/^GF_BUG(\([a-z_]*\), [a-z_]*, "",.*/\1/p' core/base/bugs.def)})  # one line

R=build/bench            # gcc 12 Release, no sanitizers
F=build/bench-fuzz       # clang 19 libFuzzer + ASan + UBSan (preset fuzz)
N=build/bench-fuzz-nosan # clang 19 libFuzzer only (preset fuzz-nosan)
T=build/bench-tsan       # clang 19 ThreadSanitizer (preset tsan), real threads
W=build/bench-run
rm -rf "$W"; mkdir -p "$W"
t_start=$(date +%s)
log() { echo "bench: $*" >&2; }

# --- what this machine is -------------------------------------------------
cpu=$(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)
log "CPU: $cpu, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
log "compilers: $(g++ --version | head -1); $(clang++-19 --version 2>/dev/null | head -1 || echo 'no clang++-19')"
python3 - "$W/meta.json" "$BUDGET" "$cpu" "$BUGS" <<EOF
import json, sys, subprocess, os
def first(cmd):
    try: return subprocess.run(cmd, capture_output=True, text=True).stdout.splitlines()[0]
    except Exception: return None
json.dump({"budget": sys.argv[2], "cpu": sys.argv[3], "cores": os.cpu_count(),
           "loadavg_start": open("/proc/loadavg").read().split()[:3],
           "gcc": first(["g++", "--version"]), "clang": first(["clang++-19", "--version"]),
           "libbenchmark": first(["dpkg-query", "-W", "-f=\${Version}", "libbenchmark-dev"]),
           "commit": first(["git", "rev-parse", "--short", "HEAD"]),
           "date": first(["date", "-u", "+%F %H:%M UTC"]),
           "params": {"trials": $TRIALS, "max_execs": $MAX_EXECS, "max_seconds": $MAX_SECONDS,
                      "correct_execs": $CORRECT_EXECS, "fuzz_runs": $FUZZ_RUNS, "fuzz_limit": $FUZZ_LIMIT,
                      "threads_runs": $THREADS_RUNS, "threads_limit": $THREADS_LIMIT,
                      "tput_seconds": $TPUT_SECONDS, "micro_min_time": $MICRO_MIN_TIME,
                      "explore_execs": $EXPLORE_EXECS, "correct_explore_execs": $CORRECT_EXPLORE_EXECS,
                      "seeds_trials": $SEEDS_TRIALS, "seeds_execs": $SEEDS_EXECS, "seeds_seconds": $SEEDS_SECONDS,
                      "fuzz_empty_limit": $FUZZ_EMPTY_LIMIT, "fuzz_steps": "$FUZZ_STEPS".split(),
                      "old_seeds_commit": "$OLD_SEEDS_COMMIT", "bugs": sys.argv[4].split()}}, open(sys.argv[1], "w"), indent=1)
EOF

# --- builds ---------------------------------------------------------------
# mark NAME: the seconds since the last mark, for the report's time per section.
t_sec=$t_start
mark() { local now; now=$(date +%s); echo "$1 $((now - t_sec))" >>"$W/sections"; t_sec=$now; }
# build NAME DIR "cmake configure args" targets...; records DIR in $W/built.
build() {
  local name=$1 dir=$2 conf=$3; shift 3
  log "build $name ($dir): $*"
  # shellcheck disable=SC2086
  if nice -n 10 cmake $conf -B "$dir" --log-level=WARNING >"$W/build-$name.log" 2>&1 &&
     nice -n 10 cmake --build "$dir" -j "$JOBS" --target "$@" >>"$W/build-$name.log" 2>&1; then
    echo "$name" >>"$W/built"
  else
    log "build $name failed (section skipped): tail of $W/build-$name.log:"; tail -5 "$W/build-$name.log" >&2
  fi
}
built() { grep -qx "$1" "$W/built" 2>/dev/null; }
fuzz_targets() {  # the libFuzzer targets a configured build has
  cmake --build "$1" --target help 2>/dev/null | sed -n 's/^\(fuzz_[a-z_]*\): .*/\1/p' | grep -v '_replay$' | sort -u
}
build release $R "--preset dev -DCMAKE_BUILD_TYPE=Release -DGUPFUZZ_TESTS=OFF" gupfuzz_strategy_ttb gupfuzz_bench
nice -n 10 cmake --preset fuzz -B $F -DGUPFUZZ_TESTS=OFF --log-level=WARNING >/dev/null 2>&1 || true
build asan $F "--preset fuzz -DGUPFUZZ_TESTS=OFF" $(fuzz_targets $F) gupfuzz_strategy_ttb gupfuzz_bench
nice -n 10 cmake --preset fuzz-nosan -B $N --log-level=WARNING >/dev/null 2>&1 || true
build nosan $N "--preset fuzz-nosan" $(fuzz_targets $N)
build tsan $T "--preset tsan" gupfuzz
mark builds

# --- throughput -----------------------------------------------------------
micro() {  # micro NAME DIR
  built "$1" || return 0
  log "micro benchmarks ($1)"
  "$2/bench/gupfuzz_bench" --benchmark_min_time="$MICRO_MIN_TIME" --benchmark_format=json \
    >"$W/micro-$1.json" 2>"$W/micro-$1.err" || log "gupfuzz_bench ($1) failed"
}
tput() {  # tput NAME DIR
  built "$1" || return 0
  for t in $(fuzz_targets "$2"); do
    [ -x "$2/fuzz/$t" ] || continue
    log "throughput $t ($1, ${TPUT_SECONDS} s)"
    rm -rf "$W/tc"; mkdir -p "$W/tc" "$W/ta"; cp corpus/"$t"/* "$W/tc/"
    args=(-seed=1 -max_total_time="$TPUT_SECONDS" -max_len=1024 -print_final_stats=1 -artifact_prefix="$W/ta/")
    [ -f corpus/$t.dict ] && args+=(-dict=corpus/$t.dict)
    "$2/fuzz/$t" "${args[@]}" "$W/tc" >"$W/tput-$1-$t.log" 2>&1 || true
    [ "$t" = fuzz_gup_interleave ] && cp -r "$W/tc" "$W/grown-$1"  # for the micro benchmarks' mix/grown
    n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$W/tput-$1-$t.log" | tail -1)
    r=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$W/tput-$1-$t.log" | tail -1)
    crash=$(grep -c '^==gupfuzz== ERROR\|ERROR: AddressSanitizer\|ERROR: libFuzzer' "$W/tput-$1-$t.log" || true)
    echo "{\"build\": \"$1\", \"target\": \"$t\", \"seconds\": $TPUT_SECONDS, \"executions\": ${n:-null}, \"execs_per_s\": ${r:-null}, \"crashed\": $([ "$crash" = 0 ] && echo false || echo true)}" >>"$W/throughput.jsonl"
  done
}
tput asan $F
tput nosan $N
mark throughput
# The micro benchmarks' mix/grown: the corpus the no-sanitizer throughput run grew, for both builds.
mix=$W/grown-nosan; [ -d "$mix" ] || mix=$W/grown-asan
[ -d "$mix" ] && export GUPFUZZ_BENCH_MIX=$mix
micro release $R
micro asan $F
mark micro

# --- model strategies and the exhaustive targets --------------------------
witnesses=(); for b in $BUGS; do witnesses+=("tests/witnesses/$b.json"); done
if built release; then
  log "strategies random, pct1..3, exhaustive on ${#witnesses[@]} witnesses ($TRIALS trials, $MAX_EXECS executions / ${MAX_SECONDS} s each)"
  $R/bench/gupfuzz_strategy_ttb --trials "$TRIALS" --max-execs "$MAX_EXECS" --max-seconds "$MAX_SECONDS" \
    --preemptions 3 --correct-execs "$CORRECT_EXECS" --correct-explore-execs "$CORRECT_EXPLORE_EXECS" "${witnesses[@]}" >"$W/strategies.jsonl"
  log "exhaustive: bench/explore_2x12.json, every schedule (Release)"
  $R/bench/gupfuzz_strategy_ttb --explore bench/explore_2x12.json --preemptions 24 --max-execs "$EXPLORE_EXECS" \
    | sed 's/^{/{"build": "release", "target": "2x12 every schedule", /' >>"$W/explore.jsonl"
  $R/bench/gupfuzz_strategy_ttb --explore bench/explore_3x12.json --preemptions 3 --max-execs "$EXPLORE_EXECS" \
    | sed 's/^{/{"build": "release", "target": "3x12 <=3 preemptions", /' >>"$W/explore.jsonl"
fi
if built asan; then
  log "exhaustive: bench/explore_3x12.json up to 3 preemptions (ASan+UBSan)"
  $F/bench/gupfuzz_strategy_ttb --explore bench/explore_3x12.json --preemptions 3 --max-execs "$EXPLORE_EXECS" \
    | sed 's/^{/{"build": "asan", "target": "3x12 <=3 preemptions", /' >>"$W/explore.jsonl"
fi
# The same-start baselines (issue 19): the seed scenarios libFuzzer starts from
# (corpus/scenarios/*.json; corpus/fuzz_gup_interleave/ is their encoding), no
# witness; the bugs dealt round robin to FUZZ_JOBS processes, the correct model in the first.
if built release; then
  log "same-start baselines random, pct1..3, rr on corpus/scenarios ($SEEDS_TRIALS trials, $SEEDS_EXECS executions / ${SEEDS_SECONDS} s each), $FUZZ_JOBS at a time"
  read -r -a all_bugs <<<"$BUGS"
  for ((j = 0; j < FUZZ_JOBS; j++)); do
    part=(); for ((i = j; i < ${#all_bugs[@]}; i += FUZZ_JOBS)); do part+=("${all_bugs[i]}"); done
    [ ${#part[@]} -gt 0 ] || continue
    correct=(); [ $j = 0 ] && correct=(--correct-execs "$CORRECT_EXECS")
    bl=$(IFS=,; echo "${part[*]}")
    $R/bench/gupfuzz_strategy_ttb --seeds --bugs "$bl" --trials "$SEEDS_TRIALS" --max-execs "$SEEDS_EXECS" \
      --max-seconds "$SEEDS_SECONDS" "${correct[@]}" corpus/scenarios >"$W/seeds.$j.jsonl" ||
      log "gupfuzz_strategy_ttb --seeds failed (job $j)" &
  done
  wait
  cat "$W"/seeds.*.jsonl >"$W/seeds.jsonl" 2>/dev/null || true
fi
mark strategies

# --- fuzz and threads (the existing scripts) ------------------------------
if built asan; then
  # The old encoding's seeds: the shipped bytes as they were before issue 19.
  steps_starts=$FUZZ_STEPS
  if [[ " $steps_starts " == *" seeds "* ]]; then
    mkdir -p "$W/old-seeds"
    for f in $(git ls-tree --name-only "$OLD_SEEDS_COMMIT" corpus/fuzz_gup_interleave/ 2>/dev/null); do
      git show "$OLD_SEEDS_COMMIT:$f" >"$W/old-seeds/$(basename "$f")"
    done
    if ! ls "$W/old-seeds"/* >/dev/null 2>&1; then
      log "no git history with $OLD_SEEDS_COMMIT: no fuzz_seeds_steps row"
      echo "# note: fuzz_seeds_steps not run: commit $OLD_SEEDS_COMMIT (the old encoding's seed bytes) is not in this clone" >"$W/fuzz_ttb.notes.txt"
      steps_starts=$(echo " $steps_starts " | sed 's/ seeds / /g')
    fi
  fi
  steps_starts=$(echo $steps_starts)
  log "fuzz: bench/time_to_bug.sh $FUZZ_RUNS $FUZZ_LIMIT (seeds; empty corpus $FUZZ_EMPTY_LIMIT s; old encoding: ${steps_starts:-none}), $FUZZ_JOBS at a time"
  # The bugs dealt round robin to FUZZ_JOBS single-core libFuzzer processes.
  read -r -a all_bugs <<<"$BUGS"
  for ((j = 0; j < FUZZ_JOBS; j++)); do
    part=(); for ((i = j; i < ${#all_bugs[@]}; i += FUZZ_JOBS)); do part+=("${all_bugs[i]}"); done
    [ ${#part[@]} -gt 0 ] || continue
    {
      BUGS="${part[*]}" FUZZ=$F/fuzz/fuzz_gup_interleave PER_RUN=1 EMPTY_LIMIT=$FUZZ_EMPTY_LIMIT \
        bench/time_to_bug.sh "$FUZZ_RUNS" "$FUZZ_LIMIT"
      if [ -n "$steps_starts" ]; then
        BUGS="${part[*]}" FUZZ=$F/fuzz/fuzz_gup_interleave PER_RUN=1 EMPTY_LIMIT=$FUZZ_EMPTY_LIMIT SCHEDULE=steps \
          STARTS="$steps_starts" SEEDS="$W/old-seeds" bench/time_to_bug.sh "$FUZZ_RUNS" "$FUZZ_LIMIT"
      fi
    } >"$W/fuzz_ttb.$j.txt" &
  done
  wait
  cat "$W"/fuzz_ttb.*.txt >"$W/fuzz_ttb.txt"
fi
mark fuzz
if built tsan; then
  log "threads: bench/stress_time_to_bug.sh $THREADS_RUNS $THREADS_LIMIT (ThreadSanitizer)"
  BUGS="$BUGS" GUPFUZZ=$T/repro/gupfuzz PER_RUN=1 bench/stress_time_to_bug.sh "$THREADS_RUNS" "$THREADS_LIMIT" \
    >"$W/threads_ttb.txt" || log "stress_time_to_bug.sh failed"
fi
mark threads

echo "$(($(date +%s) - t_start))" >"$W/elapsed"
cut -d' ' -f1-3 /proc/loadavg >"$W/loadavg_end"
python3 bench/report.py "$W" bench/REPORT.md bench/report.json
log "wrote bench/REPORT.md and bench/report.json in $(cat "$W/elapsed") s (report: $(($(date +%s) - t_start)) s)"
