// SPDX-License-Identifier: GPL-2.0
#include "core/exec/explore.h"

#include "core/sched/dfs.h"
#include "core/exec/run.h"
#include "core/sched/strategies.h"

namespace gf {
namespace {

bool is_budget(const RunResult& r, const ExploreOptions& o) {
  return r.verdict.violated && r.verdict.oracle == Oracle::no_progress && r.steps >= o.max_steps;
}

}  // namespace

ExploreResult explore(const Scenario& s, const ExploreOptions& o) {
  ExploreResult res;
  RunOptions ro;
  ro.machine.max_steps = o.max_steps;
  for (int bound = 0; bound <= o.max_preemptions; bound++) {
    std::vector<dfs::ChoicePoint> path;
    do {
      if (o.max_executions && res.executions >= o.max_executions) {
        res.complete = false;
        return res;
      }
      dfs::DfsStrategy st(path);
      ro.strategy = &st;
      const RunResult r = run(s, ro);
      res.executions++;
      res.steps += r.steps;
      if (r.steps > res.max_depth) res.max_depth = r.steps;
      // Schedules within a smaller bound were counted (and judged) by its pass.
      const bool fresh = st.spent() == bound && !st.replay_diverged();
      if (fresh) res.schedules++;
      if (!r.verdict.violated || st.replay_diverged()) continue;
      if (is_budget(r, o)) {
        if (fresh) res.pruned++;
        continue;
      }
      res.found = true;
      res.preemptions = st.spent();
      res.verdict = r.verdict;
      res.replay = s;
      set_steps(res.replay, std::move(st.choices()));
      const RunResult again = run(res.replay, RunOptions{.machine = ro.machine});
      res.replays = again.verdict.violated && again.verdict.oracle == r.verdict.oracle &&
                    again.verdict.step == r.verdict.step;
      return res;
    } while (dfs::backtrack(path, bound));
    res.bound_done = bound;
  }
  return res;
}

}  // namespace gf
