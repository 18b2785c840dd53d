// SPDX-License-Identifier: GPL-2.0
//
// The two forms of a scenario's schedule (core/scenario/scenario.h), each
// turned into the other by running the scenario once (with its bugs) and
// recording every pick of the scheduler: steps → the picks themselves;
// preemptions → the picks where the free choice (PreemptStrategy) would have
// taken another CPU.  Both are exact: the converted scenario makes the same
// picks, so it takes the same steps and reaches the same verdict.  A run that
// stops at a violation records the picks up to it, which is all its verdict
// needs.
#pragma once

#include <cstdint>
#include <vector>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf {

// The scenario with its schedule in `form` (itself if it is already).
Scenario with_schedule_form(const Scenario& s, ScheduleForm form, const MachineOptions& mo = {});

// A hand-written per-step schedule as preemption points, where the steps
// given end: after them the free choice instead of the steps form's round
// robin (which needs a point at every step).  Not exact past the given
// steps: the caller runs the result to see that it still means what it
// should (seeds: still clean).
Scenario points_of_given_steps(const Scenario& s, const MachineOptions& mo = {});

// The fuzz bytes of any scenario: encode() of its compact form.
std::vector<uint8_t> fuzz_bytes(const Scenario& s, const MachineOptions& mo = {});

}  // namespace gf
