# SPDX-License-Identifier: GPL-2.0
# cmake -DGUPFUZZ=<tool> -DSRC=<project> -DWORK=<scratch> -P commands_check.cmake
# minimize, triage and replay --json on the machine witnesses:
#  - minimize keeps the invariant: the minimized JSON, and its bytes with the
#    bugs in GUPFUZZ_BUGS, both replay to the same SUMMARY id;
#  - triage finds one group per witness;
#  - replay --json prints a gupfuzz-report/1 object with the witness's invariant.
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
set(witnesses no_pte_recheck norecency_ignores_write no_grace_period contpte_clear_drops_dirty
    access_check_ignores_write recheck_fail_leaks_ref)
foreach(w ${witnesses})
  set(in ${SRC}/tests/witnesses/${w}.json)
  execute_process(COMMAND ${GUPFUZZ} replay ${in} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  string(REGEX MATCH "SUMMARY: gupfuzz: ([a-z_]+)" _ "${out}")
  set(id ${CMAKE_MATCH_1})
  execute_process(COMMAND ${GUPFUZZ} minimize ${in} -o ${WORK}/${w} OUTPUT_VARIABLE mout RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "minimize ${w}: exit ${rc}\n${mout}")
  endif()
  execute_process(COMMAND ${GUPFUZZ} replay ${WORK}/${w}.json OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 1 OR NOT out MATCHES "SUMMARY: gupfuzz: ${id} ")
    message(FATAL_ERROR "minimized ${w} lost ${id} (exit ${rc}):\n${out}")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} -E env GUPFUZZ_BUGS=${w} ${GUPFUZZ} replay ${WORK}/${w}.bin
                  OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  if(NOT rc EQUAL 1 OR NOT out MATCHES "SUMMARY: gupfuzz: ${id} ")
    message(FATAL_ERROR "minimized bytes of ${w} lost ${id} (exit ${rc}):\n${out}")
  endif()
  execute_process(COMMAND ${GUPFUZZ} replay --json ${in} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
  string(JSON schema GET "${out}" schema)
  string(JSON inv GET "${out}" invariant id)
  if(NOT schema STREQUAL "gupfuzz-report/1" OR NOT inv STREQUAL id)
    message(FATAL_ERROR "replay --json ${w}: schema ${schema}, invariant ${inv}, expected ${id}")
  endif()
  message(STATUS "${w}: ${mout}")
endforeach()
execute_process(COMMAND ${GUPFUZZ} triage --json ${SRC}/tests/witnesses OUTPUT_VARIABLE out RESULT_VARIABLE rc)
string(JSON n LENGTH "${out}" groups)
file(GLOB all_witnesses ${SRC}/tests/witnesses/*.json)
list(LENGTH all_witnesses nw)
# Every witness is its own group but two: no_grace_period and collapse_no_ipi
# fail alike (a GUP-fast walker reads a PTE table that was freed under it),
# and triage must put them together.
math(EXPR want "${nw} - 1")
if(NOT rc EQUAL 1 OR NOT n EQUAL want)
  message(FATAL_ERROR "triage of the ${nw} witnesses: exit ${rc}, ${n} groups, expected ${want}\n${out}")
endif()
math(EXPR last "${n} - 1")
set(shared "")
foreach(i RANGE ${last})
  string(JSON c GET "${out}" groups ${i} count)
  if(c EQUAL 2)
    string(JSON shared GET "${out}" groups ${i} invariant)
  endif()
endforeach()
if(NOT shared STREQUAL "table_use_after_free")
  message(FATAL_ERROR "triage: the two-witness group should be table_use_after_free, got '${shared}'\n${out}")
endif()
