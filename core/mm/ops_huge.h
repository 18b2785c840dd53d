// SPDX-License-Identifier: GPL-2.0
//
// Huge PMDs and the operations around them (6.12 mm/huge_memory.c,
// mm/khugepaged.c): the members of Ops<A> declared in core/mm/ops.h that work
// on a PMD which maps a whole 32-page folio.  Included by core/mm/ops.h only.
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

#include "core/mm/ops.h"

namespace gf {

// pmdp_test_and_clear_young() under pmd_lock(); false when the PMD is no
// huge one (the caller goes on with the PTE table).
template <class A>
Task<bool> Ops<A>::pmdp_test_and_clear_young(Machine& m, int cpu, int va) {
  Cell<pmdval_t>& pmdp = m.pmd[va / PTRS_PER_PTE];
  const pmdval_t peek = co_await load(pmdp);
  if (!m.pmd_leaf(peek)) co_return false;
  co_await pmd_lock(m, cpu);
  pmdval_t old = co_await load(pmdp);
  const bool huge = m.pmd_leaf(old);
  while (huge && A::pte_young(A::pmd_pte(old))) {
    const pmdval_t found = co_await cmpxchg(pmdp, old, A::pmd_mkhuge(A::pte_mkold(A::pmd_pte(old))));
    if (found == old) break;
    old = found;
  }
  co_await pmd_unlock(m);
  co_return huge;
}

// __split_huge_pmd_locked() for an anon THP (freeze = false), under
// pmd_lock(): pmdp_invalidate() and its flush, one reference and one
// mapping per page instead of the PMD's one, the deposited table withdrawn
// and filled with 32 PTEs that keep the PMD's write, young and dirty state,
// then pmd_populate().
template <class A>
Task<void> Ops<A>::split_huge_pmd_locked(Machine& m, int cpu, int p) {
  Cell<pmdval_t>& pmdp = m.pmd[p];
  const pmdval_t cur = co_await load(pmdp);
  if (!m.pmd_leaf(cur) || !A::pte_access_permitted(A::pmd_pte(cur), false)) co_return;
  const pmdval_t old = co_await xchg(pmdp, A::pmd_mkinvalid(cur));  // pmdp_establish(): keeps the MMU's last A/D
  co_await P::flush_tlb(m, cpu);
  const pteval_t pte = A::pmd_pte(old);
  const uint64_t pfn0 = A::pte_pfn(pte);
  Folio& head = m.head_of(pfn0);
  co_await refcount_add(m, head, HPAGE_PMD_NR - 1);  // folio_ref_add(folio, HPAGE_PMD_NR - 1)
  head.mapcount = head.mapcount + (HPAGE_PMD_NR - 1);  // 32 PTE mappings for the PMD's one
  uint32_t serial = m.deposit[p];                    // pgtable_trans_huge_withdraw()
  m.deposit[p] = 0;
  PteTable* t = serial ? static_cast<PteTable*>(m.tables[serial]) : m.alloc_table(p);
  if (!t) {  // the model ran out of table serials: keep the huge PMD
    co_await store(pmdp, old);
    co_return;
  }
  const TableRef r{t, t->serial};
  const UserProt prot{.write = A::pte_write(pte), .young = A::pte_young(pte), .dirty = A::pte_dirty(pte)};
  for (int k = 0; k < HPAGE_PMD_NR; k++) co_await pte_store(m, r, k, A::mk_user_pte(pfn0 + k, prot));
  co_await store(pmdp, Machine::pmd_of_serial(t->serial));  // pmd_populate()
  if (m.tracing()) m.note(cpu, "split huge pmd " + std::to_string(p) + " into PTE table #" + std::to_string(t->serial));
}

// zap_pmd_range() for [va, end) inside one PMD, mmap_write_lock held:
// a huge PMD the range covers whole is cleared (zap_huge_pmd(): the deposited
// table is freed at once, the folio's mapping dropped; the caller flushes and
// puts the returned folio), one it covers in part is split.  Returns the
// folio's head pfn, or -1 when the PTEs are the caller's to zap.
template <class A>
Task<int> Ops<A>::huge_pmd_for_range(Machine& m, int cpu, int va, int end) {
  const int p = va / PTRS_PER_PTE;
  const pmdval_t peek = co_await load(m.pmd[p]);
  if (!m.pmd_leaf(peek)) co_return -1;
  co_await pmd_lock(m, cpu);
  int head_pfn = -1;
  const pmdval_t cur = co_await load(m.pmd[p]);
  if (m.pmd_leaf(cur)) {
    if (va % PTRS_PER_PTE != 0 || end - va != PTRS_PER_PTE) {
      co_await split_huge_pmd_locked(m, cpu, p);
    } else {
      const pmdval_t old = co_await xchg(m.pmd[p], 0);  // pmdp_huge_get_and_clear_full()
      if (const uint32_t serial = m.deposit[p]) {       // zap_deposited_table(): pte_free()
        m.deposit[p] = 0;
        if (m.tracing()) m.note(cpu, "free deposited PTE table #" + std::to_string(serial));
        m.free_table(m.tables[serial]);
      }
      Folio& head = m.head_of(A::pte_pfn(A::pmd_pte(old)));
      head.mapcount--;
      head_pfn = head.head;
    }
  }
  co_await pmd_unlock(m);
  co_return head_pfn;
}

// change_huge_pmd() for a range inside one PMD: apply `fn` to a huge PMD the
// range covers whole; split one it covers in part.  True when done here.
template <class A>
template <class F>
Task<bool> Ops<A>::change_huge_pmd(Machine& m, int cpu, int va, int end, F fn) {
  const int p = va / PTRS_PER_PTE;
  const pmdval_t peek = co_await load(m.pmd[p]);
  if (!m.pmd_leaf(peek)) co_return false;
  co_await pmd_lock(m, cpu);
  bool done = false;
  pmdval_t old = co_await load(m.pmd[p]);
  if (m.pmd_leaf(old)) {
    if (va % PTRS_PER_PTE != 0 || end - va != PTRS_PER_PTE) {
      co_await split_huge_pmd_locked(m, cpu, p);
    } else {
      for (;;) {  // the MMU may set access/dirty meanwhile
        const pmdval_t found = co_await cmpxchg(m.pmd[p], old, A::pmd_mkhuge(fn(A::pmd_pte(old))));
        if (found == old) break;
        old = found;
      }
      done = true;
    }
  }
  co_await pmd_unlock(m);
  co_return done;
}

// copy_huge_pmd(), the parent's side of fork: an exclusive anon THP that may
// be DMA-pinned is split (the PTE copy then copies its pinned pages for the
// child); otherwise every page loses PageAnonExclusive, the child gains a
// reference and a writable PMD is write-protected.  True when done here.
template <class A>
Task<bool> Ops<A>::copy_huge_pmd(Machine& m, int cpu, int p) {
  const pmdval_t peek = co_await load(m.pmd[p]);
  if (!m.pmd_leaf(peek)) co_return false;
  co_await pmd_lock(m, cpu);
  pmdval_t old = co_await load(m.pmd[p]);
  bool done = false;
  if (m.pmd_leaf(old)) {
    const uint64_t pfn0 = A::pte_pfn(A::pmd_pte(old));
    Folio& head = m.head_of(pfn0);
    bool pinned = false;
    if (head.anon && m.folio[pfn0].exclusive && !m.bug(Bug::fork_shares_pinned))
      pinned = co_await folio_maybe_dma_pinned(m, head);
    if (pinned) {
      m.note(cpu, "fork: huge folio may be pinned, split it and copy per page");
      co_await split_huge_pmd_locked(m, cpu, p);
    } else {
      for (int k = 0; k < HPAGE_PMD_NR; k++) m.folio[pfn0 + k].exclusive = false;
      co_await refcount_add(m, head, 1);  // the child's PMD mapping
      head.child_refs++;
      while (m.vma[p * PTRS_PER_PTE].write && A::pte_write(A::pmd_pte(old))) {  // pmdp_set_wrprotect()
        const pmdval_t found = co_await cmpxchg(m.pmd[p], old, A::pmd_mkhuge(A::pte_wrprotect(A::pmd_pte(old))));
        if (found == old) break;
        old = found;
      }
      done = true;
    }
  }
  co_await pmd_unlock(m);
  co_return done;
}

// A fault on a huge PMD, mmap_read_lock held: do_huge_pmd_wp_page() reuses
// an exclusive anon THP, else splits it so the PTE path copies the one page;
// huge_pmd_set_accessed() marks a spurious fault young (and dirty).
// Returns 1 handled, 0 failed, -1 go on with the PTE table.
template <class A>
Task<int> Ops<A>::huge_pmd_fault(Machine& m, int cpu, int va, bool write) {
  const int p = va / PTRS_PER_PTE;
  co_await pmd_lock(m, cpu);
  pmdval_t old = co_await load(m.pmd[p]);
  int ret = -1;
  if (m.pmd_leaf(old)) {
    const uint64_t pfn0 = A::pte_pfn(A::pmd_pte(old));
    Folio& head = m.head_of(pfn0);
    if (write && !A::pte_write(A::pmd_pte(old)) && !(head.anon && m.folio[pfn0].exclusive)) {
      m.note(cpu, "huge pmd write fault on a shared THP: split, copy the page");
      co_await split_huge_pmd_locked(m, cpu, p);
    } else {
      for (;;) {
        pteval_t nv = A::pte_mkyoung(A::pmd_pte(old));
        if (write) nv = A::pte_mkdirty(A::pte_mkwrite(nv));
        const pmdval_t want = A::pmd_mkhuge(nv);
        if (want == old) break;
        const pmdval_t found = co_await cmpxchg(m.pmd[p], old, want);
        if (found == old) break;
        old = found;
      }
      ret = 1;
    }
  }
  co_await pmd_unlock(m);
  co_return ret;
}

// thp_split: __split_huge_pmd() on the PMD around va (deferred split,
// partial mprotect/munmap/madvise all come here), under mmap_read_lock.
template <class A>
Task<void> Ops<A>::thp_split(Machine& m, int cpu, Op op) {
  co_await mmap_read_lock(m);
  co_await pmd_lock(m, cpu);
  co_await split_huge_pmd_locked(m, cpu, op.va / PTRS_PER_PTE);
  co_await pmd_unlock(m);
  co_await mmap_read_unlock(m);
}

// thp_collapse: khugepaged's collapse_huge_page() on the PMD around va.
// The model collapses 32 present, small, anonymous pages only (the kernel
// also takes none and zero-page entries up to max_ptes_none, and large
// folios), and gives up where the kernel returns a SCAN_* failure.
template <class A>
Task<void> Ops<A>::thp_collapse(Machine& m, int cpu, Op op) {
  const int p = op.va / PTRS_PER_PTE, va0 = p * PTRS_PER_PTE;
  const int hpage = m.alloc_huge();  // alloc_charge_folio(), before any lock
  if (hpage < 0) {
    m.note(cpu, "collapse: no huge page free");
    co_return;
  }
  co_await mmap_write_lock(m);
  // hugepage_vma_revalidate(): one anonymous vma over the whole PMD.
  bool ok = true;
  for (int k = 0; k < PTRS_PER_PTE; k++)
    ok &= m.vma[va0 + k].mapped && m.vma[va0 + k].anon && m.vma[va0 + k].write == m.vma[va0].write;
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
  const pmdval_t _pmd = co_await xchg(m.pmd[p], 0);  // 2. pmdp_collapse_flush()
  co_await P::flush_tlb(m, cpu);
  co_await pmd_unlock(m);
  if (!m.bug(Bug::collapse_no_ipi) && !m.bug(Bug::no_pmd_recheck)) {  // 3. tlb_remove_table_sync_one()
    for (int c = 0; c < int(m.sc().cpus.size()); c++)
      if (c != cpu) co_await P::wait_epoch(m.cpu[c].irq);
  }
  const TableRef r{m.table_of(_pmd), Machine::serial_of_pmd(_pmd)};
  for (;;) {  // pte_offset_map_lock(mm, &_pmd, ...)
    const uint32_t owner = co_await ptl_cmpxchg(m, r, 0, uint32_t(cpu + 1));
    if (owner == 0) break;
  }
  // 4. __collapse_huge_page_isolate()
  std::array<uint16_t, PTRS_PER_PTE> src{};
  int nsrc = 0;
  for (int k = 0; k < PTRS_PER_PTE && ok; k++) {
    const pteval_t pte = co_await pte_load(m, r, k);
    if (!A::pte_access_permitted(pte, false) || A::pte_special(pte)) {
      ok = false;
      break;
    }
    Folio& f = m.head_of(A::pte_pfn(pte));
    if (f.order || !f.anon) {
      ok = false;
      break;
    }
    const int64_t refs = co_await load(f.refcount);  // is_refcount_suitable()
    if (refs != int64_t(f.mapcount) + int64_t(f.child_refs)) {
      if (m.tracing()) m.note(cpu, "collapse: pfn " + std::to_string(f.head) + " has extra references");
      ok = false;
      break;
    }
    co_await refcount_add(m, f, 1);  // folio_isolate_lru()
    src[nsrc++] = f.head;
  }
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
  // 5. __collapse_huge_page_copy(): copy, then clear the old PTEs.
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    Folio& to = m.folio[hpage + k];
    to.truth.data = uint32_t(m.folio[src[k]].truth.data);
    to.truth.written = bool(m.folio[src[k]].truth.written);
    to.exclusive = true;
  }
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    co_await pte_xchg(m, r, k, 0);  // ptep_clear()
    m.folio[src[k]].mapcount--;
  }
  co_await ptl_store(m, r, 0);
  for (int k = 0; k < PTRS_PER_PTE; k++) {
    co_await folio_put(m, m.folio[src[k]], 1);  // the mapping's reference
    co_await folio_put(m, m.folio[src[k]], 1);  // release_pte_folio(): the isolation's
  }
  // 6. The huge PMD, with the old table deposited for a later split.
  Folio& h = m.folio[hpage];
  h.anon = true;
  h.mapcount = 1;
  h.refcount.poke(1);
  const pteval_t pte = A::mk_user_pte(uint64_t(hpage), UserProt{.write = writable, .young = true, .dirty = true});
  co_await pmd_lock(m, cpu);
  m.deposit[p] = r.serial;
  co_await store(m.pmd[p], A::pmd_mkhuge(pte));  // set_pmd_at()
  co_await pmd_unlock(m);
  if (m.tracing()) m.note(cpu, "collapse: PMD " + std::to_string(p) + " maps huge folio " + std::to_string(hpage));
  co_await mmap_write_unlock(m);
}

}  // namespace gf
