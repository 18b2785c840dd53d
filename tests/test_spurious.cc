// SPDX-License-Identifier: GPL-2.0
//
// The spurious-failure study's instruments (core/study/gup_stats.h,
// core/exec/explore_each.h, core/study/spurious.h):
//  - the counters count what a hand calculation says on the smallest race:
//    one GUP-fast page against one hardware access on x86 (mainline recheck:
//    966 of 1482 schedules bail, all spurious; norecency: none of 1287);
//  - for_each_schedule visits each schedule once and replays each;
//  - sampled tallies are a function of the seed;
//  - the spurious check can fail: on a synthetic recency-only pair, on the
//    mainline recheck, with a replayable example; and it does not on real changes;
//  - how the attempts end (kept, bail on the read, grab, recheck, after) sums
//    to the attempts, and the where-the-change-lands classification covers
//    every schedule and agrees with the outcomes it implies.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "core/arch/x86_64.h"
#include "core/exec/explore_each.h"
#include "core/study/gup_stats.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "core/study/spurious.h"

namespace {

gf::Scenario parse(const std::string& text) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(text, err);
  EXPECT_TRUE(s.has_value()) << err.message;
  return s.value_or(gf::Scenario{});
}

// CPU 0: gup_fast(page 1, FOLL_GET); CPU 1: the MMU reads page 1, which is old.
gf::Scenario gup_vs_hw_access(const char* recheck) {
  return parse(std::string(R"({"arch": "x86_64", "recheck": ")") + recheck + R"(",
    "regions": [{"va": 0, "pages": 4, "anon": true, "write": true, "old": true}],
    "cpus": [[{"op": "gup_fast", "va": 1}], [{"op": "hw_access", "va": 1}]]})");
}

// By hand.  GUP-fast (FOLL_GET) makes 8 shared accesses: g1 irq off, g2 pmd,
// g3 pte (ptep_get_lockless), g4 refcount load, g5 refcount cmpxchg, g6 pmd
// recheck, g7 pte recheck (ptep_get), g8 irq on; a failed recheck adds the
// folio_put before g8 (9).  The MMU makes 5: h1 walk begin, h2 pmd, h3 pte,
// h4 cmpxchg setting Accessed, h5 walk end.  With j GUP accesses before h4,
// h1..h3 go among the first j in C(j+3,3) ways and h5 among the rest in
// (len-j+1).  Mainline bails iff g3 < h4 < g7, i.e. j = 3..6:
//   bail:  C(6,3)*7 + C(7,3)*6 + C(8,3)*5 + C(9,3)*4 = 140+210+280+336 = 966
//   keep:  j=0,1,2,7,8: 9 + 32 + 70 + 240 + 165 = 516
// so 1482 schedules, 966 bails, each spurious (only Accessed differs).
// Norecency never bails: C(13,5) = 1287 schedules.
TEST(Spurious, HandCountMainlineX86) {
  const gf::SpuriousTally t = gf::tally_schedules(gup_vs_hw_access("mainline"), gf::EachOptions{});
  EXPECT_TRUE(t.all);
  EXPECT_EQ(t.executions, 1482u);
  EXPECT_EQ(t.attempts, 1482u);
  EXPECT_EQ(t.rechecks, 1482u);
  EXPECT_EQ(t.recheck_bails, 966u);
  EXPECT_EQ(t.pmd_bails, 0u);
  EXPECT_EQ(t.spurious, 966u);
  EXPECT_EQ(t.violations, 0u);
  // Every other schedule keeps the page; nothing bails before the recheck.
  EXPECT_EQ(t.kept, 1482u - 966u);
  EXPECT_EQ(t.read_bails + t.grab_bails + t.after_bails, 0u);
  EXPECT_EQ(t.fell_back, 966u);
}

TEST(Spurious, HandCountNorecencyX86) {
  const gf::SpuriousTally t = gf::tally_schedules(gup_vs_hw_access("norecency"), gf::EachOptions{});
  EXPECT_TRUE(t.all);
  EXPECT_EQ(t.executions, 1287u);
  EXPECT_EQ(t.attempts, 1287u);
  EXPECT_EQ(t.recheck_bails, 0u);
  EXPECT_EQ(t.spurious, 0u);
  EXPECT_FALSE(t.has_example);
  EXPECT_EQ(t.kept, 1287u);
  EXPECT_EQ(t.fell_back, 0u);
}

// Each schedule once, and each replays to the same counters.
TEST(Spurious, EachScheduleOnceAndReplays) {
  const gf::Scenario s = gup_vs_hw_access("mainline");
  std::set<std::vector<uint8_t>> seen;
  uint64_t replayed = 0;
  gf::GupCounter counter;
  gf::EachOptions eo;
  eo.gup_observer = &counter;
  const gf::EachResult e = gf::for_each_schedule(
      s, eo, [&](const gf::RunResult&, std::span<const uint8_t> ch, int) {
        const gf::GupStats g = counter.total();
        counter.clear();
        EXPECT_TRUE(seen.emplace(ch.begin(), ch.end()).second);
        if (seen.size() % 97 == 0) {  // a sample: replaying all is the same check, slower
          gf::Scenario again = s;
          gf::set_steps(again, std::vector<uint8_t>(ch.begin(), ch.end()));
          EXPECT_EQ(gf::run_counted(again).gup.recheck_bails, g.recheck_bails);
          replayed++;
        }
      });
  EXPECT_TRUE(e.all());
  EXPECT_EQ(seen.size(), 1482u);
  EXPECT_GT(replayed, 10u);
}

