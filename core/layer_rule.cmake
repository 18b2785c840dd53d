# SPDX-License-Identifier: GPL-2.0
#
# ctest core.layers_link_only_downward (core/CMakeLists.txt): for every layer L
# and every layer H, a one-line file including H's first header is
# preprocessed with the include directories L's library really compiles with.
# It must succeed when H is in L's declared closure (its DEPS, transitively)
# and fail on that very include when it is not: the layering is enforced by
# the include roots, and this shows that it is.
#   -DCXX=<compiler> -DSRC=<core/> -DWORK=<dir>
#   -DSPEC=<layer>=<closure,...>|<include dir,...>;...
file(MAKE_DIRECTORY ${WORK})
set(checked 0)
foreach(entry ${SPEC})
  string(REPLACE "=" ";" kv "${entry}")
  list(GET kv 0 layer)
  list(GET kv 1 rest)
  string(REPLACE "|" ";" rest "${rest}")
  list(GET rest 0 closure)
  list(GET rest 1 dirs)
  string(REPLACE "," ";" closure "${closure}")
  string(REPLACE "," ";" dirs "${dirs}")
  set(flags "")
  foreach(d ${dirs})
    list(APPEND flags -I${d})
  endforeach()
  foreach(other ${SPEC})
    string(REPLACE "=" ";" okv "${other}")
    string(REPLACE "|" ";" okv "${okv}")
    list(GET okv 0 target)
    file(GLOB headers RELATIVE ${SRC}/${target} ${SRC}/${target}/*.h)
    list(SORT headers)
    list(GET headers 0 h)
    set(unit ${WORK}/${layer}_includes_${target}.cc)
    file(WRITE ${unit} "#include \"core/${target}/${h}\"\n")
    execute_process(COMMAND ${CXX} -std=c++20 -E ${flags} ${unit} -o /dev/null
                    RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
    list(FIND closure ${target} allowed)
    if(allowed GREATER_EQUAL 0)
      if(NOT rc EQUAL 0)
        message(FATAL_ERROR "layer ${layer} may include core/${target}/${h}, but it does not preprocess:\n${err}")
      endif()
    else()
      if(rc EQUAL 0)
        message(FATAL_ERROR "layer ${layer} must not see core/${target}/, yet core/${target}/${h} preprocesses with its include roots")
      endif()
      if(NOT err MATCHES "core/${target}/${h}")
        message(FATAL_ERROR "layer ${layer} including core/${target}/${h} failed for another reason:\n${err}")
      endif()
    endif()
    math(EXPR checked "${checked} + 1")
  endforeach()
endforeach()
message(STATUS "core layers: ${checked} include pairs checked")
