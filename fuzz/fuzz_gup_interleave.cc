// SPDX-License-Identifier: GPL-2.0
//
// fuzz_gup_interleave: the main target.  Bytes → Scenario (total decoding;
// the schedule as a few preemption points, core/scenario/scenario.h) → one
// deterministic interleaved execution → the oracles.  libFuzzer sees the
// edges the model ran and, in its extra counters, the orderings it produced
// (core/exec/feedback.h), so a schedule that came closer to a race is kept.
// A violation is re-run with the trace on, printed in the one failure shape,
// and aborts so libFuzzer saves the input.  Start-up configuration, read
// once: injected bugs from GUPFUZZ_BUGS; GUPFUZZ_SCHEDULE=steps decodes the
// schedule one byte per step (the encoding before issue 19, to measure
// against; its seeds: `gupfuzz encode --steps`); GUPFUZZ_FEEDBACK=0 turns the
// interleaving feedback off (to measure what it brings); GUPFUZZ_MUTATOR=0
// turns the structure-aware mutator off (fuzz/scenario_mutator.h: the custom
// mutator hands every call to libFuzzer's byte mutations, the custom
// crossover declines), to measure what it brings.  libFuzzer flags the
// target defaults to (fuzz/default_flags.h) go in front of the command line.
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "core/exec/feedback.h"
#include "core/exec/run.h"
#include "core/report/report.h"
#include "core/scenario/scenario.h"
#include "fuzz/bugs_env.h"
#include "fuzz/default_flags.h"
#include "fuzz/scenario_mutator.h"

// libFuzzer's byte mutations; weak, so the replay build (no libFuzzer) links.
extern "C" __attribute__((weak)) size_t LLVMFuzzerMutate(uint8_t* data, size_t size, size_t max_size);

namespace {
gf::BugSet g_bugs;  // configuration read once at start-up, never changed by an input
gf::ScheduleForm g_form = gf::ScheduleForm::preemptions;
bool g_feedback = true;
bool g_mutator = true;

// libFuzzer's extra counters: cleared before each input, read as features after.
constexpr size_t kCommCounters = 1 << 13;
__attribute__((section("__libfuzzer_extra_counters"), used)) uint8_t g_comm[kCommCounters];
gf::CommFeedback g_comm_feedback(g_comm, kCommCounters);
}  // namespace

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) {
  // Under libFuzzer only: the replay build's main reads argv as files.
  if (LLVMFuzzerMutate) gf::fuzz::apply_default_flags("fuzz_gup_interleave", argc, argv, gf::fuzz::kInterleaveFlags);
  g_bugs = gf::fuzz::bugs_from_env("fuzz_gup_interleave");
  g_form = gf::fuzz::schedule_form_from_env("fuzz_gup_interleave");
  const char* fb = std::getenv("GUPFUZZ_FEEDBACK");
  g_feedback = !(fb && std::strcmp(fb, "0") == 0);
  const char* mu = std::getenv("GUPFUZZ_MUTATOR");
  g_mutator = !(mu && std::strcmp(mu, "0") == 0);
  return 0;
}

extern "C" size_t LLVMFuzzerCustomMutator(uint8_t* data, size_t size, size_t max_size, unsigned int seed) {
  if (!g_mutator) return LLVMFuzzerMutate ? LLVMFuzzerMutate(data, size, max_size) : 0;
  return gf::fuzz::mutate(data, size, max_size, seed, g_form, LLVMFuzzerMutate);
}

extern "C" size_t LLVMFuzzerCustomCrossOver(const uint8_t* d1, size_t s1, const uint8_t* d2, size_t s2, uint8_t* out,
                                            size_t max_out, unsigned int seed) {
  if (!g_mutator) return 0;
  return gf::fuzz::cross_over(d1, s1, d2, s2, out, max_out, seed, g_form);
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static gf::Scenario s;  // reused: decode() rewrites every field (no allocation once warm)
  gf::decode({data, size}, s, g_form);
  s.bugs = g_bugs;
  gf::RunOptions o;
  if (g_feedback) o.feedback = &g_comm_feedback;
  gf::RunResult r = gf::run(s, o);
  // A triaged finding of the correct model (core/base/known.def): counted
  // by the replay tools, not a crash.
  if (!r.verdict.violated || r.verdict.known >= 0) return 0;
  gf::RunOptions traced;
  traced.machine.trace = true;
  gf::RunResult t = gf::run(s, traced);
  std::fputs(gf::format_report(s, t, "<crash file>").c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}
