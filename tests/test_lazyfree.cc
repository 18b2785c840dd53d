// SPDX-License-Identifier: GPL-2.0
//
// MADV_FREE and reclaim (core/mm/madvise.h, vmscan.h, rmap.h
// try_to_unmap_one()), one CPU at a time on both machine models: what the
// page table and the folio hold at the end.
//  - a clean lazyfree page nobody else holds is discarded and its folio freed;
//  - a lazyfree page pinned for a direct IO read is mapped back and swap-backed
//    again (6c8e2a256915), and the device's data reaches the process;
//  - with lazyfree_ignores_refs the pinned page is discarded, the folio stays
//    for the pin, and lost_write fires on the process's next read;
//  - a page written after MADV_FREE is mapped back, its folio dirty;
//  - a young page is spared (folio_check_references).
#include <gtest/gtest.h>

#include <string>

#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

class Lazyfree : public ::testing::TestWithParam<const char*> {
 protected:
  // One CPU running `ops` (JSON) on one dirty writable anon page at va 0.
  gf::Scenario scenario(const std::string& ops, const std::string& bugs = "") {
    const std::string text = std::string(R"({"arch": ")") + GetParam() + R"(", )" +
                             (bugs.empty() ? "" : R"("bugs": [")" + bugs + R"("], )") +
                             R"("regions": [{"va": 0, "pages": 1, "anon": true, "write": true, "dirty": true}],
                                 "cpus": [[)" + ops + "]]}";
    return gf::test::parse_scenario(text);
  }
  // The entry of page 0 after the run, decoded.
  static gf::PteSem entry0(const gf::Machine& m) {
    const gf::pmdval_t pmd = m.pmd[0].peek();
    if (!m.pmd_is_table(pmd)) return {};
    return gf::sem_decode(m.sc().arch, m.table_of(pmd)->e[0].peek());
  }
};

constexpr int kPfn = 16;  // the layout's first frame

TEST_P(Lazyfree, ReclaimDiscardsACleanPageNobodyHolds) {
  const gf::Scenario s = scenario(R"({"op": "madvise_free", "va": 0}, {"op": "reclaim", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(entry0(m).kind, gf::PteSem::none);
  EXPECT_FALSE(bool(m.folio[kPfn].allocated)) << "the folio is freed (folio_ref_freeze(folio, 1))";
}

TEST_P(Lazyfree, ReclaimMapsBackAPagePinnedForDirectIo) {
  const gf::Scenario s = scenario(
      R"({"op": "madvise_free", "va": 0}, {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN", "FOLL_WRITE"]},
         {"op": "reclaim", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  const gf::PteSem e = entry0(m);
  EXPECT_EQ(e.kind, gf::PteSem::present);
  EXPECT_EQ(e.pfn, uint64_t(kPfn));
  EXPECT_FALSE(bool(m.folio[kPfn].lazyfree)) << "folio_set_swapbacked() on the way back";
  EXPECT_EQ(m.folio[kPfn].refcount.peek(), 1 + gf::GUP_PIN_COUNTING_BIAS);
}

TEST_P(Lazyfree, TheDeviceDataReachesTheProcess) {
  const std::string ops =
      R"({"op": "madvise_free", "va": 0}, {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN", "FOLL_WRITE"]},
         {"op": "reclaim", "va": 0}, {"op": "unpin"}, {"op": "hw_access", "va": 0})";
  const gf::RunResult fixed = gf::run(scenario(ops));
  EXPECT_FALSE(fixed.verdict.violated) << fixed.verdict.message;
  // Before 6c8e2a256915: discarded under the pin, the data goes to a page
  // the process no longer maps.
  const gf::Scenario s = scenario(ops, "lazyfree_ignores_refs");
  gf::Machine m(s, {});
  const gf::RunResult bug = gf::run_on(m, s);
  ASSERT_TRUE(bug.verdict.violated);
  EXPECT_EQ(bug.verdict.oracle, gf::Oracle::lost_write) << bug.verdict.message;
  EXPECT_TRUE(entry0(m).special) << "the read faulted in the zero page";
}

TEST_P(Lazyfree, WithTheBugThePinnedPageLosesItsMappingButNotItsFolio) {
  const gf::Scenario s = scenario(
      R"({"op": "madvise_free", "va": 0}, {"op": "gup_fast", "va": 0, "flags": ["FOLL_PIN", "FOLL_WRITE"]},
         {"op": "reclaim", "va": 0})",
      "lazyfree_ignores_refs");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << "nothing is lost yet: the device has not written";
  EXPECT_EQ(entry0(m).kind, gf::PteSem::none);
  EXPECT_TRUE(bool(m.folio[kPfn].allocated)) << "the freeze failed on the pin: the folio stays for it";
  EXPECT_EQ(m.folio[kPfn].refcount.peek(), gf::GUP_PIN_COUNTING_BIAS);
}

TEST_P(Lazyfree, APageWrittenAgainIsMappedBackDirty) {
  // age clears the young bit the store set, so only the dirty state decides.
  const gf::Scenario s = scenario(
      R"({"op": "madvise_free", "va": 0}, {"op": "hw_write", "va": 0}, {"op": "age", "va": 0},
         {"op": "reclaim", "va": 0})",
      "lazyfree_ignores_refs");  // the dirty check is there with and without the fix
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(entry0(m).kind, gf::PteSem::present);
  EXPECT_EQ(m.folio[kPfn].dirty.peek(), 1) << "the entry's dirt moved to the folio";
  EXPECT_FALSE(bool(m.folio[kPfn].lazyfree));
}

TEST_P(Lazyfree, AYoungPageIsSpared) {
  const gf::Scenario s =
      scenario(R"({"op": "madvise_free", "va": 0}, {"op": "hw_access", "va": 0}, {"op": "reclaim", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  const gf::PteSem e = entry0(m);
  EXPECT_EQ(e.kind, gf::PteSem::present);
  EXPECT_FALSE(e.young) << "folio_referenced() cleared it";
  EXPECT_TRUE(bool(m.folio[kPfn].lazyfree)) << "kept for another trip, still lazyfree";
}

INSTANTIATE_TEST_SUITE_P(Machines, Lazyfree, ::testing::Values("x86_64", "arm64"),
                         [](const auto& i) { return std::string(i.param); });

}  // namespace
