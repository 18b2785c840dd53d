// SPDX-License-Identifier: GPL-2.0
#include "core/explore_each.h"

#include <vector>

#include "core/strategies.h"

namespace gf {
namespace {

// As core/explore.cc: the pick at one scheduling point, the CPUs still to
// try there, which of them would be a preemption, the preemptions spent
// before it.
struct Point {
  uint8_t chosen;
  uint8_t todo;
  uint8_t costly;
  uint16_t spent;
};

// Replays the path's prefix, then extends it without preempting (the
// choice that costs nothing, as explore()'s DfsStrategy makes it).
class EachStrategy final : public Strategy {
 public:
  explicit EachStrategy(std::vector<Point>& path) : path_(path) {}

  int next_cpu(std::span<const int> runnable, int current) override {
    const FreeChoice fc = free_choice(runnable, current, spin_);
    const uint8_t run_mask = fc.run_mask, costly = fc.costly;
    const int dflt = fc.pick;
    const size_t i = pos_++;
    int pick;
    if (i < path_.size()) {
      pick = path_[i].chosen;
      if (!(run_mask >> pick & 1)) pick = dflt;  // cannot happen: the model is deterministic
    } else {
      path_.push_back(Point{uint8_t(dflt), uint8_t(run_mask & ~(1u << dflt)), costly, uint16_t(spent_)});
      pick = dflt;
    }
    if (costly >> pick & 1) spent_++;
    choices_.push_back(uint8_t(pick));
    return pick;
  }

  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override { spin_.observed(cpu, a); }

  int spent() const { return spent_; }
  const std::vector<uint8_t>& choices() const { return choices_; }

 private:
  std::vector<Point>& path_;
  size_t pos_ = 0;
  int spent_ = 0;
  std::vector<uint8_t> choices_;
  SpinWatch spin_;
};

// The deepest point with an untried CPU within the bound; counts the
// alternatives the bound skips.
bool backtrack(std::vector<Point>& path, int bound, uint64_t& cut) {
  while (!path.empty()) {
    Point& p = path.back();
    while (p.todo) {
      const int c = __builtin_ctz(p.todo);
      p.todo &= uint8_t(~(1u << c));
      if (p.spent + (p.costly >> c & 1) <= bound) {
        p.chosen = uint8_t(c);
        return true;
      }
      cut++;
    }
    path.pop_back();
  }
  return false;
}

}  // namespace

EachResult for_each_schedule(const Scenario& s, const EachOptions& o, const EachVisitor& visit) {
  EachResult res;
  RunOptions ro;
  ro.machine.max_steps = o.max_steps;
  std::vector<Point> path;
  do {
    if (o.max_executions && res.schedules >= o.max_executions) {
      res.truncated = true;
      break;
    }
    EachStrategy st(path);
    ro.strategy = &st;
    const RunResult r = run(s, ro);
    res.schedules++;
    visit(r, st.choices(), st.spent());
  } while (backtrack(path, o.max_preemptions, res.cut));
  return res;
}

}  // namespace gf
