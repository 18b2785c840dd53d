# SPDX-License-Identifier: GPL-2.0
# cmake -DEXE=<program> "-DARGS=a;b" -DREGEX=<re> -P expect_mismatch.cmake:
# the program (built on a deliberately wrong model) must fail, exit code or
# signal, and its output must match REGEX (the helper and the value named).
execute_process(COMMAND ${EXE} ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0)
  message(FATAL_ERROR "the wrong model ran clean:\n${out}${err}")
endif()
if(NOT "${out}${err}" MATCHES "${REGEX}")
  message(FATAL_ERROR "the wrong model failed (${rc}) without naming the helper and value (${REGEX}):\n${out}${err}")
endif()
message(STATUS "caught (${rc}): ${CMAKE_MATCH_0}")
