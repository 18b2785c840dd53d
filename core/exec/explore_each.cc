// SPDX-License-Identifier: GPL-2.0
#include "core/exec/explore_each.h"

#include <vector>

#include "core/sched/dfs.h"
#include "core/sched/strategies.h"

namespace gf {

EachResult for_each_schedule(const Scenario& s, const EachOptions& o, const EachVisitor& visit) {
  EachResult res;
  RunOptions ro;
  ro.machine.max_steps = o.max_steps;
  ro.gup_observer = o.gup_observer;
  std::vector<dfs::ChoicePoint> path;
  do {
    if (o.max_executions && res.schedules >= o.max_executions) {
      res.truncated = true;
      break;
    }
    dfs::DfsStrategy st(path);
    ro.strategy = &st;
    const RunResult r = run(s, ro);
    res.schedules++;
    visit(r, st.choices(), st.spent());
  } while (dfs::backtrack(path, o.max_preemptions, &res.cut));
  return res;
}

}  // namespace gf
