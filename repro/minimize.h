// SPDX-License-Identifier: GPL-2.0
//
// Scenario-level delta debugging (syzkaller-style: by whole operations first,
// then by schedule, keeping the crash title).  A candidate is kept when it
// still violates the same invariant with the same injected bugs.  Passes, to
// a fixpoint:
//   1. cut the schedule after the violating step (later entries are unused);
//   2. drop whole CPUs (renumbering the schedule), then single operations,
//      then whole regions;
//   3. drop schedule chunks, halves down to single entries (ddmin);
//   4. shrink values: region pages and flags, operation nr and flags,
//      schedule entries towards CPU 0.
#pragma once

#include <cstdint>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf::repro {

struct MinimizeStats {
  uint64_t runs = 0;                        // executions tried
  uint64_t steps_before = 0, steps_after = 0;  // the violating step
  size_t ops_before = 0, ops_after = 0;
  size_t schedule_before = 0, schedule_after = 0;
};

// `s` must violate an invariant; returns the smallest scenario found that
// violates the same one.  Deterministic.
Scenario minimize(const Scenario& s, MinimizeStats& stats);

size_t op_count(const Scenario& s);

}  // namespace gf::repro
