// SPDX-License-Identifier: GPL-2.0
//
// split_huge_page() (core/mm/huge_memory.h folio_split) and GUP-fast's
// page_folio() recheck (core/mm/gup.h try_get_folio(), c24d37322548), one CPU
// at a time on the machine models, then the race itself:
//  - a PTE-mapped and a PMD-mapped THP split into 32 small folios, each page
//    its own head with one reference and one mapping, mapped at the same frame;
//  - a tail nobody maps is freed by the split;
//  - a folio GUP holds is not split (can_split_folio(), the freeze), and is
//    split once the pin is gone;
//  - grab_no_folio_recheck keeps the reference on the old head on arm64 and
//    the refcount oracle says so; on x86_64 the flush IPI closes the window.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>

#include "core/decoder/semantic.h"
#include "core/exec/explore.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

class FolioSplit : public ::testing::TestWithParam<const char*> {
 protected:
  // One CPU running `ops` (JSON) over one PMD of 32 writable anon pages.
  gf::Scenario scenario(const std::string& ops) {
    const std::string text = std::string(R"({"arch": ")") + GetParam() +
                             R"(", "regions": [{"va": 0, "pages": 32, "anon": true, "write": true}], "cpus": [[)" +
                             ops + "]]}";
    return gf::test::parse_scenario(text);
  }
  // The frame page k maps at the end (a PTE table is expected), or -1.
  static int pfn_at(const gf::Machine& m, int k) {
    const gf::pmdval_t pmd = m.pmd[0].peek();
    if (!m.pmd_is_table(pmd)) return -1;
    const gf::PteSem s = gf::sem_decode(m.sc().arch, m.table_of(pmd)->e[k].peek());
    return s.kind == gf::PteSem::present ? int(s.pfn) : -1;
  }
  // Every mapped page of the range is its own small folio with one
  // reference and one mapping, at consecutive frames from pfn0.
  static void expect_split(const gf::Machine& m, int pfn0, int skip = -1) {
    for (int k = 0; k < 32; k++) {
      if (k == skip) continue;
      ASSERT_EQ(pfn_at(m, k), pfn0 + k) << "page " << k;
      const gf::Folio& f = m.folio[pfn0 + k];
      EXPECT_EQ(int(f.head), pfn0 + k) << "page " << k << " is its own head";
      EXPECT_EQ(int(f.order), 0);
      EXPECT_TRUE(bool(f.allocated));
      EXPECT_EQ(f.refcount.peek(), 1) << "page " << k;
      EXPECT_EQ(int(f.mapcount), 1) << "page " << k;
      EXPECT_TRUE(bool(f.anon));
    }
  }
  // The huge folio collapse made: what page 0 maps after a PMD split.
  static int huge_pfn(gf::Machine& m) { return int(m.folio[pfn_at(m, 0)].head); }
};

TEST_P(FolioSplit, SplitsAPteMappedThp) {
  const gf::Scenario s = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "thp_split", "va": 0}, {"op": "folio_split", "va": 3})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  ASSERT_FALSE(r.verdict.violated) << r.verdict.message;
  const int pfn0 = pfn_at(m, 0);
  ASSERT_GT(pfn0, 0);
  expect_split(m, pfn0);
}

TEST_P(FolioSplit, SplitsAPmdMappedThp) {
  const gf::Scenario s = scenario(R"({"op": "thp_collapse", "va": 0}, {"op": "folio_split", "va": 17})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  ASSERT_FALSE(r.verdict.violated) << r.verdict.message;
  ASSERT_TRUE(m.pmd_is_table(m.pmd[0].peek())) << "TTU_SPLIT_HUGE_PMD split the PMD first";
  expect_split(m, pfn_at(m, 0));
}

TEST_P(FolioSplit, FreesATailNobodyMaps) {
  const gf::Scenario s = scenario(R"({"op": "thp_collapse", "va": 0}, {"op": "thp_split", "va": 0},
                                     {"op": "unmap", "va": 5, "nr": 1}, {"op": "folio_split", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  ASSERT_FALSE(r.verdict.violated) << r.verdict.message;
  const int pfn0 = pfn_at(m, 0);
  expect_split(m, pfn0, 5);
  EXPECT_EQ(pfn_at(m, 5), -1);
  EXPECT_FALSE(bool(m.folio[pfn0 + 5].allocated)) << "free_page_and_swap_cache() dropped its last reference";
}

TEST_P(FolioSplit, APinnedFolioStaysWholeUntilUnpinned) {
  const gf::Scenario pinned = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "thp_split", "va": 0},
         {"op": "gup_fast", "va": 3, "flags": ["FOLL_PIN", "FOLL_WRITE"]}, {"op": "folio_split", "va": 3})");
  gf::Machine m(pinned, {});
  const gf::RunResult r = gf::run_on(m, pinned);
  ASSERT_FALSE(r.verdict.violated) << r.verdict.message;
  const int pfn0 = huge_pfn(m);
  EXPECT_EQ(int(m.folio[pfn0].order), gf::HPAGE_PMD_ORDER) << "can_split_folio() refuses a pinned folio";
  for (int k = 0; k < 32; k++) EXPECT_EQ(pfn_at(m, k), pfn0 + k);
  EXPECT_EQ(m.folio[pfn0].pincount.peek(), 1);

  const gf::Scenario unpinned = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "thp_split", "va": 0},
         {"op": "gup_fast", "va": 3, "flags": ["FOLL_PIN", "FOLL_WRITE"]}, {"op": "folio_split", "va": 3},
         {"op": "unpin"}, {"op": "folio_split", "va": 3})");
  gf::Machine m2(unpinned, {});
  const gf::RunResult r2 = gf::run_on(m2, unpinned);
  ASSERT_FALSE(r2.verdict.violated) << r2.verdict.message;
  expect_split(m2, pfn_at(m2, 0));
}

INSTANTIATE_TEST_SUITE_P(Machines, FolioSplit, ::testing::Values("x86_64", "arm64", "i386-pae"),
                         [](const auto& p) {
                           std::string n = p.param;
                           for (char& c : n)
                             if (c == '-') c = '_';
                           return n;
                         });

// The witness's race on x86_64: the split's flush waits for GUP-fast's
// IRQs-off section, so no schedule with one preemption gets it between
// page_folio() and folio_ref_try_add() (the witness needs one on arm64).
TEST(FolioSplitRace, X86FlushClosesTheWindow) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(gf::test::slurp(kRoot / "tests/witnesses/grab_no_folio_recheck.json"), err);
  ASSERT_TRUE(s.has_value()) << err.message;
  ASSERT_TRUE(s->bugs.has(gf::Bug::grab_no_folio_recheck));
  gf::set_steps(*s, {});
  const gf::ExploreResult arm = gf::explore(*s, {.max_preemptions = 1});
  ASSERT_TRUE(arm.found);
  EXPECT_EQ(arm.preemptions, 1);
  EXPECT_EQ(arm.verdict.oracle, gf::Oracle::refcount);
  s->arch = gf::Arch::x86_64;
  const gf::ExploreResult x86 = gf::explore(*s, {.max_preemptions = 1});
  EXPECT_FALSE(x86.found) << x86.verdict.message;
  EXPECT_EQ(x86.bound_done, 1);
}

}  // namespace
