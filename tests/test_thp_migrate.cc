// SPDX-License-Identifier: GPL-2.0
//
// THP migration and PMD migration entries (core/mm/migrate.h thp_migrate,
// core/mm/huge_memory.h split_huge_pmd_migration), and 3a5a8d343e1c "mm: fix
// race between __split_huge_pmd_locked() and GUP-fast":
//  - the arm64 and x86-64 PMD swap helpers: a migration entry is not
//    pmd_present(); pmd_mkinvalid() of it is present (and a leaf) on arm64,
//    and still non-present but with another offset on x86-64;
//  - an unheld THP moves whole: the copy is mapped by a huge PMD, the data
//    and the refcount follow, the source is freed;
//  - a pinned or GUP-held THP stays;
//  - the witness's interleaving without the bug: the split turns the
//    migration entry into 32 migration PTEs, each mapped to the copy;
//  - with split_invalidates_pmd_migration the lockless read is caught (arm64).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "core/arch/arm64.h"
#include "core/arch/x86_64.h"
#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/mm/ops.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

namespace fs = std::filesystem;
const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

gf::Scenario witness() {
  std::ifstream in(kRoot / "tests/witnesses/split_invalidates_pmd_migration.json");
  std::stringstream text;
  text << in.rdbuf();
  gf::ParseError err;
  auto s = gf::scenario_from_json(text.str(), err);
  EXPECT_TRUE(s.has_value()) << err.message;
  return s.value_or(gf::Scenario{});
}

template <class A>
void pmd_migration_entry_laws() {
  constexpr unsigned types[] = {gf::Ops<A>::SWP_MIGRATION_READ, gf::Ops<A>::SWP_MIGRATION_READ_EXCLUSIVE,
                                gf::Ops<A>::SWP_MIGRATION_WRITE};
  for (unsigned t : types) {
    for (uint64_t pfn : {uint64_t(64), uint64_t(96), uint64_t(0x12345)}) {
      const gf::pmdval_t e = A::swp_entry_pmd(t, pfn);
      EXPECT_FALSE(A::pmd_present(e)) << A::name << " is_swap_pmd(): not present";
      EXPECT_NE(e, A::PMD_NONE);
      EXPECT_EQ(A::swp_type(e), t);
      EXPECT_EQ(A::swp_offset(e), pfn);
    }
  }
}

TEST(ThpMigrateLaws, Arm64PmdMigrationEntry) {
  using A = gf::arch::Arm64;
  pmd_migration_entry_laws<A>();
  const gf::pmdval_t e = A::swp_entry_pmd(gf::Ops<A>::SWP_MIGRATION_WRITE, 64);
  const gf::pmdval_t inv = A::pmd_mkinvalid(e);
  EXPECT_TRUE(A::pmd_present(inv)) << "present-invalid: nG set, Valid clear";
  EXPECT_TRUE(A::pmd_leaf(inv));
  EXPECT_EQ(A::pte_pfn(A::pmd_pte(inv)), 64u) << "the PFN field is the swap offset";
  EXPECT_FALSE(A::pmd_access_permitted(inv, false)) << "6.12 GUP-fast bails: PTE_VALID clear";
  EXPECT_FALSE(A::pte_protnone(A::pmd_pte(inv)));
}

TEST(ThpMigrateLaws, X86PmdMigrationEntry) {
  using A = gf::arch::X86_64;
  pmd_migration_entry_laws<A>();
  const gf::pmdval_t e = A::swp_entry_pmd(gf::Ops<A>::SWP_MIGRATION_WRITE, 64);
  const gf::pmdval_t inv = A::pmd_mkinvalid(e);
  EXPECT_FALSE(A::pmd_present(inv));
  EXPECT_EQ(A::swp_type(inv), gf::Ops<A>::SWP_MIGRATION_WRITE);
  EXPECT_NE(A::swp_offset(inv), 64u) << "pmd_mkinvalid() corrupts the offset";
}

