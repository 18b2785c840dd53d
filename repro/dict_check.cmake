# SPDX-License-Identifier: GPL-2.0
# cmake -DGUPFUZZ=<tool> -DDICT=<corpus/fuzz_gup_interleave.dict> -P dict_check.cmake
# The dictionary is generated from core/base/ops.def: it must be what
# `gupfuzz dict` prints today.
execute_process(COMMAND ${GUPFUZZ} dict OUTPUT_VARIABLE want RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "gupfuzz dict: exit ${rc}")
endif()
file(READ ${DICT} have)
if(NOT have STREQUAL want)
  message(FATAL_ERROR "${DICT} drifted from core/base/ops.def; regenerate it: gupfuzz dict > ${DICT}\n"
                      "--- have\n${have}--- want\n${want}")
endif()

# fuzz_scenario_json.dict holds JSON tokens of several tables (hand-kept): it
# must at least name every operation of ops.def.
if(DEFINED JSON_DICT)
  file(READ ${JSON_DICT} tokens)
  execute_process(COMMAND ${GUPFUZZ} ops OUTPUT_VARIABLE ops RESULT_VARIABLE rc)
  string(REGEX MATCHALL "(^|\n)[a-z_]+" names "${ops}")
  foreach(n ${names})
    string(STRIP "${n}" n)
    string(FIND "${tokens}" "\"\\\"${n}\\\"\"" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "${JSON_DICT} lacks the operation ${n} (add the line \"\\\"${n}\\\"\")")
    endif()
  endforeach()
endif()
