// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz explore: every schedule of one scenario up to a preemption bound
// (core/exec/explore.h).  A kernel developer writes a small scenario by hand and
// gets either a proof up to the bound or the counterexample with the fewest
// preemptions, as a scenario that `gupfuzz replay` reproduces.
//
// Exit codes: 0 no violation (up to the bound, or within --max-schedules),
// 1 a violation, 2 bad input.
#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "core/exec/explore.h"
#include "core/report/report.h"
#include "repro/cli.h"
#include "repro/load.h"

namespace gf::repro::cli {
namespace {

// A bound beyond this enumerates more schedules than anyone can wait for;
// larger values are almost certainly a typo.
constexpr int MAX_PREEMPTIONS = 16;

// The text summary: the report of the violation found, or how far the search got.
void print_explore(const std::string& file, const Scenario& s, int preemptions, const ExploreResult& r,
                   double secs, const std::string& written) {
  const std::string bl = bug_list(s.bugs);
  const double rate = secs > 0 ? double(r.schedules) / secs : 0.0;
  std::printf("explore: %s [%s]%s%s, up to %d preemption%s\n", file.c_str(), arch_name(s.arch),
              bl.empty() ? "" : " bugs: ", bl.c_str(), preemptions, preemptions == 1 ? "" : "s");
  if (r.found) {
    // The one failure shape, on the found schedule, with the command that replays it.
    std::fputs(format_report(r.replay, run_traced(r.replay), written.empty() ? "<explored.json>" : written).c_str(),
               stdout);
    if (r.preemptions == 0)
      std::printf("explore: found with 0 preemptions\n");
    else
      std::printf("explore: found with %d preemption%s, the fewest: every schedule with %d is clean\n",
                  r.preemptions, r.preemptions == 1 ? "" : "s", r.preemptions - 1);
    if (!r.replays)
      std::printf("explore: WARNING: replaying the schedule did not give the same verdict (model not deterministic?)\n");
    if (written.empty()) std::printf("explore: the scenario with this schedule: rerun with --out FILE\n");
    else std::printf("explore: wrote %s\n", written.c_str());
  }
  std::printf("explore: %llu schedules in %.3f s (%.0f schedules/s; %llu runs counting the reruns of smaller "
              "bounds), %llu pruned at the step budget, longest %llu steps\n",
              (unsigned long long)r.schedules, secs, rate, (unsigned long long)r.executions,
              (unsigned long long)r.pruned, (unsigned long long)r.max_depth);
  if (r.found) return;
  if (r.complete)
    std::printf("explore: no violation up to %d preemption%s\n", preemptions, preemptions == 1 ? "" : "s");
  else
    std::printf("explore: no violation in %llu executions (--max-schedules): complete only up to %d "
                "preemption%s\n",
                (unsigned long long)r.executions, r.bound_done, r.bound_done == 1 ? "" : "s");
}

int cmd_explore(const std::string& file, const std::string& bugs_flag, int preemptions, uint64_t max_schedules,
                const std::string& out, bool json) {
  if (preemptions < 0 || preemptions > MAX_PREEMPTIONS)
    return bad("--preemptions must be 0.." + std::to_string(MAX_PREEMPTIONS) + " (got " +
               std::to_string(preemptions) + ")");
  BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  if (is_pte_case_file(file)) return bad(file + ": a PTE case has no CPUs to schedule (use gupfuzz pte-check)");
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  const Scenario& s = l->scenario;

  ExploreOptions o;
  o.max_preemptions = preemptions;
  o.max_executions = max_schedules;
  const auto t0 = std::chrono::steady_clock::now();
  const ExploreResult r = explore(s, o);
  // Wall time is for the report only; it decides nothing.
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::string written;
  if (r.found && !out.empty()) {
    if (!write_atomically(out, scenario_to_json(r.replay) + "\n", err)) return bad(err);
    written = out;
  }
  if (json) std::printf("%s\n", explore_json(file, s, preemptions, r, secs, written).c_str());
  else print_explore(file, s, preemptions, r, secs, written);
  return r.found ? kViolation : kClean;
}

Run setup_explore(CLI::App& c) {
  struct A { std::string file, bugs, out; int preemptions = 2; uint64_t max = 0; bool json = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->file, "scenario file (JSON or bytes)")->required();
  c.add_option("--preemptions", a->preemptions, "the bound C (default 2)");
  c.add_option("--max-schedules", a->max, "stop after N executions (default: no limit)");
  add_bugs_option(c, a->bugs);
  c.add_option("--out", a->out, "write the violating scenario here (atomically)");
  c.add_flag("--json", a->json, "one JSON summary (schema gupfuzz-explore/1)");
  return [a] { return cmd_explore(a->file, a->bugs, a->preemptions, a->max, a->out, a->json); };
}

}  // namespace

const Command kExploreCommand{"explore",
                              "every schedule of a scenario up to a preemption bound: no violation, or the one "
                              "needing the fewest preemptions",
                              setup_explore};

}  // namespace gf::repro::cli
