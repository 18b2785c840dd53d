// SPDX-License-Identifier: GPL-2.0
//
// mm/madvise.c (6.12): MADV_FREE — madvise_free_single_vma() walks the range
// with madvise_free_pte_range() as its pmd_entry, then tlb_finish_mmu()
// flushes.  Each small anonymous folio it reaches loses its young and dirty
// state, in the entries (clear_young_dirty_ptes()) and, when the process is
// its only mapper, in the folio (folio_clear_dirty()), and goes to the lazyfree
// LRU (folio_mark_lazyfree() → lru_lazyfree(): PG_swapbacked cleared).  From
// then on reclaim may drop it instead of swapping it out, unless it is written
// again (core/mm/vmscan.h, core/mm/rmap.h try_to_unmap_one()).
//
// MADV_DONTNEED — madvise_dontneed_single_vma() → zap_page_range_single()
// over each vma of the range: the pages go, the vma stays, and a later access
// faults in a fresh page (the zero page or a new one).  With
// Scenario::pt_reclaim (v6.14 CONFIG_PT_RECLAIM) the zap carries
// details->reclaim_pt and frees a PTE table it leaves empty
// (core/mm/memory.h zap_pte_range(), core/mm/pt_reclaim.h).
//
// Not modelled: large folios (the kernel splits one the range covers only in
// part, else marks the whole folio lazyfree; the model leaves them alone),
// madvise_free_huge_pmd(), swap entries (the model has none), KSM.
// Members of Ops<A>.
#pragma once

#include <algorithm>
#include <array>
#include <string>

#include "core/mm/ops.h"

namespace gf {

// madvise(MADV_FREE) → madvise_free_single_vma(): only anonymous vmas
// (others are -EINVAL; the model skips their pages), the walk, one flush.
// What the process wrote to a page before the call stops being owed to it:
// the data may go, and any store after the call brings it back.  That is
// recorded in Truth as each page is made lazyfree (before a migration can
// copy the page's record), and once more when the walk and its flush are
// done: the flush waits for MMU walks in flight, so on real threads, where a
// store records itself after its access, one whose walk read the entry
// before it was cleaned has recorded itself by then (the scheduler records
// a store with its access).  A store after the cleaning makes the entry
// dirty again, and reclaim keeps the page; withdrawing its record too only
// makes the oracles miss something, never report what did not happen.
// Context: takes mmap_lock for read; the PTL per table.
template <class A>
Task<void> Ops<A>::madvise_free(Machine& m, int cpu, Op op) {
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  co_await mmap_read_lock(m);
  bool flush = false;
  std::array<int16_t, NR_VPAGES> lazy;  // by va: the pfn made lazyfree there, or -1
  for (int va = op.va; va < end; va++) lazy[va] = -1;
  // madvise_free_huge_pmd() is not modelled: a huge PMD has no table, and
  // the walk skips it.
  auto huge_pmd = [](int, int) -> Task<bool> { co_return false; };
  auto pte_range = [&](TableRef r, int va, int pmd_end) -> Task<void> {
    const bool changed = co_await madvise_free_pte_range(m, cpu, r, va, pmd_end, lazy);
    flush |= changed;
  };
  co_await walk_page_range(m, cpu, op.va, end, huge_pmd, pte_range);
  if (flush) co_await P::flush_tlb(m, cpu);  // tlb_finish_mmu()
  for (int va = op.va; va < end; va++) {
    if (lazy[va] < 0) continue;
    m.truth.expect[va] = int32_t(-1);
    Folio& page = m.folio[lazy[va]];
    if (page.allocated) page.truth.written = false;  // (reclaim or migration may have freed it meanwhile)
  }
  co_await mmap_read_unlock(m);
}

// madvise_free_pte_range() over [va, pmd_end) of the table `r`, per entry:
//   1. ptep_get(); skip none, non-present, PROT_NONE and special (the zero
//      page: vm_normal_folio() is NULL) entries, and large or file folios;
//   2. a dirty folio: only if its mapcount is 1 (the process maps it alone,
//      a forked child's mapping counts), folio_clear_dirty(), else skip it;
//   3. a young or dirty entry: clear_young_dirty_ptes() — get and clear,
//      then the old, clean entry — the flush deferred to tlb_finish_mmu();
//   4. folio_mark_lazyfree(): PG_swapbacked cleared; lazy[va] = its pfn, and
//      what the process wrote there withdrawn from Truth.
// Returns whether an entry changed (the caller flushes).
// Context: mmap_lock held for read, the PTL held.
template <class A>
Task<bool> Ops<A>::madvise_free_pte_range(Machine& m, int cpu, TableRef r, int va, int pmd_end,
                                          std::array<int16_t, NR_VPAGES>& lazy) {
  bool changed = false;
  for (; va < pmd_end; va++) {
    const int i = va % PTRS_PER_PTE;
    if (!m.vma[va].mapped || !m.vma[va].anon) continue;
    pteval_t pte = co_await P::ptep_get(m, r, i);  // 1.
    if (!A::pte_present(pte) || A::pte_protnone(pte) || A::pte_special(pte) || A::pte_pfn(pte) >= NR_PFNS)
      continue;
    Folio& f = m.folio[A::pte_pfn(pte)];
    if (f.order || !f.anon) continue;
    const uint8_t dirty = co_await load(f.dirty);  // 2. folio_test_dirty()
    if (dirty) {
      if (f.mapcount + f.child_refs != 1) continue;  // folio_mapcount() != folio_nr_pages()
      co_await store(f.dirty, 0);  // folio_clear_dirty() (under the folio lock)
    }
    if (A::pte_young(pte) || A::pte_dirty(pte)) {  // 3. clear_young_dirty_ptes()
      const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);
      co_await P::set_pte(m, r, i, A::pte_mkclean(A::pte_mkold(old)));
      changed = true;
    }
    f.lazyfree = true;  // 4. folio_mark_lazyfree()
    lazy[va] = int16_t(A::pte_pfn(pte));
    m.truth.expect[va] = int32_t(-1);
    f.truth.written = false;
    if (m.tracing()) m.note(cpu, "madvise_free: page " + std::to_string(va) + " is lazyfree");
  }
  co_return changed;
}

