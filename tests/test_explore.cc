// SPDX-License-Identifier: GPL-2.0
//
// The seeded strategies and the exhaustive explorer:
//  - random and PCT give the same schedule for the same seed, and PCT with
//    d = 1 never preempts a working CPU;
//  - the explorer counts exactly the schedules of a 2-CPU scenario worked out
//    by hand, for C = 0, 1 and unbounded;
//  - it finds every machine bug's witness within 2 preemptions, finds nothing
//    on the benign seeds (every schedule with one preemption; with two, the
//    first few thousand), and its schedule replays to the same verdict (also
//    through JSON);
//  - a schedule cut by the step budget is pruned, never reported.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/exec/explore.h"
#include "core/report/report.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategies.h"
#include "tests/test_util.h"

namespace fs = std::filesystem;

namespace {

const fs::path kRoot = GUPFUZZ_SOURCE_DIR;

gf::Scenario load_json(const fs::path& p) {
  gf::ParseError err;
  auto s = gf::scenario_from_json(gf::test::slurp(p), err);
  EXPECT_TRUE(s.has_value()) << p << ": " << err.message;
  return s.value_or(gf::Scenario{});
}

std::vector<fs::path> seeds() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(kRoot / "corpus/scenarios"))
    if (e.path().extension() == ".json") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// Wraps a strategy and writes down what it picked, and how often it switched
// away from a CPU that could still work (by its own SpinWatch).
class Recorder final : public gf::Strategy {
 public:
  explicit Recorder(gf::Strategy& inner) : inner_(inner) {}
  int next_cpu(std::span<const int> runnable, int current) override {
    const int c = inner_.next_cpu(runnable, current);
    const bool cur_runnable = std::find(runnable.begin(), runnable.end(), current) != runnable.end();
    if (c != current && cur_runnable && !spin_.spinning(current)) preemptions++;
    picks.push_back(uint8_t(c));
    return c;
  }
  bool observes() const override { return true; }
  void observed(int cpu, const gf::Access& a) override {
    spin_.observed(cpu, a);
    if (inner_.observes()) inner_.observed(cpu, a);
  }
  std::vector<uint8_t> picks;
  int preemptions = 0;

 private:
  gf::Strategy& inner_;
  gf::SpinWatch spin_;
};

struct Picked {
  std::vector<uint8_t> picks;
  gf::RunResult r;
  int preemptions;
};

template <class Make>
Picked run_with(const gf::Scenario& s, Make make) {
  auto inner = make();
  Recorder rec(inner);
  gf::RunOptions o;
  o.strategy = &rec;
  gf::RunResult r = gf::run(s, o);
  return {rec.picks, std::move(r), rec.preemptions};
}

TEST(Strategies, RandomIsDeterministicPerSeed) {
  const gf::Scenario s = load_json(kRoot / "corpus/scenarios/arm64_three_cpus_mixed.json");
  size_t differ = 0;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    auto a = run_with(s, [&] { return gf::RandomStrategy(seed); });
    auto b = run_with(s, [&] { return gf::RandomStrategy(seed); });
    EXPECT_EQ(a.picks, b.picks) << "seed " << seed;
    EXPECT_EQ(a.r.steps, b.r.steps);
    EXPECT_FALSE(a.r.verdict.violated) << a.r.verdict.message;  // a benign seed
    auto c = run_with(s, [&] { return gf::RandomStrategy(seed + 100); });
    differ += c.picks != a.picks;
  }
  EXPECT_GE(differ, 7u) << "different seeds should give different schedules";
}

TEST(Strategies, PctIsDeterministicPerSeed) {
  const gf::Scenario s = load_json(kRoot / "corpus/scenarios/arm64_three_cpus_mixed.json");
  const uint64_t k = gf::pct_estimate_k(s);
  ASSERT_GT(k, 10u);
  size_t differ = 0;
  for (uint64_t seed = 1; seed <= 8; seed++) {
    auto a = run_with(s, [&] { return gf::PctStrategy(seed, 3, k); });
    auto b = run_with(s, [&] { return gf::PctStrategy(seed, 3, k); });
    EXPECT_EQ(a.picks, b.picks) << "seed " << seed;
    EXPECT_FALSE(a.r.verdict.violated) << a.r.verdict.message;
    auto c = run_with(s, [&] { return gf::PctStrategy(seed + 100, 3, k); });
    differ += c.picks != a.picks;
  }
  EXPECT_GE(differ, 4u);
  gf::PctStrategy p(7, 3, k);
  ASSERT_EQ(p.change_points().size(), 2u);
  for (uint64_t at : p.change_points()) EXPECT_LT(at, k);
}

