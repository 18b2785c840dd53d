// SPDX-License-Identifier: GPL-2.0
//
// The spurious-failure study's measurement: how often GUP-fast's PTE recheck
// sends a page to the slow path, and how many of those bails had no real
// change behind them (core/gup_stats.h), summed over the executions of one
// scenario — every schedule (for_each_schedule, core/explore_each.h) or a
// seeded sample (RandomStrategy, PctStrategy, core/strategies.h).
//
// The fraction is over schedules counted alike: each distinct interleaving
// of the model's shared accesses weighs one, which is not a probability on
// real hardware but is exact and reproducible.  The study itself (families
// of scenarios, the table) is bench/spurious.cc.
#pragma once

#include <cstdint>
#include <span>

#include "core/explore_each.h"
#include "core/run.h"
#include "core/scenario.h"

namespace gf {

struct SpuriousTally {
  uint64_t executions = 0;
  uint64_t attempts = 0;       // GUP-fast page attempts (gup_fast_pte_range)
  uint64_t rechecks = 0;       // rechecks reached
  uint64_t recheck_bails = 0;  // rechecks that bailed
  uint64_t pmd_bails = 0;      //   the PMD moved
  uint64_t spurious = 0;       //   nothing but young/dirty differed
  uint64_t cont_only = 0;      //   real, but only the contpte bit besides young/dirty (an unfold)
  uint64_t violations = 0;     // executions an oracle stopped (none on the correct model)
  uint64_t budget = 0;         // executions stopped at the step budget (no_progress)
  // Exhaustive tallies: every schedule was run (nothing cut by the bound).
  bool all = false;
  uint64_t cut = 0;
  // The first spurious bail as a replayable scenario (its schedule), the
  // entries compared, and whether replaying it gives a spurious bail again.
  bool has_example = false;
  bool example_replays = false;
  Scenario example;
  pteval_t example_was = 0, example_now = 0;

  double bail_fraction() const { return attempts ? double(recheck_bails) / double(attempts) : 0.0; }
  void add(const Scenario& s, const RunResult& r, std::span<const uint8_t> choices);
};

// Every schedule up to o.max_preemptions.
SpuriousTally tally_schedules(const Scenario& s, const EachOptions& o);

// `runs` executions; run i uses seed `seed + i`.  Deterministic.
enum class Sampler : uint8_t { random, pct2, pct3 };
const char* sampler_name(Sampler k);
SpuriousTally tally_sampled(const Scenario& s, Sampler k, uint64_t seed, uint64_t runs);

}  // namespace gf
