// SPDX-License-Identifier: GPL-2.0
//
// mm/vmscan.c (6.12): shrink_folio_list() on one lazyfree folio (an anon
// folio MADV_FREE left clean, core/mm/madvise.h): isolate it, check its
// references (folio_check_references() → folio_referenced()), try_to_unmap()
// (core/mm/rmap.h try_to_unmap_one(): discard the clean page, or map it back),
// then free it — folio_ref_freeze(folio, 1), as __remove_mapping() does.
//
// Against a direct IO read into the page (GUP-fast FOLL_PIN | FOLL_WRITE, the
// device's data landing at unpin, core/mm/gup.h), numbered as in the trace:
//
//   CPU 0: reclaim                          CPU 1: direct IO read
//   1. isolate (+1), page old                gup_fast(): pte = ptep_get_lockless()
//   2. ptep_get_and_clear()                  try_grab_folio_fast(): +1024
//   3. smp_mb(); folio_ref_count()           recheck: pte_same(pte, *ptep)
//   4. == 1 + mapcount and clean: discard    (the device writes the page)
//      else set_pte_at(pteval): map back     unpin: set_page_dirty_lock(), put
//   5. folio_ref_freeze(folio, 1) or keep;
//      try_to_unmap_flush(), then free
//
// Either 3. sees CPU 1's reference, or CPU 1's recheck sees the entry 2.
// cleared and drops it.  Before 6c8e2a256915 step 3 was missing: a clean
// page was discarded under a pin, the freeze at 5. failed and kept the
// folio for the pin, and the device's data went to a page the process no
// longer maps — it faults in the zero page (lazyfree_ignores_refs).
//
// Not modelled: swap-out of swap-backed anon folios and the page cache of file
// folios (reclaim leaves both alone), large folios (the kernel splits a
// lazyfree THP first), folios a forked child maps too (try_to_unmap() would
// walk the child's mapping, which the model has no page table for), PG_referenced
// and the LRU lists themselves (isolation is only its reference).
// Member of Ops<A>.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// shrink_folio_list() on the folio mapped at `va`, found through the page
// table (the kernel finds it on the LRU and reaches the mapping by rmap).
// Context: takes the rmap lock for read, then the PTL (once for the
// reference check and the unmap, which the kernel does in two rmap walks).
template <class A>
Task<void> Ops<A>::reclaim(Machine& m, int cpu, Op op) {
  const int va = op.va, i = op.va % PTRS_PER_PTE;
  co_await rmap_read_lock(m);
  TableRef r = co_await pte_offset_map_lock(m, cpu, va);
  if (!r.t) {
    co_await rmap_read_unlock(m);
    co_return;
  }
  const pteval_t pte = co_await pte_load(m, r, i);
  Folio* fp = nullptr;
  if (A::pte_present(pte) && !A::pte_protnone(pte) && !A::pte_special(pte) && A::pte_pfn(pte) < NR_PFNS)
    fp = &m.folio[A::pte_pfn(pte)];
  if (!fp || fp->order || !fp->anon || !fp->lazyfree || fp->child_refs) {
    co_await pte_unmap_unlock(m, cpu, r);
    co_await rmap_read_unlock(m);
    co_return;  // only lazyfree small anon folios: see the top comment
  }
  Folio& f = *fp;
  co_await folio_ref_add(m, f, 1);  // 1. folio_isolate_lru()'s reference
  // folio_check_references(): a young entry spares the folio for another
  // trip around the LRU (FOLIOREF_KEEP).
  const bool young = co_await P::ptep_test_and_clear_young(m, r, i);
  bool unmapped = false;
  if (!young) unmapped = co_await try_to_unmap_one(m, cpu, r, i, f);  // 2.-4.
  co_await pte_unmap_unlock(m, cpu, r);
  co_await rmap_read_unlock(m);
  bool frozen = false;
  if (unmapped) {
    // The folio is unmapped: it cannot be newly pinned, and a pinned one is
    // not reclaimed (activate_locked).  Else 5.: only the isolation's
    // reference may be left.
    const bool pinned = co_await folio_maybe_dma_pinned(m, f);
    if (!pinned) {
      const int64_t found = co_await cmpxchg(f.refcount, 1, 0);  // folio_ref_freeze(folio, 1)
      frozen = found == 1;
    }
    if (!frozen && m.tracing())
      m.note(cpu, "reclaim: page " + std::to_string(va) + " unmapped, but the folio is held: keep it");
    co_await P::flush_tlb(m, cpu);  // try_to_unmap_flush(): the batched flush, before any folio is freed
  }
  if (frozen)
    m.free_folio(f);  // free_unref_folios(): PGLAZYFREED
  else
    co_await folio_put(m, f, 1);  // putback (move_folios_to_lru()): the isolation's reference
}

}  // namespace gf
