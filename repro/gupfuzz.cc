// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz: replay, trace and convert scenarios; list injected bugs and oracles.
// The crash commands (minimize, triage) are in crash_commands.cc, the
// PTE-level ones (audit, pte, pte-check, archs) in pte_commands.cc, explore
// in explore_commands.cc, spurious in spurious_commands.cc.
// Exit codes mean one thing each: 0 clean, 1 an invariant was violated,
// 2 bad input or bad arguments.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/check/audit.h"
#include "core/arch/norecency.h"
#include "core/check/pte_check.h"
#include "core/report/report.h"
#include "core/decoder/semantic.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"
#include "repro/cli.h"
#include "repro/load.h"

namespace {

using gf::repro::load_scenario;

using namespace gf::repro::cli;

int cmd_replay(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet, bool unchecked,
               bool json) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> files;
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
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

int cmd_decode(const std::string& file, const std::string& out, const std::string& bugs_flag, bool pte) {
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
  return write_or_print(out, gf::scenario_to_json(l->scenario) + "\n");
}

int cmd_encode(const std::string& file, const std::string& out) {
  std::string err;
  if (is_pte_case_file(file)) {
    auto c = gf::repro::load_pte_case(file, {}, err);
    if (!c) return bad(err);
    if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
    auto bytes = gf::encode(*c);
    return write_or_print(out, std::string(bytes.begin(), bytes.end()));
  }
  auto l = load_scenario(file, {}, err);
  if (!l) return bad(err);
  if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
  auto bytes = gf::encode(l->scenario);
  return write_or_print(out, std::string(bytes.begin(), bytes.end()));
}

int cmd_bugs() {
  std::printf("%-28s %-28s %-9s %s\n", "injected bug", "caught by", "in", "what goes wrong  [kernel reference]");
  for (int i = 0; i < gf::NR_BUGS; i++) {
    const auto& b = gf::info(gf::Bug(i));
    const std::string where = b.where.empty() ? "machine" : b.where == "*" ? "every arch" : std::string(b.where);
    std::printf("%-28.*s %-28.*s %-9s %.*s  [%.*s]\n", int(b.id.size()), b.id.data(),
                int(gf::info(b.oracle).id.size()), gf::info(b.oracle).id.data(), where.c_str(), int(b.text.size()),
                b.text.data(), int(b.kernel_ref.size()), b.kernel_ref.data());
  }
  return kClean;
}

int cmd_oracles() {
  for (int i = 0; i < gf::NR_ORACLES; i++) {
    const auto& o = gf::info(gf::Oracle(i));
    print_row(26, o.id, o.statement);
  }
  return kClean;
}

int cmd_ops() {
  for (int i = 0; i < gf::NR_OPS; i++) {
    const auto& o = gf::info(gf::OpKind(i));
    std::printf("%-10.*s %-12.*s %.*s  [%.*s]\n", int(o.id.size()), o.id.data(), int(o.args.size()), o.args.data(),
                int(o.text.size()), o.text.data(), int(o.kernel.size()), o.kernel.data());
  }
  return kClean;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"gupfuzz: replay, trace and convert GUP-fast race scenarios.\n"
               "Exit codes: 0 clean, 1 invariant violated, 2 bad input or arguments."};
  app.require_subcommand(1);
  std::vector<std::string> files;
  std::string file, out, bugs;
  bool all = false, color = false, no_color = false, quiet = false, unchecked = false;

  auto* replay = app.add_subcommand("replay", "run scenario files (JSON or fuzz bytes; folders recursively)");
  replay->add_option("FILE", files, "scenario files or folders")->required();
  replay->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  replay->add_flag("-q,--quiet", quiet, "print only violations and the total");
  bool json_report = false;
  replay->add_flag("--json", json_report, "one JSON report per file, JSON Lines (schema: repro/SCHEMA.md)");
  replay->add_flag("--unchecked-tables", unchecked,
                   "diagnostic: let walkers really touch freed PTE tables (for AddressSanitizer to report)");

