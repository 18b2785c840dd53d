// SPDX-License-Identifier: GPL-2.0
//
// mm/khugepaged.c (6.12): collapse_huge_page() with its steps
// hugepage_vma_revalidate(), __collapse_huge_page_isolate() and
// __collapse_huge_page_copy(), and tlb_remove_table_sync_one()
// (mm/mmu_gather.c) which it calls.  Members of Ops<A>.
//
// THP collapse against GUP-fast (numbered as in the trace):
//
//   CPU 0: collapse_huge_page()                CPU 1: gup_fast()
//   1. mmap_write_lock, anon_vma write lock      3. pmd = pmdp_get_lockless()
//   2. pmdp_collapse_flush(): PMD cleared,        (x86: the flush IPI waits here
//      TLB flushed                                  until IRQs are back on)
//   3. tlb_remove_table_sync_one(): IPI           4. pte = ptep_get_lockless...()
//   4. isolate: each refcount must be what the   6. try_grab_folio_fast()
//      mappings explain (no GUP reference)       7. recheck PMD and PTE
//   5. copy into the huge folio, clear the PTEs
//   6. deposit the old table, set the huge PMD
//
// Without 7's PMD recheck and 3's IPI (the kernel before 70cbc3cc78a9 and
// 2ba99c5e0881, on an architecture whose TLB flush does not IPI), CPU 1 can
// grab a page after 4 counted its references and see its PTE unchanged
// before 5 clears it: it pins a page the process no longer maps.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// thp_collapse: khugepaged's collapse_huge_page() on the PMD around va.
// Context: khugepaged (process context), no lock held.
template <class A>
Task<void> Ops<A>::thp_collapse(Machine& m, int cpu, Op op) {
  co_await collapse_huge_page(m, cpu, op.va / PTRS_PER_PTE);
}

// collapse_huge_page() on PMD p.  The model collapses 32 present, small,
// anonymous pages only (the kernel also takes none and zero-page entries up
// to max_ptes_none, and large folios), and gives up where the kernel returns
// a SCAN_* failure: on a failed isolation the PMD is restored
// (pmd_populate()) and the isolated pages are put back (release_pte_pages()).
// Context: no lock held; takes mmap_lock for write, the anon_vma lock for
// write, pmd_lock and the PTL (steps 1. to 6.).
template <class A>
Task<void> Ops<A>::collapse_huge_page(Machine& m, int cpu, int p) {
  const int va0 = p * PTRS_PER_PTE;
  const int hpage = m.alloc_huge();  // alloc_charge_folio(), before any lock
  if (hpage < 0) {
    m.note(cpu, "collapse: no huge page free");
    co_return;
  }
  co_await mmap_write_lock(m);
  bool ok = hugepage_vma_revalidate(m, va0);
  const bool writable = m.vma[va0].write;
  pmdval_t pmd = 0;
  if (ok) pmd = co_await load(m.pmd[p]);
  if (!ok || !m.pmd_is_table(pmd)) {
    m.note(cpu, "collapse: no anon vma or no PTE table over the PMD");
    m.free_folio(m.folio[hpage]);
    co_await mmap_write_unlock(m);
    co_return;
  }
  co_await down_write(m.rmap_lock);  // 1. anon_vma_lock_write()
  co_await pmd_lock(m, cpu);
  const pmdval_t _pmd = co_await xchg(m.pmd[p], A::PMD_NONE);  // 2. pmdp_collapse_flush()
  co_await P::flush_tlb(m, cpu);
  co_await pmd_unlock(m);
  if (!m.bug(Bug::collapse_no_ipi) && !m.bug(Bug::no_pmd_recheck)) co_await tlb_remove_table_sync_one(m, cpu);  // 3.
  const TableRef r{m.table_of(_pmd), Machine::serial_of_pmd(_pmd)};
  for (;;) {  // pte_offset_map_lock(mm, &_pmd, ...)
    const uint32_t owner = co_await ptl_cmpxchg(m, r, 0, uint32_t(cpu + 1));
    if (owner == 0) break;
  }
  std::array<uint16_t, PTRS_PER_PTE> src{};
  int nsrc = 0;
  ok = co_await __collapse_huge_page_isolate(m, cpu, r, src, nsrc);  // 4.
  if (!ok) {  // restore the PMD, put the isolated pages back
    co_await ptl_store(m, r, 0);
    co_await pmd_lock(m, cpu);
    co_await store(m.pmd[p], _pmd);  // pmd_populate()
    co_await pmd_unlock(m);
    co_await fetch_add(m.rmap_lock, 1);
    for (int k = 0; k < nsrc; k++) co_await folio_put(m, m.folio[src[k]], 1);
    m.free_folio(m.folio[hpage]);
    co_await mmap_write_unlock(m);
    m.note(cpu, "collapse: failed, PMD restored");
    co_return;
  }
  co_await store(m.rmap_lock, 0);  // anon_vma_unlock_write(): the table is collapse's alone now
  co_await __collapse_huge_page_copy(m, r, src, hpage);  // 5.
  // 6. The huge PMD, with the old table deposited for a later split.
  Folio& h = m.folio[hpage];
  h.anon = true;
  h.mapcount = 1;
  h.refcount.poke(1);
  const pteval_t pte = A::mk_user_pte(uint64_t(hpage), UserProt{.write = writable, .young = true, .dirty = true});
  co_await pmd_lock(m, cpu);
  m.deposit[p] = r.serial;                        // pgtable_trans_huge_deposit()
  co_await store(m.pmd[p], A::pmd_mkhuge(pte));  // set_pmd_at()
  co_await pmd_unlock(m);
  if (m.tracing()) m.note(cpu, "collapse: PMD " + std::to_string(p) + " maps huge folio " + std::to_string(hpage));
  co_await mmap_write_unlock(m);
}