// A bound cuts: fewer schedules, and the tally says it is not all of them.
TEST(Spurious, BoundCutsAndSaysSo) {
  gf::EachOptions o;
  o.max_preemptions = 1;
  const gf::SpuriousTally t = gf::tally_schedules(gup_vs_hw_access("mainline"), o);
  EXPECT_FALSE(t.all);
  EXPECT_GT(t.cut, 0u);
  EXPECT_LT(t.executions, 1482u);
}

TEST(Spurious, SampledIsAFunctionOfTheSeed) {
  const gf::Scenario s = parse(R"({"arch": "arm64", "recheck": "mainline",
    "regions": [{"va": 0, "pages": 16, "anon": true, "write": true, "large": true, "old": true}],
    "cpus": [[{"op": "gup_fast", "va": 2, "nr": 4, "flags": ["FOLL_PIN", "FOLL_WRITE"]}, {"op": "unpin"}],
             [{"op": "hw_write", "va": 3}, {"op": "age", "va": 5}],
             [{"op": "hw_access", "va": 4}]]})");
  for (gf::Sampler k : {gf::Sampler::random, gf::Sampler::pct2}) {
    const gf::SpuriousTally a = gf::tally_sampled(s, k, 42, 300);
    const gf::SpuriousTally b = gf::tally_sampled(s, k, 42, 300);
    const gf::SpuriousTally c = gf::tally_sampled(s, k, 43, 300);
    EXPECT_EQ(a.attempts, b.attempts) << gf::sampler_name(k);
    EXPECT_EQ(a.recheck_bails, b.recheck_bails) << gf::sampler_name(k);
    EXPECT_EQ(a.spurious, b.spurious) << gf::sampler_name(k);
    EXPECT_EQ(a.example.schedule, b.example.schedule) << gf::sampler_name(k);
    EXPECT_GT(a.recheck_bails, 0u) << gf::sampler_name(k);
    // Another seed is another sample (not a proof, but these two differ).
    EXPECT_TRUE(a.attempts != c.attempts || a.recheck_bails != c.recheck_bails || a.example.schedule != c.example.schedule)
        << gf::sampler_name(k);
  }
}

// The check itself: recency-only pairs are spurious, real changes are not.
TEST(Spurious, ExplainedOnlyByRealChanges) {
  using X = gf::arch::X86_64;
  const gf::pteval_t p = X::mk_user_pte(16, gf::UserProt{.write = true, .young = false});
  EXPECT_FALSE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, X::pte_mkyoung(p)));
  // What the MMU does on a write (Accessed and Dirty; pte_mkdirty() would set soft-dirty too, a real change).
  EXPECT_FALSE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, p | X::_PAGE_ACCESSED | X::_PAGE_DIRTY));
  EXPECT_TRUE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, X::pte_mkdirty(X::pte_mkyoung(p))));
  EXPECT_TRUE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, X::pte_wrprotect(p)));
  EXPECT_TRUE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, 0));
  EXPECT_TRUE(gf::gup_recheck_explained(gf::Arch::x86_64, false, p, X::mk_user_pte(17, gf::UserProt{.write = true})));
  EXPECT_TRUE(gf::gup_recheck_explained(gf::Arch::x86_64, true, p, p));  // the PMD moved

  gf::GupStats g;
  g.recheck(gf::Arch::x86_64, true, false, p, X::pte_mkyoung(p), 7);
  g.recheck(gf::Arch::x86_64, true, false, p, X::pte_wrprotect(p), 9);
  g.recheck(gf::Arch::x86_64, false, false, p, p, 11);
  EXPECT_EQ(g.rechecks, 3);
  EXPECT_EQ(g.recheck_bails, 2);
  EXPECT_EQ(g.spurious, 1);
  EXPECT_EQ(g.spurious_now, X::pte_mkyoung(p));
  EXPECT_EQ(g.spurious_step, 7u);
}

// The positive control: on the mainline recheck the check finds spurious
// bails and hands back a scenario that replays one.
TEST(Spurious, MainlineSpuriousBailReplays) {
  const gf::SpuriousTally t = gf::tally_schedules(gup_vs_hw_access("mainline"), gf::EachOptions{});
  ASSERT_TRUE(t.has_example);
  EXPECT_TRUE(t.example_replays);
  const gf::GupStats g = gf::run_counted(t.example).gup;
  EXPECT_EQ(g.spurious, 1);
  EXPECT_EQ(g.spurious_was, t.example_was);
  EXPECT_EQ(g.spurious_now, t.example_now);
  // Through JSON too.
  gf::ParseError err;
  auto back = gf::scenario_from_json(gf::scenario_to_json(t.example), err);
  ASSERT_TRUE(back.has_value()) << err.message;
  EXPECT_EQ(gf::run_counted(*back).gup.spurious, 1);
}

