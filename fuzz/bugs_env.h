// SPDX-License-Identifier: GPL-2.0
//
// The injected bugs of a fuzz target: $GUPFUZZ_BUGS, read once in
// LLVMFuzzerInitialize() (the only place a target takes them from).
#pragma once

#include <cstdio>
#include <cstdlib>

#include "core/scenario/scenario.h"

namespace gf::fuzz {

// The bugs $GUPFUZZ_BUGS lists (none when it is unset); a list that does not
// parse ends the process with status 2 and "<target>: GUPFUZZ_BUGS: <why>".
inline BugSet bugs_from_env(const char* target) {
  const char* env = std::getenv("GUPFUZZ_BUGS");
  if (!env) return {};
  ParseError err;
  auto set = parse_bug_list(env, err);
  if (!set) {
    std::fprintf(stderr, "%s: GUPFUZZ_BUGS: %s\n", target, err.message.c_str());
    std::exit(2);
  }
  return *set;
}

}  // namespace gf::fuzz