TEST(Strategies, PctDepthOneNeverPreempts) {
  int total_d3 = 0;
  for (const fs::path& f : seeds()) {
    const gf::Scenario s = load_json(f);
    const uint64_t k = gf::pct_estimate_k(s);
    for (uint64_t seed = 1; seed <= 5; seed++) {
      auto one = run_with(s, [&] { return gf::PctStrategy(seed, 1, k); });
      EXPECT_EQ(one.preemptions, 0) << f.filename() << " seed " << seed;
      EXPECT_FALSE(one.r.verdict.violated) << f.filename() << ": " << one.r.verdict.message;
      total_d3 += run_with(s, [&] { return gf::PctStrategy(seed, 3, k); }).preemptions;
    }
  }
  EXPECT_GT(total_d3, 0) << "d = 3 should preempt somewhere (else the count above proves nothing)";
}

// Two CPUs, each one MMU read access to its own young page: walk epoch,
// PMD, PTE (young already: no cmpxchg), walk epoch — 4 accesses each, in
// any interleaving, none spinning.
gf::Scenario two_readers() {
  gf::ParseError err;
  auto s = gf::scenario_from_json(R"({
    "arch": "x86_64",
    "regions": [{"va": 0, "pages": 2, "anon": true, "write": true}],
    "cpus": [[{"op": "hw_access", "va": 0}], [{"op": "hw_access", "va": 1}]]
  })", err);
  EXPECT_TRUE(s.has_value()) << err.message;
  return *s;
}

TEST(Explore, CountsTheSchedulesOfTwoCpusByHand) {
  const gf::Scenario s = two_readers();
  ASSERT_EQ(gf::run(s).steps, 8u);
  // C = 0: one CPU runs to the end, then the other: 2 schedules.
  gf::ExploreResult r0 = gf::explore(s, {.max_preemptions = 0});
  EXPECT_FALSE(r0.found);
  EXPECT_EQ(r0.bound_done, 0);
  EXPECT_EQ(r0.schedules, 2u);
  EXPECT_EQ(r0.max_depth, 8u);
  // Exactly one preemption: the first CPU is preempted after k = 1..3 of its
  // 4 accesses and the other runs to its end (going back earlier would be a
  // second one): 3 + 3, so 8 up to C = 1.
  gf::ExploreResult r1 = gf::explore(s, {.max_preemptions = 1});
  EXPECT_EQ(r1.schedules, 8u);
  EXPECT_EQ(r1.executions, 2u + 8u);  // the C = 0 pass is run again
  // Unbounded: every interleaving of 4 and 4 steps, C(8,4) = 70.
  gf::ExploreResult rall = gf::explore(s, {.max_preemptions = 8});
  EXPECT_EQ(rall.schedules, 70u);
  EXPECT_EQ(rall.pruned, 0u);
}

struct Timed {
  gf::ExploreResult r;
  double seconds;
};

Timed timed_explore(const gf::Scenario& s, int c) {
  const auto t0 = std::chrono::steady_clock::now();
  gf::ExploreResult r = gf::explore(s, {.max_preemptions = c});
  return {std::move(r), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count()};
}

class ExploreWitness : public ::testing::TestWithParam<int> {};

TEST_P(ExploreWitness, FindsTheMachineBugWithinTwoPreemptionsAndReplays) {
  const gf::Bug bug = gf::Bug(GetParam());
  const auto& bi = gf::info(bug);
  gf::Scenario s = load_json(kRoot / "tests/witnesses" / (std::string(bi.id) + ".json"));
  gf::set_steps(s, {});  // the explorer needs no hint
  const Timed t = timed_explore(s, 2);
  std::printf("[explore] %-28s found=%d oracle=%s preemptions=%d schedules=%llu executions=%llu %.3f s\n",
              std::string(bi.id).c_str(), t.r.found, t.r.found ? gf::info(t.r.verdict.oracle).id.data() : "-",
              t.r.preemptions, (unsigned long long)t.r.schedules, (unsigned long long)t.r.executions, t.seconds);
  ASSERT_TRUE(t.r.found) << bi.id << ": nothing within 2 preemptions (" << t.r.schedules << " schedules)";
  EXPECT_LE(t.r.preemptions, 2);
  EXPECT_TRUE(t.r.replays);
  // The bug's own oracle, or another pin oracle for the same kept pin.
  const std::string want = std::string(gf::info(bi.oracle).id), got = std::string(gf::info(t.r.verdict.oracle).id);
  if (bug == gf::Bug::no_pte_recheck)
    EXPECT_TRUE(got == "pin_not_in_history" || got == "write_pin_without_write") << got;
  else
    EXPECT_EQ(got, want);
  // The found scenario replays through JSON and the default schedule strategy.
  gf::ParseError err;
  auto back = gf::scenario_from_json(gf::scenario_to_json(t.r.replay), err);
  ASSERT_TRUE(back.has_value()) << err.message;
  const gf::RunResult again = gf::run(*back);
  ASSERT_TRUE(again.verdict.violated);
  EXPECT_EQ(again.verdict.oracle, t.r.verdict.oracle);
  EXPECT_EQ(again.verdict.step, t.r.verdict.step);
  EXPECT_EQ(again.verdict.message, t.r.verdict.message);
  // And the minimal bound is minimal: one less finds nothing.
  if (t.r.preemptions > 0) {
    gf::ExploreResult less = gf::explore(s, {.max_preemptions = t.r.preemptions - 1});
    EXPECT_FALSE(less.found) << gf::info(less.verdict.oracle).id;
  }
}