// A real change: every bail of either recheck is explained.
TEST(Spurious, WrprotectBailsAreExplained) {
  for (const char* rc : {"norecency", "mainline"}) {
    const gf::Scenario s = parse(std::string(R"({"arch": "x86_64", "recheck": ")") + rc + R"(",
      "regions": [{"va": 0, "pages": 4, "anon": true, "write": true}],
      "cpus": [[{"op": "gup_fast", "va": 1}], [{"op": "wrprotect", "va": 1}]]})");
    gf::EachOptions o;
    o.max_preemptions = 2;
    const gf::SpuriousTally t = gf::tally_schedules(s, o);
    EXPECT_GT(t.recheck_bails, 0u) << rc;
    EXPECT_EQ(t.spurious, 0u) << rc;
    EXPECT_EQ(t.violations, 0u) << rc;
  }
}

// arm64 contpte, a write-protect of GUP-fast's page (it unfolds the block
// first): how each attempt ends sums to the attempts; every norecency bail is
// a real change; and by where the change lands both rechecks end alike
// except while the first read runs.
TEST(Spurious, ContpteOutcomesAndPhases) {
  using T = gf::SpuriousTally;
  T got[2];
  for (int k = 0; k < 2; k++) {
    const char* rc = k ? "norecency" : "mainline";
    const gf::Scenario s = parse(std::string(R"({"arch": "arm64", "recheck": ")") + rc + R"(",
      "regions": [{"va": 0, "pages": 16, "anon": true, "write": true, "large": true}],
      "cpus": [[{"op": "gup_fast", "va": 1}], [{"op": "wrprotect", "va": 1}]]})");
    int cpu = -1;
    EXPECT_EQ(gf::single_gup_page(s, &cpu), 1);
    EXPECT_EQ(cpu, 0);
    EXPECT_EQ(gf::pages_requested(s), 1u);
    gf::EachOptions o;
    o.max_preemptions = 2;
    const T t = gf::tally_schedules(s, o, true);
    got[k] = t;
    EXPECT_TRUE(t.has_phases) << rc;
    EXPECT_EQ(t.attempts, t.executions) << rc;
    EXPECT_EQ(t.kept + t.read_bails + t.grab_bails + t.recheck_bails + t.after_bails, t.attempts) << rc;
    EXPECT_EQ(t.fell_back, t.attempts - t.kept) << rc;
    EXPECT_GT(t.recheck_bails, 0u) << rc;
    EXPECT_GT(t.read_bails, 0u) << rc;  // the unfold's cleared entry fails pte_access_permitted()
    EXPECT_EQ(t.read_unmapped, t.read_bails) << rc;
    EXPECT_EQ(t.spurious, 0u) << rc;
    EXPECT_EQ(t.violations + t.budget, 0u) << rc;
    uint64_t all = 0;
    for (int p = 0; p < T::kPhases; p++) all += t.phase_total(p);
    EXPECT_EQ(all, t.executions) << rc;
    uint64_t ends[T::kEnds] = {};
    for (int p = 0; p < T::kPhases; p++)
      for (int e = 0; e < T::kEnds; e++) ends[e] += t.phase[p][e];
    EXPECT_EQ(ends[T::end_kept], t.kept) << rc;
    EXPECT_EQ(ends[T::end_read_bail], t.read_bails) << rc;
    EXPECT_EQ(ends[T::end_recheck_bail], t.recheck_bails) << rc;
    // The entry changed before the read, or only after the recheck loaded it: kept.
    EXPECT_EQ(t.phase[T::before_read][T::end_kept], t.phase_total(T::before_read)) << rc;
    EXPECT_EQ(t.phase[T::after_recheck][T::end_kept], t.phase_total(T::after_recheck)) << rc;
    // It changed between the read and the recheck's load: the recheck bails.
    EXPECT_EQ(t.phase[T::between][T::end_recheck_bail], t.phase_total(T::between)) << rc;
    EXPECT_EQ(t.phase[T::overlaps_recheck][T::end_recheck_bail], t.phase_total(T::overlaps_recheck)) << rc;
    EXPECT_EQ(t.phase_total(T::no_change), 0u) << rc;
  }
  // The same placements of the change, in the same numbers, where the first
  // read's length does not matter; mainline's many loads make it more schedules.
  EXPECT_EQ(got[0].phase_total(T::before_read), got[1].phase_total(T::before_read));
  EXPECT_EQ(got[0].phase_total(T::overlaps_recheck), got[1].phase_total(T::overlaps_recheck));
  EXPECT_GT(got[0].executions, 2 * got[1].executions);
  EXPECT_GT(got[0].phase_total(T::after_recheck), 4 * got[1].phase_total(T::after_recheck));
  // While the first read runs, mainline's restart can wait out the unfold and keep the rewritten entry.
  EXPECT_GT(got[0].phase[T::overlaps_read][T::end_kept], 0u);
}

}  // namespace
