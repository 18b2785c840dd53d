// SPDX-License-Identifier: GPL-2.0
//
// Scenario-level delta debugging (syzkaller-style: by whole operations first,
// then by schedule, keeping the crash title).  A candidate is kept when it
// still violates the same invariant with the same injected bugs.  It works on
// the compact schedule (core/exec/schedule_form.h converts the input first):
// dropping an operation leaves the other preemptions in place.  Passes, to a
// fixpoint:
//   1. cut the preemption points after the violating step;
//   2. drop whole CPUs (renumbering the points), then single operations,
//      then whole regions;
//   3. drop preemption points one by one;
//   4. shrink values: region pages and flags, operation nr and flags.
// (A scenario given in the per-step form minimizes the same way once
// converted; the steps passes stay for a caller that keeps that form.)
#pragma once

#include <cstdint>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf::repro {

struct MinimizeStats {
  uint64_t runs = 0;                        // executions tried
  uint64_t steps_before = 0, steps_after = 0;  // the violating step
  size_t ops_before = 0, ops_after = 0;
  size_t schedule_before = 0, schedule_after = 0;  // preemption points
};

// `s` must violate an invariant; returns the smallest scenario found that
// violates the same one.  Deterministic.
Scenario minimize(const Scenario& s, MinimizeStats& stats);

size_t op_count(const Scenario& s);

}  // namespace gf::repro
