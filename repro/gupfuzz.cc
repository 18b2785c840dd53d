// SPDX-License-Identifier: GPL-2.0
//
// gupfuzz: replay, trace and convert scenarios; list injected bugs and oracles.
// Exit codes mean one thing each: 0 clean, 1 an invariant was violated,
// 2 bad input or bad arguments.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <unistd.h>
#include <vector>

#include "core/report.h"
#include "core/run.h"
#include "core/scenario.h"
#include "repro/load.h"

namespace {

using gf::repro::load_scenario;

constexpr int kClean = 0, kViolation = 1, kBadInput = 2;

int bad(const std::string& msg) {
  std::fprintf(stderr, "gupfuzz: %s\n", msg.c_str());
  return kBadInput;
}

// Injected bugs for byte inputs: --bugs, else GUPFUZZ_BUGS.
bool bytes_bugs(const std::string& flag, gf::BugSet& out, std::string& err) {
  std::string list = flag;
  if (list.empty())
    if (const char* env = std::getenv("GUPFUZZ_BUGS")) list = env;
  gf::ParseError pe;
  auto set = gf::parse_bug_list(list, pe);
  if (!set) {
    err = (flag.empty() ? "GUPFUZZ_BUGS: " : "--bugs: ") + pe.message;
    return false;
  }
  out = *set;
  return true;
}

gf::RunResult run_traced(const gf::Scenario& s) {
  gf::RunOptions o;
  o.machine.trace = true;
  return gf::run(s, o);
}

int cmd_replay(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet, bool unchecked) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  std::vector<std::string> files;
  if (!gf::repro::expand_paths(args, files, err)) return bad(err);
  int rc = kClean;
  size_t clean = 0, violated = 0;
  for (const auto& f : files) {
    auto l = load_scenario(f, bugs, err);
    if (!l) {
      bad(err);
      rc = kBadInput;
      continue;
    }
    gf::RunOptions o;
    o.machine.unchecked_tables = unchecked;
    gf::RunResult r = gf::run(l->scenario, o);
    if (!r.verdict.violated) {
      clean++;
      if (!quiet) std::printf("%s: clean (%llu steps)\n", f.c_str(), (unsigned long long)r.steps);
      continue;
    }
    violated++;
    if (rc == kClean) rc = kViolation;
    std::fputs(gf::format_report(l->scenario, run_traced(l->scenario), f).c_str(), stdout);
  }
  if (files.size() > 1) std::printf("%zu files: %zu clean, %zu violated, %zu bad\n", files.size(), clean, violated,
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

int write_or_print(const std::string& out, const std::string& data) {
  if (out.empty()) {
    std::fwrite(data.data(), 1, data.size(), stdout);
    return kClean;
  }
  std::string err;
  if (!gf::repro::write_atomically(out, data, err)) return bad(err);
  return kClean;
}

int cmd_decode(const std::string& file, const std::string& out, const std::string& bugs_flag) {
  gf::BugSet bugs;
  std::string err;
  if (!bytes_bugs(bugs_flag, bugs, err)) return bad(err);
  auto l = load_scenario(file, bugs, err);
  if (!l) return bad(err);
  return write_or_print(out, gf::scenario_to_json(l->scenario) + "\n");
}

int cmd_encode(const std::string& file, const std::string& out) {
  std::string err;
  auto l = load_scenario(file, {}, err);
  if (!l) return bad(err);
  if (out.empty() && isatty(1)) return bad("encode: refusing to write binary to a terminal; use -o FILE");
  auto bytes = gf::encode(l->scenario);
  return write_or_print(out, std::string(bytes.begin(), bytes.end()));
}

int cmd_bugs() {
  std::printf("%-28s %-24s %s\n", "injected bug", "caught by", "what goes wrong  [kernel reference]");
  for (int i = 0; i < gf::NR_BUGS; i++) {
    const auto& b = gf::info(gf::Bug(i));
    std::printf("%-28.*s %-24.*s %.*s  [%.*s]\n", int(b.id.size()), b.id.data(), int(gf::info(b.oracle).id.size()),
                gf::info(b.oracle).id.data(), int(b.text.size()), b.text.data(), int(b.kernel_ref.size()),
                b.kernel_ref.data());
  }
  return kClean;
}

int cmd_oracles() {
  for (int i = 0; i < gf::NR_ORACLES; i++) {
    const auto& o = gf::info(gf::Oracle(i));
    std::printf("%-26.*s %.*s\n", int(o.id.size()), o.id.data(), int(o.statement.size()), o.statement.data());
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

  auto* enc = app.add_subcommand("encode", "JSON scenario to fuzz bytes (injected bugs and notes are dropped)");
  enc->add_option("FILE", file, "scenario file")->required();
  enc->add_option("-o,--output", out, "write here (atomically) instead of stdout");

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

  if (*replay) return cmd_replay(files, bugs, quiet, unchecked);
  if (*trace) return cmd_trace(file, bugs, all, (color || isatty(1)) && !no_color);
  if (*dec) return cmd_decode(file, out, bugs);
  if (*enc) return cmd_encode(file, out);
  if (*bugs_cmd) return cmd_bugs();
  if (*oracles_cmd) return cmd_oracles();
  if (*ops_cmd) return cmd_ops();
  return kBadInput;
}
