// SPDX-License-Identifier: GPL-2.0
//
// mm/rmap.c (6.12), the reverse-map walkers as they reach one mapping:
// folio_referenced() → folio_referenced_one() (reclaim's aging, PTE or huge
// PMD), page_mkclean_one() (folio_mkclean(), for write-back),
// try_to_migrate_one() (migration) and try_to_unmap_one() (reclaim's discard
// of a lazyfree page, core/mm/vmscan.h); and the anon_vma / i_mmap rwsem they
// hold (include/linux/rmap.h anon_vma_lock_read(), i_mmap_lock_read()).
// Members of Ops<A>.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// The anon_vma / i_mmap rwsem the rmap walkers (reclaim's aging,
// page_mkclean) hold for read; THP collapse holds it for write while it
// unhooks and isolates a table (core/mm/khugepaged.h).
// Context: process context; takes the rmap lock for read.
template <class A>
Task<void> Ops<A>::rmap_read_lock(Machine& m) {
  co_await down_read(m.rmap_lock);
}

// Context: the rmap lock held for read; releases it.
template <class A>
Task<void> Ops<A>::rmap_read_unlock(Machine& m) {
  co_await fetch_add(m.rmap_lock, -1);
}

// folio_referenced() → folio_referenced_one(): an rmap walk, under the
// anon_vma / i_mmap lock, clearing the access flag of a PTE or huge PMD.
// Context: takes the rmap lock for read, then pmd_lock or the PTL.
template <class A>
Task<void> Ops<A>::age(Machine& m, int cpu, Op op) {
  co_await rmap_read_lock(m);
  const bool huge = co_await pmdp_test_and_clear_young(m, cpu, op.va);
  TableRef r{};
  if (!huge) r = co_await pte_offset_map_lock(m, cpu, op.va);
  if (r.t) {
    const int i = op.va % PTRS_PER_PTE;
    pteval_t pte = co_await pte_load(m, r, i);
    if (A::pte_present(pte) && !A::pte_protnone(pte)) {
      const bool young = co_await P::ptep_test_and_clear_young(m, r, i);
      (void)young;
    }
    co_await pte_unmap_unlock(m, cpu, r);
  }
  co_await rmap_read_unlock(m);
}

// folio_referenced_one() on a huge PMD: pmdp_test_and_clear_young() under
// pmd_lock(); false when the PMD is no huge one (the caller goes on with
// the PTE table).
// Context: the rmap lock held for read; takes pmd_lock.
template <class A>
Task<bool> Ops<A>::pmdp_test_and_clear_young(Machine& m, int cpu, int va) {
  const int p = va / PTRS_PER_PTE;
  pmdval_t old = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, old);
  if (!huge) co_return false;
  if (m.pmd_is_swap(old)) {  // page_vma_mapped_walk() does not match a migration entry here
    co_await pmd_unlock(m);
    co_return true;
  }
  auto young = [](pmdval_t pmd) { return A::pte_young(A::pmd_pte(pmd)); };
  co_await pmdp_update(m, p, old, young, [](pteval_t pte) { return A::pte_mkold(pte); });
  co_await pmd_unlock(m);
  co_return true;
}

// folio_mkclean() → page_mkclean_one() for each entry of the table `r`
// (which maps va) that maps `head`: a dirty or writable entry becomes clean
// and read-only through ptep_clear_flush(), so the next store faults.
// Returns whether any entry was dirty.
// Context: the rmap lock held for read, the PTL held.
template <class A>
Task<bool> Ops<A>::folio_mkclean(Machine& m, int cpu, TableRef r, int va, const Folio& head) {
  bool cleaned = false;
  const int base = va - va % PTRS_PER_PTE;
  for (int i = 0; i < PTRS_PER_PTE; i++) {
    const pteval_t e = co_await pte_load(m, r, i);
    if (!A::pte_present(e) || A::pte_protnone(e) || A::pte_special(e) || A::pte_pfn(e) >= NR_PFNS ||
        m.folio[A::pte_pfn(e)].head != head.head)
      continue;
    if (!A::pte_dirty(e) && !A::pte_write(e)) continue;
    const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_clear_flush()
    co_await P::flush_tlb(m, cpu);
    co_await P::set_pte(m, r, i, A::pte_mkclean(A::pte_wrprotect(old)));
    cleaned |= A::pte_dirty(old);
    if (m.tracing()) m.note(cpu, "writeback: page " + std::to_string(base + i) + " cleaned and write-protected");
  }
  co_return cleaned;
}

