// SPDX-License-Identifier: GPL-2.0
//
// A device through SVA (smmu_access, core/mm/iommu_sva.h) and arm64's
// ptep_set_access_flags() on a contpte block (core/mm/contpte.h,
// 97c5550b7631): what the page table holds after the device's faults.
//  - with the fix, a device read of an old sub-PTE whose sibling is young
//    makes all 16 entries young, and a write through a PTE_RDONLY sub-PTE
//    whose sibling is hardware-dirty clears RDONLY on all 16;
//  - with contpte_access_flags_gathered_noop the target stays old (RDONLY)
//    and device_fault_no_progress fires on the retry;
//  - a write whose write bit changes (do_wp_page()'s reuse of a
//    write-protected, re-folded block) unfolds the block first;
//  - reclaim aging the entry between the fault and the retry makes the device
//    fault again, which is progress (the entry changed), not a report;
//  - x86-64's IOMMU sets Accessed itself; riscv64 has no SVA in 6.12.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

gf::Scenario parse(const std::string& text) {
  return gf::test::parse_scenario(text);
}

// One CPU running `ops` on `region` (JSON) of `arch`.
gf::Scenario scenario(const std::string& arch, const std::string& region, const std::string& ops,
                      const std::string& bugs = "") {
  return parse(R"({"arch": ")" + arch + R"(", )" + (bugs.empty() ? "" : R"("bugs": [")" + bugs + R"("], )") +
               R"("regions": [)" + region + R"(], "cpus": [[)" + ops + "]]}");
}

const std::string kOldBlock = R"({"va": 0, "pages": 16, "anon": true, "write": true, "large": true, "old": true})";
const std::string kCleanBlock = R"({"va": 0, "pages": 16, "anon": true, "write": true, "large": true})";
const char* kBug = "contpte_access_flags_gathered_noop";

gf::pteval_t raw(const gf::Machine& m, int va) {
  const gf::pmdval_t pmd = m.pmd[va / gf::PTRS_PER_PTE].peek();
  if (!m.pmd_is_table(pmd)) return 0;
  return m.table_of(pmd)->e[va % gf::PTRS_PER_PTE].peek();
}
gf::PteSem entry(const gf::Machine& m, int va) { return gf::sem_decode(m.sc().arch, raw(m, va)); }

// arm64 PTE_RDONLY (AP[2]): what the SMMU checks for a write.
constexpr gf::pteval_t kRdonly = 1ull << 7;

int faults(const gf::RunResult& r) {
  int n = 0;
  for (const gf::Event& e : r.events)
    if (e.note.find("I/O page fault") != std::string::npos) n++;
  return n;
}

TEST(SmmuContpte, ReadFaultMakesEveryEntryOfTheBlockYoung) {
  const gf::Scenario s =
      scenario("arm64", kOldBlock, R"({"op": "hw_access", "va": 1}, {"op": "smmu_access", "va": 0})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  for (int va = 0; va < 16; va++) {
    EXPECT_TRUE(entry(m, va).young) << "page " << va;
    EXPECT_TRUE(entry(m, va).cont) << "page " << va << ": the write bit did not change, the block stays folded";
  }
}

TEST(SmmuContpte, GatheredNoopLeavesTheTargetOldAndTheDeviceFaultsAgain) {
  const gf::Scenario s =
      scenario("arm64", kOldBlock, R"({"op": "hw_access", "va": 1}, {"op": "smmu_access", "va": 0})", kBug);
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  ASSERT_TRUE(r.verdict.violated);
  EXPECT_EQ(r.verdict.oracle, gf::Oracle::device_fault_no_progress) << r.verdict.message;
  EXPECT_FALSE(entry(m, 0).young) << "the no-op left the target old";
  EXPECT_TRUE(entry(m, 1).young);
}

