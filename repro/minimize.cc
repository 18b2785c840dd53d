// SPDX-License-Identifier: GPL-2.0
#include "repro/minimize.h"

#include <algorithm>

#include "core/exec/schedule_form.h"

namespace gf::repro {
namespace {

class Minimizer {
 public:
  Minimizer(const Scenario& s, MinimizeStats& st) : best_(s), st_(st) {
    const RunResult r = run(s);
    oracle_ = r.verdict.oracle;
    step_ = r.verdict.step;
    st_.runs++;
  }

  Scenario go() {
    for (bool changed = true; changed;) {
      changed = false;
      changed |= cut_schedule();
      changed |= drop_cpus();
      changed |= drop_ops();
      changed |= drop_regions();
      changed |= ddmin_schedule();
      changed |= drop_points();
      changed |= shrink_values();
    }
    return best_;
  }
  uint64_t step() const { return step_; }

 private:
  // Keeps `c` if it violates the same invariant.
  bool try_keep(const Scenario& c) {
    if (c == best_) return false;
    st_.runs++;
    const RunResult r = run(c);
    if (!r.verdict.violated || r.verdict.oracle != oracle_) return false;
    best_ = c;
    step_ = r.verdict.step;
    return true;
  }

  bool cut_schedule() {
    Scenario c = best_;
    if (best_.form == ScheduleForm::preemptions) {  // points after the violation do nothing
      while (!c.preempts.empty() && c.preempts.back().at > step_) c.preempts.pop_back();
      return try_keep(c);
    }
    if (best_.schedule.size() <= step_ + 1) return false;
    c.schedule.resize(step_ + 1);
    return try_keep(c);
  }

  // The compact form: each preemption point that is not needed goes (a
  // minimal reproducer has as many points as the race needs preemptions).
  bool drop_points() {
    return drop_each([&] { return best_.preempts.size(); }, 0, [&](int k) {
      Scenario c = best_;
      c.preempts.erase(c.preempts.begin() + k);
      return c;
    });
  }

  // Tries the candidates make(k) for k from the last of `size()` items to the
  // first while more than `keep` are left, keeping each that still violates.
  template <class Size, class Make>
  bool drop_each(Size size, size_t keep, Make make) {
    bool changed = false;
    for (int k = int(size()) - 1; k >= 0 && size() > keep; k--) {
      if (k >= int(size())) continue;
      changed |= try_keep(make(k));
    }
    return changed;
  }

  bool drop_cpus() {
    return drop_each([&] { return best_.cpus.size(); }, 1, [&](int cpu) {
      Scenario c = best_;
      c.cpus.erase(c.cpus.begin() + cpu);
      std::vector<uint8_t> sched;
      for (uint8_t x : c.schedule) {
        if (x == cpu) continue;
        sched.push_back(uint8_t(x > cpu ? x - 1 : x));
      }
      c.schedule = sched;
      std::vector<Preempt> pts;
      for (Preempt p : c.preempts) {
        if (p.cpu == cpu) continue;
        if (p.cpu > cpu) p.cpu--;
        pts.push_back(p);
      }
      c.preempts = pts;
      return c;
    });
  }

  bool drop_ops() {
    bool changed = false;
    for (size_t cpu = 0; cpu < best_.cpus.size(); cpu++)
      changed |= drop_each([&] { return best_.cpus[cpu].size(); }, 0, [&](int k) {
        Scenario c = best_;
        c.cpus[cpu].erase(c.cpus[cpu].begin() + k);
        return c;
      });
    return changed;
  }

  bool drop_regions() {
    return drop_each([&] { return best_.regions.size(); }, 1, [&](int k) {
      Scenario c = best_;
      c.regions.erase(c.regions.begin() + k);
      return c;
    });
  }

  bool ddmin_schedule() {
    bool changed = false;
    for (size_t chunk = std::max<size_t>(best_.schedule.size() / 2, 1); chunk >= 1; chunk /= 2) {
      for (size_t at = 0; at < best_.schedule.size();) {
        Scenario c = best_;
        const size_t end = std::min(at + chunk, c.schedule.size());
        c.schedule.erase(c.schedule.begin() + long(at), c.schedule.begin() + long(end));
        if (try_keep(c)) changed = true;  // the next chunk moved to `at`
        else at += chunk;
      }
      if (chunk == 1) break;
    }
    return changed;
  }

  bool shrink_values() {
    bool changed = false;
    for (size_t k = 0; k < best_.regions.size(); k++) {
      for (uint8_t pages : {uint8_t(1), uint8_t(best_.regions[k].pages / 2)}) {
        if (pages == 0 || pages >= best_.regions[k].pages || (best_.regions[k].flags & RF_LARGE)) continue;
        Scenario c = best_;
        c.regions[k].pages = pages;
        changed |= try_keep(c);
      }
      for (int bit = 0; bit < 8; bit++) {
        if (!(best_.regions[k].flags & (1u << bit)) || (1u << bit) == RF_LARGE) continue;
        Scenario c = best_;
        c.regions[k].flags &= uint8_t(~(1u << bit));
        changed |= try_keep(c);
      }
    }
    for (size_t cpu = 0; cpu < best_.cpus.size(); cpu++)
      for (size_t k = 0; k < best_.cpus[cpu].size(); k++) {
        if (best_.cpus[cpu][k].nr > 1) {
          Scenario c = best_;
          c.cpus[cpu][k].nr = 1;
          changed |= try_keep(c);
        }
        for (int bit = 0; bit < 8; bit++) {
          if (!(best_.cpus[cpu][k].flags & (1u << bit))) continue;
          Scenario c = best_;
          c.cpus[cpu][k].flags &= uint8_t(~(1u << bit));
          changed |= try_keep(c);
        }
      }
    for (size_t k = 0; k < best_.schedule.size(); k++) {
      if (best_.schedule[k] == 0) continue;
      Scenario c = best_;
      c.schedule[k] = 0;
      changed |= try_keep(c);
    }
    return changed;
  }

  Scenario best_;
  MinimizeStats& st_;
  Oracle oracle_{};
  uint64_t step_ = 0;
};

}  // namespace

size_t op_count(const Scenario& s) {
  size_t n = 0;
  for (const auto& p : s.cpus) n += p.size();
  return n;
}

Scenario minimize(const Scenario& s, MinimizeStats& stats) {
  // In the compact form: a dropped operation or CPU leaves the other
  // preemptions where they were, where a per-step schedule would shift.
  const Scenario compact = with_schedule_form(s, ScheduleForm::preemptions);
  Minimizer m(compact, stats);
  stats.steps_before = m.step();
  stats.ops_before = op_count(s);
  stats.schedule_before = compact.preempts.size();
  Scenario out = m.go();
  stats.steps_after = m.step();
  stats.ops_after = op_count(out);
  stats.schedule_after = out.preempts.size();
  return out;
}

}  // namespace gf::repro