// try_to_migrate_one() on one small folio's PTE: ptep_clear_flush() and
// set_pte_at() of the migration entry `mig`, the dirty bit moved to a file
// folio, the mapping dropped.  With one-word entries the clear and the set
// are one exchange before the flush: no reader can tell (a lockless reader
// bails on the empty and on the migration entry alike, everyone else waits
// for the PTL).  A PAE entry is set a half at a time, so there the clear,
// the flush and the set come apart as in the kernel: a lockless reader's
// IRQs-off section holds the flush up between them.
// Returns the entry it replaced.  The caller puts the mapping's reference.
// Context: mmap_lock held for read, the PTL held.
template <class A>
Task<pteval_t> Ops<A>::try_to_migrate_one(Machine& m, int cpu, TableRef r, int i, Folio& src, pteval_t mig) {
  pteval_t old;
  if constexpr (A::pte_halves) {
    old = co_await P::ptep_get_and_clear(m, cpu, r, i);
    co_await P::flush_tlb(m, cpu);
    co_await P::set_pte(m, r, i, mig);
  } else {
    old = co_await pte_xchg(m, r, i, mig);
    co_await P::flush_tlb(m, cpu);
  }
  if (!src.anon && A::pte_dirty(old)) co_await store(src.dirty, 1);
  m.mapcount_add(src, -1);
  co_return old;
}

// try_to_unmap_one() on the PTE `i` of `r` mapping the lazyfree folio `f`
// (the MADV_FREE branch; swap-out is not modelled):
//   2. the entry cleared — reclaim batches the flush (TTU_BATCH_FLUSH:
//      should_defer_flush() holds on arm64 always and on x86 when other
//      CPUs run the mm), so ptep_get_and_clear() now and the flush in
//      shrink_folio_list()'s try_to_unmap_flush(); a dirty entry's dirt goes
//      to the folio (folio_mark_dirty());
//   3. smp_mb(), then folio_ref_count() and folio_mapcount() (a forked
//      child's mappings count), smp_rmb(), folio_test_dirty();
//   4. only the isolation's reference and the mappings' (dropped here):
//      discard — the mapping and its reference go, the entry stays none;
//      otherwise set_pte_at() of the old entry and folio_set_swapbacked().
// Under the scheduler every access is sequentially consistent, so the two
// barriers are the order of the accesses: the clear, then the refcount, then
// the dirty flag.  lazyfree_ignores_refs: the kernel before 6c8e2a256915,
// which tested the dirty flag alone.  Returns whether it discarded the page.
// Context: the rmap lock held for read, the PTL held; the folio isolated.
template <class A>
Task<bool> Ops<A>::try_to_unmap_one(Machine& m, int cpu, TableRef r, int i, Folio& f) {
  const int va = r.t->pmd_index * PTRS_PER_PTE + i;
  const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);  // 2. set_tlb_ubc_flush_pending()
  if (A::pte_dirty(old)) co_await store(f.dirty, 1);  // folio_mark_dirty()
  bool only_ours = true;
  if (!m.bug(Bug::lazyfree_ignores_refs)) {
    const int64_t refs = co_await load(f.refcount);  // 3. after smp_mb()
    only_ours = refs == 1 + f.mapcount + f.child_refs;
  }
  const uint8_t dirty = co_await load(f.dirty);  // after smp_rmb()
  if (only_ours && !dirty) {  // 4. discard:
    m.mapcount_add(f, -1);    // folio_remove_rmap_pte()
    co_await folio_put(m, f, 1);  // the mapping's reference; the isolation's remains
    if (m.tracing()) m.note(cpu, "reclaim: lazyfree page " + std::to_string(va) + " discarded");
    co_return true;
  }
  co_await P::set_pte(m, r, i, old);  // set_pte_at(): map it back
  f.lazyfree = false;                // folio_set_swapbacked()
  if (m.tracing())
    m.note(cpu, "reclaim: page " + std::to_string(va) + (dirty ? " was redirtied" : " is held by someone else") +
                    ", map it back");
  co_return false;
}

}  // namespace gf
