// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz_strategy_ttb: time to bug of the model's scheduling strategies
// (core/sched/strategies.h, core/exec/explore.h) on the witness scenarios of the
// machine's injected bugs, with the witness's own schedule removed — the
// operations and the layout stay, only who picks the next CPU differs.
//
//   random      RandomStrategy, a fresh seed per execution drawn from the trial's seed
//   pct1..pct3  PctStrategy with d = 1, 2, 3 and k = pct_estimate_k() (the round-robin run)
//   exhaustive  explore(): iterative context bounding up to --preemptions; one
//               deterministic search, so one "trial"
//
// Trials t = 1..N use seed t: executions-to-bug is a function of the seeds
// and of the budget only (the wall-clock limit, when it is what stops a
// trial, is the one thing that can change from run to run).  The same
// strategies on the scenario without its bug give the correct-model runs
// (--correct-execs): they must find nothing.
//
// --seeds: the same start as the fuzzer (issue 19).  No witness: the seed
// scenarios libFuzzer starts from (corpus/scenarios/*.json, of which
// corpus/fuzz_gup_interleave/ holds the byte encodings, one for one), their
// schedules dropped, with one bug injected (Scenario::bugs) at a time.
// Execution i of trial t runs seed i mod n (the files in sorted order) under a
// strategy whose seed is a function of (t, i) only, until the bug's oracle
// fires or the budget ends:
//
//   random_seeds      RandomStrategy
//   pct1..3_seeds     PctStrategy, k = pct_estimate_k() of that seed scenario
//   rr_seeds          round robin (each step to the next runnable CPU): one
//                     schedule per seed, so one deterministic pass of n
//                     executions, one "trial" — it finds the bug there or never
//
// Output: JSON Lines (schema gupfuzz-strategy-ttb/1), one object per witness
// × strategy (or per bug × strategy with --seeds, "witness" null, "seeds" the
// files and "found_by" the seed that hit the bug in each trial), for bench/report.py (the exhaustive strategy's search itself
// under "explore", as `gupfuzz explore --json` writes it); or with --explore
// FILE, one gupfuzz-explore/1 object (repro/SCHEMA.md) with the cost of every
// schedule of FILE up to --preemptions (the exhaustive targets of issue 8)
// and "steps_per_cpu".
//
// Usage:
//   gupfuzz_strategy_ttb [--trials N] [--max-execs E] [--max-seconds S]
//       [--strategies random,pct1,pct2,pct3,exhaustive] [--preemptions C]
//       [--correct-execs M] [--correct-explore-execs X] WITNESS.json...
//   gupfuzz_strategy_ttb --seeds [--bugs a,b] [--trials N] [--max-execs E] [--max-seconds S]
//       [--strategies random,pct1,pct2,pct3,rr] [--correct-execs M] SEED.json|DIR...
//       (a DIR: its *.json; --bugs default: every machine bug of core/base/bugs.def)
//   gupfuzz_strategy_ttb --explore FILE [--preemptions C] [--max-execs E]
// Exit codes: 0 done (found or not: the numbers are the result), 2 bad input.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/exec/explore.h"
#include "core/base/ids.h"
#include "core/base/rng.h"
#include "core/exec/run.h"
#include "core/report/report.h"
#include "core/scenario/scenario.h"
#include "core/sched/strategies.h"