  auto* trace = app.add_subcommand("trace", "print the interleaving in CPU columns");
  trace->add_option("FILE", file, "scenario file")->required();
  trace->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  trace->add_flag("--all", all, "every shared access, not only the ones that matter");
  trace->add_flag("--color", color, "colour (default when stdout is a terminal)");
  trace->add_flag("--no-color", no_color, "no colour");

  auto* dec = app.add_subcommand("decode", "scenario (bytes or JSON) to JSON");
  dec->add_option("FILE", file, "scenario file")->required();
  dec->add_option("-o,--output", out, "write here (atomically) instead of stdout");
  dec->add_option("--bugs", bugs, "injected bugs to record (default: $GUPFUZZ_BUGS)");
  bool pte_bytes = false;
  dec->add_flag("--pte", pte_bytes, "the file is a PTE case (fuzz_pte_norecency bytes or JSON)");

  auto* enc = app.add_subcommand("encode", "JSON scenario or PTE case to fuzz bytes (injected bugs and notes are dropped)");
  enc->add_option("FILE", file, "scenario file")->required();
  enc->add_option("-o,--output", out, "write here (atomically) instead of stdout");

  std::vector<std::string> arch_names;
  std::string arch_one, value;
  bool json = false, markdown = false;
  int max_bits = 24;
  auto* audit = app.add_subcommand("audit", "every architecture x predicate GUP-fast consults: does a stale "
                                            "young/dirty change the answer? (exit 1 on an unsafe or spurious cell)");
  audit->add_option("--arch", arch_names, "architectures (default: all; see gupfuzz archs)");
  audit->add_option("--bugs", bugs, "injected helper bugs to audit instead of the correct models");
  audit->add_flag("--json", json, "JSON (schema gupfuzz-audit/1)");
  audit->add_flag("--markdown", markdown, "the README table");
  audit->add_option("--max-bits", max_bits, "enumerate exhaustively up to 2^N entries, else sample (default 24)");
  audit->add_option("-o,--output", out, "write here (atomically) instead of stdout");

  auto* pte = app.add_subcommand("pte", "decode a raw page-table entry into its named fields");
  pte->add_option("--arch", arch_one, "architecture (see gupfuzz archs)")->required();
  pte->add_option("VALUE", value, "the entry, 0x... or decimal")->required();
  pte->add_flag("--json", json, "JSON");

  auto* pte_check = app.add_subcommand("pte-check", "run PTE cases (fuzz_pte_norecency inputs, JSON or bytes)");
  pte_check->add_option("FILE", files, "PTE case files or folders")->required();
  pte_check->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  pte_check->add_flag("-q,--quiet", quiet, "print only violations");

  std::string min_out;
  auto* minimize = app.add_subcommand("minimize", "shrink a violating scenario, keeping its invariant and bugs");
  minimize->add_option("FILE", file, "scenario file (JSON or bytes)")->required();
  minimize->add_option("-o,--output", min_out, "write PREFIX.json and PREFIX.bin (default: FILE.min.*)");
  minimize->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");

  auto* triage = app.add_subcommand("triage", "group crash files by signature (invariant, operation, access, arch)");
  triage->add_option("DIR", files, "crash files or folders")->required();
  triage->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  triage->add_flag("--json", json, "JSON (schema gupfuzz-triage/1)");
  bool triage_pte = false;
  triage->add_flag("--pte", triage_pte, "byte files are PTE cases (fuzz_pte_norecency crashes)");

  double stress_seconds = 10, hang_seconds = 30;
  uint64_t stress_iterations = 0, stress_seed = 1;
  uint32_t stress_jitter = 256;
  auto* stress = app.add_subcommand("stress", "run scenarios on real threads, one per CPU (TSan build: make stress); "
                                              "stops at the first oracle report or ThreadSanitizer race");
  stress->add_option("FILE", files, "scenario files or folders (round robin)")->required();
  stress->add_option("--bugs", bugs, "injected bugs for every scenario (default: $GUPFUZZ_BUGS)");
  stress->add_option("--seconds", stress_seconds, "time budget (default 10)");
  stress->add_option("--iterations", stress_iterations, "execution budget instead of --seconds");
  stress->add_option("--seed", stress_seed, "seed of the start jitter (default 1)");
  stress->add_option("--jitter", stress_jitter, "each CPU spins 0..N pauses before it starts (default 256)");
  stress->add_option("--hang-seconds", hang_seconds, "an execution this long is a hang (default 30)");
  stress->add_flag("--unchecked-tables", unchecked,
                   "diagnostic: let walkers really touch freed PTE tables (for AddressSanitizer to report)");
  stress->add_flag("--json", json, "one JSON summary (schema gupfuzz-stress/1)");

