// SPDX-License-Identifier: GPL-2.0
//
// run(): one execution of a scenario — build the layout, start one coroutine
// per CPU, let the strategy pick who steps, stop at the first violation, run
// the end-of-run oracles.  Deterministic: the verdict depends only on the
// scenario (and the strategy's own seed, if it has one).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/exec/feedback.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategy.h"

namespace gf {

struct RunOptions {
  MachineOptions machine;
  Strategy* strategy = nullptr;  // nullptr: the scenario's schedule
  GupObserver* gup_observer = nullptr;  // who counts GUP-fast's rechecks (core/study/gup_stats.h)
  // Who judges: nullptr is the oracles (core/oracle/).  Another Judge only
  // to measure what a part of the oracles costs (bench/micro.cc).
  Judge* judge = nullptr;
  // Interleaving feedback for a fuzz target (core/exec/feedback.h): sees every
  // access with its CPU.  Never changes what runs.
  CommFeedback* feedback = nullptr;
};

struct RunResult {
  Verdict verdict;
  uint64_t steps = 0;
  std::vector<Event> events;  // with machine.trace
};

// Each thread keeps one Machine and reset()s it for every execution (no heap
// allocation once warm: coroutine frames and page tables come from pools).
RunResult run(const Scenario& s, const RunOptions& o = {});
// The same on a given machine, reset first (tests compare it with a fresh one).
RunResult run_on(Machine& m, const Scenario& s, const RunOptions& o = {});

// For drivers other than the scheduler (core/exec/threads.h): the layout before
// any CPU runs, and one CPU's whole program on the calling thread (tl_exec
// must be a threaded ExecCtx for this machine).
void build_layout(Machine& m);
void run_cpu_threaded(Machine& m, int cpu);
// The ExecCtx of a real thread that is `cpu` of m: no suspension, PTE and PMD
// changes under Machine::change_mu.
ExecCtx threaded_ctx(Machine& m, int cpu);

// A machine the oracles judge, for drivers of their own (tests, benchmarks).
std::unique_ptr<Machine> new_machine(const Scenario& s, const MachineOptions& o = {});

// PCT's k (core/sched/strategies.h): the steps of the scenario's own schedule.
uint64_t pct_estimate_k(const Scenario& s);

}  // namespace gf