namespace {

using Clock = std::chrono::steady_clock;
using nlohmann::ordered_json;

struct Options {
  int trials = 10;
  uint64_t max_execs = 20000;  // per trial
  double max_seconds = 0;      // per trial; 0: no limit
  int preemptions = 3;
  uint64_t correct_execs = 0;          // per witness and randomized strategy
  uint64_t correct_explore_execs = 0;  // the exhaustive search on the correct model (0: correct_execs)
  std::vector<std::string> strategies{"random", "pct1", "pct2", "pct3", "exhaustive"};
  bool seeds = false;     // --seeds: the seed scenarios, no witness
  gf::BugSet only_bugs;   // --bugs (with --seeds); empty: every machine bug
};

int bad(const std::string& msg) {
  std::fprintf(stderr, "gupfuzz_strategy_ttb: %s\n", msg.c_str());
  return 2;
}

bool load(const std::string& path, gf::Scenario& out, std::string& err) {
  std::ifstream f(path);
  if (!f) {
    err = path + ": cannot open";
    return false;
  }
  std::stringstream ss;
  ss << f.rdbuf();
  gf::ParseError pe;
  auto s = gf::scenario_from_json(ss.str(), pe);
  if (!s) {
    err = path + ": " + pe.message;
    return false;
  }
  out = *s;
  return true;
}

double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// One trial: executions until the first violation, within the budget.
struct Trial {
  bool found = false;
  uint64_t executions = 0;  // run, including the one that found
  uint64_t steps = 0;
  double seconds = 0;
  gf::Oracle oracle{};
};

// The trials of one strategy on one bug, as the report reads them.
struct Tally {
  ordered_json execs = ordered_json::array(), secs = ordered_json::array();
  std::map<std::string, int> oracles;
  uint64_t total = 0, steps = 0, found = 0;
  double total_s = 0;
  void add(const Trial& r) {
    total += r.executions;
    steps += r.steps;
    total_s += r.seconds;
    if (r.found) {
      found++;
      execs.push_back(r.executions);
      secs.push_back(r.seconds);
      oracles[std::string(gf::info(r.oracle).id)]++;
    } else {
      execs.push_back(nullptr);
      secs.push_back(nullptr);
    }
  }
  // `found_by`: the seed that found it in each trial (same-start baselines).
  void write(ordered_json& j, const ordered_json* found_by = nullptr) const {
    j["found"] = found;
    j["executions_to_bug"] = execs;
    j["seconds_to_bug"] = secs;
    if (found_by) j["found_by"] = *found_by;
    j["oracles"] = oracles;
    j["executions_run"] = total;
    j["steps_run"] = steps;
    j["seconds_run"] = total_s;
  }
};

// `depth` 0: random; 1..3: PCT of that depth.
Trial run_trial(const gf::Scenario& s, int depth, uint64_t k, uint64_t seed, const Options& o, uint64_t max_execs) {
  Trial t;
  gf::Rng rng{seed};
  const auto t0 = Clock::now();
  for (uint64_t e = 0; e < max_execs; e++) {
    gf::RunResult r;
    if (depth == 0) {
      gf::RandomStrategy st(rng.next());
      r = gf::run(s, {.machine = {}, .strategy = &st});
    } else {
      gf::PctStrategy st(rng.next(), depth, k);
      r = gf::run(s, {.machine = {}, .strategy = &st});
    }
    t.executions++;
    t.steps += r.steps;
    if (r.verdict.violated) {
      t.found = true;
      t.oracle = r.verdict.oracle;
      break;
    }
    if (o.max_seconds > 0 && (e & 63) == 63 && since(t0) > o.max_seconds) break;
  }
  t.seconds = since(t0);
  return t;
}

// `s` without its injected bug is the correct model: "bug" still names the
// witness's, "correct_model" says it was off.
ordered_json header(const std::string& file, const gf::Scenario& s, const std::string& strategy,
                    const gf::BugSet& witness_bugs) {
  std::string bugs;
  for (int b = 0; b < gf::NR_BUGS; b++)
    if (witness_bugs.has(gf::Bug(b))) {
      if (!bugs.empty()) bugs += ',';
      bugs += gf::info(gf::Bug(b)).id;
    }
  return ordered_json{{"schema", "gupfuzz-strategy-ttb/1"},
                      {"witness", file},
                      {"bug", bugs.empty() ? "none" : bugs},
                      {"correct_model", s.bugs.empty()},
                      {"arch", gf::arch_name(s.arch)},
                      {"cpus", s.cpus.size()},
                      {"strategy", strategy}};
}

void emit(const ordered_json& j) {
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

// The randomized strategies, N trials on `s`.
void sampled(const std::string& file, const gf::Scenario& s, const gf::BugSet& wb, const std::string& name, int depth,
             const Options& o) {
  const uint64_t k = depth ? gf::pct_estimate_k(s) : 0;
  ordered_json j = header(file, s, name, wb);
  if (depth) j["pct_k"] = k;
  j["trials"] = o.trials;
  j["budget_executions"] = o.max_execs;
  j["budget_seconds"] = o.max_seconds;
  Tally tally;
  for (int t = 1; t <= o.trials; t++) tally.add(run_trial(s, depth, k, uint64_t(t), o, o.max_execs));
  tally.write(j);
  emit(j);
}

// gf::explore() within the options' bounds; secs = how long it took.
gf::ExploreResult timed_explore(const gf::Scenario& s, const Options& o, double& secs) {
  gf::ExploreOptions eo;
  eo.max_preemptions = o.preemptions;
  eo.max_executions = o.max_execs;
  const auto t0 = Clock::now();
  gf::ExploreResult r = gf::explore(s, eo);
  secs = since(t0);
  return r;
}

void exhaustive(const std::string& file, const gf::Scenario& s, const gf::BugSet& wb, const Options& o) {
  double secs = 0;
  const gf::ExploreResult r = timed_explore(s, o, secs);
  ordered_json j = header(file, s, "exhaustive", wb);
  j["trials"] = 1;
  j["budget_executions"] = o.max_execs;
  j["found"] = r.found ? 1 : 0;
  j["executions_to_bug"] = r.found ? ordered_json::array({r.executions}) : ordered_json::array({nullptr});
  j["seconds_to_bug"] = r.found ? ordered_json::array({secs}) : ordered_json::array({nullptr});
  if (r.found) j["oracles"] = {{std::string(gf::info(r.verdict.oracle).id), 1}};
  else j["oracles"] = ordered_json::object();
  j["executions_run"] = r.executions;
  j["steps_run"] = r.steps;
  j["seconds_run"] = secs;
  // The search itself, as gupfuzz explore --json writes it (gupfuzz-explore/1).
  j["explore"] = ordered_json::parse(gf::explore_json(file, s, o.preemptions, r, secs));
  emit(j);
}

// --explore: the cost of every schedule up to the bound (no bug expected).
int explore_cost(const std::string& file, const Options& o) {
  gf::Scenario s;
  std::string err;
  if (!load(file, s, err)) return bad(err);
  // Steps per CPU when it runs alone, the "CPUs x steps" of the target.
  ordered_json per_cpu = ordered_json::array();
  for (size_t c = 0; c < s.cpus.size(); c++) {
    gf::Scenario one = s;
    gf::set_steps(one, std::vector<uint8_t>(1, uint8_t(c)));
    for (size_t d = 0; d < s.cpus.size(); d++)
      if (d != c) one.cpus[d].clear();
    per_cpu.push_back(gf::run(one).steps);
  }
  double secs = 0;
  const gf::ExploreResult r = timed_explore(s, o, secs);
  // gupfuzz explore --json's object (one writer, one key set), and the cost of the scenario.
  ordered_json j = ordered_json::parse(gf::explore_json(file, s, o.preemptions, r, secs));
  j["steps_per_cpu"] = per_cpu;
  emit(j);
  return 0;
}

// --- --seeds: the fuzzer's start --------------------------------------------

struct Seed {
  std::string file;  // the name the report shows (the file's base name)
  gf::Scenario s;    // schedule dropped, bugs as the run needs them
  uint64_t k = 0;    // PCT's k: the steps of its round-robin run (with the bug)
};

// The strategy seed of execution i in trial t: a function of both only.
uint64_t exec_seed(int t, uint64_t i) {
  gf::Rng r{(uint64_t(t) << 40) ^ i};
  return r.next();
}

struct SeedTrial : Trial {
  std::string found_by;
};

// depth 0: random; 1..3: PCT; -1: round robin (the scenario's empty schedule).
SeedTrial seeds_trial(const std::vector<Seed>& seeds, int depth, int t, const Options& o, uint64_t max_execs) {
  SeedTrial tr;
  const auto t0 = Clock::now();
  for (uint64_t e = 0; e < max_execs; e++) {
    const Seed& sd = seeds[e % seeds.size()];
    gf::RunResult r;
    if (depth < 0) {
      r = gf::run(sd.s);  // no schedule: round robin from the first step
    } else if (depth == 0) {
      gf::RandomStrategy st(exec_seed(t, e));
      r = gf::run(sd.s, {.machine = {}, .strategy = &st});
    } else {
      gf::PctStrategy st(exec_seed(t, e), depth, sd.k);
      r = gf::run(sd.s, {.machine = {}, .strategy = &st});
    }
    tr.executions++;
    tr.steps += r.steps;
    if (r.verdict.violated) {
      tr.found = true;
      tr.oracle = r.verdict.oracle;
      tr.found_by = sd.file;
      break;
    }
    if (o.max_seconds > 0 && (e & 63) == 63 && since(t0) > o.max_seconds) break;
  }
  tr.seconds = since(t0);
  return tr;
}

// One line: `bug` injected into every seed (none: the correct model).
void seeds_line(std::vector<Seed> seeds, const std::string& bug, const gf::BugSet& bugs, const std::string& name,
                const Options& o) {
  const bool rr = name == "rr";
  const int depth = rr ? -1 : name == "random" ? 0 : name[3] - '0';
  ordered_json files = ordered_json::array();
  for (auto& sd : seeds) {
    sd.s.bugs = bugs;
    if (depth > 0) sd.k = gf::pct_estimate_k(sd.s);
    files.push_back(sd.file);
  }
  const int trials = rr ? 1 : o.trials;
  const uint64_t budget = rr ? std::min<uint64_t>(o.max_execs, seeds.size()) : o.max_execs;
  ordered_json j{{"schema", "gupfuzz-strategy-ttb/1"},
                 {"witness", nullptr},
                 {"seeds", files},
                 {"bug", bug},
                 {"correct_model", bugs.empty()},
                 {"strategy", name + "_seeds"},
                 {"trials", trials},
                 {"budget_executions", budget},
                 {"budget_seconds", o.max_seconds}};
  Tally tally;
  ordered_json by = ordered_json::array();
  for (int t = 1; t <= trials; t++) {
    const SeedTrial r = seeds_trial(seeds, depth, t, o, budget);
    tally.add(r);
    by.push_back(r.found ? ordered_json(r.found_by) : ordered_json(nullptr));
  }
  tally.write(j, &by);
  emit(j);
}

// A seed argument: a JSON file, or a folder of them (its *.json, sorted).
bool load_seeds(const std::vector<std::string>& args, std::vector<Seed>& out, std::string& err) {
  std::vector<std::string> files;
  for (const auto& a : args) {
    std::error_code ec;
    if (std::filesystem::is_directory(a, ec)) {
      std::vector<std::string> in;
      for (const auto& e : std::filesystem::directory_iterator(a, ec))
        if (e.path().extension() == ".json") in.push_back(e.path().string());
      if (in.empty()) {
        err = a + ": no *.json seed scenarios";
        return false;
      }
      std::sort(in.begin(), in.end());
      files.insert(files.end(), in.begin(), in.end());
    } else {
      files.push_back(a);
    }
  }
  for (const auto& f : files) {
    Seed sd;
    if (!load(f, sd.s, err)) return false;
    if (!sd.s.bugs.empty()) {
      err = f + ": a seed carries no injected bugs (corpus/README.md); --bugs injects them";
      return false;
    }
    gf::set_steps(sd.s, {});  // the strategy schedules
    sd.file = std::filesystem::path(f).filename().string();
    out.push_back(std::move(sd));
  }
  return true;
}

int seeds_mode(const std::vector<std::string>& args, const Options& o) {
  std::vector<Seed> seeds;
  std::string err;
  if (!load_seeds(args, seeds, err)) return bad(err);
  for (const auto& name : o.strategies)
    if (name == "exhaustive") return bad("--seeds: no exhaustive strategy (random, pct1, pct2, pct3, rr)");
  for (int b = 0; b < gf::NR_BUGS; b++) {
    const gf::Bug bug = gf::Bug(b);
    if (o.only_bugs.empty() ? !gf::info(bug).where.empty() : !o.only_bugs.has(bug)) continue;
    gf::BugSet one;
    one.add(bug);
    for (const auto& name : o.strategies) seeds_line(seeds, std::string(gf::info(bug).id), one, name, o);
  }
  if (o.correct_execs) {
    Options c = o;
    c.trials = 1;
    c.max_execs = o.correct_execs;
    c.max_seconds = 0;
    for (const auto& name : o.strategies) seeds_line(seeds, "none", {}, name, c);
  }
  return 0;
}

bool parse_num(const char* s, double& out) {
  char* end = nullptr;
  out = std::strtod(s, &end);
  return end && *end == 0 && end != s && out >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  std::vector<std::string> files;
  std::string explore_file;
  bool strategies_given = false;
  for (int i = 1; i < argc; i++) {
    const std::string a = argv[i];
    auto value = [&](double& v) {
      if (i + 1 >= argc || !parse_num(argv[i + 1], v)) return false;
      i++;
      return true;
    };
    double v = 0;
    if (a == "--trials" && value(v) && v >= 1) o.trials = int(v);
    else if (a == "--max-execs" && value(v)) o.max_execs = uint64_t(v);
    else if (a == "--max-seconds" && value(v)) o.max_seconds = v;
    else if (a == "--preemptions" && value(v)) o.preemptions = int(v);
    else if (a == "--correct-execs" && value(v)) o.correct_execs = uint64_t(v);
    else if (a == "--correct-explore-execs" && value(v)) o.correct_explore_execs = uint64_t(v);
    else if (a == "--strategies" && i + 1 < argc) {
      strategies_given = true;
      o.strategies.clear();
      std::stringstream ss(argv[++i]);
      for (std::string x; std::getline(ss, x, ',');) {
        if (x != "random" && x != "pct1" && x != "pct2" && x != "pct3" && x != "exhaustive" && x != "rr")
          return bad("unknown strategy '" + x + "' (random, pct1, pct2, pct3, exhaustive; rr with --seeds)");
        o.strategies.push_back(x);
      }
    } else if (a == "--seeds") {
      o.seeds = true;
    } else if (a == "--bugs" && i + 1 < argc) {
      gf::ParseError pe;
      auto b = gf::parse_bug_list(argv[++i], pe);
      if (!b || b->empty()) return bad("--bugs: " + (b ? std::string("empty list") : pe.message));
      o.only_bugs = *b;
    } else if (a == "--explore" && i + 1 < argc) explore_file = argv[++i];
    else if (a.starts_with("-")) return bad("bad option or value: " + a + " (see the comment at the top of bench/strategy_ttb.cc)");
    else files.push_back(a);
  }
  if (!explore_file.empty()) return explore_cost(explore_file, o);
  if (o.seeds) {
    if (files.empty()) return bad("--seeds: no seed scenarios (e.g. corpus/scenarios)");
    if (!strategies_given) o.strategies = {"random", "pct1", "pct2", "pct3", "rr"};
    return seeds_mode(files, o);
  }
  if (!o.only_bugs.empty()) return bad("--bugs goes with --seeds (a witness carries its bug)");
  for (const auto& name : o.strategies)
    if (name == "rr") return bad("rr goes with --seeds (on a witness, exhaustive covers it)");
  if (files.empty()) return bad("no witness files");
  for (const auto& f : files) {
    gf::Scenario s;
    std::string err;
    if (!load(f, s, err)) return bad(err);
    gf::set_steps(s, {});  // ops and layout fixed; the strategy schedules
    for (const auto& name : o.strategies) {
      if (name == "exhaustive") exhaustive(f, s, s.bugs, o);
      else sampled(f, s, s.bugs, name, name == "random" ? 0 : name[3] - '0', o);
    }
    if (o.correct_execs) {
      gf::Scenario ok = s;
      ok.bugs = {};
      Options c = o;
      c.trials = 1;
      c.max_execs = o.correct_execs;
      c.max_seconds = 0;
      for (const auto& name : o.strategies) {
        if (name == "exhaustive") {
          Options x = c;
          if (o.correct_explore_execs) x.max_execs = o.correct_explore_execs;
          exhaustive(f, ok, s.bugs, x);
        }
        else sampled(f, ok, s.bugs, name, name == "random" ? 0 : name[3] - '0', c);
      }
    }
  }
  return 0;
}
