// SPDX-License-Identifier: GPL-2.0
//
// mm/pagewalk.c (6.12): walk_page_range() → walk_pmd_range() →
// walk_pte_range(), the one range → PMD → huge-or-table walk that zap
// (unmap), change_protection() (mprotect) and the write-protect path share.
// Member of Ops<A>.
#pragma once

#include <algorithm>

#include "core/mm/ops.h"

namespace gf {

// For each PMD of [start, end): pmd_entry(va, pmd_end) first — a
// Task<bool>, true when it dealt with a huge PMD itself; otherwise
// pte_offset_map_lock(), pte_range(r, va, pmd_end) — a Task<void> over the
// pages of the range in that table, as zap_pte_range() and
// change_pte_range() take one (one coroutine frame per table, not per page)
// — then pte_unmap_unlock().  A PMD with no table is skipped.
// Context: mmap_lock held (by the caller, for read or write); takes and
// releases the PTL (and pmd_lock in pmd_entry) per PMD.
template <class A>
template <class PmdEntry, class PteRange>
Task<void> Ops<A>::walk_page_range(Machine& m, int cpu, int start, int end, PmdEntry pmd_entry, PteRange pte_range) {
  for (int va = start; va < end;) {
    const int pmd_end = std::min(end, (va / PTRS_PER_PTE + 1) * PTRS_PER_PTE);
    const bool huge = co_await pmd_entry(va, pmd_end);
    if (huge) {
      va = pmd_end;
      continue;
    }
    TableRef r = co_await pte_offset_map_lock(m, cpu, va);
    if (r.t) {
      co_await pte_range(r, va, pmd_end);
      co_await pte_unmap_unlock(m, cpu, r);
    }
    va = pmd_end;
  }
}

}  // namespace gf
