#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# bench/ab.sh REV [CORPUS]: the model before (git revision REV) and now (this
# tree), side by side, for a change that must not change behaviour or cost:
#   1. the same verdicts: `gupfuzz trace --all` of every shipped scenario,
#      witness, regression and fuzz seed, and of CORPUS, prints the same text
#      and exit code from both (the model's file:line column aside);
#   2. throughput on fixed work: fuzz_gup_interleave (no sanitizers, and
#      ASan+UBSan) runs every input of CORPUS RUNS times (default: about
#      20,000 executions), alternately old and new, ROUNDS rounds; the best
#      and the median of each;
#   3. in-process cost: gupfuzz_bench (gcc Release) mix/seeds and ns per step,
#      alternately, ROUNDS rounds.
# TRACES=0 skips step 1 (for a change meant to change some traces).
# CORPUS defaults to corpus/fuzz_gup_interleave; a corpus libFuzzer grew (make
# fuzz leaves one in build/fuzz-run/fuzz_gup_interleave/corpus) is the fairer
# mix.  Nothing here reads the clock for a verdict.  A virtual machine's speed
# drifts by tens of percent between minutes: compare best against best.
# Builds go to build/ab/{old,new}-*; REV is checked out in build/ab/src.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
[[ $# -ge 1 && $# -le 2 ]] || { echo "usage: bench/ab.sh REV [CORPUS]" >&2; exit 2; }
rev=$1 corpus=${2:-corpus/fuzz_gup_interleave}
[[ -d $corpus ]] || { echo "bench/ab.sh: $corpus is not a folder" >&2; exit 2; }
git rev-parse --verify -q "$rev^{commit}" >/dev/null || { echo "bench/ab.sh: unknown revision $rev" >&2; exit 2; }
ROUNDS=${ROUNDS:-10} JOBS=${JOBS:-$(nproc)}
A=build/ab
mkdir -p $A
if [[ -d $A/src ]]; then git -C $A/src checkout -q --detach "$rev"; else git worktree add -q --detach $A/src "$rev"; fi
src_old=$A/src src_new=.

build() {  # build TREE DIR PRESET TARGET [cmake args...]
  local tree=$1 dir=$2 preset=$3 target=$4; shift 4
  (cd "$tree" && cmake --preset "$preset" -B "$(realpath -m "$OLDPWD/$dir")" -DGUPFUZZ_KERNEL_TRUTH=OFF --no-warn-unused-cli --log-level=WARNING "$@" >/dev/null &&
   cmake --build "$(realpath -m "$OLDPWD/$dir")" -j "$JOBS" --target "$target" >/dev/null)
}
for side in old new; do
  tree=src_$side
  echo "ab: building $side (${!tree})" >&2
  build "${!tree}" $A/$side-nosan fuzz-nosan fuzz_gup_interleave
  build "${!tree}" $A/$side-asan fuzz fuzz_gup_interleave -DGUPFUZZ_TESTS=OFF
  build "${!tree}" $A/$side-rel dev gupfuzz -DCMAKE_BUILD_TYPE=Release -DGUPFUZZ_TESTS=OFF -DGUPFUZZ_LAYER_CHECK=OFF
  build "${!tree}" $A/$side-rel dev gupfuzz_bench -DCMAKE_BUILD_TYPE=Release -DGUPFUZZ_TESTS=OFF -DGUPFUZZ_LAYER_CHECK=OFF
done

# 1. the same verdicts and traces (TRACES=0 skips them: a change that is
# meant to change some traces is measured for its cost only)
strip() { sed -E 's#core/[a-z_/]+\.(h|cc):[0-9]+#<line>#g; s# +$##'; }
n=0 differ=0
((${TRACES:-1})) && for f in corpus/scenarios/*.json tests/witnesses/*.json corpus/regressions/* corpus/fuzz_gup_interleave/* "$corpus"/*; do
  [[ -f $f ]] || continue
  a=$($A/old-rel/repro/gupfuzz trace --all --no-color "$f" 2>&1 | strip; echo "exit ${PIPESTATUS[0]}")
  b=$($A/new-rel/repro/gupfuzz trace --all --no-color "$f" 2>&1 | strip; echo "exit ${PIPESTATUS[0]}")
  n=$((n + 1))
  if [[ $a != "$b" ]]; then
    differ=$((differ + 1))
    ((differ <= 3)) && { echo "ab: $f differs:"; diff <(echo "$a") <(echo "$b") | head -8 || true; }
  fi
done
((${TRACES:-1})) && echo "same traces: $((n - differ))/$n inputs"

# 2. fixed work through libFuzzer, 3. in-process
mapfile -t inputs < <(find "$corpus" -maxdepth 1 -type f | sort)
ni=${#inputs[@]}
((ni)) || { echo "bench/ab.sh: $corpus has no inputs" >&2; exit 2; }
RUNS=${RUNS:-$(((20000 + ni - 1) / ni))}
t=$(mktemp -d)
for r in $(seq "$ROUNDS"); do
  for b in old-nosan new-nosan old-asan new-asan; do
    s=$(date +%s%N); $A/$b/fuzz/fuzz_gup_interleave -runs="$RUNS" "${inputs[@]}" >/dev/null 2>&1 || true; e=$(date +%s%N)
    echo "$b $(((e - s) / 1000))" >>"$t/fuzz"
  done
  for b in old new; do
    $A/$b-rel/bench/gupfuzz_bench --benchmark_filter='^mix/seeds$' --benchmark_min_time=0.3 2>/dev/null |
      awk -v b=$b '/^mix/ { for (i = 1; i <= NF; i++) if ($i ~ /^ns_per_step=/) { sub("ns_per_step=", "", $i); print b, $2, $i } }' >>"$t/mix"
  done
done
python3 - "$t" "$ni" "$RUNS" <<'PY'
import statistics, sys
t, ni, runs = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
f = {}
for ln in open(t + "/fuzz"):
    b, us = ln.split(); f.setdefault(b, []).append(int(us) / 1e6)
print(f"fixed work: {ni} inputs x {runs} runs, execs/s (best, median of {len(f['old-nosan'])})")
for kind in ("nosan", "asan"):
    o, n = f["old-" + kind], f["new-" + kind]
    rate = lambda v: ni * runs / v
    print(f"  {kind:5s}  old {rate(min(o)):9,.0f} {rate(statistics.median(o)):9,.0f}   new {rate(min(n)):9,.0f} {rate(statistics.median(n)):9,.0f}   new vs old (best) {100 * (min(o) / min(n) - 1):+.1f}%")
m = {}
for ln in open(t + "/mix"):
    b, ns, nps = ln.split(); m.setdefault(b, []).append((float(ns), float(nps.rstrip("s"))))
print("in-process mix/seeds (gcc Release), best: ns per input, ns per step")
for b in ("old", "new"):
    print(f"  {b}  {min(x[0] for x in m[b]):8.0f}  {min(x[1] for x in m[b]):6.1f}")
PY
rm -rf "$t"
