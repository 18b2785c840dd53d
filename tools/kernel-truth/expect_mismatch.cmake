# SPDX-License-Identifier: GPL-2.0
# cmake -DEXE=<ktruth-mutant> -P expect_mismatch.cmake: the mutant (x86-64
# model with _PAGE_DIRTY on bit 7) must exit 1 and name pte_dirty and a value.
execute_process(COMMAND ${EXE} --values 1000 --no-audit RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 1)
  message(FATAL_ERROR "the mutant model exited ${rc}, not 1:\n${out}${err}")
endif()
if(NOT err MATCHES "MISMATCH x86_64 pte_dirty\\(0x[0-9a-f]+\\): model 0x[01], kernel 0x[01]")
  message(FATAL_ERROR "the mutant's report does not name pte_dirty with a value:\n${err}")
endif()
message(STATUS "mutant caught: ${err}")
