// SPDX-License-Identifier: GPL-2.0
//
// A fuzz target's start-up configuration from the environment, read once in
// LLVMFuzzerInitialize() (the only place a target takes it from): the
// injected bugs ($GUPFUZZ_BUGS) and the schedule form ($GUPFUZZ_SCHEDULE).
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

// The schedule form of the fuzz bytes: $GUPFUZZ_SCHEDULE ("preemptions", the
// default, or "steps"); anything else ends the process with status 2.
inline ScheduleForm schedule_form_from_env(const char* target) {
  const char* env = std::getenv("GUPFUZZ_SCHEDULE");
  auto form = schedule_form_from_name(env ? env : "");
  if (!form) {
    std::fprintf(stderr, "%s: GUPFUZZ_SCHEDULE: \"%s\" is not \"preemptions\" or \"steps\"\n", target, env);
    std::exit(2);
  }
  return *form;
}

}  // namespace gf::fuzz
