// SPDX-License-Identifier: GPL-2.0
//
// explore(): every schedule of one scenario up to a preemption bound, in the
// manner of CHESS (Musuvathi and Qadeer, "Iterative Context Bounding for
// Systematic Testing of Multithreaded Programs", PLDI 2007).
//
// Stateless depth-first search.  Each execution starts the scenario from
// scratch with a strategy that replays a prefix of choices and then, at each
// scheduling point, lets the CPU that just stepped continue (no preemption),
// recording the other CPUs it could have picked.  The next execution changes
// the deepest choice that still has an untried alternative within the bound.
// Bounds are tried in order C = 0, 1, 2, ...: the first violation found is
// one that needs the fewest preemptions, and a clean answer at C means no
// schedule with at most C preemptions violates an invariant.
//
// What a preemption is.  Switching away from a CPU that could still run and
// is not spinning (core/sched/strategies.h SpinWatch) costs one.  Switching away
// from a CPU that finished or spins is free, as CHESS treats a yield: a CPU
// waiting for mmap_lock, the PTL or another CPU's IRQ epoch hands over at no
// cost, so a schedule with no preemption still finishes.  Resuming a CPU that
// spins before anything has changed costs one too: it can only go round its
// loop again (unless the spin guess is wrong, and then the search still gets
// there), and charging it keeps every search finite.
//
// Step budget.  An execution that reaches ExploreOptions::max_steps ends with
// the machine's no_progress verdict; the explorer counts it as pruned (a
// schedule cut short: every CPU spinning on another, or a lap longer than the
// budget), never as a finding.  The default budget is MAX_SCHEDULE, so any
// violating schedule fits a scenario's "schedule" and replays.
//
// No partial-order reduction, on purpose.  Sleep sets (Godefroid 1996) would
// skip a schedule that only commutes two independent steps, but here they
// would be unsound for three reasons:
//  - a step is an access *and* the model code that runs after it up to the
//    next access, which reads and writes bookkeeping that is not a Cell and
//    is not in Access (the GUP ledger, folio flags and mapcounts, the
//    allocators, table liveness); two accesses to different cells can be two
//    steps that do not commute;
//  - the oracles are not invariant under commuting: pin_not_in_history
//    compares the step of a reference grab (a refcount cell) with the PTE's
//    value history (a PTE cell), and data_race keeps a plain load in flight
//    until its CPU's next access, whatever that touches;
//  - combined naively with a preemption bound, sleep sets lose schedules: the
//    representative kept of an equivalence class may need more preemptions
//    than the one skipped (Coons, Musuvathi and McKinley, "Bounded
//    Partial-Order Reduction", OOPSLA 2013).
// The schedules counted are therefore all distinct schedules up to the bound.
#pragma once

#include <cstdint>
#include <vector>

#include "core/mm/machine.h"
#include "core/scenario/scenario.h"

namespace gf {

struct ExploreOptions {
  int max_preemptions = 2;
  uint64_t max_executions = 0;      // 0: no limit; else stop (incomplete) after this many
  uint64_t max_steps = MAX_SCHEDULE;  // per execution; beyond it the schedule is pruned
};

struct ExploreResult {
  bool found = false;
  bool complete = true;     // false when max_executions stopped the search
  int bound_done = -1;      // the largest bound explored in full
  uint64_t schedules = 0;   // distinct schedules run, up to bound_done (or the one found)
  uint64_t executions = 0;  // runs, counting the reruns of smaller bounds
  uint64_t pruned = 0;      // distinct schedules pruned at the step budget
  uint64_t steps = 0;       // accesses over every execution
  uint64_t max_depth = 0;   // the longest schedule (steps)
  // The first violation, when found:
  int preemptions = -1;     // the preemptions it needs (the smallest possible)
  Verdict verdict;
  Scenario replay;          // the scenario with the violating schedule
  bool replays = false;     // replay (ScheduleStrategy) gives the same invariant at the same step
};

ExploreResult explore(const Scenario& s, const ExploreOptions& o = {});

}  // namespace gf