// The machine's bugs (bugs.def rows with where == ""); the helper bugs'
// witnesses are PTE cases, with nothing to schedule.
std::vector<int> machine_bugs() {
  std::vector<int> out;
  for (int b = 0; b < gf::NR_BUGS; b++)
    if (gf::info(gf::Bug(b)).where.empty()) out.push_back(b);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Bugs, ExploreWitness, ::testing::ValuesIn(machine_bugs()),
                         [](const auto& p) { return std::string(gf::info(gf::Bug(p.param)).id); });

TEST(Explore, WitnessesWithoutTheirBugAreCleanAtTwo) {
  for (int b = 0; b < gf::NR_BUGS; b++) {
    const auto& bi = gf::info(gf::Bug(b));
    if (!bi.where.empty()) continue;
    gf::Scenario s = load_json(kRoot / "tests/witnesses" / (std::string(bi.id) + ".json"));
    s.bugs = {};
    const Timed t = timed_explore(s, 2);
    std::printf("[explore] %-28s without bug: schedules=%llu %.3f s\n", std::string(bi.id).c_str(),
                (unsigned long long)t.r.schedules, t.seconds);
    EXPECT_FALSE(t.r.found) << bi.id << " without the bug: " << gf::info(t.r.verdict.oracle).id << ": "
                            << t.r.verdict.message;
    EXPECT_EQ(t.r.bound_done, 2);
  }
}

// The correct model has no violation in any schedule of a seed with at most
// one preemption (every seed, in full) ...
TEST(Explore, BenignSeedsAreCleanUpToOne) {
  for (const fs::path& f : seeds()) {
    const gf::Scenario s = load_json(f);
    const Timed t = timed_explore(s, 1);
    std::printf("[explore] %-40s C=1 schedules=%llu executions=%llu pruned=%llu depth=%llu %.3f s\n",
                f.filename().c_str(), (unsigned long long)t.r.schedules, (unsigned long long)t.r.executions,
                (unsigned long long)t.r.pruned, (unsigned long long)t.r.max_depth, t.seconds);
    EXPECT_FALSE(t.r.found) << f.filename() << ": " << gf::info(t.r.verdict.oracle).id << " with "
                            << t.r.preemptions << " preemptions: " << t.r.verdict.message << "\n"
                            << gf::scenario_to_json(t.r.replay);
    EXPECT_EQ(t.r.pruned, 0u) << f.filename();
    EXPECT_EQ(t.r.bound_done, 1) << f.filename();
  }
}

// ... and none in the first schedules with two (the small seeds in full; the
// contpte and three-CPU seeds have 10^5..10^6 schedules at C = 2, for
// `gupfuzz explore` rather than a unit test).
TEST(Explore, BenignSeedsAreCleanAtTwoWithinABudget) {
  constexpr uint64_t kBudget = 3500;
  for (const fs::path& f : seeds()) {
    const gf::Scenario s = load_json(f);
    const auto t0 = std::chrono::steady_clock::now();
    const gf::ExploreResult r = gf::explore(s, {.max_preemptions = 2, .max_executions = kBudget});
    const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("[explore] %-40s C=2 complete=%d bound_done=%d schedules=%llu executions=%llu %.3f s\n",
                f.filename().c_str(), r.complete, r.bound_done, (unsigned long long)r.schedules,
                (unsigned long long)r.executions, secs);
    EXPECT_FALSE(r.found) << f.filename() << ": " << gf::info(r.verdict.oracle).id << " with " << r.preemptions
                          << " preemptions: " << r.verdict.message << "\n"
                          << gf::scenario_to_json(r.replay);
    EXPECT_EQ(r.pruned, 0u) << f.filename();
  }
}

TEST(Explore, StepBudgetPrunesNeverReports) {
  const gf::Scenario s = two_readers();
  gf::ExploreResult r = gf::explore(s, {.max_preemptions = 1, .max_steps = 6});
  EXPECT_FALSE(r.found) << gf::info(r.verdict.oracle).id;
  EXPECT_EQ(r.schedules, 8u);
  EXPECT_EQ(r.pruned, 8u);  // every schedule needs 8 steps
}

TEST(Explore, ExecutionBudgetLeavesTheAnswerIncomplete) {
  gf::ExploreResult r = gf::explore(two_readers(), {.max_preemptions = 8, .max_executions = 5});
  EXPECT_FALSE(r.complete);
  EXPECT_EQ(r.executions, 5u);
  EXPECT_FALSE(r.found);
}

}  // namespace
