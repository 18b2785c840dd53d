// SPDX-License-Identifier: GPL-2.0
//
// mm/pt_reclaim.c (v6.14, CONFIG_PT_RECLAIM; 6375e95f381e "mm: pgtable:
// reclaim empty PTE page in madvise(MADV_DONTNEED)", Qi Zheng): not in 6.12,
// run only when the scenario asks for it (Scenario::pt_reclaim).  The two
// ways zap_pte_range() (core/mm/memory.h) unhooks a PTE table its zap left
// empty; free_pte() → pte_free_tlb() is the caller's (MmuGather::tables,
// freed through tlb_remove_table() after the grace period).  Later kernels
// fold these into mm/memory.c; the model follows the v6.14 file with the
// February 2025 fix ("mm: pgtable: fix incorrect reclaim of non-empty PTE
// pages") applied in the caller.  Members of Ops<A>.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// try_get_and_clear_pmd(): spin_trylock() of pmd_lock (the PTL is held: the
// usual order is pmd_lock first), read the PMD into `pmdval`, pmd_clear(),
// unlock.  False, nothing changed, when the lock is taken.
// Context: the PTL held; tries pmd_lock.
template <class A>
Task<bool> Ops<A>::try_get_and_clear_pmd(Machine& m, int cpu, int p, pmdval_t& pmdval) {
  const uint32_t owner = co_await cmpxchg(m.pmd_ptl, 0, uint32_t(cpu + 1));  // spin_trylock()
  if (owner != 0) co_return false;
  pmdval = co_await load(m.pmd[p]);  // pmdp_get_lockless()
  co_await P::pmd_clear(m, p);
  co_await pmd_unlock(m);
  if (m.tracing()) m.note(cpu, "try_get_and_clear_pmd: PMD " + std::to_string(p) + " cleared, its table to be freed");
  co_return true;
}

// try_to_free_pte(): pmd_lock(), pte_offset_map() (no table: done), the PTL,
// read the PMD into `pmdval`, and only if every one of the PTRS_PER_PTE
// entries is pte_none() clear the PMD; unlock both.  True when the caller is
// to free the table.
// Context: mmap_lock held for read; takes pmd_lock, then the PTL.
template <class A>
Task<bool> Ops<A>::try_to_free_pte(Machine& m, int cpu, int p, pmdval_t& pmdval) {
  co_await pmd_lock(m, cpu);
  co_await fetch_add(m.cpu[cpu].rcu, 1);  // pte_offset_map(): rcu_read_lock()
  const pmdval_t pmd = co_await load(m.pmd[p]);
  bool cleared = false;
  if (m.pmd_is_table(pmd)) {
    const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
    for (;;) {  // spin_lock_nested(ptl)
      const uint32_t owner = co_await ptl_cmpxchg(m, r, 0, uint32_t(cpu + 1));
      if (owner == 0) break;
    }
    pmdval = co_await load(m.pmd[p]);  // pmdp_get_lockless()
    bool empty = true;
    for (int i = 0; i < PTRS_PER_PTE && empty; i++) {
      const pteval_t pte = co_await pte_load(m, r, i);  // ptep_get()
      empty = A::pte_none(pte);
    }
    if (empty) {
      co_await P::pmd_clear(m, p);
      cleared = true;
    }
    co_await ptl_store(m, r, 0);
  }
  co_await fetch_add(m.cpu[cpu].rcu, 1);  // pte_unmap()
  co_await pmd_unlock(m);
  if (m.tracing())
    m.note(cpu, cleared ? "try_to_free_pte: the table is empty, PMD " + std::to_string(p) + " cleared"
                        : std::string("try_to_free_pte: the table is not empty (or gone), kept"));
  co_return cleared;
}

}  // namespace gf
