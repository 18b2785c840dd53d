// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz_bench: Google Benchmark micro benchmarks of the fuzzing hot path,
// one benchmark per input so a slow scenario shows by name:
//
//   decode/<seed>     decode() of a seed of fuzz_gup_interleave (corpus/fuzz_gup_interleave/)
//   run/<scenario>    one execution of a benign seed (corpus/scenarios/*.json) on
//                     its own schedule, the end-of-run oracles included;
//                     counters: steps per execution, ns_per_step
//   oracle_at_end/<scenario>  the end-of-run oracles alone, on the state the
//                     scenario ends in when its CPUs run one after another
//   mix/seeds         what fuzz_gup_interleave does for one input (decode into a
//                     reused scenario, run), cycling through its shipped seeds
//   mix/seeds/no_contracts  the same with the contract oracles off (folio
//                     lifetime, the getters' read contracts): what they cost
//   mix/grown         the same over the inputs of $GUPFUZZ_BENCH_MIX, a corpus
//                     libFuzzer grew (bench/run.sh: its throughput run's), whose
//                     scenarios are longer than the seeds: the model's share of
//                     a fuzzing execution, without libFuzzer's own work
//
// bench/run.sh runs it in a Release build and in the fuzz preset's ASan+UBSan
// build and puts the figures in bench/REPORT.md.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <functional>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/mm/machine.h"
#include "core/oracle/oracle.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> files_in(const fs::path& dir, const std::string& ext) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.is_regular_file() && (ext.empty() || e.path().extension() == ext)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(f), {}};
}

void bm_decode(benchmark::State& st, std::vector<uint8_t> bytes) {
  gf::Scenario s;
  for (auto _ : st) {
    gf::decode(bytes, s);  // as the fuzz target does: into a reused scenario
    benchmark::DoNotOptimize(s);
  }
  st.SetBytesProcessed(int64_t(st.iterations()) * int64_t(bytes.size()));
}

// Steps per execution, and seconds per step over the whole loop (shown in ns by the report).
void step_counters(benchmark::State& st, uint64_t steps) {
  if (st.iterations()) st.counters["steps"] = double(steps) / double(st.iterations());
  st.counters["ns_per_step"] = benchmark::Counter(double(steps) * 1e-9, benchmark::Counter::kIsRate |
                                                                             benchmark::Counter::kInvert);
}

// One run of s inside a benchmark loop, its steps added to `steps`; false,
// the benchmark skipped with `error`, when it violated an invariant.
bool counted_run(benchmark::State& st, const gf::Scenario& s, uint64_t& steps, const char* error,
                 gf::Judge* judge = nullptr) {
  gf::RunOptions o;
  o.judge = judge;
  gf::RunResult r = gf::run(s, o);
  if (r.verdict.violated) {
    st.SkipWithError(error);
    return false;
  }
  steps += r.steps;
  benchmark::DoNotOptimize(r);
  return true;
}

void bm_run(benchmark::State& st, gf::Scenario s) {
  uint64_t steps = 0;
  for (auto _ : st)
    if (!counted_run(st, s, steps, "a benign seed violated an invariant")) break;
  step_counters(st, steps);
}

// The oracles without the contract checks (core/oracle/contracts.h): every
// other call forwarded.  For mix/*/no_contracts only.
class NoContracts final : public gf::Judge {
 public:
  gf::Judge& o = gf::oracles();
  void norecency_compare(gf::Machine& m, gf::pteval_t a, gf::pteval_t b, bool same) override {
    o.norecency_compare(m, a, b, same);
  }
  void pin_kept(gf::Machine& m, int cpu, int va, uint64_t pfn, bool write, uint64_t grab_step) override {
    o.pin_kept(m, cpu, va, pfn, write, grab_step);
  }
  void gup_returns(gf::Machine& m, int cpu, int first) override { o.gup_returns(m, cpu, first); }
  void cow_copy(gf::Machine& m, int cpu, int va, uint64_t old) override { o.cow_copy(m, cpu, va, old); }
  void migration_replaces(gf::Machine& m, int cpu, int va, uint64_t old) override {
    o.migration_replaces(m, cpu, va, old);
  }
  void folio_access(gf::Machine&, const gf::Access&) override {}
  void folio_changed(gf::Machine&, const gf::Folio&, const char*) override {}
  void folio_freed(gf::Machine& m, gf::Folio& head) override { o.folio_freed(m, head); }
  void pte_read(gf::Machine&, gf::PteGetter, const gf::PteTable*, uint32_t, int, uint64_t, gf::pteval_t) override {}
  void young_cleared(gf::Machine&, const gf::PteTable*, uint32_t, int, uint64_t, bool) override {}
  void device_refault(gf::Machine& m, int cpu, int va, bool write, uint64_t since) override {
    o.device_refault(m, cpu, va, write, since);
  }
  void pmd_read(gf::Machine&, int, int, gf::pmdval_t) override {}  // a read contract too
  void at_end(gf::Machine& m) override { o.at_end(m); }
};

