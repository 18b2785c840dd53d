// SPDX-License-Identifier: GPL-2.0
//
// Who steps next (core/sched/strategy.h) and the determinism of run(): the same
// scenario gives the same verdict and step count, traced or not, however the
// schedule is supplied, with the scheduler's fast path or without it; the step
// budget turns a long run into no_progress.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategies.h"
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

// ------------------------------------------------------------ the fast path

// Another strategy, passed through with its fast path (Strategy::keeps) or
// without it — then run() suspends the CPU at every scheduling point and asks
// next_cpu(), as it did before there was one — counting how each step was taken.
class Forward final : public gf::Strategy {
 public:
  Forward(gf::Strategy& s, bool fast_path) : s_(s), fast_path_(fast_path) {}
  int next_cpu(std::span<const int> runnable, int current) override {
    asked++;
    return s_.next_cpu(runnable, current);
  }
  bool has_fast_path() const override { return fast_path_ && s_.has_fast_path(); }
  bool keeps(int current) override {
    const bool k = s_.keeps(current);
    kept += k;
    return k;
  }
  bool observes() const override { return s_.observes(); }
  void observed(int cpu, const gf::Access& a) override { s_.observed(cpu, a); }
  uint64_t asked = 0, kept = 0;

 private:
  gf::Strategy& s_;
  bool fast_path_;
};

std::vector<int> who_stepped(const RunResult& r) {
  std::vector<int> cpus;
  for (const gf::Event& e : r.events)
    if (e.acc.tag) cpus.push_back(e.cpu);
  return cpus;
}

// The scenario's own strategy and the same without its fast path take every
// step with the same CPU: same trace, same verdict.  `fast_run`: how the run with
// it went.
struct FastRun {
  uint64_t asked = 0, kept = 0;
  RunResult r;
};
void expect_fast_path_invisible(const Scenario& s, FastRun& fast_run) {
  gf::ScheduleStrategy steps_a(s.schedule), steps_b(s.schedule);
  gf::PreemptStrategy points_a(s.preempts), points_b(s.preempts);
  const bool pre = s.form == gf::ScheduleForm::preemptions;
  gf::Strategy& inner_fast = pre ? static_cast<gf::Strategy&>(points_a) : steps_a;
  gf::Strategy& inner_slow = pre ? static_cast<gf::Strategy&>(points_b) : steps_b;
  ASSERT_TRUE(inner_fast.has_fast_path());
  Forward fast(inner_fast, true), slow(inner_slow, false);
  const RunResult a = gf::run(s, RunOptions{.machine = {.trace = true}, .strategy = &fast});
  const RunResult b = gf::run(s, RunOptions{.machine = {.trace = true}, .strategy = &slow});
  EXPECT_EQ(slow.kept, 0u);
  expect_same(a, b);
  EXPECT_EQ(who_stepped(a), who_stepped(b));
  EXPECT_EQ(a.verdict.violated, gf::run(s).verdict.violated);  // the default run takes the fast path too
  // Every step is one or the other, never both — but for a last pick whose
  // access a violation stopped before it happened (a freed table's check).
  const uint64_t picks = fast.asked + fast.kept;
  if (a.verdict.violated)
    EXPECT_TRUE(picks == a.steps || picks == a.steps + 1) << "picks " << picks << " steps " << a.steps;
  else
    EXPECT_EQ(picks, a.steps) << "asked " << fast.asked << " kept " << fast.kept;
  fast_run = FastRun{fast.asked, fast.kept, a};
}

TEST(FastPath, StepsFormSameTraceAndMostStepsKept) {
  const Scenario s = from_json(kBusyArm64);
  ASSERT_EQ(s.form, gf::ScheduleForm::steps);
  FastRun f;
  expect_fast_path_invisible(s, f);
  // The schedule's runs of one CPU are taken on the fast path.
  EXPECT_GT(f.kept, 0u);
  EXPECT_GT(f.asked, 0u);
  EXPECT_EQ(f.asked + f.kept, f.r.steps);
}

TEST(FastPath, PreemptionsFormSameTraceOverRandomScenarios) {
  std::vector<gf::Bug> machine_bugs;
  for (int b = 0; b < gf::NR_BUGS; b++)
    if (gf::info(gf::Bug(b)).where.empty()) machine_bugs.push_back(gf::Bug(b));
  std::mt19937 rng(4242);
  int violated = 0;
  for (int i = 0; i < 400; i++) {
    std::vector<uint8_t> b(rng() % 300);
    for (auto& x : b) x = uint8_t(rng());
    Scenario s = gf::decode(b, i % 4 ? gf::ScheduleForm::preemptions : gf::ScheduleForm::steps);
    if (i % 2)
      for (gf::Bug bug : machine_bugs) s.bugs.add(bug);
    SCOPED_TRACE("scenario #" + std::to_string(i) + ": " + gf::scenario_to_json(s, -1));
    FastRun f;
    expect_fast_path_invisible(s, f);
    if (::testing::Test::HasFailure()) return;
    violated += f.r.verdict.violated;
  }
  EXPECT_GT(violated, 0);
}

