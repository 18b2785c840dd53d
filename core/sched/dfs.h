// SPDX-License-Identifier: GPL-2.0
//
// The stateless depth-first search both explore() and for_each_schedule()
// run: a path of scheduling points, a Strategy that replays its prefix and
// extends it without preempting, and the step to the next path within a
// preemption bound.  Internal to core/exec/explore.cc and core/exec/explore_each.cc.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "core/sched/strategies.h"
#include "core/sched/strategy.h"

namespace gf::dfs {

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
        replay_diverged_ = true;
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
  // The replay of the path went elsewhere (cannot happen in a deterministic model).
  bool replay_diverged() const { return replay_diverged_; }
  std::vector<uint8_t>& choices() { return choices_; }

 private:
  std::vector<ChoicePoint>& path_;
  size_t pos_ = 0;
  int spent_ = 0;
  bool replay_diverged_ = false;
  std::vector<uint8_t> choices_;
  SpinWatch spin_;
};

// The next path within `bound`: the deepest point with an untried CPU that
// the bound allows, lowest CPU first.  False when the tree is exhausted.
// `cut`, if given, counts the alternatives the bound skips.
inline bool backtrack(std::vector<ChoicePoint>& path, int bound, uint64_t* cut = nullptr) {
  while (!path.empty()) {
    ChoicePoint& p = path.back();
    while (p.todo) {
      const int c = __builtin_ctz(p.todo);
      p.todo &= uint8_t(~(1u << c));
      if (p.spent + (p.costly >> c & 1) <= bound) {
        p.chosen = uint8_t(c);
        return true;
      }
      if (cut) ++*cut;
    }
    path.pop_back();
  }
  return false;
}

}  // namespace gf::dfs