// madvise(MADV_DONTNEED) → madvise_dontneed_free() →
// madvise_dontneed_single_vma() per vma (a run of pages with one VmaInfo;
// holes are -ENOMEM's and have nothing to zap) → zap_page_range_single()
// (6.12: no details; v6.14: {.reclaim_pt = true, .even_cows = true}) →
// unmap_single_vma() → zap_pmd_range(): a huge PMD the vma's range covers
// whole goes (zap_huge_pmd()), one it covers in part is split first, a table
// goes through zap_pte_range(); then tlb_finish_mmu(): the flush, the folio
// puts, and the tables zap_pte_range() unhooked, each after the grace period
// (tlb_remove_table()).
// What the process wrote to the range stops being owed to it (an anonymous
// page reads zeros after, a file page what the file holds, which the model
// does not keep): withdrawn from Truth as each entry is zapped (in the step
// of its get-and-clear: a GUP-fast reference grabbed before it belongs to the
// old mapping, vma_gen, and its recheck sees the clear), and for the whole
// range once the flush is done (it waits for MMU walks in flight: on real
// threads a store that read the old entry has recorded itself by then).
// Context: takes mmap_lock for read; the PTL per table, pmd_lock.
template <class A>
Task<void> Ops<A>::madvise_dontneed(Machine& m, int cpu, Op op) {
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  const bool resched = op.flags & NEED_RESCHED;
  co_await mmap_read_lock(m);
  MmuGather tlb;
  for (int start = op.va; start < end;) {
    if (!m.vma[start].mapped) {
      start++;
      continue;
    }
    const VmaInfo vma = m.vma[start];
    int vend = start + 1;
    while (vend < end && m.vma[vend].mapped && m.vma[vend].write == vma.write && m.vma[vend].anon == vma.anon &&
           m.vma[vend].prot_none == vma.prot_none)
      vend++;
    for (int va = start; va < vend;) {  // zap_pmd_range()
      const int pmd_end = std::min(vend, (va / PTRS_PER_PTE + 1) * PTRS_PER_PTE);
      const int huge = co_await zap_huge_pmd(m, cpu, va, pmd_end);
      if (huge >= 0) {
        tlb.put[tlb.nput++] = uint16_t(huge);
        for (int k = va; k < pmd_end; k++) m.zap_truth(k);
      } else {
        co_await zap_pte_range(m, cpu, va, pmd_end, resched, tlb);
      }
      va = pmd_end;
    }
    start = vend;
  }
  co_await P::flush_tlb(m, cpu);  // tlb_finish_mmu()
  for (int va = op.va; va < end; va++)
    if (m.vma[va].mapped) m.truth.expect[va] = int32_t(-1);
  for (int k = 0; k < tlb.nput; k++) co_await folio_put(m, m.folio[tlb.put[k]], 1);
  if (tlb.ntables) co_await tlb_remove_table_grace(m, cpu);  // tlb_remove_table(): one batch
  for (int k = 0; k < tlb.ntables; k++) {
    if (m.tracing()) m.note(cpu, "free PTE table #" + std::to_string(Machine::serial_of_pmd(tlb.tables[k])));
    m.free_table(m.table_of(tlb.tables[k]));
  }
  co_await mmap_read_unlock(m);
}

}  // namespace gf