TEST(SmmuContpte, WriteFaultClearsRdonlyOnEveryEntry) {
  const std::string ops = R"({"op": "hw_write", "va": 5}, {"op": "smmu_access", "va": 2, "flags": ["FOLL_WRITE"]})";
  {
    const gf::Scenario s = scenario("arm64", kCleanBlock, ops);
    gf::Machine m(s, {});
    const gf::RunResult r = gf::run_on(m, s);
    EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
    for (int va = 0; va < 16; va++) {
      EXPECT_FALSE(raw(m, va) & kRdonly) << "page " << va;
      EXPECT_TRUE(entry(m, va).dirty) << "page " << va;
    }
  }
  {
    const gf::Scenario s = scenario("arm64", kCleanBlock, ops, kBug);
    gf::Machine m(s, {});
    const gf::RunResult r = gf::run_on(m, s);
    ASSERT_TRUE(r.verdict.violated);
    EXPECT_EQ(r.verdict.oracle, gf::Oracle::device_fault_no_progress) << r.verdict.message;
    EXPECT_TRUE(raw(m, 2) & kRdonly) << "the no-op left the target PTE_RDONLY";
  }
}

TEST(SmmuContpte, WriteBitChangeUnfoldsTheBlock) {
  // wrprotect unfolds and write-protects; contpte_fold folds the read-only
  // block again; the device's write takes do_wp_page()'s reuse, whose entry
  // is writable: contpte_ptep_set_access_flags() unfolds before the update.
  for (const char* bugs : {"", kBug}) {
    const gf::Scenario s = scenario("arm64", kCleanBlock,
                                    R"({"op": "wrprotect", "va": 0, "nr": 16}, {"op": "contpte_fold", "va": 0},
                                       {"op": "smmu_access", "va": 2, "flags": ["FOLL_WRITE"]})",
                                    bugs);
    gf::Machine m(s, {});
    const gf::RunResult r = gf::run_on(m, s);
    EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
    const gf::PteSem e = entry(m, 2);
    EXPECT_TRUE(e.write && e.dirty && !e.cont) << e.str();
    EXPECT_FALSE(raw(m, 2) & kRdonly);
    EXPECT_FALSE(entry(m, 3).cont) << "the whole block is unfolded";
    EXPECT_FALSE(entry(m, 3).write) << "only the target became writable";
  }
}

TEST(Smmu, AgingBetweenFaultAndRetryIsNotLackOfProgress) {
  // CPU 0's device faults on an old entry and the fault makes it young; CPU 1
  // ages it before the retry, which faults again: the entry changed (young,
  // then old), so the device made progress and the oracle stays silent.
  std::string sched;
  for (int k = 0; k < 16; k++) sched += "0, ";
  for (int k = 0; k < 20; k++) sched += "1, ";
  for (int k = 0; k < 40; k++) sched += k ? ", 0" : "0";
  const gf::Scenario s =
      parse(R"({"arch": "arm64", "regions": [{"va": 0, "pages": 1, "anon": true, "write": true, "old": true}],
                "cpus": [[{"op": "smmu_access", "va": 0}], [{"op": "age", "va": 0}]], "schedule": [)" +
            sched + "]}");
  gf::RunOptions o;
  o.machine.trace = true;
  gf::Machine m(s, o.machine);
  const gf::RunResult r = gf::run_on(m, s, o);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(faults(r), 2) << "the device faulted, was aged, faulted again";
  EXPECT_TRUE(entry(m, 0).young);
}

TEST(Smmu, X86IommuSetsAccessedAndFaultsOnlyOnPermission) {
  const gf::Scenario s = scenario("x86_64", R"({"va": 0, "pages": 2, "anon": true, "write": true, "old": true})",
                                  R"({"op": "smmu_access", "va": 0}, {"op": "fork"},
                                     {"op": "smmu_access", "va": 1, "flags": ["FOLL_WRITE"]})");
  gf::RunOptions o;
  o.machine.trace = true;
  gf::Machine m(s, o.machine);
  const gf::RunResult r = gf::run_on(m, s, o);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(faults(r), 1) << "only the write to the page fork write-protected faults";
  EXPECT_TRUE(entry(m, 0).young) << "the IOMMU set Accessed";
  EXPECT_TRUE(entry(m, 1).write && entry(m, 1).dirty) << "do_wp_page() made it writable";
}

TEST(Smmu, NoSvaOnRiscv) {
  const gf::Scenario s = scenario("riscv64", R"({"va": 0, "pages": 1, "anon": true, "write": true, "old": true})",
                                  R"({"op": "smmu_access", "va": 0, "flags": ["FOLL_WRITE"]})");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_FALSE(entry(m, 0).young) << "nothing walked the entry";
  EXPECT_FALSE(bool(m.folio[16].truth.written)) << "no device write landed";
}

}  // namespace
