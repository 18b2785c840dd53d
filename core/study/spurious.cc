// SPDX-License-Identifier: GPL-2.0
#include "core/study/spurious.h"

#include <algorithm>
#include <memory>
#include <vector>

#include "core/mm/cell_kind.h"
#include "core/sched/strategies.h"

namespace gf {
namespace {

// Passes every pick through and keeps it, so an execution's schedule replays.
class Recording final : public Strategy {
 public:
  explicit Recording(Strategy& inner) : inner_(inner) {}
  int next_cpu(std::span<const int> runnable, int current) override {
    const int c = inner_.next_cpu(runnable, current);
    choices.push_back(uint8_t(c));
    return c;
  }
  bool observes() const override { return inner_.observes(); }
  void observed(int cpu, const Access& a) override { inner_.observed(cpu, a); }
  std::vector<uint8_t> choices;

 private:
  Strategy& inner_;
};

// The schedule's picks, and every access, in order.
class Observing final : public Strategy {
 public:
  explicit Observing(std::span<const uint8_t> schedule) : inner_(schedule) {}
  int next_cpu(std::span<const int> runnable, int current) override { return inner_.next_cpu(runnable, current); }
  bool observes() const override { return true; }
  void observed(int cpu, const Access& a) override {
    if (tag_kind(a.tag) != CellKind::pte && tag_kind(a.tag) != CellKind::refcount) return;
    events.push_back(Event{cpu, a.kind, tag_kind(a.tag), tag_index(a.tag), a.before != a.after});
  }
  struct Event {
    int cpu;
    Acc kind;
    CellKind cell;
    uint32_t index;
    bool changed;
  };
  std::vector<Event> events;

 private:
  ScheduleStrategy inner_;
};

SpuriousTally::Phase classify(const std::vector<Observing::Event>& ev, int gcpu, int va) {
  // GUP-fast's first read: its PTE loads before its first refcount access;
  // the recheck's load: its first load of the entry after that.
  long rs = -1, re = -1, rk = -1, fw = -1, lw = -1;
  bool grabbed = false;
  for (long k = 0; k < long(ev.size()); k++) {
    const Observing::Event& e = ev[size_t(k)];
    if (e.cpu == gcpu) {
      if (e.cell == CellKind::refcount) grabbed = true;
      if (e.cell != CellKind::pte || e.kind != Acc::load) continue;
      if (!grabbed) {
        if (rs < 0) rs = k;
        re = k;
      } else if (rk < 0 && e.index == uint32_t(va)) {
        rk = k;
      }
    } else if (e.cell == CellKind::pte && e.index == uint32_t(va) && e.kind != Acc::load && e.changed) {
      if (fw < 0) fw = k;
      lw = k;
    }
  }
  if (rk < 0) rk = re;
  if (fw < 0) return SpuriousTally::no_change;
  if (lw < rs) return SpuriousTally::before_read;
  if (fw > rk) return SpuriousTally::after_recheck;
  if (fw > re) return lw < rk ? SpuriousTally::between : SpuriousTally::overlaps_recheck;
  return SpuriousTally::overlaps_read;
}

}  // namespace

int single_gup_page(const Scenario& s, int* cpu) {
  int va = -1, n = 0;
  for (size_t c = 0; c < s.cpus.size(); c++)
    for (const Op& op : s.cpus[c])
      if (op.kind == OpKind::gup_fast) {
        n++;
        va = op.nr == 1 ? int(op.va) : -1;
        if (cpu) *cpu = int(c);
      }
  return n == 1 ? va : -1;
}

uint64_t pages_requested(const Scenario& s) {
  uint64_t n = 0;
  for (const auto& ops : s.cpus)
    for (const Op& op : ops)
      if (op.kind == OpKind::gup_fast) n += uint64_t(std::max(0, std::min(int(op.va) + int(op.nr), NR_VPAGES) - int(op.va)));
  return n;
}

void SpuriousTally::add(const Scenario& s, const RunResult& r, const GupStats& gup, std::span<const uint8_t> choices) {
  executions++;
  attempts += uint64_t(gup.attempts);
  rechecks += uint64_t(gup.rechecks);
  recheck_bails += uint64_t(gup.recheck_bails);
  pmd_bails += uint64_t(gup.pmd_bails);
  spurious += uint64_t(gup.spurious);
  cont_only += uint64_t(gup.cont_only);
  kept += uint64_t(gup.kept);
  read_bails += uint64_t(gup.read_bails());
  read_unmapped += uint64_t(gup.read_unmapped);
  grab_bails += uint64_t(gup.grab_bails());
  after_bails += uint64_t(gup.after_bails());
  fell_back += uint64_t(gup.kept) < pages_requested(s);
  if (r.verdict.violated) (r.verdict.oracle == Oracle::no_progress ? budget : violations)++;
  if (gup.spurious && !has_example && choices.size() <= size_t(MAX_SCHEDULE)) {
    has_example = true;
    example = s;
    set_steps(example, std::vector<uint8_t>(choices.begin(), choices.end()));
    example_was = gup.spurious_was;
    example_now = gup.spurious_now;
    example_replays = run_counted(example).gup.spurious > 0;
  }
}

SpuriousTally tally_schedules(const Scenario& s, const EachOptions& o, bool phases) {
  SpuriousTally t;
  int gcpu = -1;
  const int va = phases ? single_gup_page(s, &gcpu) : -1;
  t.has_phases = va >= 0;
  GupCounter counter;
  EachOptions eo = o;
  eo.gup_observer = &counter;
  const EachResult e = for_each_schedule(s, eo, [&](const RunResult& r, std::span<const uint8_t> choices, int) {
    const GupStats gup = counter.total();
    counter.clear();
    t.add(s, r, gup, choices);
    if (!t.has_phases) return;
    Observing obs(choices);
    RunOptions ro;
    ro.strategy = &obs;
    ro.machine.max_steps = o.max_steps;
    const GupStats again = run_counted(s, ro).gup;
    const SpuriousTally::End end = again.kept            ? SpuriousTally::end_kept
                                   : again.read_bails()    ? SpuriousTally::end_read_bail
                                   : again.recheck_bails   ? SpuriousTally::end_recheck_bail
                                                           : SpuriousTally::end_other;
    t.phase[classify(obs.events, gcpu, va)][end]++;
  });
  t.all = e.all();
  t.cut = e.cut;
  return t;
}

const char* sampler_name(Sampler k) {
  switch (k) {
    case Sampler::random: return "random";
    case Sampler::pct2: return "pct d=2";
    case Sampler::pct3: return "pct d=3";
  }
  return "?";
}

SpuriousTally tally_sampled(const Scenario& s, Sampler k, uint64_t seed, uint64_t runs) {
  SpuriousTally t;
  const uint64_t steps = k == Sampler::random ? 0 : pct_estimate_k(s);
  for (uint64_t i = 0; i < runs; i++) {
    std::unique_ptr<Strategy> inner;
    if (k == Sampler::random)
      inner = std::make_unique<RandomStrategy>(seed + i);
    else
      inner = std::make_unique<PctStrategy>(seed + i, k == Sampler::pct2 ? 2 : 3, steps);
    Recording rec(*inner);
    RunOptions ro;
    ro.strategy = &rec;
    const CountedRun cr = run_counted(s, ro);
    t.add(s, cr.r, cr.gup, rec.choices);
  }
  return t;
}

}  // namespace gf
