# SPDX-License-Identifier: GPL-2.0
#
# gupfuzz quick start.  Two commands:
#   make fuzz   install what is missing, build, fuzz every target, print a summary
#   make test   install what is missing, build dev, dev-clang14, fuzz and tsan, run ctest
#   make stress the scenarios on real threads under ThreadSanitizer (STRESS_SECONDS)
#   make bench  throughput, time to bug of every strategy: bench/REPORT.md (BUDGET=full: hours)
# and, for the kernel's ground truth (tools/kernel-truth):
#   make groundtruth   every model against the real kernel helpers, every arch
# The builds themselves are the CMake presets (CMakePresets.json): use them
# directly for anything else, e.g. `cmake --preset dev && cmake --build --preset dev`.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

FUZZ_SECONDS ?= 60
JOBS ?= $(shell nproc)
# Every fuzz/fuzz_<name>.cc is a target (GUPFUZZ_TARGETS in fuzz/CMakeLists.txt).
FUZZ_TARGETS ?= $(sort $(basename $(notdir $(wildcard fuzz/fuzz_*.cc))))
PRESETS := dev dev-clang14 fuzz tsan
STRESS_SECONDS ?= 60
STRESS_INPUTS ?= corpus/scenarios corpus/fuzz_gup_interleave corpus/regressions

.PHONY: help deps fuzz test stress bench clean coverage corpus-regen corpus-merge kernel-truth kernel-truth-x86_64 groundtruth $(PRESETS:%=configure-%) $(PRESETS:%=build-%) build-gupfuzz

help:
	@echo 'gupfuzz: a libFuzzer bench for the kernel'"'"'s lockless GUP-fast page-table readers'
	@echo
	@echo '  make fuzz     install missing Debian packages, build, run every fuzz target on a'
	@echo '                copy of its seeds for FUZZ_SECONDS (default 60) each, print a summary'
	@echo '                (exit non-zero if a crash was found); honours GUPFUZZ_BUGS=a,b'
	@echo '  make test     install, build the dev, dev-clang14, fuzz and tsan presets, run ctest (dev, fuzz, tsan)'
	@echo '  make groundtruth  build the real kernel helpers of every architecture from Debian'"'"'s'
	@echo '                linux-source-6.12, check every model against them and run the'
	@echo '                real-code norecency audit; table + build/groundtruth/report.json'
	@echo '  make stress   build the tsan preset and run the scenarios on real threads, one per CPU,'
	@echo '                for STRESS_SECONDS (default 60) under ThreadSanitizer, oracles online;'
	@echo '                honours GUPFUZZ_BUGS=a,b (see bench/stress_time_to_bug.sh)'
	@echo '  make bench    build what it needs, measure throughput (with and without ASan+UBSan) and'
	@echo '                the time to bug of every strategy on every injected bug; writes'
	@echo '                bench/REPORT.md and bench/report.json (BUDGET=quick: minutes; medium: ~half an hour; full: hours)'
	@echo '  make coverage  clang source-based coverage of core/ from the corpora: HTML in'
	@echo '                build/coverage/html, a line per file of core/ (lines, branches)'
	@echo '  make corpus-regen   re-encode the seed bytes from their JSON (corpus/scenarios, corpus/pte_cases)'
	@echo '  make corpus-merge   merge what make fuzz found into the seeds (libFuzzer -merge=1; benign only;'
	@echo '                coverage must not drop)'
	@echo '  make deps     only install missing Debian packages (scripts/deps.sh)'
	@echo '  make build-<preset>   configure and build one preset: $(PRESETS)'
	@echo '  make clean    remove build/'
	@echo
	@echo 'Variables: FUZZ_SECONDS=$(FUZZ_SECONDS) JOBS=$(JOBS) FUZZ_TARGETS="$(FUZZ_TARGETS)"'
	@echo '           FUZZ_ARGS="<extra libFuzzer flags>"'
	@echo 'Fuzz output: build/fuzz-run/<target>/{fuzz.log,corpus/,crashes/}'

deps:
	@scripts/deps.sh

# The kernel objects and ground-truth drivers (cached: a second run only
# recompiles what changed).  dev and fuzz require them; dev-clang14 does not.
kernel-truth: deps
	tools/kernel-truth/build.sh
# fuzz_kernel_diff needs only the native object.
kernel-truth-x86_64: deps
	tools/kernel-truth/build.sh x86_64

KTRUTH_dev := -DGUPFUZZ_KERNEL_TRUTH=ON
KTRUTH_fuzz := -DGUPFUZZ_KERNEL_TRUTH=ON
configure-dev: kernel-truth
configure-fuzz: kernel-truth-x86_64
$(PRESETS:%=configure-%): configure-%: deps
	cmake --preset $* --log-level=WARNING $(KTRUTH_$*)

groundtruth: deps
	tools/kernel-truth/groundtruth.sh

$(PRESETS:%=build-%): build-%: configure-%
	cmake --build --preset $* -j $(JOBS)

# The replay tool the fuzz summary points at (tolerated while repro/ has none).
build-gupfuzz: configure-dev
	@targets=$$(cmake --build build/dev --target help); \
	if grep -q '^gupfuzz:' <<<"$$targets"; then \
	  echo 'cmake --build --preset dev --target gupfuzz'; \
	  cmake --build --preset dev -j $(JOBS) --target gupfuzz; \
	else \
	  echo 'make: the dev build has no gupfuzz target yet; crash replay commands will not work'; \
	fi

# Only the fuzz targets of the fuzz preset: `make test` builds the rest.
fuzz: configure-fuzz build-gupfuzz
	cmake --build --preset fuzz -j $(JOBS) --target $(FUZZ_TARGETS)
	@scripts/fuzz_run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Both suites run even when the first fails; the target fails if either did.
test: build-dev build-dev-clang14 build-fuzz build-tsan
	@rc=0; \
	for p in dev fuzz tsan; do \
	  echo "ctest --preset $$p -j 2"; \
	  ctest --preset $$p -j 2 || { rc=1; failed="$${failed-} $$p"; }; \
	done; \
	if ((rc)); then echo "make test: ctest failed for:$$failed" >&2; fi; \
	exit $$rc

# The real-thread stress program under ThreadSanitizer (gupfuzz stress).
stress: build-tsan
	build/tsan/repro/gupfuzz stress --seconds $(STRESS_SECONDS) $(STRESS_INPUTS)

# The benchmarks (bench/run.sh): builds build/bench* itself, writes
# bench/REPORT.md and bench/report.json.  BUDGET=full for the long table.
bench: deps
	bench/run.sh

# Source-based coverage of core/ from the corpora (scripts/coverage.sh).
coverage: deps
	cmake --preset coverage --log-level=WARNING
	cmake --build --preset coverage -j $(JOBS) --target fuzz_gup_interleave_replay fuzz_pte_norecency_replay fuzz_scenario_json_replay
	scripts/coverage.sh

# Corpus upkeep (scripts/corpus.sh): re-encode the seeds from their JSON, or
# merge what `make fuzz` found into them (coverage must not drop).
corpus-regen: build-gupfuzz
	scripts/corpus.sh regen
corpus-merge: build-gupfuzz build-fuzz
	scripts/corpus.sh merge

clean:
	rm -rf build
