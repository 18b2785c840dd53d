// SPDX-License-Identifier: GPL-2.0
//
// madvise(MADV_DONTNEED) and v6.14's PTE-table reclaim (core/mm/madvise.h,
// core/mm/memory.h zap_pte_range(), core/mm/pt_reclaim.h), on both machine
// models:
//  - the option "pt_reclaim" and the flag NEED_RESCHED go through JSON and the
//    fuzz bytes (bit 2 of the options byte) and back; 6.12 is the default;
//  - 6.12 (no pt_reclaim): the pages go, the table stays;
//  - pt_reclaim: a table the zap covers whole and leaves empty goes, by the
//    fast path (try_get_and_clear_pmd()) or after a retry (try_to_free_pte());
//    a range that covers part of the table keeps it;
//  - a fault in the retry's window keeps the table and its new page (the fix);
//    with pt_reclaim_after_retry the table goes with it (refcount), and
//    without "pt_reclaim" the bug changes nothing;
//  - a later access faults a fresh table and page in;
//  - the grace period is what protects a pte_offset_map() user (the fault
//    path, under RCU) on x86 too, whose flush IPI protects only GUP-fast:
//    without it (no_grace_period) the explorer finds the fault in the freed
//    table, why CONFIG_PT_RECLAIM selects MMU_GATHER_RCU_TABLE_FREE.
#include <gtest/gtest.h>

#include <string>

#include "core/exec/explore.h"
#include "core/exec/run.h"
#include "core/mm/machine.h"
#include "core/scenario/scenario.h"
#include "tests/test_util.h"

namespace {

class PtReclaim : public ::testing::TestWithParam<const char*> {
 protected:
  // `cpus` (JSON programs) on one written anon table at va 0..31.
  gf::Scenario scenario(bool pt_reclaim, const std::string& cpus, const std::string& extra = "") {
    const std::string text = std::string(R"({"arch": ")") + GetParam() + R"(", )" +
                             (pt_reclaim ? R"("pt_reclaim": true, )" : "") + extra +
                             R"("regions": [{"va": 0, "pages": 32, "anon": true, "write": true, "dirty": true}],
                                 "cpus": )" + cpus + "}";
    return gf::test::parse_scenario(text);
  }
  static bool has_table(const gf::Machine& m) { return m.pmd_is_table(m.pmd[0].peek()); }
};

constexpr const char* kDontneedAll = R"([[{"op": "madvise_dontneed", "va": 0, "nr": 32}]])";

TEST(PtReclaimScenario, OptionAndFlagRoundTripThroughJsonAndBytes) {
  const char* text = R"({"arch": "arm64", "pt_reclaim": true,
      "regions": [{"va": 0, "pages": 32, "anon": true, "write": true}],
      "cpus": [[{"op": "madvise_dontneed", "va": 0, "nr": 32, "flags": ["NEED_RESCHED"]}]],
      "preemptions": []})";
  gf::ParseError err;
  auto s = gf::scenario_from_json(text, err);
  ASSERT_TRUE(s.has_value()) << err.message;
  EXPECT_TRUE(s->pt_reclaim);
  EXPECT_EQ(s->cpus[0][0].flags, gf::NEED_RESCHED);
  const auto bytes = gf::encode(*s);
  EXPECT_EQ(bytes[1] & 4, 4) << "bit 2 of the options byte";
  EXPECT_EQ(gf::decode(bytes, gf::ScheduleForm::preemptions), *s);
  auto back = gf::scenario_from_json(gf::scenario_to_json(*s), err);
  ASSERT_TRUE(back.has_value()) << err.message;
  EXPECT_EQ(*back, *s);
  // The default is 6.12: no key, no bit; and the option is part of equality.
  gf::Scenario off = *s;
  off.pt_reclaim = false;
  EXPECT_NE(off, *s);
  EXPECT_EQ(gf::scenario_to_json(off).find("pt_reclaim"), std::string::npos);
  EXPECT_EQ(gf::encode(off)[1] & 4, 0);
  EXPECT_EQ(gf::decode(gf::encode(off), gf::ScheduleForm::preemptions), off);
}

TEST(PtReclaimScenario, NeedReschedIsMadviseDontneedsFlagAlone) {
  gf::ParseError err;
  EXPECT_FALSE(gf::scenario_from_json(R"({"arch": "x86_64", "regions": [{"va": 0, "pages": 1}],
      "cpus": [[{"op": "gup_fast", "va": 0, "flags": ["NEED_RESCHED"]}]]})", err));
  EXPECT_NE(err.message.find("NEED_RESCHED"), std::string::npos) << err.message;
  EXPECT_FALSE(gf::scenario_from_json(R"({"arch": "x86_64", "pt_reclaim": 1, "regions": [{"va": 0, "pages": 1}],
      "cpus": [[]]})", err));
}

