// SPDX-License-Identifier: GPL-2.0
//
// What the gupfuzz subcommands share: the command table, the shared options,
// exit codes, the one-line error, where byte inputs get their injected bugs,
// outputs written atomically.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace CLI {
class App;
}

namespace gf::repro::cli {

// ---------------------------------------------------------------- commands
// A subcommand: its name and one-line help, and setup(), which declares its
// options on the CLI11 subcommand and returns what runs it once the command
// line is parsed.  Each *_commands.cc defines its own; gupfuzz.cc's main lists
// them in the order --help shows them and loops over the list.
using Run = std::function<int()>;
struct Command {
  const char* name;
  const char* help;
  Run (*setup)(CLI::App& sub);
};
// scenario_commands.cc
extern const Command kReplayCommand, kTraceCommand, kDecodeCommand, kEncodeCommand;
// pte_commands.cc
extern const Command kAuditCommand, kPteCommand, kPteCheckCommand, kArchsCommand;
// crash_commands.cc
extern const Command kMinimizeCommand, kTriageCommand;
// stress_commands.cc, explore_commands.cc, spurious_commands.cc
extern const Command kStressCommand, kExploreCommand, kSpuriousCommand;
// list_commands.cc
extern const Command kBugsCommand, kOraclesCommand, kOpsCommand, kDictCommand;

// The options several commands share, declared once.
inline constexpr const char* kBytesBugsHelp = "injected bugs for byte inputs (default: $GUPFUZZ_BUGS)";
// --bugs LIST
void add_bugs_option(CLI::App& sub, std::string& bugs, const char* help = kBytesBugsHelp);
// -o,--output FILE
void add_output_option(CLI::App& sub, std::string& out,
                       const char* help = "write here (atomically) instead of stdout");
// --unchecked-tables
void add_unchecked_tables_flag(CLI::App& sub, bool& unchecked);

// ---------------------------------------------------------------- helpers

// Exit codes mean one thing each.
inline constexpr int kClean = 0, kViolation = 1, kBadInput = 2;

// "gupfuzz: <msg>" on stderr; returns kBadInput.
int bad(const std::string& msg);
// Injected bugs for byte inputs: --bugs, else GUPFUZZ_BUGS.
bool bytes_bugs(const std::string& flag, BugSet& out, std::string& err);
// The injected bugs for byte inputs and the files named (folders expanded):
// kClean, or the one-line error's kBadInput.
int bugs_and_files(const std::string& bugs_flag, const std::vector<std::string>& args, BugSet& bugs,
                   std::vector<std::string>& files);
RunResult run_traced(const Scenario& s);
// A JSON PTE case (it has "start") rather than a scenario.
bool is_pte_case_file(const std::string& file);
// One row of a listing (gupfuzz archs, oracles): the name padded to `width`, then the text.
void print_row(int width, std::string_view name, std::string_view text);
// A listing: print_row() of row(i) = {name, text} for i in 0..n-1; kClean.
template <class Row>
int print_rows(int width, int n, Row row) {
  for (int i = 0; i < n; i++) {
    const auto [name, text] = row(i);
    print_row(width, name, text);
  }
  return kClean;
}
// To stdout, or atomically to `out`.
int write_or_print(const std::string& out, const std::string& data);

// pte_commands.cc: one PTE case file (replay and pte-check): findings, "clean",
// the report or (json) a gupfuzz-report/1 object; kClean, kViolation or kBadInput.
int run_pte_case_file(const std::string& f, const BugSet& bugs, bool quiet, bool json);

}  // namespace gf::repro::cli
