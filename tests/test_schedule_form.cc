// SPDX-License-Identifier: GPL-2.0
//
// The two forms of a schedule (core/scenario/scenario.h) and their conversion
// (core/exec/schedule_form.h):
//  - every shipped JSON scenario (seeds, regressions, witnesses with their
//    bugs) converted to preemption points and back makes the same picks:
//    same steps, same verdict, same trace;
//  - the fuzz bytes of a scenario decode to its compact form;
//  - without points, the free choice runs every seed to its end (a spinning
//    CPU hands over: no step budget is hit);
//  - a point to a finished CPU picks the next runnable one.
#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "core/exec/run.h"
#include "core/exec/schedule_form.h"
#include "core/report/report.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategies.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

std::vector<std::pair<std::string, gf::Scenario>> shipped() {
  std::vector<std::pair<std::string, gf::Scenario>> out;
  for (const char* dir : {"corpus/scenarios", "corpus/regressions", "tests/witnesses"}) {
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(kRoot / dir))
      if (e.path().extension() == ".json") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (const auto& p : files) {
      const std::string text = gf::test::slurp(p);
      gf::ParseError err;
      auto s = gf::scenario_from_json(text, err);
      if (!s) continue;  // PTE cases (tests/test_pte_check.cc)
      out.emplace_back(p.filename().string(), *s);
    }
  }
  return out;
}

std::string traced(const gf::Scenario& s) {
  gf::RunOptions o;
  o.machine.trace = true;
  const gf::RunResult r = gf::run(s, o);
  return gf::format_trace(s, r, gf::TraceOptions{true, false}) + "\n" +
         (r.verdict.violated ? std::string(gf::info(r.verdict.oracle).id) + ": " + r.verdict.message : "clean") +
         " at step " + std::to_string(r.verdict.step) + " of " + std::to_string(r.steps);
}

TEST(ScheduleForm, ConversionKeepsEveryShippedScenarioExactly) {
  const auto all = shipped();
  ASSERT_GE(all.size(), 40u);
  size_t points = 0, violated = 0;
  for (const auto& [name, s] : all) {
    const std::string want = traced(s);
    const gf::Scenario compact = gf::with_schedule_form(s, gf::ScheduleForm::preemptions);
    ASSERT_EQ(compact.form, gf::ScheduleForm::preemptions);
    EXPECT_TRUE(compact.schedule.empty());
    EXPECT_EQ(traced(compact), want) << name << ": the preemption points replay differently";
    const gf::Scenario back = gf::with_schedule_form(compact, gf::ScheduleForm::steps);
    EXPECT_EQ(traced(back), want) << name << ": the recorded steps replay differently";
    // The steps recorded from the points are the picks of the original run.
    EXPECT_EQ(gf::with_schedule_form(back, gf::ScheduleForm::preemptions).preempts, compact.preempts) << name;
    // Bytes carry the compact form (bugs and note are not in them).
    gf::Scenario from_bytes = gf::decode(gf::fuzz_bytes(s));
    from_bytes.bugs = s.bugs;
    EXPECT_EQ(from_bytes, compact) << name;
    points += compact.preempts.size();
    violated += gf::run(s).verdict.violated;
  }
  EXPECT_GT(points, 0u);
  EXPECT_GE(violated, 15u);  // the witnesses are in the set
}

TEST(ScheduleForm, WithoutPointsEverySeedRunsToItsEnd) {
  for (const auto& [name, s0] : shipped()) {
    if (!s0.bugs.empty()) continue;
    gf::Scenario s = s0;
    s.form = gf::ScheduleForm::preemptions;
    s.schedule.clear();
    s.preempts.clear();
    const gf::RunResult r = gf::run(s);
    EXPECT_FALSE(r.verdict.violated) << name << ": " << r.verdict.message;
  }
}

TEST(ScheduleForm, APointToAFinishedCpuPicksTheNextRunnable) {
  const gf::Preempt pts[] = {{0, 2}, {1, 3}};
  gf::PreemptStrategy p(pts);
  const int runnable[] = {0, 1, 3};
  EXPECT_EQ(p.next_cpu(runnable, -1), 3);  // 2 has finished: the next after it
  EXPECT_EQ(p.next_cpu(runnable, 3), 3);
  EXPECT_EQ(p.next_cpu(runnable, 3), 3);  // no point: the current CPU goes on
  const int two[] = {0, 1};
  EXPECT_EQ(p.next_cpu(two, 3), 0);  // the current one finished: the next after it
}

TEST(ScheduleForm, SeveralPointsAtOneStepTheLastWins) {
  const gf::Preempt pts[] = {{2, 1}, {2, 0}, {2, 2}};
  gf::PreemptStrategy p(pts);
  const int runnable[] = {0, 1, 2};
  EXPECT_EQ(p.next_cpu(runnable, -1), 0);
  EXPECT_EQ(p.next_cpu(runnable, 0), 0);
  EXPECT_EQ(p.next_cpu(runnable, 0), 2);
  EXPECT_EQ(p.next_cpu(runnable, 2), 2);
}

}  // namespace
