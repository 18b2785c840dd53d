# SPDX-License-Identifier: GPL-2.0
# ctest bench.strategy_ttb_deterministic: gupfuzz_strategy_ttb on one witness
# with tiny budgets, twice.  Each line is a gupfuzz-strategy-ttb/1 object,
# every strategy but pct1 finds the bug in every trial (PCT with d = 1 never
# preempts, and this race needs one preemption), and the executions-to-bug
# are the same in both runs (they depend on the seeds only).
# -DDRIVER=<gupfuzz_strategy_ttb> -DWITNESS=<witness.json>
#
# ctest bench.strategy_ttb_seeds_deterministic: the same for --seeds (issue 19)
# on the seed scenarios with two bugs every same-start strategy but pct1_seeds
# reaches (no_pte_recheck, no_must_unshare): every line says which seed found
# the bug in each trial, round robin is one trial, and the correct-model lines
# (--correct-execs, bug "none") find nothing.
# -DDRIVER=<gupfuzz_strategy_ttb> -DSEEDS=<corpus/scenarios>
cmake_policy(SET CMP0057 NEW)  # IN_LIST
if(DEFINED SEEDS)
  set(args --seeds --bugs no_pte_recheck,no_must_unshare --trials 3 --max-execs 2000 --correct-execs 300 ${SEEDS})
  set(expect random_seeds pct1_seeds pct2_seeds pct3_seeds rr_seeds)
  set(no_preemption pct1_seeds)
else()
  set(args --trials 3 --max-execs 2000 --preemptions 2 ${WITNESS})
  set(expect random pct1 pct2 pct3 exhaustive)
  set(no_preemption pct1)
endif()
foreach(run 1 2)
  execute_process(COMMAND ${DRIVER} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out${run} ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "run ${run}: exit ${rc}: ${err}")
  endif()
endforeach()

# A semicolon (in a scenario's note, under "explore") would split a CMake list:
# JSON uses none outside strings, so a comma in its place changes no field read here.
string(REPLACE ";" "," out1 "${out1}")
string(REPLACE ";" "," out2 "${out2}")
string(REGEX REPLACE "\n$" "" out1 "${out1}")
string(REPLACE "\n" ";" lines "${out1}")
set(strategies)
set(execs1)
foreach(line ${lines})
  string(JSON schema GET "${line}" schema)
  string(JSON strategy GET "${line}" strategy)
  string(JSON bug GET "${line}" bug)
  string(JSON correct GET "${line}" correct_model)
  string(JSON trials GET "${line}" trials)
  string(JSON found GET "${line}" found)
  string(JSON e GET "${line}" executions_to_bug)
  string(JSON n LENGTH "${line}" executions_to_bug)
  if(NOT schema STREQUAL "gupfuzz-strategy-ttb/1" OR NOT n EQUAL trials)
    message(FATAL_ERROR "malformed line: ${line}")
  endif()
  if(correct)
    if(NOT found EQUAL 0)
      message(FATAL_ERROR "${strategy}: a violation on the correct model: ${line}")
    endif()
  elseif(NOT strategy STREQUAL no_preemption AND NOT found EQUAL trials)
    message(FATAL_ERROR "${strategy}: found in ${found} of ${trials} trials: ${line}")
  endif()
  if(DEFINED SEEDS)
    string(JSON nb LENGTH "${line}" found_by)
    if(NOT nb EQUAL trials OR (strategy STREQUAL "rr_seeds" AND NOT trials EQUAL 1))
      message(FATAL_ERROR "${strategy}: found_by or trials wrong: ${line}")
    endif()
  endif()
  list(APPEND strategies ${strategy})
  list(APPEND execs1 "${bug}/${strategy}=${e}")
endforeach()
foreach(s ${expect})
  if(NOT s IN_LIST strategies)
    message(FATAL_ERROR "no line for strategy ${s}:\n${out1}")
  endif()
endforeach()

string(REGEX REPLACE "\n$" "" out2 "${out2}")
string(REPLACE "\n" ";" lines2 "${out2}")
set(execs2)
foreach(line ${lines2})
  string(JSON strategy GET "${line}" strategy)
  string(JSON bug GET "${line}" bug)
  string(JSON e GET "${line}" executions_to_bug)
  list(APPEND execs2 "${bug}/${strategy}=${e}")
endforeach()
if(NOT execs1 STREQUAL execs2)
  message(FATAL_ERROR "executions-to-bug differ between two runs with the same seeds:\n${execs1}\n${execs2}")
endif()
message(STATUS "deterministic: ${execs1}")
