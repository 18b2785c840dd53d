// SPDX-License-Identifier: GPL-2.0
//
// The one failure shape every tool prints, and the CPU-column trace.
//
//   ==gupfuzz== ERROR: pin_not_in_history at step 41 on cpu0 (arm64, bugs: no_pte_recheck)
//     <what happened>
//     invariant: <the oracle's statement>
//   <trace: one column per CPU, the violating step marked with >>>>
//   SUMMARY: gupfuzz: pin_not_in_history in gup_fast [arm64]
//   replay: GUPFUZZ_BUGS=no_pte_recheck gupfuzz replay <file>
//
// A PTE case (gupfuzz pte-check, fuzz_pte_norecency) has the same lines, its
// pair of entries decoded in place of the trace, the predicate or semantic
// fields in place of the operation, and `gupfuzz pte-check` to replay it.
#pragma once

#include <string>

#include "core/base/text.h"
#include "core/check/pte_check.h"
#include "core/exec/explore.h"
#include "core/exec/run.h"
#include "core/scenario/scenario.h"

namespace gf {

struct TraceOptions {
  bool all = false;    // every access, not only the ones that matter
  bool color = false;  // ANSI colours for a terminal
};

// CPU-column interleaving of a traced run.
std::string format_trace(const Scenario& s, const RunResult& r, const TraceOptions& o = {});

// The operation (by name) the violating CPU was running, "end" for end-of-run checks.
std::string violating_op(const Scenario& s, const RunResult& traced);

// The failure shape, filled in: ERROR line, details, SUMMARY line, replay
// line (none when `replay` is empty), then `after` as it is.
struct Failure {
  std::string id;        // the invariant
  std::string headline;  // after the id: " at step 41 on cpu0 (arm64, bugs: none)"
  std::string details;   // indented lines, a trace
  std::string where;     // the operation or predicate
  std::string arch;
  std::string summary_note;  // after [arch] on the SUMMARY line
  std::string replay;        // the command that reproduces it
  std::string after;
};
std::string format_failure(const Failure& f);

// The same for a violating PTE case; `file` the replay command's (none when empty).
std::string format_pte_report(const PteCase& c, const PteVerdict& v, const std::string& file);

// ERROR / trace / SUMMARY / replay block for a violation.  `artifact` is the
// path to print in the replay command ("<crash file>" when unknown).
std::string format_report(const Scenario& s, const RunResult& traced, const std::string& artifact,
                          const TraceOptions& o = {});

std::string bug_list(const BugSet& b);

// One line per entry value for traces: "0x8000000000000867 (present pfn=16 W U young dirty)".
std::string describe_pte(Arch arch, uint64_t v);
// A PMD value for traces: "none", "table #3", or "huge " and the entry it holds.
std::string describe_pmd(Arch arch, uint64_t v);  // "a,b" ("" for none)

// The machine-readable report (repro/SCHEMA.md): verdict, invariant id and
// statement, step, violating operation and access, the scenario, injected
// bugs and the event log of a traced run.
inline constexpr const char* kReportSchema = "gupfuzz-report/1";
std::string report_json(const Scenario& s, const RunResult& traced, const std::string& file, int indent = -1);

// gupfuzz-explore/1 (repro/SCHEMA.md): one explore() of `file` up to
// `max_preemptions`, taking `seconds`; `output` where the found scenario was
// written ("" for nowhere).  gupfuzz explore --json prints it, and the bench
// (bench/strategy_ttb.cc --explore) adds its own fields after these.
inline constexpr const char* kExploreSchema = "gupfuzz-explore/1";
std::string explore_json(const std::string& file, const Scenario& s, int max_preemptions, const ExploreResult& r,
                         double seconds, const std::string& output = "");

// What triage groups by: "<invariant> in <operation> at <access kind> <cell
// kind> [<arch>]", e.g. "pin_not_in_history in gup_fast at load pte [arm64]"
// ("clean" for a clean run).
std::string crash_signature(const Scenario& s, const RunResult& traced);
// The access kind and cell kind of the violating CPU's last shared access ("load pte").
std::string violating_access(const Scenario& s, const RunResult& traced);

}  // namespace gf
