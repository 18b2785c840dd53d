// SPDX-License-Identifier: GPL-2.0
//
// The contract oracles (core/oracle/), as the Judge in oracle.cc calls them:
// a folio's lifetime, judged at every access to its fields
// (folio_lifetime.cc), and what the page-table getters may return, judged
// from each entry's own value history (read_contract.cc).
#pragma once

#include <cstdint>

#include "core/mm/hooks.h"

namespace gf {

// refcount (underflow) and folio_use_after_free: one access to a folio field.
void judge_folio_access(Machine& m, const Access& a);
// folio_use_after_free: a non-Cell field of a folio about to change.
void judge_folio_changed(Machine& m, const Folio& head, const char* field);
// folio_use_after_free (a second free) and refcount (freed while counted).
// True when it reported: the caller then judges nothing more of this free.
bool judge_folio_free(Machine& m, Folio& head);

// lockless_read (ptep_get_lockless, ptep_get_lockless_norecency) and
// accessor_view (ptep_get, ptep_get_and_clear).
void judge_pte_read(Machine& m, PteGetter g, const PteTable* t, uint32_t serial, int i, uint64_t t0, pteval_t got);
// accessor_view: ptep_test_and_clear_young().
void judge_young_cleared(Machine& m, const PteTable* t, uint32_t serial, int i, uint64_t t0, bool young);

}  // namespace gf
