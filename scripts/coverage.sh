#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
#
# coverage.sh: the engine behind `make coverage`.  Runs every fuzz target's
# corpora (the shipped seeds, plus build/fuzz-run/<target>/corpus when `make
# fuzz` left one) through its replay main built with clang source-based
# coverage (the coverage preset), merges the profiles, writes an HTML report to
# build/coverage/html/index.html and prints a one-line summary per file of
# core/ (lines and branches), then the total.  COVERAGE_SEEDS_ONLY=1: the
# shipped seeds only (the figure README.md states).
set -euo pipefail
cd "$(dirname "$0")/.."
B=build/coverage
P=$B/profiles
rm -rf "$P" "$B/html"
mkdir -p "$P"
objects=()
for t in fuzz_gup_interleave fuzz_pte_norecency fuzz_scenario_json; do
  bin=$B/fuzz/${t}_replay
  [[ -x $bin ]] || { echo "coverage: $bin not built (cmake --build --preset coverage)" >&2; exit 2; }
  dirs=("corpus/$t")
  [[ -d build/fuzz-run/$t/corpus && -z ${COVERAGE_SEEDS_ONLY:-} ]] && dirs+=("build/fuzz-run/$t/corpus")
  echo "coverage: $t on ${dirs[*]}"
  LLVM_PROFILE_FILE="$P/$t-%p.profraw" "$bin" "${dirs[@]}" >/dev/null 2>&1 || true
  objects+=(-object "$bin")
done
llvm-profdata-19 merge -sparse "$P"/*.profraw -o "$B/merged.profdata"
# The three mains share core/; a few inline functions are instrumented slightly
# differently in each, which llvm-cov reports as "mismatched data" (harmless).
ignore='(tests|fuzz|repro|tools|usr)/'
llvm-cov-19 show "${objects[@]:1}" -instr-profile="$B/merged.profdata" -format=html \
  -output-dir="$B/html" -ignore-filename-regex="$ignore" -show-branches=count >/dev/null 2>&1
echo "coverage of core/ from the corpora (HTML: $B/html/index.html)"
llvm-cov-19 report "${objects[@]:1}" -instr-profile="$B/merged.profdata" -ignore-filename-regex="$ignore" \
  -show-region-summary=false -show-instantiation-summary=false 2>/dev/null |
  awk 'NR <= 2 || /^TOTAL/ { print; next } $2 ~ /^[0-9]+$/ && $2 > 0 { print "core/" $0 }'
