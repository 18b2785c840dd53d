// SPDX-License-Identifier: GPL-2.0
//
// `gupfuzz audit`: the reviewer's question on RFC 2/4 ("we pass the pte into
// pte_access_permitted() ... check all implementations"), answered for each
// architecture model x predicate GUP-fast consults.
//
// The bits enumerated are the ones some predicate, the norecency compare or
// the semantic decoder reads: every bit outside the PFN field plus its two
// lowest bits, minus those that pass through everything unchanged (found on
// constructor outputs and seeded random entries).  Up to max_bits of them
// are enumerated exhaustively, else sampled.  Only entries that map
// something (present or PROT_NONE: what a stale read can be of) and are
// well-formed (sem_well_formed) take part.  Entries are grouped in blocks
// that share every bit but the recency ones (the bits pte_mkold/pte_mkclean
// absorb, plus those the semantic decoder calls young/dirty); within a block
// every pair (x, y) is checked as core/check/pte_check.h checks a PteCase pair:
//   - compare: pte_same_norecency(x, y) with records that differ beyond
//     young/dirty is `unsafe` (it hides a change);
//   - complete: records equal but for young/dirty and the compare false is
//     `spurious` (a GUP-fast recheck that fails for nothing);
//   - each predicate: different answers on x and y where the compare accepted
//     the pair or the records differ only in young/dirty (y a stale view of
//     x) is `unsafe`; so is a different answer on pte_mkold/pte_mkyoung/
//     pte_mkclean/pte_mkdirty/MMU-updated x.
// A second enumeration (core/check/audit_nonpresent.h) adds entries that map
// nothing (none, swap, migration, device, hwpoison, marker) and the PROT_NONE
// entries the constructors make: pairs of them go to the compare and
// predicate cells as above (a non-present entry is compared raw, so it
// equals no other), and the `non-present` cell checks that pte_present(),
// pte_protnone() and pte_access_permitted() answer on them as the decoder's
// kind implies.
// A difference triaged in core/check/findings.def is `known`.  Each unsafe, known
// or spurious cell keeps a minimal counterexample: fewest differing bits,
// then the smallest x.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/base/ids.h"
#include "core/check/predicates.h"
#include "core/arch/registry.h"

namespace gf {

struct AuditCell {
  std::string verdict;        // safe | unsafe | known | spurious (compare columns: sound / complete when fine)
  uint64_t pairs = 0;         // pairs the cell was checked on
  uint64_t differing = 0;     // of which failed
  uint64_t untriaged = 0;     // of which core/check/findings.def does not explain
  pteval_t x = 0, y = 0;      // minimal counterexample
  uint64_t vx = 0, vy = 0;    // the predicate on x and y
  std::string via;            // "norecency-equal", "stale view", "pte_mkclean", ...
  std::string what;           // the record fields that differ (compare), or empty
  std::string why;            // the triage, for known
  // One failed check: keeps the minimal counterexample, an untriaged one first
  // (why: the triage, or nullptr).
  void note(const char* why, pteval_t x, pteval_t y, uint64_t vx, uint64_t vy, const std::string& via,
            const std::string& what = "");
};

struct AuditArch {
  Arch arch{};
  int bug = -1;               // the helper bug applied, or -1
  std::vector<int> bits;      // enumerated bits
  uint64_t recency_bits = 0;  // the block's inner bits
  bool exhaustive = true;
  uint64_t entries = 0;
  uint64_t ill_formed = 0;    // mapped entries no kernel helper makes (sem_well_formed), skipped
  uint64_t nonpresent_entries = 0;  // of the second enumeration (core/check/audit_nonpresent.h)
  AuditCell compare, complete;
  AuditCell nonpresent;       // predicates against the decoder on non-present and PROT_NONE entries
  AuditCell preds[NR_PREDS];
  bool clean() const;         // no unsafe or spurious cell (known ones allowed)
};

struct AuditOptions {
  int max_bits = 24;            // enumerate exhaustively up to 2^max_bits entries
  uint64_t samples = 1u << 14;  // else this many blocks
  uint64_t seed = 1;
};

AuditArch run_audit(Arch a, BugSet bugs, const AuditOptions& o = {});

std::string audit_text(const std::vector<AuditArch>& rows);
std::string audit_json(const std::vector<AuditArch>& rows, int indent = 2);
// The README's table (between the <!-- audit --> markers): one line per
// architecture, then each unsafe/known/spurious cell with its counterexample.
std::string audit_markdown(const std::vector<AuditArch>& rows);

}  // namespace gf
