// SPDX-License-Identifier: GPL-2.0
//
// Who steps next (core/sched/strategy.h) and the determinism of run(): the same
// scenario gives the same verdict and step count, traced or not, however the
// schedule is supplied; the step budget turns a long run into no_progress.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategy.h"

namespace {

using gf::RunOptions;
using gf::RunResult;
using gf::Scenario;

int pick(gf::Strategy& s, std::vector<int> runnable, int current) {
  return s.next_cpu(std::span<const int>(runnable.data(), runnable.size()), current);
}

// ------------------------------------------------------------------ strategy

TEST(ScheduleStrategy, EntryPicksThatCpuWhenRunnable) {
  const std::vector<uint8_t> sched = {2, 0, 3, 1, 1};
  gf::ScheduleStrategy st(sched);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, -1), 2);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 2), 0);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 0), 3);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 3), 1);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 1), 1);
  EXPECT_EQ(st.consumed(), 5u);
}

TEST(ScheduleStrategy, FinishedEntryGoesToNextRunnableAfterIt) {
  const std::vector<uint8_t> sched = {1, 1, 3, 0, 2};
  gf::ScheduleStrategy st(sched);
  EXPECT_EQ(pick(st, {0, 2, 3}, -1), 2);  // 1 finished: next after 1 is 2
  EXPECT_EQ(pick(st, {0, 3}, 2), 3);      // 1 finished: 2 finished too, so 3
  EXPECT_EQ(pick(st, {0, 1, 2}, 3), 0);   // 3 finished: wraps around to 0
  EXPECT_EQ(pick(st, {1, 2}, 0), 1);      // 0 finished: 1
  EXPECT_EQ(pick(st, {3}, 1), 3);         // only 3 is left
  EXPECT_EQ(st.consumed(), 5u);
  // The pick does not depend on `current` while the schedule lasts.
  gf::ScheduleStrategy again(sched);
  EXPECT_EQ(pick(again, {0, 2, 3}, 3), 2);
}

TEST(ScheduleStrategy, RoundRobinAfterTheSchedule) {
  const std::vector<uint8_t> sched = {3};
  gf::ScheduleStrategy st(sched);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, -1), 3);
  EXPECT_EQ(st.consumed(), 1u);
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 3), 0);  // after the last: wrap
  EXPECT_EQ(pick(st, {0, 1, 2, 3}, 0), 1);
  EXPECT_EQ(pick(st, {0, 2, 3}, 0), 2);     // skips the finished 1
  EXPECT_EQ(pick(st, {0, 2, 3}, 3), 0);
  EXPECT_EQ(pick(st, {1}, 1), 1);           // the only one left keeps going
  EXPECT_EQ(st.consumed(), 1u);

  gf::ScheduleStrategy empty({});
  EXPECT_EQ(pick(empty, {0, 1}, -1), 0);
  EXPECT_EQ(pick(empty, {0, 1}, 0), 1);
  EXPECT_EQ(pick(empty, {0, 1}, 1), 0);
}

TEST(ScheduleStrategy, NextRunnableAfter) {
  const std::vector<int> r = {0, 2, 3};
  EXPECT_EQ(gf::next_runnable_after(r, -1), 0);
  EXPECT_EQ(gf::next_runnable_after(r, 0), 2);
  EXPECT_EQ(gf::next_runnable_after(r, 1), 2);
  EXPECT_EQ(gf::next_runnable_after(r, 2), 3);
  EXPECT_EQ(gf::next_runnable_after(r, 3), 0);
  EXPECT_EQ(gf::next_runnable_after(r, 7), 0);
}

// ------------------------------------------------------------------ run()

Scenario from_json(const std::string& text) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(text, err);
  EXPECT_TRUE(s.has_value()) << err.message;
  return s ? *s : Scenario{};
}