// The point strategy keeps the running CPU except at a point, where
// next_cpu() decides, and except while it spins: free_choice() moves on to a
// working CPU then, and so does the fast path.
TEST(FastPath, PreemptStrategyDoesNotKeepAtAPointOrASpinner) {
  const std::vector<gf::Preempt> pts = {{.at = 2, .cpu = 1}};
  gf::PreemptStrategy st(pts);
  EXPECT_TRUE(st.keeps(0));   // step 0
  EXPECT_TRUE(st.keeps(0));   // step 1
  EXPECT_FALSE(st.keeps(0));  // step 2 is a point: next_cpu() decides
  EXPECT_EQ(pick(st, {0, 1}, 0), 1);
  EXPECT_TRUE(st.keeps(1));  // step 3
  // CPU 1 reads one cell twice, finding it unchanged: the same lap twice, a spin.
  static const int cell = 0;
  gf::Access a{};
  a.kind = gf::Acc::load;
  a.ok = true;
  a.addr = &cell;
  a.file = "lock.h";
  a.line = 7;
  st.observed(1, a);
  EXPECT_TRUE(st.keeps(1));  // step 4: one read is no spin
  st.observed(1, a);
  EXPECT_FALSE(st.keeps(1));  // step 5: spinning, next_cpu() hands over
  EXPECT_EQ(pick(st, {0, 1}, 1), 0);
  // Any change ends the spin.
  gf::Access w = a;
  w.kind = gf::Acc::store;
  w.after = 1;
  st.observed(0, w);
  EXPECT_TRUE(st.keeps(1));
}

// ------------------------------------------------------------ the spin watch

// SpinWatch's verdict against its definition, compared the slow way: a CPU
// spins once its accesses since the last change end in the same lap twice
// over, for any lap length (up to SpinWatch::MAX_SEEN accesses kept).
TEST(SpinWatch, SameVerdictAsComparingEveryLapLength) {
  struct Sig {
    const void* addr;
    uint32_t line;
    gf::Acc kind;
    uint64_t before;
    bool operator==(const Sig&) const = default;
  };
  static const int cells[3] = {};
  static const char* const file = "model.h";
  std::mt19937 rng(2718);
  int spins = 0, checks = 0;
  for (int trial = 0; trial < 300; trial++) {
    gf::SpinWatch fast;
    std::vector<Sig> seen[gf::MAX_CPUS];
    bool spin[gf::MAX_CPUS] = {};
    // Few distinct accesses, so laps repeat; some trials change rarely, so
    // the run since the last change grows past MAX_SEEN.
    const unsigned change_per_mille = trial % 3 == 0 ? 2 : 40;
    const int len = 200 + int(rng() % 800);
    for (int k = 0; k < len; k++) {
      const int cpu = int(rng() % gf::MAX_CPUS);
      gf::Access a{};
      a.kind = rng() % 4 ? gf::Acc::load : gf::Acc::cmpxchg;
      a.ok = a.kind == gf::Acc::load;
      a.addr = &cells[rng() % 3];
      a.file = file;
      a.line = 10 + uint32_t(rng() % 3);
      a.before = a.after = rng() % 2;
      if (rng() % 1000 < change_per_mille) a.after = a.before + 1;
      fast.observed(cpu, a);
      if (a.before != a.after) {
        for (auto& v : seen) v.clear();
        for (bool& b : spin) b = false;
      } else if (seen[cpu].size() < gf::SpinWatch::MAX_SEEN) {
        seen[cpu].push_back(Sig{a.addr, a.line, a.kind, a.before});
        const auto& v = seen[cpu];
        const size_t n = v.size();
        for (size_t p = 1; 2 * p <= n && !spin[cpu]; p++)
          spin[cpu] = std::equal(v.end() - p, v.end(), v.end() - 2 * p);
      }
      for (int c = 0; c < gf::MAX_CPUS; c++) {
        ASSERT_EQ(fast.spinning(c), spin[c]) << "trial " << trial << " access " << k << " cpu " << c;
        checks++;
        spins += spin[c];
      }
    }
  }
  EXPECT_GT(spins, checks / 20);  // the sequences did make spins to see
  EXPECT_LT(spins, checks);
}

}  // namespace