  int explore_preemptions = 2;
  uint64_t explore_max = 0;
  auto* explore = app.add_subcommand("explore", "every schedule of a scenario up to a preemption bound: "
                                                "no violation, or the one needing the fewest preemptions");
  explore->add_option("FILE", file, "scenario file (JSON or bytes)")->required();
  explore->add_option("--preemptions", explore_preemptions, "the bound C (default 2)");
  explore->add_option("--max-schedules", explore_max, "stop after N executions (default: no limit)");
  explore->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");
  explore->add_option("--out", out, "write the violating scenario here (atomically)");
  explore->add_flag("--json", json, "one JSON summary (schema gupfuzz-explore/1)");

  uint64_t spurious_max = 20000, spurious_runs = 2000, spurious_seed = 1;
  int spurious_preemptions = 1000;
  auto* spurious = app.add_subcommand("spurious", "count GUP-fast recheck bails and those without a real change, "
                                                  "mainline against norecency (the study, or FILEs)");
  spurious->add_option("FILE", files, "scenarios to measure over every schedule (default: the study's families)");
  spurious->add_option("--out", out, "write the study's table here (atomically; default stdout)");
  spurious->add_option("--max-schedules", spurious_max, "per exhaustive row and bound (default 20000)");
  spurious->add_option("--runs", spurious_runs, "per sampled row and sampler (default 2000)");
  spurious->add_option("--seed", spurious_seed, "first seed of the sampled rows (default 1)");
  spurious->add_option("--preemptions", spurious_preemptions, "FILEs: the bound (default: none)");
  spurious->add_option("--bugs", bugs, "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)");

  auto* archs_cmd = app.add_subcommand("archs", "list the architecture models of the PTE-level commands");
  auto* bugs_cmd = app.add_subcommand("bugs", "list the injected bugs");
  auto* oracles_cmd = app.add_subcommand("oracles", "list the invariants");
  auto* ops_cmd = app.add_subcommand("ops", "list the operations");

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::string msg = e.what();
    for (char& c : msg)
      if (c == '\n') c = ' ';
    return bad(msg + " (see gupfuzz --help)");
  }

  if (*replay) return cmd_replay(files, bugs, quiet, unchecked, json_report);
  if (*minimize) return cmd_minimize(file, min_out, bugs);
  if (*stress)
    return cmd_stress(files, bugs, stress_seconds, stress_iterations, stress_seed, stress_jitter, unchecked, json,
                      hang_seconds);
  if (*explore) return cmd_explore(file, bugs, explore_preemptions, explore_max, out, json);
  if (*spurious)
    return cmd_spurious(files, bugs, out, spurious_max, spurious_runs, spurious_seed, spurious_preemptions);
  if (*triage) return cmd_triage(files, bugs, json, triage_pte);
  if (*trace) return cmd_trace(file, bugs, all, (color || isatty(1)) && !no_color);
  if (*dec) return cmd_decode(file, out, bugs, pte_bytes);
  if (*enc) return cmd_encode(file, out);
  if (*audit) return cmd_audit(arch_names, bugs, json, markdown, max_bits, out);
  if (*pte) return cmd_pte(arch_one, value, json);
  if (*pte_check) return cmd_pte_check(files, bugs, quiet);
  if (*archs_cmd) return cmd_archs();
  if (*bugs_cmd) return cmd_bugs();
  if (*oracles_cmd) return cmd_oracles();
  if (*ops_cmd) return cmd_ops();
  return kBadInput;
}