// GUP-fast pins against a writer, reclaim and a write-protect, on a contpte block.
const char* kBusyArm64 = R"({
  "arch": "arm64",
  "regions": [{"va": 0, "pages": 16, "anon": true, "write": true, "large": true},
              {"va": 32, "pages": 4, "write": true, "dirty": true}],
  "cpus": [[{"op": "gup_fast", "va": 0, "nr": 8, "flags": ["FOLL_PIN"]}, {"op": "unpin"},
            {"op": "gup_fast", "va": 32, "nr": 4, "flags": ["FOLL_WRITE"]}, {"op": "unpin"}],
           [{"op": "hw_write", "va": 3}, {"op": "age", "va": 5}, {"op": "wrprotect", "va": 0, "nr": 16},
            {"op": "hw_write", "va": 33}],
           [{"op": "unmap", "va": 32, "nr": 4}, {"op": "fault", "va": 34, "flags": ["FOLL_WRITE"]}]],
  "schedule": [0, 0, 1, 2, 0, 1, 1, 2, 0, 2, 1, 0, 0, 1, 2, 2, 0, 1]
})";

void expect_same(const RunResult& a, const RunResult& b) {
  EXPECT_EQ(a.steps, b.steps);
  EXPECT_EQ(a.verdict.violated, b.verdict.violated);
  EXPECT_EQ(a.verdict.oracle, b.verdict.oracle);
  EXPECT_EQ(a.verdict.message, b.verdict.message);
  EXPECT_EQ(a.verdict.step, b.verdict.step);
  EXPECT_EQ(a.verdict.cpu, b.verdict.cpu);
  EXPECT_EQ(a.verdict.op, b.verdict.op);
}

TEST(Run, SameScenarioSameResult) {
  const Scenario s = from_json(kBusyArm64);
  const RunResult a = gf::run(s);
  const RunResult b = gf::run(s);
  EXPECT_GT(a.steps, 50u);
  EXPECT_FALSE(a.verdict.violated) << a.verdict.message;
  expect_same(a, b);
  EXPECT_TRUE(a.events.empty());  // no trace unless asked
}

TEST(Run, TracedRunMatchesUntraced) {
  const Scenario s = from_json(kBusyArm64);
  const RunResult plain = gf::run(s);
  const RunResult traced = gf::run(s, RunOptions{.machine = {.trace = true}});
  expect_same(plain, traced);
  // One event per step (plus notes): the steps of the trace are the steps counted.
  uint64_t accesses = 0, last = 0;
  for (const gf::Event& e : traced.events) {
    if (e.acc.tag == 0) continue;
    accesses++;
    EXPECT_EQ(e.step, accesses);
    EXPECT_GE(e.step, last);
    last = e.step;
  }
  EXPECT_EQ(accesses, traced.steps);
}

// A strategy that records what run() gives it and checks the interface
// contract of core/sched/strategy.h on every call.
class Recording final : public gf::Strategy {
 public:
  explicit Recording(std::span<const uint8_t> sched) : inner_(sched) {}
  int next_cpu(std::span<const int> runnable, int current) override {
    EXPECT_FALSE(runnable.empty());
    for (size_t k = 1; k < runnable.size(); k++) EXPECT_LT(runnable[k - 1], runnable[k]);
    EXPECT_EQ(current, picks.empty() ? -1 : picks.back());
    const int c = inner_.next_cpu(runnable, current);
    picks.push_back(c);
    return c;
  }
  std::vector<int> picks;

 private:
  gf::ScheduleStrategy inner_;
};

TEST(Run, ExplicitStrategySeesTheContractAndMatchesDefault) {
  const Scenario s = from_json(kBusyArm64);
  Recording rec(s.schedule);
  const RunResult traced = gf::run(s, RunOptions{.machine = {.trace = true}, .strategy = &rec});
  ASSERT_FALSE(traced.verdict.violated) << traced.verdict.message;
  expect_same(gf::run(s), traced);
  // Every CPU is started up to its first shared access before the strategy
  // is asked, so each pick is exactly one shared access, made by the CPU
  // picked.
  ASSERT_EQ(rec.picks.size(), traced.steps);
  size_t p = 0;
  for (const gf::Event& e : traced.events) {
    if (e.acc.tag == 0) continue;
    ASSERT_LT(p, rec.picks.size());
    EXPECT_EQ(e.cpu, rec.picks[p]) << "access at step " << e.step;
    p++;
  }
  EXPECT_EQ(p, rec.picks.size());
}

