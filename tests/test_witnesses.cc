// SPDX-License-Identifier: GPL-2.0
//
// Positive controls and corpus hygiene:
//  - every injected bug has a witness (tests/witnesses/<bug>.json) on which the
//    bug's oracle fires, and the same scenario without the bug runs clean;
//  - every oracle is caught by some injected bug (no_progress by its own test);
//  - seeds (corpus/scenarios/*.json) are benign, carry no bugs, and their
//    encoded copies in corpus/fuzz_gup_interleave/ are in sync;
//  - regressions (corpus/regressions/*.json) run clean.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>

#include "tests/test_util.h"
#include "core/arch/registry.h"
#include "core/check/pte_check.h"
#include "core/report/report.h"
#include "core/exec/run.h"
#include "core/exec/schedule_form.h"
#include "core/scenario/scenario.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

using gf::test::slurp;

gf::Scenario load_json(const fs::path& p) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(slurp(p), err);
  EXPECT_TRUE(s.has_value()) << p << ": " << err.message;
  return s.value_or(gf::Scenario{});
}

std::vector<fs::path> json_files(const fs::path& dir) {
  std::vector<fs::path> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string explain(const gf::Scenario& s, const gf::RunResult& r) {
  if (!r.verdict.violated) return "clean";
  gf::RunOptions o;
  o.machine.trace = true;
  return gf::format_report(s, gf::run(s, o), "<witness>");
}

class Witness : public ::testing::TestWithParam<int> {};

TEST_P(Witness, BugIsCaughtByItsOracleAndCleanWithoutIt) {
  const gf::Bug bug = gf::Bug(GetParam());
  const auto& bi = gf::info(bug);
  const fs::path file = kRoot / "tests/witnesses" / (std::string(bi.id) + ".json");
  ASSERT_TRUE(fs::exists(file)) << "no witness for injected bug " << bi.id;
  if (gf::is_helper_bug(bug)) {
    // A bug in a model's helpers: the witness is a PTE case (core/check/pte_case.h).
    gf::ParseError err;
    auto c = gf::pte_case_from_json(slurp(file), err);
    ASSERT_TRUE(c.has_value()) << file << ": " << err.message;
    ASSERT_TRUE(c->bugs.has(bug)) << file << " must enable " << bi.id;
    ASSERT_TRUE(gf::bug_applies(bug, c->arch)) << bi.id << " does not live in " << gf::info(c->arch).name;
    const gf::PteVerdict with = gf::check_pte_case(*c);
    ASSERT_TRUE(with.violated()) << bi.id << ": witness ran clean";
    EXPECT_EQ(gf::info(with.violation->oracle).id, gf::info(bi.oracle).id) << gf::format_pte_report(*c, with, "");
    c->bugs = {};
    const gf::PteVerdict without = gf::check_pte_case(*c);
    EXPECT_FALSE(without.violated()) << gf::format_pte_report(*c, without, "");
    return;
  }
  gf::Scenario s = load_json(file);
  ASSERT_TRUE(s.bugs.has(bug)) << file << " must enable " << bi.id;

  gf::RunResult with = gf::run(s);
  ASSERT_TRUE(with.verdict.violated) << bi.id << ": witness ran clean";
  EXPECT_EQ(gf::info(with.verdict.oracle).id, gf::info(bi.oracle).id) << explain(s, with);

  // Same verdict when traced (the report path re-runs with the trace on).
  gf::RunOptions traced;
  traced.machine.trace = true;
  gf::RunResult t = gf::run(s, traced);
  EXPECT_EQ(t.verdict.oracle, with.verdict.oracle);
  EXPECT_EQ(t.verdict.step, with.verdict.step);
  EXPECT_EQ(t.verdict.message, with.verdict.message);

  gf::Scenario fixed = s;
  fixed.bugs = {};
  gf::RunResult without = gf::run(fixed);
  EXPECT_FALSE(without.verdict.violated) << explain(fixed, without);
}

INSTANTIATE_TEST_SUITE_P(AllBugs, Witness, ::testing::Range(0, gf::NR_BUGS),
                         [](const ::testing::TestParamInfo<int>& i) {
                           return std::string(gf::info(gf::Bug(i.param)).id);
                         });

TEST(Oracles, EveryOracleHasABugThatFiresIt) {
  std::set<gf::Oracle> caught;
  for (int b = 0; b < gf::NR_BUGS; b++) caught.insert(gf::info(gf::Bug(b)).oracle);
  for (int o = 0; o < gf::NR_ORACLES; o++) {
    if (gf::Oracle(o) == gf::Oracle::no_progress) continue;  // a budget, shown by its own test
    EXPECT_TRUE(caught.count(gf::Oracle(o))) << gf::info(gf::Oracle(o)).id << " has no injected bug";
  }
}

TEST(Seeds, AreBenignAndInSyncWithTheirBytes) {
  const auto seeds = json_files(kRoot / "corpus/scenarios");
  ASSERT_GE(seeds.size(), 5u);
  std::set<std::string> names;
  for (const auto& p : seeds) {
    gf::Scenario s = load_json(p);
    EXPECT_TRUE(s.bugs.empty()) << p << ": seeds must not inject bugs";
    gf::RunResult r = gf::run(s);
    EXPECT_FALSE(r.verdict.violated) << p << "\n" << explain(s, r);
    const fs::path bytes = kRoot / "corpus/fuzz_gup_interleave" / p.stem();
    ASSERT_TRUE(fs::exists(bytes)) << bytes << " missing: run `make corpus-regen`";
    const std::string b = slurp(bytes);
    const auto want = gf::fuzz_bytes(s);
    EXPECT_EQ(std::string(want.begin(), want.end()), b) << bytes << " is out of sync with " << p;
    names.insert(p.stem().string());
  }
  for (const auto& e : fs::directory_iterator(kRoot / "corpus/fuzz_gup_interleave"))
    EXPECT_TRUE(names.count(e.path().filename().string()))
        << e.path() << " has no JSON source in corpus/scenarios/";
}

TEST(Witnesses, AreNotSeeds) {
  for (const auto& w : json_files(kRoot / "tests/witnesses")) {
    if (gf::looks_like_pte_case(slurp(w))) continue;  // tests/test_pte_check.cc
    gf::Scenario s = load_json(w);
    s.bugs = {};
    const auto bytes = gf::fuzz_bytes(s);
    for (const auto& e : fs::directory_iterator(kRoot / "corpus/fuzz_gup_interleave"))
      EXPECT_NE(slurp(e.path()), std::string(bytes.begin(), bytes.end())) << w << " is in the seed corpus";
  }
}

TEST(Regressions, RunClean) {
  for (const auto& p : json_files(kRoot / "corpus/regressions")) {
    gf::Scenario s = load_json(p);
    gf::RunResult r = gf::run(s);
    EXPECT_FALSE(r.verdict.violated) << p << "\n" << explain(s, r);
  }
}

}  // namespace
