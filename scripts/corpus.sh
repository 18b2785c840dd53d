#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# Corpus upkeep (make corpus-regen, make corpus-merge).
#
#   scripts/corpus.sh regen
#       re-encode every seed from its JSON: corpus/scenarios/*.json ->
#       corpus/fuzz_gup_interleave/, corpus/pte_cases/*.json -> corpus/fuzz_pte_norecency/
#   scripts/corpus.sh merge [TARGET...]
#       libFuzzer -merge=1 of build/fuzz-run/<target>/corpus (what `make fuzz`
#       found) into the seeds.  For the targets whose seeds have JSON sources,
#       each new input is decoded to corpus/<sources>/merged-<sha>.json (it must
#       run clean: seeds are benign) and re-encoded.  The seeds' coverage
#       (libFuzzer's cov after loading them) must not drop; if it does, nothing
#       is written.
set -euo pipefail
cd "$(dirname "$0")/.."
tool=${REPLAY_TOOL:-build/dev/repro/gupfuzz}
build=${FUZZ_BUILD:-build/fuzz}
[[ -x $tool ]] || { echo "corpus: $tool not built (make build-dev)" >&2; exit 2; }

sources_of() {
  case $1 in
    fuzz_gup_interleave) echo corpus/scenarios ;;
    fuzz_pte_norecency) echo corpus/pte_cases ;;
    *) echo "" ;;
  esac
}

regen() {
  local t src f n=0
  for t in fuzz_gup_interleave fuzz_pte_norecency; do
    src=$(sources_of $t)
    mkdir -p "corpus/$t"
    for f in "$src"/*.json; do
      "$tool" encode "$f" -o "corpus/$t/$(basename "$f" .json)"
      n=$((n + 1))
    done
  done
  echo "corpus: re-encoded $n seeds"
}

# libFuzzer's coverage after loading a corpus (-runs=0).
coverage() {
  "$build/fuzz/$1" -runs=0 "$2" 2>&1 | sed -n 's/.*INITED cov: \([0-9]*\).*/\1/p' | tail -1
}

merge() {
  local t src w before after f sha name added
  for t in "$@"; do
    [[ -x $build/fuzz/$t ]] || { echo "corpus: $build/fuzz/$t not built (make build-fuzz)" >&2; exit 2; }
    [[ -d build/fuzz-run/$t/corpus ]] || { echo "corpus: no build/fuzz-run/$t/corpus (run make fuzz first)" >&2; exit 2; }
    src=$(sources_of "$t")
    w=$(mktemp -d)
    mkdir -p "$w/seeds" "$w/merged"
    cp corpus/"$t"/* "$w/seeds/"
    cp corpus/"$t"/* "$w/merged/"
    before=$(coverage "$t" "$w/seeds")
    "$build/fuzz/$t" -merge=1 "$w/merged" "build/fuzz-run/$t/corpus" >"$w/merge.log" 2>&1
    added=0
    mkdir -p "$w/out"
    for f in "$w/merged"/*; do
      name=$(basename "$f")
      [[ -e $w/seeds/$name ]] && continue
      sha=$(sha1sum "$f" | cut -c1-12)
      if [[ -n $src ]]; then
        local dec=(decode --compact "$f"); [[ $t = fuzz_pte_norecency ]] && dec=(decode --pte "$f")
        "$tool" "${dec[@]}" -o "$w/out/merged-$sha.json"
        if ! "$tool" replay -q "$w/out/merged-$sha.json" >/dev/null 2>&1; then
          echo "corpus: $t: $name is not benign; skipped" >&2
          rm -f "$w/out/merged-$sha.json"
          continue
        fi
        "$tool" encode "$w/out/merged-$sha.json" -o "$w/out/merged-$sha"
      else
        cp "$f" "$w/out/merged-$sha"
      fi
      added=$((added + 1))
    done
    cp "$w/out"/merged-* "$w/seeds/" 2>/dev/null || true
    after=$(coverage "$t" "$w/seeds")
    if ((after < before)); then
      echo "corpus: $t: coverage would drop ($before -> $after); nothing written" >&2
      rm -rf "$w"
      exit 1
    fi
    for f in "$w/out"/merged-*; do
      [[ -e $f ]] || continue
      case $f in
        *.json) cp "$f" "$src/" ;;
        *) cp "$f" "corpus/$t/" ;;
      esac
    done
    echo "corpus: $t: $added inputs added, coverage $before -> $after"
    rm -rf "$w"
  done
}

case ${1:-} in
  regen) regen ;;
  merge) shift; if (($#)); then merge "$@"; else merge fuzz_gup_interleave fuzz_pte_norecency fuzz_scenario_json; fi ;;
  *) echo "usage: $0 regen | merge [TARGET...]" >&2; exit 2 ;;
esac
