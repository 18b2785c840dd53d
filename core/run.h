// SPDX-License-Identifier: GPL-2.0
//
// run(): one execution of a scenario — build the layout, start one coroutine
// per CPU, let the strategy pick who steps, stop at the first violation, run
// the end-of-run oracles.  Deterministic: the verdict depends only on the
// scenario (and the strategy's own seed, if it has one).
#pragma once

#include <string>
#include <vector>

#include "core/machine.h"
#include "core/scenario.h"
#include "core/strategy.h"

namespace gf {

struct RunOptions {
  MachineOptions machine;
  Strategy* strategy = nullptr;  // nullptr: the scenario's schedule
};

struct RunResult {
  Verdict verdict;
  uint64_t steps = 0;
  std::vector<Event> events;  // with machine.trace
  GupStats gup;               // every CPU's GUP-fast rechecks (core/gup_stats.h)
};

// Each thread keeps one Machine and reset()s it for every execution (no heap
// allocation once warm: coroutine frames and page tables come from pools).
RunResult run(const Scenario& s, const RunOptions& o = {});
// The same on a given machine, reset first (tests compare it with a fresh one).
RunResult run_on(Machine& m, const Scenario& s, const RunOptions& o = {});

// For drivers other than the scheduler (core/threads.h): the layout before
// any CPU runs, and one CPU's whole program on the calling thread (tl_exec
// must be a threaded ExecCtx for this machine).
void build_layout(Machine& m);
void run_cpu_threaded(Machine& m, int cpu);

// One line per entry value for traces: "0x8000000000000867 (present pfn=16 W U young dirty)".
std::string describe_pte(ArchId arch, uint64_t v);
// A PMD value for traces: "none", "table #3", or "huge " and the entry it holds.
std::string describe_pmd(ArchId arch, uint64_t v);

}  // namespace gf
