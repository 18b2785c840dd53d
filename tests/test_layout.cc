// SPDX-License-Identifier: GPL-2.0
//
// The initial layout run() builds from a scenario's regions, observed the
// only way a test can see it: the values the first accesses of a traced run
// read (`age` loads the entry under the PTL; on an arm64 contpte block it
// clears AF in all 16 entries, so every entry's initial value is in the trace).
#include <gtest/gtest.h>

#include <cstdio>
#include <map>
#include <string>

#include "tests/test_util.h"
#include "core/arch/arm64.h"
#include "core/arch/x86_64.h"
#include "core/sched/cell.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace {

using gf::pteval_t;
using gf::arch::Arm64;
using gf::arch::X86_64;

using gf::test::hex;

// Runs `json` traced; returns the first value seen for each virtual page.
std::map<int, pteval_t> initial_ptes(const std::string& json) {
  gf::ParseError err;
  const auto s = gf::scenario_from_json(json, err);
  EXPECT_TRUE(s.has_value()) << err.message;
  if (!s) return {};
  const gf::RunResult r = gf::run(*s, gf::RunOptions{.machine = {.trace = true}});
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  std::map<int, pteval_t> first;
  for (const gf::Event& e : r.events) {
    if (e.acc.tag == 0 || gf::tag_kind(e.acc.tag) != gf::CellKind::pte) continue;
    first.emplace(int(gf::tag_index(e.acc.tag)), pteval_t(e.acc.before));
  }
  return first;
}

// `age` of every page va0..va0+15, on two CPUs.
std::string age_block(const char* arch, const std::string& region, int va0) {
  std::string cpus;
  for (int c = 0; c < 2; c++) {
    cpus += c ? ", [" : "[";
    for (int k = 0; k < 8; k++)
      cpus += std::string(k ? ", " : "") + R"({"op": "age", "va": )" + std::to_string(va0 + c * 8 + k) + "}";
    cpus += "]";
  }
  return std::string(R"({"arch": ")") + arch + R"(", "regions": [)" + region + R"(], "cpus": [)" + cpus + "]}";
}

// The 16 initial entries of `region` (age_block() from va0), each given to
// check(v) under a trace of its value.
template <class F>
void each_initial_pte(const char* arch, const std::string& region, int va0, F check) {
  const auto first = initial_ptes(age_block(arch, region, va0));
  ASSERT_EQ(first.size(), 16u);
  for (const auto& [va, v] : first) {
    SCOPED_TRACE(hex(v));
    check(v);
  }
}

// arm64 contpte (arch/arm64/mm/contpte.c, 6.12): 16 aligned entries inside one
// folio, contiguous PFNs, same prot, CONT set.
TEST(Layout, Arm64LargeRegionIsAContpteBlock) {
  const auto first = initial_ptes(age_block(
      "arm64", R"({"va": 16, "pages": 16, "anon": true, "write": true, "large": true, "dirty": true})", 16));
  ASSERT_EQ(first.size(), 16u);
  const pteval_t v0 = first.at(16);
  const uint64_t pfn0 = Arm64::pte_pfn(v0);
  EXPECT_EQ(pfn0 % gf::CONT_PTES, 0u) << "the folio is not 64K-aligned";
  for (int k = 0; k < 16; k++) {
    const pteval_t v = first.at(16 + k);
    SCOPED_TRACE(hex(v));
    EXPECT_TRUE(Arm64::pte_valid_cont(v));
    EXPECT_EQ(Arm64::pte_pfn(v), pfn0 + k);
    EXPECT_EQ(v & ~Arm64::PTE_ADDR_LOW, v0 & ~Arm64::PTE_ADDR_LOW) << "prot differs inside the block";
    EXPECT_TRUE(Arm64::pte_write(v));
    EXPECT_TRUE(Arm64::pte_dirty(v));
    EXPECT_TRUE(Arm64::pte_young(v));
  }
}

// Regression (corpus/regressions/zero_page_never_contpte.json): the zero page
// is never contpte-mapped.
TEST(Layout, Arm64ZeroPageIsNeverCont) {
  each_initial_pte("arm64", R"({"va": 0, "pages": 16, "anon": true, "write": true, "large": true, "zero": true})", 0,
                   [](pteval_t v) {
                     EXPECT_FALSE(Arm64::pte_cont(v));
                     EXPECT_TRUE(Arm64::pte_special(v));
                     EXPECT_EQ(Arm64::pte_pfn(v), 0u);
                     EXPECT_FALSE(Arm64::pte_write(v));
                   });
}

TEST(Layout, X86ProtnoneRegion) {
  std::map<uint64_t, int> pfns;
  each_initial_pte("x86_64", R"({"va": 0, "pages": 16, "anon": true, "protnone": true})", 0, [&](pteval_t v) {
    EXPECT_TRUE(X86_64::pte_protnone(v));
    EXPECT_FALSE(X86_64::pte_access_permitted(v, false));
    EXPECT_GE(X86_64::pte_pfn(v), 1u);  // a real frame, not the zero page
    pfns[X86_64::pte_pfn(v)]++;
  });
  if (HasFatalFailure()) return;
  EXPECT_EQ(pfns.size(), 16u) << "two pages share a frame";
}

// Found model bug (3), fixed: build_layout() (core/exec/run.cc) applies pte_mkcont()
// to every entry of a large region, also when the region is PROT_NONE, which
// makes 16 present-invalid entries with CONT set.  The kernel never does:
// arch/arm64/mm/contpte.c contpte_set_ptes() maps an invalid pte without
// CONT and warns otherwise,
//     if (!mm_is_user(mm) || !pte_valid(pte)) {
//             VM_WARN_ON_ONCE(!pte_valid(pte) && pte_cont(pte));
//             return __set_ptes(mm, addr, ptep, pte, nr);
// and making a contpte block PROT_NONE goes through ptep_modify_prot_start()
// -> ptep_get_and_clear() -> contpte_try_unfold(), then set_ptes(nr = 1),
// which does pte_mknoncont() and folds only valid entries.  (The kernel's
// pte_mkcont() also sets PTE_TYPE_PAGE, i.e. PTE_VALID, so it would turn such
// an entry valid.)  No current operation reads CONT on an invalid entry, so
// the fuzzer's verdicts do not change; the state itself is unreachable.
TEST(Layout, Arm64ProtnoneLargeRegionIsNotCont) {
  each_initial_pte("arm64", R"({"va": 0, "pages": 16, "anon": true, "write": true, "large": true, "protnone": true})", 0,
                   [](pteval_t v) {
                     EXPECT_TRUE(Arm64::pte_protnone(v));
                     EXPECT_FALSE(Arm64::pte_cont(v));
                   });
}

}  // namespace
