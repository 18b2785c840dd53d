// SPDX-License-Identifier: GPL-2.0
//
// The spurious-failure study's measurement: how often GUP-fast's PTE recheck
// sends a page to the slow path, and how many of those bails had no real
// change behind them (core/study/gup_stats.h), summed over the executions of one
// scenario — every schedule (for_each_schedule, core/exec/explore_each.h) or a
// seeded sample (RandomStrategy, PctStrategy, core/sched/strategies.h).
//
// The fraction is over schedules counted alike: each distinct interleaving
// of the model's shared accesses weighs one, which is not a probability on
// real hardware but is exact and reproducible.  The study itself (families
// of scenarios, the table) is `gupfuzz spurious` (repro/spurious_commands.cc),
// its results bench/spurious.md.
#pragma once

#include <cstdint>
#include <span>

#include "core/exec/explore_each.h"
#include "core/exec/run.h"
#include "core/study/gup_stats.h"
#include "core/scenario/scenario.h"

namespace gf {

struct SpuriousTally {
  uint64_t executions = 0;
  uint64_t attempts = 0;       // GUP-fast page attempts (gup_fast_pte_range)
  uint64_t rechecks = 0;       // rechecks reached
  uint64_t recheck_bails = 0;  // rechecks that bailed
  uint64_t pmd_bails = 0;      //   the PMD moved
  uint64_t spurious = 0;       //   nothing but young/dirty differed
  uint64_t cont_only = 0;      //   real, but only the contpte bit besides young/dirty (an unfold)
  // How the attempts ended (core/study/gup_stats.h); kept + the four bails = attempts.
  uint64_t kept = 0;           // GUP-fast holds the page
  uint64_t read_bails = 0;     // the entry read first failed protnone/access/special/pfn
  uint64_t read_unmapped = 0;  //   first reads that returned an entry mapping no page (any attempt)
  uint64_t grab_bails = 0;     // try_grab_folio_fast() failed
  uint64_t after_bails = 0;    // the recheck passed, a later check did not
  // Executions in which GUP-fast left some requested page to the slow path
  // (a bail of any kind, or a fallback before reading an entry).
  uint64_t fell_back = 0;
  uint64_t violations = 0;     // executions an oracle stopped (none on the correct model)
  uint64_t budget = 0;         // executions stopped at the step budget (no_progress)
  // With `phases` (tally_schedules on a scenario whose one gup_fast op reads
  // one page): where the other CPUs' writes to that page's entry fall, first
  // to last, relative to GUP-fast's first read of it (ptep_get_lockless*(),
  // every entry load before the folio grab) and the recheck's load of the
  // entry, by how the attempt ended.  Each execution counts once.
  enum Phase : uint8_t {
    no_change,         // nobody else wrote the entry
    before_read,       // all writes before the first read began
    overlaps_read,     // some write while the first read ran, or it read mid-change
    between,           // all writes after the first read, before the recheck's load
    overlaps_recheck,  // the writes began before the recheck's load and went on after it
    after_recheck,     // all writes after the recheck's load (after the read on a read bail)
    kPhases
  };
  enum End : uint8_t { end_kept, end_read_bail, end_recheck_bail, end_other, kEnds };
  bool has_phases = false;
  uint64_t phase[kPhases][kEnds] = {};
  uint64_t phase_total(int p) const {
    uint64_t n = 0;
    for (int e = 0; e < kEnds; e++) n += phase[p][e];
    return n;
  }

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
  // Attempts that went to the slow path for any reason / attempts.
  double slow_fraction() const { return attempts ? double(attempts - kept) / double(attempts) : 0.0; }
  double fell_back_fraction() const { return executions ? double(fell_back) / double(executions) : 0.0; }
  void add(const Scenario& s, const RunResult& r, const GupStats& gup, std::span<const uint8_t> choices);
};

// Pages the scenario's gup_fast ops ask for (each op's range within the VA space).
uint64_t pages_requested(const Scenario& s);

// The GUP-fast CPU and page of a scenario with one gup_fast op of one page, else -1.
int single_gup_page(const Scenario& s, int* cpu);

// Every schedule up to o.max_preemptions.  `phases`: also classify each
// execution (replayed once more, observed) as SpuriousTally::phase says; only
// for a scenario with single_gup_page() >= 0.
SpuriousTally tally_schedules(const Scenario& s, const EachOptions& o, bool phases = false);

// `runs` executions; run i uses seed `seed + i`.  Deterministic.
enum class Sampler : uint8_t { random, pct2, pct3 };
const char* sampler_name(Sampler k);
SpuriousTally tally_sampled(const Scenario& s, Sampler k, uint64_t seed, uint64_t runs);

}  // namespace gf
