// SPDX-License-Identifier: GPL-2.0
//
// The oracles (core/oracles.def).  Each judges the model from what the
// machine recorded — the value history of every entry, the references CPUs
// hold, the ground-truth "written" mark on folios — and from the semantic
// decoder (core/semantic.h), never from the helpers it judges.
#pragma once

#include <cstdint>

#include "core/pte.h"

namespace gf {

class Machine;
struct Folio;

// norecency_hides_change: called with every pte_same_norecency() answer.
void oracle_norecency_compare(Machine& m, pteval_t a, pteval_t b, bool same);
// pin_not_in_history / write_pin_without_write: GUP-fast keeps a reference on
// `pfn` for page `va`, taken at step `grab_step`.
void oracle_pin_kept(Machine& m, int cpu, int va, uint64_t pfn, bool write, uint64_t grab_step);
// pin_on_shared_anon: gup_fast() on `cpu` returns, keeping held[first..nheld).
void oracle_gup_returns(Machine& m, int cpu, int first);
// pin_diverged_from_mapping: a write fault on page `va` copies pfn `old` away.
void oracle_cow_copy(Machine& m, int cpu, int va, uint64_t old);
// pin_diverged_from_mapping: a migration on `cpu` maps a copy of pfn `old` at page `va`.
void oracle_migration_replaces(Machine& m, int cpu, int va, uint64_t old);
// refcount: after every refcount change of a folio head.
void oracle_refcount_changed(Machine& m, Folio& head, int64_t after);
// refcount / dirty_lost: when a folio is freed.
void oracle_folio_freed(Machine& m, Folio& head);
// refcount balance and dirty_lost when every CPU has finished.
void oracle_at_end(Machine& m);

}  // namespace gf
