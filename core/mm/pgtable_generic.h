// SPDX-License-Identifier: GPL-2.0
//
// mm/pgtable-generic.c (6.12): __pte_offset_map_lock() and pte_unmap_unlock(),
// and ptep_set_access_flags() (with arm64's contpte_ptep_set_access_flags()
// unfold).  Members of Ops<A>.
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

// ptep_set_access_flags(): arm64 unfolds a contpte block when the write
// permission changes; the update is a cmpxchg loop against the MMU.
// Context: the PTL held.
template <class A>
Task<void> Ops<A>::ptep_set_access_flags(Machine& m, int cpu, TableRef r, int i, bool write) {
  pteval_t old = co_await pte_load(m, r, i);
  if constexpr (A::has_contpte) {
    if (write && !A::pte_write(old) && A::pte_valid_cont(old)) {
      co_await P::contpte_try_unfold(m, cpu, r, i);
      old = co_await pte_load(m, r, i);
    }
  }
  for (;;) {
    pteval_t nv = A::pte_mkyoung(old);
    if (write) nv = A::pte_mkdirty(A::pte_mkwrite(nv));
    if (nv == old) break;
    pteval_t found = co_await pte_cmpxchg(m, r, i, old, nv);
    if (found == old) break;
    old = found;
  }
}

}  // namespace gf
