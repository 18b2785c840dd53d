// SPDX-License-Identifier: GPL-2.0
//
// Every way the model frees a PTE table a GUP-fast walker can be inside, each
// reached by an arm64 seed and by the explorer (issue 18, "slow detection
// where a flush hides the race").
//
// On x86 a TLB flush is an IPI that waits for every CPU with IRQs off, and
// GUP-fast walks with IRQs off: munmap's free_pte_range() (pmd_clear, flush,
// free) and THP collapse's pmdp_collapse_flush() both flush after unhooking
// the table, so on x86 the walker has left before the table is freed or
// copied, with or without the grace period (tlb_remove_table()) or the IPI of
// tlb_remove_table_sync_one().  A mistake in either shows only on arm64,
// whose broadcast TLBI waits for nobody (core/arch/*.h
// tlb_flush_waits_for_irqs_off).  So for each path:
//  - its arm64 seed (corpus/scenarios/, benign), with the bug that removes
//    the path's wait, makes `gupfuzz explore` (core/exec/explore.h) find
//    table_use_after_free within one preemption, and the trace goes through
//    the path's free;
//  - the x86 flavour of the same seed (arch changed, nothing else) has no
//    violation up to the same bound;
//  - every free_table() call in core/mm is one of the listed paths (or the
//    table __pte_alloc() lost a race with, which no walker ever saw), so a
//    new way to free a table fails here until it has a seed.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>

#include "core/exec/explore.h"
#include "core/exec/run.h"
#include "core/report/report.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

struct FreePath {
  const char* where;     // core/mm file:function that frees the table
  const char* seed;      // corpus/scenarios/<seed>.json, arm64
  gf::Bug bug;           // removes the wait that protects the walker
  const char* free_note;  // the trace note of the free (core/mm)
  const char* via_note;   // a trace note on the way there, or ""
};

const FreePath kPaths[] = {
    // munmap: free_pgtables() -> free_pte_range() -> pte_free_tlb() -> tlb_remove_table().
    {"memory.h:free_pte_range", "arm64_unmap_table_vs_gup", gf::Bug::no_grace_period, "free PTE table #", ""},
    // collapse_huge_page() unhooks the table (pmdp_collapse_flush(), then the IPI
    // of tlb_remove_table_sync_one()) and deposits it; munmap of the huge PMD:
    // zap_huge_pmd() -> zap_deposited_table() -> pte_free(), at once.
    {"huge_memory.h:zap_huge_pmd", "arm64_thp_collapse_vs_gup", gf::Bug::collapse_no_ipi, "free deposited PTE table #",
     "collapse: PMD 0 maps huge folio"},
    // The deposited table hooked again by a split (__split_huge_pmd_locked():
    // pgtable_trans_huge_withdraw(), pmd_populate()), then freed by munmap's
    // free_pte_range() like any other.
    {"memory.h:free_pte_range", "arm64_thp_split_unmap_vs_gup", gf::Bug::no_grace_period, "free PTE table #",
     "split huge pmd 0 into PTE table #"},
    // v6.14 CONFIG_PT_RECLAIM ("pt_reclaim"): MADV_DONTNEED's zap_pte_range()
    // unhooks the table it emptied (try_get_and_clear_pmd()), free_pte() ->
    // pte_free_tlb(); tlb_finish_mmu(): one flush, tlb_remove_table().
    {"madvise.h:madvise_dontneed", "arm64_pt_reclaim_dontneed_vs_gup", gf::Bug::no_grace_period, "free PTE table #",
     "try_get_and_clear_pmd: PMD 0 cleared"},
};

gf::Scenario load_seed(const std::string& stem) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(gf::test::slurp(kRoot / "corpus/scenarios" / (stem + ".json")), err);
  EXPECT_TRUE(s.has_value()) << stem << ": " << err.message;
  return s.value_or(gf::Scenario{});
}

class TableFreePath : public ::testing::TestWithParam<int> {};

TEST_P(TableFreePath, Arm64SeedFindsTheUseAfterFreeX86DoesNot) {
  const FreePath& p = kPaths[GetParam()];
  gf::Scenario s = load_seed(p.seed);
  ASSERT_EQ(s.arch, gf::Arch::arm64) << p.seed;
  ASSERT_TRUE(s.bugs.empty()) << p.seed << " is a seed: no bugs";
  gf::set_steps(s, {});  // the explorer needs no hint
  s.bugs.add(p.bug);

  const gf::ExploreResult arm = gf::explore(s, {.max_preemptions = 1});
  ASSERT_TRUE(arm.found) << p.seed << " + " << gf::info(p.bug).id << ": nothing within 1 preemption ("
                         << arm.schedules << " schedules)";
  EXPECT_EQ(gf::info(arm.verdict.oracle).id, "table_use_after_free") << arm.verdict.message;
  EXPECT_LE(arm.preemptions, 1);
  EXPECT_TRUE(arm.replays);
  // The violating schedule goes through this path's free.
  gf::RunOptions traced;
  traced.machine.trace = true;
  const std::string report = gf::format_report(arm.replay, gf::run(arm.replay, traced), "<explore>");
  EXPECT_NE(report.find(p.free_note), std::string::npos) << report;
  EXPECT_NE(report.find(p.via_note), std::string::npos) << report;

  gf::Scenario x86 = s;
  x86.arch = gf::Arch::x86_64;
  const gf::ExploreResult r = gf::explore(x86, {.max_preemptions = 1});
  EXPECT_FALSE(r.found) << p.seed << " on x86_64: " << gf::info(r.verdict.oracle).id << ": " << r.verdict.message;
  EXPECT_TRUE(r.complete);
  EXPECT_EQ(r.bound_done, 1);
  EXPECT_GT(r.schedules, 100u);
  std::printf("[table-free] %-30s %-16s arm64: found after %llu schedules; x86_64: clean, %llu schedules\n", p.seed,
              std::string(gf::info(p.bug).id).c_str(), (unsigned long long)arm.schedules,
              (unsigned long long)r.schedules);
}

INSTANTIATE_TEST_SUITE_P(Paths, TableFreePath, ::testing::Range(0, int(std::size(kPaths))),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(kPaths[i.param].seed);
                         });

// Every free_table() call in core/mm, by the Ops<A> member it is in.
TEST(TableFreePaths, EveryFreeInTheModelHasASeed) {
  std::set<std::string> callers;
  const std::regex member(R"(Ops<A>::(\w+)\()");
  for (const auto& e : fs::directory_iterator(kRoot / "core/mm")) {
    const std::string ext = e.path().extension().string();
    if (ext != ".h" && ext != ".cc") continue;
    std::ifstream in(e.path());
    std::string line, fn = "?";
    while (std::getline(in, line)) {
      std::smatch m;
      if (std::regex_search(line, m, member)) fn = m[1];
      if (line.find("free_table(") == std::string::npos || line.find("void free_table") != std::string::npos ||
          line.find("Machine::free_table") != std::string::npos || line.find("//") < line.find("free_table("))
        continue;
      callers.insert(e.path().filename().string() + ":" + fn);
    }
  }
  std::set<std::string> listed;
  for (const FreePath& p : kPaths) listed.insert(p.where);
  // __pte_alloc() in handle_mm_fault(): the table that lost the race to
  // populate the PMD was never hooked, so no walker can be inside it.
  listed.insert("memory.h:handle_mm_fault");
  EXPECT_EQ(callers, listed) << "a PTE table is freed somewhere new: give it an arm64 seed and a row in kPaths";
}

}  // namespace
