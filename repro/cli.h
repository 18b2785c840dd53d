// SPDX-License-Identifier: GPL-2.0
//
// What the gupfuzz subcommands share: exit codes, the one-line error, where
// byte inputs get their injected bugs, outputs written atomically; and the
// subcommands that live outside gupfuzz.cc.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf::repro::cli {

// Exit codes mean one thing each.
inline constexpr int kClean = 0, kViolation = 1, kBadInput = 2;

// "gupfuzz: <msg>" on stderr; returns kBadInput.
int bad(const std::string& msg);
// Injected bugs for byte inputs: --bugs, else GUPFUZZ_BUGS.
bool bytes_bugs(const std::string& flag, BugSet& out, std::string& err);
RunResult run_traced(const Scenario& s);
// A JSON PTE case (it has "start") rather than a scenario.
bool is_pte_case_file(const std::string& file);
// One row of a listing (gupfuzz archs, oracles): the name padded to `width`, then the text.
void print_row(int width, std::string_view name, std::string_view text);
// To stdout, or atomically to `out`.
int write_or_print(const std::string& out, const std::string& data);

// crash_commands.cc
int cmd_minimize(const std::string& file, const std::string& out_prefix, const std::string& bugs_flag);
int cmd_triage(const std::vector<std::string>& args, const std::string& bugs_flag, bool json, bool pte);

// pte_commands.cc
int cmd_archs();
int cmd_audit(const std::vector<std::string>& arch_names, const std::string& bugs_flag, bool json, bool markdown,
              int max_bits, const std::string& out);
int cmd_pte(const std::string& arch_name, const std::string& value, bool json);
int cmd_pte_check(const std::vector<std::string>& args, const std::string& bugs_flag, bool quiet);
// One PTE case file (replay and pte-check): findings, "clean", the report or
// (json) a gupfuzz-report/1 object; kClean, kViolation or kBadInput.
int run_pte_case_file(const std::string& f, const BugSet& bugs, bool quiet, bool json);

// stress_commands.cc
int cmd_stress(const std::vector<std::string>& args, const std::string& bugs_flag, double seconds,
               uint64_t iterations, uint64_t seed, uint32_t jitter, bool unchecked, bool json, double hang_seconds);

// explore_commands.cc
int cmd_explore(const std::string& file, const std::string& bugs_flag, int preemptions, uint64_t max_schedules,
                const std::string& out, bool json);

// spurious_commands.cc
int cmd_spurious(const std::vector<std::string>& files, const std::string& bugs_flag, const std::string& out,
                 uint64_t max_schedules, uint64_t runs, uint64_t seed, int preemptions);

}  // namespace gf::repro::cli
