// SPDX-License-Identifier: GPL-2.0
//
// fuzz_pte_norecency: the PTE-semantics fuzzer.  Bytes → PteCase (total
// decoding: an architecture, a start built by the kernel's constructors, two
// sequences of legal transformations; core/check/pte_case.h) → the checks of
// core/check/pte_check.h: soundness (norecency_hides_change), stale-view agreement
// of every predicate GUP-fast consults (stale_view_changes_decision), and
// completeness.  A violation prints the one failure shape (core/report/report.h) and aborts.
//
// Findings that are not crashes — `spurious` (entries that differ only in
// young/dirty compare unequal: a spurious GUP-fast failure) and `known`
// (triaged in core/check/findings.def) — are printed once per kind as
// "FINDING <kind> <oracle> <what>: ..." on stderr and counted; with
// GUPFUZZ_PTE_FINDINGS=crash they abort too.  Injected bugs come from
// GUPFUZZ_BUGS only.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>
#include <string>

#include "core/check/pte_check.h"
#include "core/report/report.h"
#include "fuzz/bugs_env.h"
#include "core/scenario/scenario.h"

namespace {
// Configuration read once at start-up, never changed by an input.
gf::BugSet g_bugs;
bool g_findings_crash = false;
// Only which findings were printed already: no verdict depends on it.
std::set<std::string> g_printed;
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_bugs = gf::fuzz::bugs_from_env("fuzz_pte_norecency");
  if (const char* env = std::getenv("GUPFUZZ_PTE_FINDINGS")) {
    if (std::strcmp(env, "crash") && std::strcmp(env, "report")) {
      std::fprintf(stderr, "fuzz_pte_norecency: GUPFUZZ_PTE_FINDINGS: expected crash or report, got \"%s\"\n", env);
      std::exit(2);
    }
    g_findings_crash = !std::strcmp(env, "crash");
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  gf::PteCase c = gf::decode_pte_case({data, size});
  c.bugs = g_bugs;
  const gf::PteVerdict v = gf::check_pte_case(c);
  for (const gf::PteFinding& f : v.findings) {
    const std::string sig = std::string(gf::info(c.arch).name) + " " + f.signature();
    if (!g_printed.insert(sig).second && !g_findings_crash) continue;
    std::fprintf(stderr, "FINDING %s: %s\n", sig.c_str(), f.message().c_str());
    if (g_findings_crash) {
      std::fprintf(stderr, "%s", gf::pte_case_to_json(c).c_str());
      std::abort();
    }
  }
  if (!v.violated()) return 0;
  std::fputs(gf::format_pte_report(c, v, "<crash file>").c_str(), stderr);
  std::fputs(("case: " + gf::pte_case_to_json(c, -1) + "\n").c_str(), stderr);
  std::fflush(stderr);
  std::abort();
}
