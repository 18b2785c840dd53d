// SPDX-License-Identifier: GPL-2.0
//
// The PTE-semantics checks of one PteCase (fuzz_pte_norecency, witnesses,
// `gupfuzz pte-check`).  Entries a and b come from the same start through
// the two sequences; "views" of an entry are what a read whose young/dirty
// may be stale (ptep_get_lockless_norecency, RFC 1/4 and 4/4) can return for
// it: every flip of the architecture's recency bits that the semantic
// decoder calls recency only, and the entry through pte_mkold, pte_mkyoung,
// pte_mkclean, pte_mkdirty and the MMU's access/write updates.  For each pair
// (a, b), (a, view of a), (b, view of b):
//
//  1. soundness: pte_same_norecency(x, y) only if the semantic records of x
//     and y are equal in every field but young and dirty
//     (norecency_hides_change);
//  2. completeness: records equal but for young/dirty, yet pte_same_norecency
//     false: a spurious GUP-fast failure, a finding of kind `spurious`;
//  3. stale-view agreement: for a view, and for b when the recheck accepted
//     it (pte_same_norecency(a, b)), every predicate of core/check/predicates.def
//     answers the same (stale_view_changes_decision).
//
// Differences triaged in core/check/findings.def are findings of kind `known`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/check/predicates.h"
#include "core/check/pte_case.h"

namespace gf {

struct PteFinding {
  enum Kind : uint8_t { violation, known, spurious } kind = violation;
  Oracle oracle = Oracle::norecency_hides_change;
  std::string what;            // semantic fields that differ, or a predicate id
  std::string fields;          // the record fields in which x and y differ (beyond young/dirty)
  std::string x_name, y_name;  // "a", "b", "mkclean(a)", "a^0x40"
  pteval_t x = 0, y = 0;
  uint64_t px = 0, py = 0;     // the predicate on x and y (stale_view_changes_decision)
  std::string why;             // the triage (known)
  std::string message() const;
  std::string signature() const;  // kind + oracle + what, for counting
};

struct PteVerdict {
  pteval_t a = 0, b = 0;
  std::optional<PteFinding> violation;
  std::vector<PteFinding> findings;  // known and spurious, one per signature
  bool violated() const { return violation.has_value(); }
};

PteVerdict check_pte_case(const PteCase& c);

// The entry sequence s (0: a, 1: b) leads to, as applied by check_pte_case.
pteval_t pte_case_entry(const PteCase& c, int s);

// What a PTE report shows between its ERROR and SUMMARY lines: the message,
// the invariant, the two sequences and the pair, decoded.  The report itself
// is core/report/report.h's format_pte_report().
std::string pte_violation_details(const PteCase& c, const PteFinding& f);

// The triage of core/check/findings.def for (arch, oracle, what) when the two
// entries' records differ in `fields` (beyond young/dirty), or nullptr.
const char* known_finding(Arch a, Oracle o, std::string_view what, std::string_view fields);
// The triage of core/check/findings.def (GF_KNOWN_DECODE) for a predicate that
// answers otherwise than the decoder implies on an entry of the decoder's
// kind ("none", "nonpresent", "protnone"), or nullptr.
const char* known_decode_finding(Arch a, std::string_view pred, std::string_view kind);

// One entry for a crash dump reader: raw, bit names, the semantic record,
// and the predicates and recency helpers of the model (with `bugs` injected).
std::string explain_pte(Arch a, pteval_t v, BugSet bugs = {});

}  // namespace gf