void bm_mix(benchmark::State& st, const std::vector<std::vector<uint8_t>>& inputs, bool contracts) {
  gf::Scenario s;
  uint64_t steps = 0;
  size_t k = 0;
  NoContracts off;
  for (auto _ : st) {
    const std::vector<uint8_t>& in = inputs[k++ % inputs.size()];
    gf::decode(in, s);
    if (!counted_run(st, s, steps, "an input of the mix violated an invariant", contracts ? nullptr : &off)) break;
  }
  st.counters["inputs"] = double(inputs.size());
  step_counters(st, steps);
}

std::vector<std::vector<uint8_t>> inputs_in(const fs::path& dir) {
  std::vector<std::vector<uint8_t>> out;
  for (const auto& p : files_in(dir, "")) {
    const std::string b = slurp(p);
    out.emplace_back(b.begin(), b.end());
  }
  return out;
}

// The end state: layout, then each CPU's whole program in turn on this
// thread (the stress program's driver, core/exec/threads.h, without threads).
void bm_oracle_at_end(benchmark::State& st, gf::Scenario s) {
  gf::MachineOptions mo;
  mo.threaded = true;
  const std::unique_ptr<gf::Machine> owned = gf::new_machine(s, mo);
  gf::Machine& m = *owned;
  gf::build_layout(m);
  for (int c = 0; c < int(s.cpus.size()) && !m.exec.verdict.violated; c++) {
    gf::ExecCtx ctx = gf::threaded_ctx(m, c);
    gf::ExecCtx* saved = gf::tl_exec;
    gf::tl_exec = &ctx;
    gf::run_cpu_threaded(m, c);
    gf::tl_exec = saved;
  }
  if (m.exec.verdict.violated) {
    st.SkipWithError("the sequential run violated an invariant");
    return;
  }
  for (auto _ : st) {
    m.judge->at_end(m);
    benchmark::DoNotOptimize(m.exec.verdict);
  }
  if (m.exec.verdict.violated) st.SkipWithError("oracle_at_end reported a violation");
}

void register_all() {
  const fs::path src = GUPFUZZ_SOURCE_DIR;
  for (const auto& p : files_in(src / "corpus/fuzz_gup_interleave", "")) {
    const std::string b = slurp(p);
    benchmark::RegisterBenchmark(("decode/" + p.filename().string()).c_str(), bm_decode,
                                 std::vector<uint8_t>(b.begin(), b.end()));
  }
  static const std::vector<std::vector<uint8_t>> seeds = inputs_in(src / "corpus/fuzz_gup_interleave");
  if (!seeds.empty()) {
    benchmark::RegisterBenchmark("mix/seeds", bm_mix, std::cref(seeds), true);
    benchmark::RegisterBenchmark("mix/seeds/no_contracts", bm_mix, std::cref(seeds), false);
  }
  if (const char* dir = std::getenv("GUPFUZZ_BENCH_MIX")) {
    static const std::vector<std::vector<uint8_t>> grown = inputs_in(dir);
    if (!grown.empty()) {
      benchmark::RegisterBenchmark("mix/grown", bm_mix, std::cref(grown), true);
      benchmark::RegisterBenchmark("mix/grown/no_contracts", bm_mix, std::cref(grown), false);
    }
  }
  for (const auto& p : files_in(src / "corpus/scenarios", ".json")) {
    gf::ParseError err;
    auto s = gf::scenario_from_json(slurp(p), err);
    if (!s) continue;
    const std::string name = p.stem().string();
    benchmark::RegisterBenchmark(("run/" + name).c_str(), bm_run, *s);
    benchmark::RegisterBenchmark(("oracle_at_end/" + name).c_str(), bm_oracle_at_end, *s);
  }
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
