// SPDX-License-Identifier: GPL-2.0
//
// mm/pgtable-generic.c (6.12): __pte_offset_map_lock() and pte_unmap_unlock(),
// and ptep_set_access_flags() (arm64's __ptep_set_access_flags() and
// contpte_ptep_set_access_flags() in core/mm/pgtable.h and contpte.h).  Members of Ops<A>.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// pte_offset_map_lock() (6.12 __pte_offset_map_lock): RCU, read the PMD,
// take the table's lock, recheck the PMD, retry if it moved.  Returns no
// table (and leaves the RCU read side) when the PMD is none or huge.
// Context: mmap_lock or the rmap lock held; enters the RCU read side and
// takes the PTL.
template <class A>
Task<TableRef> Ops<A>::pte_offset_map_lock(Machine& m, int cpu, int va) {
  co_await fetch_add(m.cpu[cpu].rcu, 1);
  for (;;) {
    pmdval_t pmd = co_await load(m.pmd[va / PTRS_PER_PTE]);
    if (!m.pmd_is_table(pmd)) break;  // none, or a huge PMD: no PTE table to map
    const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
    for (;;) {  // spin_lock()
      const uint32_t owner = co_await ptl_cmpxchg(m, r, 0, uint32_t(cpu + 1));
      if (owner == 0) break;
    }
    const pmdval_t again = co_await load(m.pmd[va / PTRS_PER_PTE]);
    if (again == pmd) co_return r;
    co_await ptl_store(m, r, 0);
  }
  co_await fetch_add(m.cpu[cpu].rcu, 1);
  co_return TableRef{};
}

// pte_unmap_unlock(): spin_unlock(ptl), then pte_unmap()'s rcu_read_unlock().
// Context: the PTL held, RCU read side; releases both.
template <class A>
Task<void> Ops<A>::pte_unmap_unlock(Machine& m, int cpu, TableRef r) {
  co_await ptl_store(m, r, 0);
  co_await fetch_add(m.cpu[cpu].rcu, 1);
}

// ptep_set_access_flags(vma, addr, ptep, entry, dirty): make the entry at
// least as young, dirty and writable as `entry` (handle_pte_fault()'s
// pte_mkyoung() of orig_pte, pte_mkdirty() on a write; wp_page_reuse()'s
// maybe_mkwrite(pte_mkdirty(pte_mkyoung()))).  Returns whether it changed
// the entry.
//   - arm64 (arch/arm64/include/asm/pgtable.h): entry = pte_mknoncont(entry);
//     __ptep_set_access_flags() unless the raw entry is valid+CONT, then
//     contpte_ptep_set_access_flags() (core/mm/contpte.h);
//   - the other models: young, and dirty and writable when `dirty`, in a
//     cmpxchg loop against the MMU.  (x86's own version writes only when
//     `dirty`, but its MMU sets Accessed before any read fault gets here.)
// Context: the PTL held.
template <class A>
Task<bool> Ops<A>::ptep_set_access_flags(Machine& m, int cpu, TableRef r, int i, pteval_t entry, bool dirty) {
  if constexpr (A::has_contpte) {
    const pteval_t orig_pte = co_await pte_load(m, r, i);  // __ptep_get()
    entry = A::pte_mknoncont(entry);
    if (!A::pte_valid_cont(orig_pte)) {
      const bool changed = co_await P::__ptep_set_access_flags(m, r, i, entry);
      co_return changed;
    }
    const bool changed = co_await P::contpte_ptep_set_access_flags(m, cpu, r, i, entry, dirty);
    co_return changed;
  } else {
    (void)entry;
    pteval_t old = co_await pte_load(m, r, i);
    bool changed = false;
    for (;;) {
      pteval_t nv = A::pte_mkyoung(old);
      if (dirty) nv = A::pte_mkdirty(A::pte_mkwrite(nv));
      if (nv == old) break;
      pteval_t found = co_await pte_cmpxchg(m, r, i, old, nv);
      if (found == old) {
        changed = true;
        break;
      }
      old = found;
    }
    co_return changed;
  }
}

}  // namespace gf
