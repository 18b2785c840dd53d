// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz replay, trace, decode and encode: run a scenario, show its
// interleaving, convert it between its two encodings.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <memory>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/check/pte_check.h"
#include "core/exec/run.h"
#include "core/exec/schedule_form.h"
#include "core/report/report.h"
#include "core/scenario/scenario.h"
#include "repro/cli.h"
#include "repro/load.h"

namespace gf::repro::cli {
namespace {

int cmd_replay(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet, bool unchecked,
               bool json) {
  gf::BugSet bugs;
  std::vector<std::string> files;
  if (const int r = bugs_and_files(bugs_flag, args, bugs, files); r != kClean) return r;
  std::string err;
  int rc = kClean;
  size_t clean = 0, violated = 0;
  for (const auto& f : files) {
    if (is_pte_case_file(f)) {  // a PTE case: gupfuzz pte-check's path
      const int r = run_pte_case_file(f, bugs, quiet, json);
      if (r == kClean) clean++;
      if (r == kViolation) violated++;
      if (r > rc) rc = r;  // bad input outranks a violation, as below
      continue;
    }
    auto l = load_scenario(f, bugs, err);
    if (!l) {
      bad(err);
      rc = kBadInput;
      continue;
    }
    gf::RunOptions o;
    o.machine.unchecked_tables = unchecked;
    gf::RunResult r = gf::run(l->scenario, o);
    if (json) {  // JSON Lines: one report per file (repro/SCHEMA.md)
      if (r.verdict.violated) violated++, rc = rc == kClean ? kViolation : rc;
      else clean++;
      std::printf("%s\n", gf::report_json(l->scenario, run_traced(l->scenario), f).c_str());
      continue;
    }
    if (!r.verdict.violated) {
      clean++;
      if (!quiet) std::printf("%s: clean (%llu steps)\n", f.c_str(), (unsigned long long)r.steps);
      continue;
    }
    violated++;
    if (rc == kClean) rc = kViolation;
    std::fputs(gf::format_report(l->scenario, run_traced(l->scenario), f).c_str(), stdout);
  }
  if (files.size() > 1 && !json)
    std::printf("%zu files: %zu clean, %zu violated, %zu bad\n", files.size(), clean, violated,
                files.size() - clean - violated);
  return rc;
}


int cmd_trace(const std::string& file, const std::string& bugs_flag, bool all, bool color) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  gf::RunResult r = run_traced(l->scenario);
  gf::TraceOptions o{all, color};
  if (r.verdict.violated) {
    std::fputs(gf::format_report(l->scenario, r, file, o).c_str(), stdout);
    return kViolation;
  }
  std::fputs(gf::format_trace(l->scenario, r, o).c_str(), stdout);
  std::printf("clean: no invariant violated in %llu steps\n", (unsigned long long)r.steps);
  return kClean;
}

int cmd_decode(const std::string& file, const std::string& out, const std::string& bugs_flag, bool pte, bool compact,
               bool free_tail) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  if (pte) {
    auto c = gf::repro::load_pte_case(file, bugs, err);
    if (!c) return bad(err);
    return write_or_print(out, gf::pte_case_to_json(*c) + "\n");
  }
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  // The per-step schedule the fuzz bytes' preemption points expand to: the
  // replay truth; or, with --compact, the points (--free-tail: only for the
  // steps a hand-written schedule gives, then the free choice).
  const gf::Scenario s = !compact   ? gf::with_schedule_form(l->scenario, gf::ScheduleForm::steps)
                         : free_tail ? gf::points_of_given_steps(l->scenario)
                                     : gf::with_schedule_form(l->scenario, gf::ScheduleForm::preemptions);
  return write_or_print(out, gf::scenario_to_json(s) + "\n");
}


// Refuses a terminal: the bytes are binary.
int write_bytes(const std::string& out, const std::vector<uint8_t>& bytes) {
  if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
  return write_or_print(out, std::string(bytes.begin(), bytes.end()));
}

// The scenario runs once (with its bugs, so a witness keeps its schedule) to
// turn its schedule into the form asked for (core/exec/schedule_form.h).
int cmd_encode(const std::string& file, const std::string& out, bool steps) {
  std::string err;
  if (is_pte_case_file(file)) {
    auto c = gf::repro::load_pte_case(file, {}, err);
    if (!c) return bad(err);
    return write_bytes(out, gf::encode(*c));
  }
  auto l = load_scenario(file, {}, err);
  if (!l) return bad(err);
  return write_bytes(out, gf::encode(gf::with_schedule_form(
                              l->scenario, steps ? gf::ScheduleForm::steps : gf::ScheduleForm::preemptions)));
}

Run setup_replay(CLI::App& c) {
  struct A { std::vector<std::string> files; std::string bugs; bool quiet = false, json = false, unchecked = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->files, "scenario files or folders")->required();
  add_bugs_option(c, a->bugs);
  c.add_flag("-q,--quiet", a->quiet, "print only violations and the total");
  c.add_flag("--json", a->json, "one JSON report per file, JSON Lines (schema: repro/SCHEMA.md)");
  add_unchecked_tables_flag(c, a->unchecked);
  return [a] { return cmd_replay(a->files, a->bugs, a->quiet, a->unchecked, a->json); };
}

Run setup_trace(CLI::App& c) {
  struct A { std::string file, bugs; bool all = false, color = false, no_color = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->file, "scenario file")->required();
  add_bugs_option(c, a->bugs);
  c.add_flag("--all", a->all, "every shared access, not only the ones that matter");
  c.add_flag("--color", a->color, "colour (default when stdout is a terminal)");
  c.add_flag("--no-color", a->no_color, "no colour");
  return [a] { return cmd_trace(a->file, a->bugs, a->all, (a->color || isatty(1)) && !a->no_color); };
}

Run setup_decode(CLI::App& c) {
  struct A { std::string file, out, bugs; bool pte = false, compact = false, free_tail = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->file, "scenario file")->required();
  add_output_option(c, a->out);
  add_bugs_option(c, a->bugs, "injected bugs to record (default: $GUPFUZZ_BUGS)");
  c.add_flag("--pte", a->pte, "the file is a PTE case (fuzz_pte_norecency bytes or JSON)");
  c.add_flag("--compact", a->compact,
             "the schedule as preemption points (\"preemptions\") instead of the per-step \"schedule\"");
  c.add_flag("--free-tail", a->free_tail,
             "with --compact: points only where a per-step schedule is given; after it the free choice instead "
             "of round robin (the run may differ from there: check it)");
  return [a] { return cmd_decode(a->file, a->out, a->bugs, a->pte, a->compact, a->free_tail); };
}

Run setup_encode(CLI::App& c) {
  struct A { std::string file, out; bool steps = false; };
  auto a = std::make_shared<A>();
  c.add_option("FILE", a->file, "scenario file")->required();
  add_output_option(c, a->out);
  c.add_flag("--steps", a->steps,
             "one schedule byte per step (the encoding before issue 19; fuzz with GUPFUZZ_SCHEDULE=steps)");
  return [a] { return cmd_encode(a->file, a->out, a->steps); };
}

}  // namespace

const Command kReplayCommand{"replay", "run scenario files (JSON or fuzz bytes; folders recursively)", setup_replay};
const Command kTraceCommand{"trace", "print the interleaving in CPU columns", setup_trace};
const Command kDecodeCommand{"decode", "scenario (bytes or JSON) to JSON", setup_decode};
const Command kEncodeCommand{"encode",
                             "JSON scenario or PTE case to fuzz bytes (injected bugs and notes are dropped)",
                             setup_encode};

}  // namespace gf::repro::cli
