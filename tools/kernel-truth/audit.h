// SPDX-License-Identifier: GPL-2.0
//
// The reviewer's question asked of the kernel's own helpers, with no model:
// for entries the real pte_same_norecency() construction (real pte_mkold,
// pte_mkclean, pte_same) calls equal, do the real predicates GUP-fast
// consults still agree?  Exhaustive over every bit outside the page frame
// number (plus its two lowest bits) where that is at most `max_bits` bits,
// sampled otherwise.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace gf::kt {

struct AuditRow {
  std::string predicate;
  uint64_t classes = 0;    // norecency-equal classes with more than one entry
  uint64_t differing = 0;  // classes in which the predicate is not constant
  uint64_t a = 0, b = 0;   // a minimal differing pair (fewest differing bits, then smallest)
  uint64_t va = 0, vb = 0; // the predicate on a and on b
  std::string verdict;     // "agree", or the triage of a known difference, or "UNTRIAGED"
};

struct Audit {
  std::string config;      // e.g. "shstk=0"
  std::vector<int> bits;   // the bits enumerated
  uint64_t recency_mask = 0;
  bool exhaustive = false;
  uint64_t entries = 0;
  uint64_t norm_outside_recency = 0;  // must stay 0: the grouping relies on it
  std::vector<AuditRow> rows;
  bool untriaged() const;
};

// Runs the audit on the kernel object linked into this program.
Audit run_audit(const char* arch, bool shstk, int max_bits, uint64_t sample, uint64_t seed);

}  // namespace gf::kt