// hugepage_vma_revalidate(): one anonymous vma over the whole PMD (the
// model's vmas are per page: all mapped, anon, with the first one's write,
// none PROT_NONE — the model keeps PROT_NONE in PTEs, core/mm/mprotect.h).
// Context: mmap_lock held for write.
template <class A>
bool Ops<A>::hugepage_vma_revalidate(const Machine& m, int va0) {
  bool ok = true;
  for (int k = 0; k < PTRS_PER_PTE; k++)
    ok &= m.vma[va0 + k].mapped && m.vma[va0 + k].anon && m.vma[va0 + k].write == m.vma[va0].write &&
          !m.vma[va0 + k].prot_none;
  return ok;
}

// tlb_remove_table_sync_one() (mm/mmu_gather.c): an IPI to every other CPU,
// which it takes only with IRQs on, so no GUP-fast that read the old PMD is
// still running.
// Context: mmap_lock and the anon_vma lock held for write.
template <class A>
Task<void> Ops<A>::tlb_remove_table_sync_one(Machine& m, int cpu) {
  for (int c = 0; c < int(m.sc().cpus.size()); c++)
    if (c != cpu) co_await P::wait_epoch(m.cpu[c].irq);
}

// __collapse_huge_page_isolate(): every entry present, small, anonymous, and
// is_refcount_suitable() — its references are what its mappings (and the
// fork child's) explain, so nobody such as GUP holds one; each folio is
// isolated (folio_isolate_lru(): a reference) into src[0..nsrc).
// Context: mmap_lock and the anon_vma lock held for write, the PMD cleared,
// the PTL held.
template <class A>
Task<bool> Ops<A>::__collapse_huge_page_isolate(Machine& m, int cpu, TableRef r,
                                                std::array<uint16_t, PTRS_PER_PTE>& src, int& nsrc) {
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    const pteval_t pte = co_await pte_load(m, r, k);
    if (!A::pte_access_permitted(pte, false) || A::pte_special(pte)) co_return false;
    Folio& f = m.head_of(A::pte_pfn(pte));
    if (f.order || !f.anon) co_return false;
    const int64_t refs = co_await load(f.refcount);  // is_refcount_suitable()
    if (refs != int64_t(f.mapcount) + int64_t(f.child_refs)) {
      if (m.tracing()) m.note(cpu, "collapse: pfn " + std::to_string(f.head) + " has extra references");
      co_return false;
    }
    co_await folio_ref_add(m, f, 1);  // folio_isolate_lru()
    src[nsrc++] = f.head;
  }
  co_return true;
}

// __collapse_huge_page_copy(): copy each page into the huge folio, then
// __collapse_huge_page_copy_succeeded(): clear the old PTEs (ptep_clear()),
// unlock the PTL, and drop each page's mapping reference and the
// isolation's (release_pte_folio()).
// Context: mmap_lock held for write, the PMD cleared, the PTL held; releases
// the PTL.
template <class A>
Task<void> Ops<A>::__collapse_huge_page_copy(Machine& m, TableRef r, const std::array<uint16_t, PTRS_PER_PTE>& src,
                                             int hpage) {
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    Folio& to = m.folio[hpage + k];
    to.truth.data = uint32_t(m.folio[src[k]].truth.data);
    to.truth.written = bool(m.folio[src[k]].truth.written);
    to.exclusive = true;
  }
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    co_await pte_xchg(m, r, k, 0);  // ptep_clear()
    m.mapcount_add(m.folio[src[k]], -1);
  }
  co_await ptl_store(m, r, 0);
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    co_await folio_put(m, m.folio[src[k]], 1);  // the mapping's reference
    co_await folio_put(m, m.folio[src[k]], 1);  // release_pte_folio(): the isolation's
  }
}

}  // namespace gf