// Each schedule entry is one shared access by that CPU (while it has work).
TEST(Run, ScheduleEntryIsOneAccess) {
  const Scenario s = from_json(kBusyArm64);
  const RunResult r = gf::run(s, RunOptions{.machine = {.trace = true}});
  std::vector<uint8_t> who;
  for (const gf::Event& e : r.events)
    if (e.acc.tag && who.size() < s.schedule.size()) who.push_back(uint8_t(e.cpu));
  EXPECT_EQ(who, s.schedule);
}

TEST(Run, ScheduleDecidesTheInterleaving) {
  Scenario a = from_json(kBusyArm64);
  Scenario b = a;
  b.schedule = {2, 2, 2, 2, 2, 2, 1, 1, 1, 1};
  const RunResult ra = gf::run(a, RunOptions{.machine = {.trace = true}});
  const RunResult rb = gf::run(b, RunOptions{.machine = {.trace = true}});
  auto order = [](const RunResult& r) {
    std::vector<int> cpus;
    for (const gf::Event& e : r.events)
      if (e.acc.tag) cpus.push_back(e.cpu);
    return cpus;
  };
  EXPECT_NE(order(ra), order(rb));
  // b runs CPU 2 first: its first five accesses are CPU 2's.
  const auto ob = order(rb);
  ASSERT_GE(ob.size(), 5u);
  for (int k = 0; k < 5; k++) EXPECT_EQ(ob[k], 2) << k;
}

TEST(Run, DeterministicOverRandomScenarios) {
  std::vector<gf::Bug> machine_bugs;  // the helper bugs do not act on the machine
  for (int b = 0; b < gf::NR_BUGS; b++)
    if (gf::info(gf::Bug(b)).where.empty()) machine_bugs.push_back(gf::Bug(b));
  std::mt19937 rng(31337);
  int violated = 0, busy = 0;
  for (int i = 0; i < 600; i++) {
    std::vector<uint8_t> b(rng() % 300);
    for (auto& x : b) x = uint8_t(rng());
    Scenario s = gf::decode(b);
    if (i % 2)  // every machine bug at once: random bytes rarely set up one bug's race
      for (gf::Bug bug : machine_bugs) s.bugs.add(bug);
    const RunResult r1 = gf::run(s);
    const RunResult r2 = gf::run(s);
    const RunResult r3 = gf::run(s, RunOptions{.machine = {.trace = true}});
    SCOPED_TRACE("scenario #" + std::to_string(i) + ": " + gf::scenario_to_json(s, -1));
    expect_same(r1, r2);
    expect_same(r1, r3);
    if (::testing::Test::HasFailure()) return;
    violated += r1.verdict.violated;
    busy += r1.steps > 20;
  }
  EXPECT_GT(busy, 300);  // the runs did real work
  EXPECT_GT(violated, 0);  // and some found something (injected bugs)
}

TEST(Run, StepBudgetReportsNoProgress) {
  const Scenario s = from_json(kBusyArm64);
  ASSERT_GT(gf::run(s).steps, 5u);
  const RunResult r = gf::run(s, RunOptions{.machine = {.max_steps = 5}});
  ASSERT_TRUE(r.verdict.violated);
  EXPECT_EQ(r.verdict.oracle, gf::Oracle::no_progress);
  EXPECT_EQ(r.verdict.step, 5u);
  EXPECT_EQ(r.steps, 5u);
  EXPECT_GE(r.verdict.cpu, 0);
  // Deterministic too, and the same with the trace on.
  expect_same(r, gf::run(s, RunOptions{.machine = {.max_steps = 5}}));
  expect_same(r, gf::run(s, RunOptions{.machine = {.trace = true, .max_steps = 5}}));
}

TEST(Run, NoWorkNoSteps) {
  const Scenario s = from_json(R"({"arch": "x86_64", "regions": [{"va": 0}], "cpus": [[], []]})");
  const RunResult r = gf::run(s, RunOptions{.machine = {.max_steps = 1}});
  EXPECT_FALSE(r.verdict.violated) << r.verdict.message;
  EXPECT_EQ(r.steps, 0u);
}

}  // namespace
