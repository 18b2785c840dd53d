// SPDX-License-Identifier: GPL-2.0
//
// for_each_schedule(): run every schedule of one scenario up to a preemption
// bound, once each, and hand each completed execution to a visitor.  The
// schedules and the cost of a preemption are explore()'s (core/exec/explore.h):
// switching away from a CPU that could go on working costs one, switching
// away from one that finished or spins is free, resuming a spinning CPU costs
// one.  Unlike explore() it makes one pass at the given bound (no reruns of
// smaller bounds), does not stop at a violation, and says whether the bound
// cut anything: when it did not, the visitor saw *every* schedule of the
// scenario, which is finite exactly when no CPU can spin.
//
// For measurements over all schedules (the spurious-failure study,
// core/study/spurious.h); explore() stays the tool that looks for violations.
#pragma once

#include <cstdint>
#include <functional>
#include <span>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf {

struct EachOptions {
  int max_preemptions = 1000;         // effectively unbounded for a scenario without spins
  uint64_t max_executions = 0;        // 0: no limit; else stop (incomplete) after this many
  uint64_t max_steps = MAX_SCHEDULE;  // per execution
  GupObserver* gup_observer = nullptr;  // passed to every run (RunOptions)
};

struct EachResult {
  uint64_t schedules = 0;  // executions run, each a distinct schedule
  uint64_t cut = 0;        // alternatives the preemption bound skipped
  bool truncated = false;  // max_executions stopped the search
  // Every schedule of the scenario was run: nothing cut, nothing truncated.
  bool all() const { return !cut && !truncated; }
};

// `choices` is the CPU picked at each step: as a Scenario::schedule it
// replays the execution (ScheduleStrategy).
using EachVisitor = std::function<void(const RunResult& r, std::span<const uint8_t> choices, int preemptions)>;

EachResult for_each_schedule(const Scenario& s, const EachOptions& o, const EachVisitor& visit);

}  // namespace gf
