// SPDX-License-Identifier: GPL-2.0
#include "core/spurious.h"

#include <memory>
#include <vector>

#include "core/strategies.h"

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

}  // namespace

void SpuriousTally::add(const Scenario& s, const RunResult& r, std::span<const uint8_t> choices) {
  executions++;
  attempts += uint64_t(r.gup.attempts);
  rechecks += uint64_t(r.gup.rechecks);
  recheck_bails += uint64_t(r.gup.recheck_bails);
  pmd_bails += uint64_t(r.gup.pmd_bails);
  spurious += uint64_t(r.gup.spurious);
  cont_only += uint64_t(r.gup.cont_only);
  if (r.verdict.violated) (r.verdict.oracle == Oracle::no_progress ? budget : violations)++;
  if (r.gup.spurious && !has_example && choices.size() <= size_t(MAX_SCHEDULE)) {
    has_example = true;
    example = s;
    example.schedule.assign(choices.begin(), choices.end());
    example_was = r.gup.spurious_was;
    example_now = r.gup.spurious_now;
    example_replays = run(example).gup.spurious > 0;
  }
}

SpuriousTally tally_schedules(const Scenario& s, const EachOptions& o) {
  SpuriousTally t;
  const EachResult e = for_each_schedule(
      s, o, [&](const RunResult& r, std::span<const uint8_t> choices, int) { t.add(s, r, choices); });
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
    t.add(s, run(s, ro), rec.choices);
  }
  return t;
}

}  // namespace gf
