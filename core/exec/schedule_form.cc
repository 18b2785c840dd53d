// SPDX-License-Identifier: GPL-2.0
#include "core/exec/schedule_form.h"

#include "core/sched/strategies.h"

namespace gf {
namespace {

// Runs the scenario's own schedule and records what it picks, and where the
// pick differs from the free choice.
class Recorder final : public Strategy {
 public:
  explicit Recorder(const Scenario& s)
      : steps_(s.schedule), points_(s.preempts), form_(s.form), steps_given_(s.schedule.size()) {}
  bool given_only = false;  // points_of_given_steps()
  int next_cpu(std::span<const int> runnable, int current) override {
    const SpinWatch& spin = form_ == ScheduleForm::preemptions ? points_.spin() : spin_;
    const int free = free_choice(runnable, current, spin).pick;
    Strategy& inner = form_ == ScheduleForm::steps ? static_cast<Strategy&>(steps_) : points_;
    const int pick = inner.next_cpu(runnable, current);
    picks.push_back(uint8_t(pick));
    if (pick != free && !(given_only && form_ == ScheduleForm::steps && step_ >= steps_given_))
      preempts.push_back(Preempt{step_, uint8_t(pick)});
    step_++;
    return pick;
  }
  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override {
    if (form_ == ScheduleForm::preemptions)
      points_.observed(cpu, a);  // its SpinWatch is the free choice's too
    else
      spin_.observed(cpu, a);
  }
  std::vector<uint8_t> picks;
  std::vector<Preempt> preempts;

 private:
  ScheduleStrategy steps_;
  PreemptStrategy points_;
  ScheduleForm form_;
  size_t steps_given_;
  SpinWatch spin_;
  uint32_t step_ = 0;
};

// Runs `s` once under a Recorder and returns it in `form`.
Scenario recorded(const Scenario& s, ScheduleForm form, const MachineOptions& mo, bool given_only) {
  Recorder rec(s);
  rec.given_only = given_only;
  RunOptions o;
  o.machine = mo;
  o.strategy = &rec;
  run(s, o);
  Scenario out = s;
  out.form = form;
  out.schedule.clear();
  out.preempts.clear();
  if (form == ScheduleForm::steps)
    out.schedule = std::move(rec.picks);
  else
    out.preempts = std::move(rec.preempts);
  return out;
}

}  // namespace

Scenario with_schedule_form(const Scenario& s, ScheduleForm form, const MachineOptions& mo) {
  return s.form == form ? s : recorded(s, form, mo, false);
}

Scenario points_of_given_steps(const Scenario& s, const MachineOptions& mo) {
  return s.form != ScheduleForm::steps ? s : recorded(s, ScheduleForm::preemptions, mo, true);
}

std::vector<uint8_t> fuzz_bytes(const Scenario& s, const MachineOptions& mo) {
  return encode(with_schedule_form(s, ScheduleForm::preemptions, mo));
}

}  // namespace gf
