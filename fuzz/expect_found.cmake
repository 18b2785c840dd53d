# SPDX-License-Identifier: GPL-2.0
# cmake -DEXE=<libFuzzer target> -DSEEDS=<dir> -DBUG=<injected bug> -DORACLE=<id>
#       -DWORK=<scratch dir> -DEXPECT=<regex> -P expect_found.cmake
# Fuzzes a copy of the seeds with the bug injected (fixed seed, bounded runs):
# it must crash, and the report must match EXPECT (fuzz_pte_norecency: one of
# the PTE-level oracles; fuzz_gup_interleave: the bug's own oracle).  A
# helper bug can surface through either (riscv mkold_clears_valid: a hidden
# unmap on a clean entry, a changed pte_present on a dirty one); its witness in
# tests/witnesses/ pins the oracle core/base/bugs.def names.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK}/corpus)
file(GLOB seeds ${SEEDS}/*)
file(COPY ${seeds} DESTINATION ${WORK}/corpus)
execute_process(COMMAND ${CMAKE_COMMAND} -E env GUPFUZZ_BUGS=${BUG}
                        ${EXE} -seed=1 -runs=2000000 -artifact_prefix=${WORK}/ ${WORK}/corpus
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "${BUG}: not found in 2000000 runs")
endif()
if(NOT "${out}${err}" MATCHES "${EXPECT}")
  message(FATAL_ERROR "${BUG}: the fuzzer failed (${rc}) without matching ${EXPECT}:\n${err}")
endif()
message(STATUS "${BUG} (declared: ${ORACLE}): ${CMAKE_MATCH_0}")
