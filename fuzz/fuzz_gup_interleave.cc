// SPDX-License-Identifier: GPL-2.0
//
// fuzz_gup_interleave: the main target.  Bytes → Scenario (total decoding) →
// one deterministic interleaved execution → the oracles.  A violation is
// re-run with the trace on, printed in the one failure shape, and aborts so
// libFuzzer saves the input.  Injected bugs come from GUPFUZZ_BUGS only.
#include <cstdio>
#include <cstdlib>

#include "core/report/report.h"
#include "fuzz/bugs_env.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace {
gf::BugSet g_bugs;  // configuration read once at start-up, never changed by an input
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_bugs = gf::fuzz::bugs_from_env("fuzz_gup_interleave");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gf::Scenario s;  // reused: decode() rewrites every field (no allocation once warm)
  gf::decode({data, size}, s);
  s.bugs = g_bugs;
  gf::RunResult r = gf::run(s);
  if (!r.verdict.violated) return 0;
  gf::RunOptions traced;
  traced.machine.trace = true;
  gf::RunResult t = gf::run(s, traced);
  std::fputs(gf::format_report(s, t, "<crash file>").c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}
