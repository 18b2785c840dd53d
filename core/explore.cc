// SPDX-License-Identifier: GPL-2.0
#include "core/explore.h"

#include "core/run.h"
#include "core/strategies.h"

namespace gf {
namespace {

// One scheduling point of the current path: what was picked, the CPUs not
// yet tried there, which of them would cost a preemption, and the
// preemptions spent before it.
struct ChoicePoint {
  uint8_t chosen;
  uint8_t todo;    // bit c: CPU c still to try here
  uint8_t costly;  // bit c: picking CPU c here is a preemption
  uint16_t spent;
};

// Replays the path's prefix, then extends it without preempting.
class DfsStrategy final : public Strategy {
 public:
  explicit DfsStrategy(std::vector<ChoicePoint>& path) : path_(path) {}

  int next_cpu(std::span<const int> runnable, int current) override {
    const FreeChoice fc = free_choice(runnable, current, spin_);
    const uint8_t run_mask = fc.run_mask, costly = fc.costly;
    const int dflt = fc.pick;
    const size_t i = pos_++;
    int pick;
    if (i < path_.size()) {
      pick = path_[i].chosen;
      if (!(run_mask >> pick & 1)) {  // the replay went elsewhere: cannot happen in a deterministic model
        diverged_ = true;
        pick = dflt;
      }
    } else {
      path_.push_back(ChoicePoint{uint8_t(dflt), uint8_t(run_mask & ~(1u << dflt)), costly, uint16_t(spent_)});
      pick = dflt;
    }
    if (costly >> pick & 1) spent_++;
    choices_.push_back(uint8_t(pick));
    return pick;
  }

  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override { spin_.observed(cpu, a); }

  int spent() const { return spent_; }
  bool diverged() const { return diverged_; }
  std::vector<uint8_t>& choices() { return choices_; }

 private:
  std::vector<ChoicePoint>& path_;
  size_t pos_ = 0;
  int spent_ = 0;
  bool diverged_ = false;
  std::vector<uint8_t> choices_;
  SpinWatch spin_;
};

// The next path within `bound`: the deepest point with an untried CPU that
// the bound allows, lowest CPU first.  False when the tree is exhausted.
bool backtrack(std::vector<ChoicePoint>& path, int bound) {
  while (!path.empty()) {
    ChoicePoint& p = path.back();
    while (p.todo) {
      const int c = __builtin_ctz(p.todo);
      p.todo &= uint8_t(~(1u << c));
      if (p.spent + (p.costly >> c & 1) <= bound) {
        p.chosen = uint8_t(c);
        return true;
      }
    }
    path.pop_back();
  }
  return false;
}

bool is_budget(const RunResult& r, const ExploreOptions& o) {
  return r.verdict.violated && r.verdict.oracle == Oracle::no_progress && r.steps >= o.max_steps;
}

}  // namespace

ExploreResult explore(const Scenario& s, const ExploreOptions& o) {
  ExploreResult res;
  RunOptions ro;
  ro.machine.max_steps = o.max_steps;
  for (int bound = 0; bound <= o.max_preemptions; bound++) {
    std::vector<ChoicePoint> path;
    do {
      if (o.max_executions && res.executions >= o.max_executions) {
        res.complete = false;
        return res;
      }
      DfsStrategy st(path);
      ro.strategy = &st;
      const RunResult r = run(s, ro);
      res.executions++;
      res.steps += r.steps;
      if (r.steps > res.max_depth) res.max_depth = r.steps;
      // Schedules within a smaller bound were counted (and judged) by its pass.
      const bool fresh = st.spent() == bound && !st.diverged();
      if (fresh) res.schedules++;
      if (!r.verdict.violated || st.diverged()) continue;
      if (is_budget(r, o)) {
        if (fresh) res.diverged++;
        continue;
      }
      res.found = true;
      res.preemptions = st.spent();
      res.verdict = r.verdict;
      res.replay = s;
      res.replay.schedule = std::move(st.choices());
      const RunResult again = run(res.replay, RunOptions{.machine = ro.machine});
      res.replays = again.verdict.violated && again.verdict.oracle == r.verdict.oracle &&
                    again.verdict.step == r.verdict.step;
      return res;
    } while (backtrack(path, bound));
    res.bound_done = bound;
  }
  return res;
}

}  // namespace gf