class ThpMigrate : public ::testing::TestWithParam<const char*> {
 protected:
  // One CPU (two with `other`) over one anonymous writable PMD of 32 pages.
  gf::Scenario scenario(const std::string& ops, const std::string& other = "") {
    const std::string text = std::string(R"({"arch": ")") + GetParam() + R"(", )" +
                             R"("regions": [{"va": 0, "pages": 32, "anon": true, "write": true}],
                                 "cpus": [[)" + ops + "]" + (other.empty() ? "" : ", [" + other + "]") + "]}";
    return gf::test::parse_scenario(text);
  }
  static gf::PteSem page(const gf::Machine& m, int va) {
    const gf::pmdval_t pmd = m.pmd[va / gf::PTRS_PER_PTE].peek();
    if (m.pmd_leaf(pmd)) return gf::sem_decode(m.sc().arch, m.pmd_page_pte(pmd, va % gf::PTRS_PER_PTE));
    if (!m.pmd_is_table(pmd)) return {};
    return gf::sem_decode(m.sc().arch, m.table_of(pmd)->e[va % gf::PTRS_PER_PTE].peek());
  }
};

constexpr int kHuge = 64;  // collapse's huge folio (the layout uses 16..47)

TEST_P(ThpMigrate, AnUnheldThpMovesWhole) {
  const gf::Scenario s = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "hw_write", "va": 3}, {"op": "thp_migrate", "va": 0},
         {"op": "hw_access", "va": 3})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_TRUE(m.pmd_leaf(m.pmd[0].peek())) << "remove_migration_pmd() maps the copy huge";
  const gf::PteSem e = page(m, 3);
  ASSERT_EQ(e.kind, gf::PteSem::present);
  EXPECT_NE(e.pfn, uint64_t(kHuge + 3)) << "the copy, not the source";
  EXPECT_FALSE(bool(m.folio[kHuge].allocated)) << "the source is freed";
  const gf::Folio& to = m.head_of(e.pfn);
  EXPECT_EQ(to.refcount.peek(), 1);
  EXPECT_EQ(int(to.mapcount), 1);
  EXPECT_TRUE(bool(m.folio[e.pfn].truth.written)) << "the page's data moved with it";
  EXPECT_TRUE(e.write) << "a writable migration entry maps writable";
}

TEST_P(ThpMigrate, APinnedThpStays) {
  const gf::Scenario s = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "gup_fast", "va": 4, "flags": ["FOLL_PIN"]},
         {"op": "thp_migrate", "va": 0}, {"op": "unpin"})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(page(m, 4).pfn, uint64_t(kHuge + 4)) << "folio_try_share_anon_rmap_pmd() refused: PMD restored";
  EXPECT_EQ(m.folio[kHuge].refcount.peek(), 1);
}

TEST_P(ThpMigrate, AGupReferenceKeepsTheThp) {
  const gf::Scenario s = scenario(
      R"({"op": "thp_collapse", "va": 0}, {"op": "gup_fast", "va": 4}, {"op": "thp_migrate", "va": 0},
         {"op": "unpin"})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_TRUE(m.pmd_leaf(m.pmd[0].peek()));
  EXPECT_EQ(page(m, 4).pfn, uint64_t(kHuge + 4)) << "folio_ref_freeze(src, 1) failed: src mapped back";
}

// The witness's interleaving on the correct model: the split meets the PMD
// migration entry, 6.12 leaves 32 migration PTEs, and the end of the
// migration maps each to the copy.
TEST_P(ThpMigrate, SplitOfAMigrationEntryLeavesMigrationPtes) {
  gf::Scenario s = witness();
  s.bugs = gf::BugSet{};
  s.arch = *gf::machine_arch_from_name(GetParam());
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  ASSERT_TRUE(m.pmd_is_table(m.pmd[0].peek())) << "split";
  const gf::PteSem e0 = page(m, 0);
  ASSERT_EQ(e0.kind, gf::PteSem::present);
  EXPECT_NE(e0.pfn, uint64_t(kHuge));
  for (int k = 1; k < gf::PTRS_PER_PTE; k++) EXPECT_EQ(page(m, k).pfn, e0.pfn + uint64_t(k)) << "page " << k;
  EXPECT_EQ(m.head_of(e0.pfn).refcount.peek(), gf::PTRS_PER_PTE) << "one reference per PTE mapping";
}

// The witness itself (its schedule is arm64's; x86-64's steps differ, and
// `gupfuzz explore` finds the x86 case with 2 preemptions too).
TEST(ThpMigrateBug, TheInvalidatedMigrationEntryIsCaught) {
  gf::Scenario s = witness();
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  ASSERT_TRUE(r.verdict.violated);
  EXPECT_EQ(r.verdict.oracle, gf::Oracle::lockless_pmd_misread) << r.verdict.message;
}

INSTANTIATE_TEST_SUITE_P(Machines, ThpMigrate, ::testing::Values("arm64", "x86_64"));

}  // namespace
