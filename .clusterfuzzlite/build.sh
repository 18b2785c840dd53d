#!/bin/bash -eu
# SPDX-License-Identifier: GPL-2.0
#
# ClusterFuzzLite / OSS-Fuzz build: every fuzz target that depends only on
# core/ (and the header-only nlohmann/json), compiled with the engine's
# $CC $CXX $CFLAGS $CXXFLAGS (libc++ there) and linked through
# $LIB_FUZZING_ENGINE, into $OUT with <target>_seed_corpus.zip, <target>.dict
# and <target>.options.  Intermediates go to $WORK.  fuzz_kernel_diff needs the
# kernel's compiled helpers (tools/kernel-truth, Debian's linux-source), which
# the base image does not have: it runs in `make fuzz` only.
#
# The same script runs locally, with the variables the base-builder sets for
# libFuzzer + AddressSanitizer: .clusterfuzzlite/check.sh (make test).
SRC_DIR=${GUPFUZZ_SRC:-$SRC/gupfuzz}
OBJ=$WORK/gupfuzz-obj
mkdir -p "$OBJ"

TARGETS="fuzz_gup_interleave fuzz_pte_norecency fuzz_scenario_json"
# What a target needs besides fuzz/<target>.cc and core/ (fuzz/CMakeLists.txt's
# <target>_LIBS): fuzz_gup_interleave's structure-aware mutator.
EXTRA_fuzz_gup_interleave="fuzz/scenario_mutator.cc"
CORE_SOURCES=$(cd "$SRC_DIR" && ls core/*/*.cc)

# C++20; include the project root and the system's nlohmann/json.
FLAGS="-std=c++20 -pthread -I$SRC_DIR"
# Edge coverage leaves out what says nothing about the model (the list says why).
case "$CXXFLAGS" in
  *fuzzer-no-link*|*sanitize-coverage*) FLAGS="$FLAGS -fsanitize-coverage-ignorelist=$SRC_DIR/fuzz/coverage_ignorelist.txt" ;;
esac

objects=""
for f in $CORE_SOURCES; do
  o=$OBJ/$(echo "${f%.cc}" | tr / _).o
  $CXX $CXXFLAGS $FLAGS -c "$SRC_DIR/$f" -o "$o"
  objects="$objects $o"
done

for t in $TARGETS; do
  $CXX $CXXFLAGS $FLAGS -c "$SRC_DIR/fuzz/$t.cc" -o "$OBJ/$t.o"
  extra_var=EXTRA_$t
  extra=""
  for f in ${!extra_var:-}; do
    o=$OBJ/$(echo "${f%.cc}" | tr / _).o
    $CXX $CXXFLAGS $FLAGS -c "$SRC_DIR/$f" -o "$o"
    extra="$extra $o"
  done
  $CXX $CXXFLAGS -pthread "$OBJ/$t.o" $extra $objects $LIB_FUZZING_ENGINE -o "$OUT/$t"
  (cd "$SRC_DIR/corpus/$t" && zip -q -j "$OUT/${t}_seed_corpus.zip" ./*)
  cp "$SRC_DIR/corpus/$t.dict" "$OUT/$t.dict"
  cp "$SRC_DIR/corpus/$t.options" "$OUT/$t.options"
done