TEST_P(PtReclaim, Without612KeepsTheTable) {
  const gf::Scenario s = scenario(false, kDontneedAll);
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  ASSERT_TRUE(has_table(m));
  for (int i = 0; i < gf::PTRS_PER_PTE; i++) EXPECT_EQ(m.table_of(m.pmd[0].peek())->e[i].peek(), m.pte_none_value) << i;
  EXPECT_FALSE(bool(m.folio[16].allocated)) << "the pages are freed";
  EXPECT_TRUE(m.vma[0].mapped) << "the vma stays";
}

TEST_P(PtReclaim, AnEmptiedWholeTableIsFreed) {
  for (const char* flags : {"", R"(, "flags": ["NEED_RESCHED"])"}) {
    const gf::Scenario s =
        scenario(true, std::string(R"([[{"op": "madvise_dontneed", "va": 0, "nr": 32)") + flags + "}]]");
    gf::Machine m(s, {});
    const gf::RunResult r = gf::run_on(m, s);
    EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
    EXPECT_TRUE(m.pmd_none(m.pmd[0].peek())) << "flags" << flags << ": the table is unhooked";
    EXPECT_FALSE(bool(m.table_live[1])) << "flags" << flags << ": and freed";
  }
}

TEST_P(PtReclaim, APartRangeKeepsTheTable) {
  const gf::Scenario s = scenario(true, R"([[{"op": "madvise_dontneed", "va": 0, "nr": 31}]])");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_TRUE(has_table(m)) << "reclaim_pt_is_enabled(): end - start < PMD_SIZE";
}

TEST_P(PtReclaim, ALaterAccessFaultsAFreshTableIn) {
  const gf::Scenario s =
      scenario(true, R"([[{"op": "madvise_dontneed", "va": 0, "nr": 32}, {"op": "hw_write", "va": 5}]])");
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  ASSERT_TRUE(has_table(m));
  EXPECT_EQ(gf::Machine::serial_of_pmd(m.pmd[0].peek()), 2u) << "a new table";
  EXPECT_NE(m.table_of(m.pmd[0].peek())->e[5].peek(), m.pte_none_value);
}

// The witness's interleaving: CPU 1 stores to page 1 while the zap has the
// PTL dropped at its midpoint (steps taken from tests/witnesses).
std::string window_schedule(int before) {
  std::string out = R"("schedule": [)";
  for (int k = 0; k < before; k++) out += "0, ";
  for (int k = 0; k < 20; k++) out += "1, ";
  return out + "0], ";
}
constexpr const char* kWindowCpus =
    R"([[{"op": "madvise_dontneed", "va": 0, "nr": 32, "flags": ["NEED_RESCHED"]}], [{"op": "hw_write", "va": 1}]])";

TEST_P(PtReclaim, AFaultInTheRetryWindowKeepsTheTable) {
  const gf::Scenario s = scenario(true, kWindowCpus, window_schedule(43));
  gf::Machine m(s, {});
  const gf::RunResult r = gf::run_on(m, s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  ASSERT_TRUE(has_table(m)) << "try_to_free_pte() found page 1's entry";
  EXPECT_NE(m.table_of(m.pmd[0].peek())->e[1].peek(), m.pte_none_value);
}

TEST_P(PtReclaim, BeforeTheFixTheTableGoesWithTheRefilledEntry) {
  gf::Scenario s = scenario(true, kWindowCpus, std::string(R"("bugs": ["pt_reclaim_after_retry"], )") + window_schedule(43));
  gf::RunResult r = gf::run(s);
  ASSERT_TRUE(r.verdict.violated);
  EXPECT_EQ(r.verdict.oracle, gf::Oracle::refcount) << r.verdict.message;
  // 6.12 has no table reclaim: the same interleaving with the bug is clean.
  s.pt_reclaim = false;
  r = gf::run(s);
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
}

TEST_P(PtReclaim, WithoutTheGracePeriodAFaultUnderRcuWalksTheFreedTable) {
  gf::Scenario s = scenario(true, R"([[{"op": "madvise_dontneed", "va": 0, "nr": 32}],
                                      [{"op": "gup_fast", "va": 8, "nr": 2}, {"op": "unpin"}, {"op": "hw_access", "va": 9}]])",
                            R"("bugs": ["no_grace_period"], )");
  const gf::ExploreResult r = gf::explore(s, {.max_preemptions = 1});
  ASSERT_TRUE(r.found) << GetParam();
  EXPECT_EQ(r.verdict.oracle, gf::Oracle::table_use_after_free) << r.verdict.message;
  s.bugs = {};
  const gf::ExploreResult clean = gf::explore(s, {.max_preemptions = 1});
  EXPECT_FALSE(clean.found) << clean.verdict.message;
}

INSTANTIATE_TEST_SUITE_P(Machines, PtReclaim, ::testing::Values("x86_64", "arm64"));

}  // namespace
