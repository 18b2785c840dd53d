// SPDX-License-Identifier: GPL-2.0
//
// mm/huge_memory.c (6.12): the PMD that maps a whole 32-page folio.
// pmd_trans_huge_lock() / __pmd_trans_huge_lock(), __split_huge_pmd_locked()
// and __split_huge_pmd() (thp_split), zap_huge_pmd(), change_huge_pmd(),
// copy_huge_pmd(), and the huge-PMD faults do_huge_pmd_wp_page() /
// huge_pmd_set_accessed().  THP collapse, the other side of the race below,
// is core/mm/khugepaged.h.  And the split of the folio itself (folio_split):
// split_huge_pages_pid() → split_huge_page_to_list_to_order() with
// can_split_folio(), unmap_folio(), __split_huge_page() (its tails'
// __split_huge_page_tail()) and remap_page().  Members of Ops<A>.
//
// split_huge_page() against GUP-fast (numbered as in the trace; gup.h's
// steps on the right):
//
//   CPU 0: folio_split                         CPU 1: gup_fast()
//   1. anon_vma write lock; can_split_folio():  4. pte = ptep_get_lockless()
//      refcount == mapcount + 1 (the caller)    6. folio = page_folio(page)
//   2. unmap_folio(): each PTE of the folio     (x86: the flush IPI waits here
//      becomes a migration entry, the mapping'   until IRQs are back on; arm64's
//      reference goes; flush                     broadcast TLBI does not)
//   3. folio_ref_freeze(folio, 1): fails if
//      anyone (GUP) holds a reference: remap
//   4. __split_huge_page(): each tail gets its
//      own head and refcount 1; the head's
//      refcount 1 again
//   5. remap_page(): the same frames mapped       6. folio_ref_try_add(folio):
//      back, a reference each; the tails'            succeeds on the old head
//      own references dropped                     6. page_folio(page) != folio:
//                                                    put it, retry on the page's
//                                                    own folio (c24d37322548)
//                                                 7. recheck: the same PTE value
//
// Without 6's second page_folio() (grab_no_folio_recheck), CPU 1 keeps the
// page with its reference on the old head, a folio the page no longer
// belongs to: its caller's put_page() drops a reference from the page's own
// folio, which can then be freed while GUP (and the process) still use it.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// pmd_trans_huge_lock(): a lockless look first (is_swap_pmd(*pmd) ||
// pmd_trans_huge(*pmd)), then __pmd_trans_huge_lock().  The caller tells a
// PMD migration entry (Machine::pmd_is_swap()) from a huge PMD.
// Context: mmap_lock or the rmap lock held; takes pmd_lock, held on true.
template <class A>
Task<bool> Ops<A>::pmd_trans_huge_lock(Machine& m, int cpu, int p, pmdval_t& pmd) {
  const pmdval_t peek = co_await load(m.pmd[p]);
  const Machine::PmdKind k = m.pmd_kind(peek);
  if (k != Machine::PmdKind::leaf && k != Machine::PmdKind::swap) co_return false;
  const bool huge = co_await __pmd_trans_huge_lock(m, cpu, p, pmd);
  co_return huge;
}

// __pmd_trans_huge_lock(): take pmd_lock() and read the PMD again into
// `pmd`; true (the lock held) when it is still huge or a swap (migration)
// entry, else unlock.
// Context: mmap_lock or the rmap lock held; takes pmd_lock, held on true.
template <class A>
Task<bool> Ops<A>::__pmd_trans_huge_lock(Machine& m, int cpu, int p, pmdval_t& pmd) {
  co_await pmd_lock(m, cpu);
  pmd = co_await load(m.pmd[p]);
  const Machine::PmdKind k = m.pmd_kind(pmd);
  if (k == Machine::PmdKind::leaf || k == Machine::PmdKind::swap) co_return true;
  co_await pmd_unlock(m);
  co_return false;
}

// The PMD update the huge-PMD paths share (pmdp_set_access_flags(),
// pmdp_set_wrprotect(), change_huge_pmd()'s modify, pmdp_test_and_clear_young()):
// while again(old), a cmpxchg of the PMD from old to the huge entry fn makes of
// old's PTE view; on a lost race (the MMU set access/dirty) reread and retry.
// Context: pmd_lock held.
template <class A>
template <class Again, class F>
Task<void> Ops<A>::pmdp_update(Machine& m, int p, pmdval_t old, Again again, F fn) {
  while (again(old)) {
    const pmdval_t found = co_await cmpxchg(m.pmd[p], old, A::pmd_mkhuge(fn(A::pmd_pte(old))));
    if (found == old) break;
    old = found;
  }
}

// __split_huge_pmd_locked() for an anon THP (freeze = false):
// pmdp_invalidate() and its flush, one reference and one mapping per page
// instead of the PMD's one, the deposited table withdrawn and filled with 32
// PTEs that keep the PMD's write, young and dirty state, then pmd_populate().
// Context: pmd_lock held.
template <class A>
Task<void> Ops<A>::split_huge_pmd_locked(Machine& m, int cpu, int p) {
  Cell<pmdval_t>& pmdp = m.pmd[p];
  const pmdval_t cur = co_await load(pmdp);
  if constexpr (A::thp_migration) {
    if (m.pmd_is_swap(cur)) {  // is_pmd_migration_entry(*pmd)
      co_await split_huge_pmd_migration(m, cpu, p, cur);
      co_return;
    }
  }
  if (!m.pmd_leaf(cur) || !A::pte_access_permitted(A::pmd_pte(cur), false)) co_return;
  const pmdval_t old = co_await xchg(pmdp, A::pmd_mkinvalid(cur));  // pmdp_establish(): keeps the MMU's last A/D
  co_await P::flush_tlb(m, cpu);
  const pteval_t pte = A::pmd_pte(old);
  const uint64_t pfn0 = A::pte_pfn(pte);
  Folio& head = m.head_of(pfn0);
  co_await folio_ref_add(m, head, HPAGE_PMD_NR - 1);  // folio_ref_add(folio, HPAGE_PMD_NR - 1)
  m.mapcount_add(head, HPAGE_PMD_NR - 1);  // 32 PTE mappings for the PMD's one
  uint32_t serial = m.deposit[p];                    // pgtable_trans_huge_withdraw()
  m.deposit[p] = 0;
  PteTable* t = serial ? static_cast<PteTable*>(m.tables[serial]) : m.alloc_table(p);
  if (!t) {  // the model ran out of table serials: keep the huge PMD
    co_await store(pmdp, old);
    co_return;
  }
  const TableRef r{t, t->serial};
  const UserProt prot{.write = A::pte_write(pte), .young = A::pte_young(pte), .dirty = A::pte_dirty(pte)};
  for (int k = 0; k < HPAGE_PMD_NR; k++) co_await P::set_pte(m, r, k, A::mk_user_pte(pfn0 + k, prot));
  co_await store(pmdp, m.pmd_of_serial(t->serial));  // pmd_populate()
  if (m.tracing()) m.note(cpu, "split huge pmd " + std::to_string(p) + " into PTE table #" + std::to_string(t->serial));
}

// __split_huge_pmd_locked() on a PMD migration entry (6.12, since
// 3a5a8d343e1c "mm: fix race between __split_huge_pmd_locked() and
// GUP-fast"): the entry is only read (pmdp_invalidate() is for a present
// PMD), the deposited table is withdrawn and filled with one migration PTE
// per page (same type: write, read-exclusive or read), then pmd_populate().
// No reference or mapping changes: a migration entry holds none.
// Injected split_invalidates_pmd_migration: the kernel before the fix
// (84c3fc4e9c56 .. 3a5a8d343e1c) called pmdp_invalidate() first on
// whatever the PMD held, and only then looked at the old value: the PMD
// holds pmd_mkinvalid() of the migration entry across the flush, until
// pmd_populate().  On arm64 that value is present-invalid (pmd_present()
// and pmd_leaf() true, its PFN field the swap offset); on x86-64 it stays
// non-present with its offset rewritten.
//
//   CPU 0: thp_split (bug)                   CPU 1: gup_fast()
//   1. pmd_lock; *pmd is a migration entry
//   2. pmdp_invalidate(): xchg mkinvalid     3. pmdp_get_lockless(): the
//      (arm64: pmd_present() now true)          mkinvalid value (lockless_pmd_misread);
//                                               arm64: pmd_leaf, !pmd_protnone,
//                                               gup_fast_pmd_leaf() bails on
//                                               pmd_access_permitted() (!PTE_VALID)
//   4. flush; withdraw; 32 migration PTEs
//   5. pmd_populate()
// Context: pmd_lock held.
template <class A>
Task<void> Ops<A>::split_huge_pmd_migration(Machine& m, int cpu, int p, pmdval_t cur) {
  Cell<pmdval_t>& pmdp = m.pmd[p];
  pmdval_t old = cur;
  if (m.bug(Bug::split_invalidates_pmd_migration)) {  // 2. pmdp_invalidate() before the fix
    old = co_await xchg(pmdp, A::pmd_mkinvalid(cur));
    co_await P::flush_tlb(m, cpu);
  }
  const unsigned type = A::swp_type(old);
  const uint64_t pfn0 = A::swp_offset(old);
  uint32_t serial = m.deposit[p];  // pgtable_trans_huge_withdraw()
  m.deposit[p] = 0;
  PteTable* t = serial ? static_cast<PteTable*>(m.tables[serial]) : m.alloc_table(p);
  if (!t) {  // the model ran out of table serials: keep the PMD migration entry
    if (old != cur) co_await store(pmdp, old);
    co_return;
  }
  const TableRef r{t, t->serial};
  for (int k = 0; k < HPAGE_PMD_NR; k++)  // 4. make_*_migration_entry(page_to_pfn(page + i))
    co_await P::set_pte(m, r, k, A::swp_entry_pte(type, pfn0 + uint64_t(k)));
  co_await store(pmdp, m.pmd_of_serial(t->serial));  // 5. pmd_populate()
  if (m.tracing())
    m.note(cpu, "split PMD migration entry " + std::to_string(p) + " into migration PTEs of table #" +
                    std::to_string(t->serial));
}

// zap_pmd_range()'s huge branch for [va, end) inside one PMD: a huge PMD
// the range covers whole goes through zap_huge_pmd() (cleared, the
// deposited table freed at once by zap_deposited_table(), the folio's
// mapping dropped; the caller flushes and puts the returned folio); one it
// covers in part is split first (__split_huge_pmd()).  Returns the folio's
// head pfn, or -1 when the PTEs are the caller's to zap.
// Context: mmap_lock held for write; takes pmd_lock.
template <class A>
Task<int> Ops<A>::zap_huge_pmd(Machine& m, int cpu, int va, int end) {
  const int p = va / PTRS_PER_PTE;
  pmdval_t cur = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, cur);
  if (!huge) co_return -1;
  int head_pfn = -1;
  if (va % PTRS_PER_PTE != 0 || end - va != PTRS_PER_PTE) {
    co_await split_huge_pmd_locked(m, cpu, p);
  } else {
    const pmdval_t old = co_await xchg(m.pmd[p], A::PMD_NONE);  // pmdp_huge_get_and_clear_full()
    if (const uint32_t serial = m.deposit[p]) {       // zap_deposited_table(): pte_free()
      m.deposit[p] = 0;
      if (m.tracing()) m.note(cpu, "free deposited PTE table #" + std::to_string(serial));
      m.free_table(m.tables[serial]);
    }
    if (!m.pmd_is_swap(old)) {  // a migration entry maps nothing and holds no reference
      Folio& head = m.head_of(A::pte_pfn(A::pmd_pte(old)));
      m.mapcount_add(head, -1);
      head_pfn = head.head;
    }
  }
  co_await pmd_unlock(m);
  co_return head_pfn;
}

// change_huge_pmd() for a range inside one PMD: apply `fn` to a huge PMD the
// range covers whole (a cmpxchg loop: the MMU may set access/dirty
// meanwhile); split one it covers in part (change_pmd_range()'s
// __split_huge_pmd()).  True when done here.
// Context: mmap_lock held; takes pmd_lock.
template <class A>
template <class F>
Task<bool> Ops<A>::change_huge_pmd(Machine& m, int cpu, int va, int end, F fn) {
  const int p = va / PTRS_PER_PTE;
  pmdval_t old = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, old);
  if (!huge) co_return false;
  bool done = false;
  if (va % PTRS_PER_PTE != 0 || end - va != PTRS_PER_PTE) {
    co_await split_huge_pmd_locked(m, cpu, p);
  } else if (m.pmd_is_swap(old)) {
    if constexpr (A::thp_migration) {  // a writable migration entry becomes readable (exclusive: anon)
      if (A::swp_type(old) == SWP_MIGRATION_WRITE)
        co_await store(m.pmd[p], A::swp_entry_pmd(SWP_MIGRATION_READ_EXCLUSIVE, A::swp_offset(old)));
    }
    done = true;
  } else {
    co_await pmdp_update(m, p, old, [](pmdval_t) { return true; }, fn);
    done = true;
  }
  co_await pmd_unlock(m);
  co_return done;
}

// copy_huge_pmd(), the parent's side of fork: an exclusive anon THP that may
// be DMA-pinned is split (the PTE copy then copies its pinned pages for the
// child); otherwise every page loses PageAnonExclusive, the child gains a
// reference and a writable PMD is write-protected (pmdp_set_wrprotect()).
// True when done here.
// Context: mmap_lock held for write, write_protect_seq odd; takes pmd_lock.
template <class A>
Task<bool> Ops<A>::copy_huge_pmd(Machine& m, int cpu, int p) {
  pmdval_t old = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, old);
  if (!huge) co_return false;
  if constexpr (A::thp_migration) {
    if (m.pmd_is_swap(old)) {  // a PMD migration entry: both become readable, the child gets one
      const uint64_t off = A::swp_offset(old);
      if (A::swp_type(old) != SWP_MIGRATION_READ)
        co_await store(m.pmd[p], A::swp_entry_pmd(SWP_MIGRATION_READ, off));
      m.child_migration_pfn[p] = uint16_t(off);
      m.child_migration_n[p] = uint8_t(m.child_migration_n[p] + 1);
      co_await pmd_unlock(m);
      co_return true;
    }
  }
  bool done = false;
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
    co_await folio_ref_add(m, head, 1);  // the child's PMD mapping
    head.child_refs++;
    auto writable = [&m, p](pmdval_t pmd) { return m.vma[p * PTRS_PER_PTE].write && A::pte_write(A::pmd_pte(pmd)); };
    co_await pmdp_update(m, p, old, writable, [](pteval_t pte) { return A::pte_wrprotect(pte); });  // pmdp_set_wrprotect()
    done = true;
  }
  co_await pmd_unlock(m);
  co_return done;
}

// A fault on a huge PMD (__handle_mm_fault()'s huge branch):
// do_huge_pmd_wp_page() reuses an exclusive anon THP, else splits it so the
// PTE path copies the one page; huge_pmd_set_accessed() marks a spurious
// fault young (and dirty).  Returns 1 handled, 0 failed, -1 go on with the
// PTE table.  The caller has seen a huge PMD (its lockless look).
// Context: mmap_lock held for read; takes pmd_lock.
template <class A>
Task<int> Ops<A>::huge_pmd_fault(Machine& m, int cpu, int va, bool write) {
  const int p = va / PTRS_PER_PTE;
  pmdval_t old = 0;
  const bool huge = co_await __pmd_trans_huge_lock(m, cpu, p, old);
  if (!huge) co_return -1;
  if (m.pmd_is_swap(old)) {  // !pmd_same(): it became a migration entry meanwhile
    co_await pmd_unlock(m);
    co_return 0;
  }
  int ret = -1;
  const uint64_t pfn0 = A::pte_pfn(A::pmd_pte(old));
  Folio& head = m.head_of(pfn0);
  if (write && !A::pte_write(A::pmd_pte(old)) && !(head.anon && m.folio[pfn0].exclusive)) {
    m.note(cpu, "huge pmd write fault on a shared THP: split, copy the page");
    co_await split_huge_pmd_locked(m, cpu, p);
  } else {
    auto accessed = [write](pteval_t pte) {
      pte = A::pte_mkyoung(pte);
      return write ? A::pte_mkdirty(A::pte_mkwrite(pte)) : pte;
    };
    auto changes = [&accessed](pmdval_t pmd) { return A::pmd_mkhuge(accessed(A::pmd_pte(pmd))) != pmd; };
    co_await pmdp_update(m, p, old, changes, accessed);  // pmdp_set_access_flags()
    ret = 1;
  }
  co_await pmd_unlock(m);
  co_return ret;
}

// thp_split: __split_huge_pmd() on the PMD around va (deferred split,
// partial mprotect/munmap/madvise all come here).
// Context: takes mmap_lock for read, then pmd_lock.
template <class A>
Task<void> Ops<A>::thp_split(Machine& m, int cpu, Op op) {
  co_await mmap_read_lock(m);
  co_await pmd_lock(m, cpu);
  co_await split_huge_pmd_locked(m, cpu, op.va / PTRS_PER_PTE);
  co_await pmd_unlock(m);
  co_await mmap_read_unlock(m);
}

// folio_split: split_huge_pages_pid() (the debugfs split_huge_pages file) on
// the page at va: folio_walk_start() finds a large anon folio and takes a
// reference under the page table lock, then split_folio() →
// split_huge_page_to_list_to_order() with new_order 0, then folio_put().
// The folio lock (folio_trylock()) is not modelled: the anon_vma write lock
// and the order check under it serialise two splits.
// Context: takes mmap_lock for read.
template <class A>
Task<void> Ops<A>::folio_split(Machine& m, int cpu, Op op) {
  co_await mmap_read_lock(m);
  int va_first = 0;
  const int pfn = co_await folio_walk_start(m, cpu, op.va, va_first);
  if (pfn >= 0) {
    Folio& folio = m.folio[pfn];
    // The folio lies inside one PMD (page k at va_first + k); never otherwise in the model.
    if (va_first >= 0 && va_first % PTRS_PER_PTE + folio_nr_pages(folio.order) <= PTRS_PER_PTE) {
      const bool split = co_await split_huge_page_to_list_to_order(m, cpu, va_first, folio);
      if (m.tracing())
        m.note(cpu, "folio_split: folio " + std::to_string(pfn) + (split ? " split into small folios" : " not split"));
    }
    co_await folio_put(m, folio, 1);  // the walk's reference, on the folio of the head page
  }
  co_await mmap_read_unlock(m);
}

// folio_walk_start() on va and the checks split_huge_pages_pid() makes on
// what it finds: a present huge PMD or PTE mapping a large anon folio; then
// folio_get() before folio_walk_end().  Returns the folio's head pfn with
// that reference, or -1; va_first is the page where its first page is mapped
// (the vma's linear index: page k at va_first + k, inside one PMD, since
// large folios come from the layout, 16-aligned, or from THP collapse).
// Context: mmap_lock held for read; takes and releases pmd_lock or the PTL.
template <class A>
Task<int> Ops<A>::folio_walk_start(Machine& m, int cpu, int va, int& va_first) {
  const int p = va / PTRS_PER_PTE;
  pmdval_t pmd = 0;
  pteval_t pte = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, pmd);
  TableRef r{};
  if (huge) {
    pte = A::pmd_pte(pmd);
  } else {
    r = co_await pte_offset_map_lock(m, cpu, va);
    if (!r.t) co_return -1;
    pte = co_await pte_load(m, r, va % PTRS_PER_PTE);
  }
  int head = -1;
  if (A::pte_present(pte) && !A::pte_protnone(pte) && !A::pte_special(pte) && A::pte_pfn(pte) < NR_PFNS) {
    Folio& folio = m.head_of(A::pte_pfn(pte));
    if (folio.order && folio.anon) {
      co_await folio_ref_add(m, folio, 1);  // folio_get(): the mapping keeps it alive
      head = folio.head;
      const uint64_t page = A::pte_pfn(pte) + (huge ? uint64_t(va % PTRS_PER_PTE) : 0);  // the page at va
      va_first = va - int(page - folio.head);
    }
  }
  if (huge)
    co_await pmd_unlock(m);
  else
    co_await pte_unmap_unlock(m, cpu, r);
  co_return head;
}

// split_huge_page_to_list_to_order(page, NULL, 0) on an anon folio, the
// caller holding one reference (can_split_folio(folio, 1)):
//   1. anon_vma_lock_write(); the folio must still be large; can_split_folio():
//      every reference but the caller's is a mapping's;
//   2. unmap_folio();
//   3. folio_ref_freeze(folio, 1) (extra_pins 0: no swap cache);
//   4./5. __split_huge_page(), or on a failed freeze remap_page() of the
//      whole folio, and -EAGAIN.
// A folio a forked child also maps is not split: the model keeps no page
// table for the child, so its mappings cannot become migration entries (the
// kernel's rmap walk would reach them).  Returns whether it split.
// Context: mmap_lock held for read, a reference on the folio; takes the
// anon_vma lock for write.
template <class A>
Task<bool> Ops<A>::split_huge_page_to_list_to_order(Machine& m, int cpu, int va_first, Folio& folio) {
  co_await down_write(m.rmap_lock);  // 1. anon_vma_lock_write()
  bool split = false;
  const int64_t refs = co_await load(folio.refcount);  // can_split_folio()
  if (!folio.order || folio.child_refs != 0 || refs != int64_t(folio.mapcount) + 1) {
    if (m.tracing()) m.note(cpu, "split: folio " + std::to_string(folio.head) + " cannot be split now");
    co_await store(m.rmap_lock, 0);
    co_return false;
  }
  const int nr = folio_nr_pages(folio.order);
  std::array<pteval_t, PTRS_PER_PTE> old{};
  co_await unmap_folio(m, cpu, va_first, nr, folio, old);          // 2.
  const int64_t found = co_await cmpxchg(folio.refcount, 1, 0);  // 3. folio_ref_freeze(folio, 1)
  if (found == 1) {
    co_await __split_huge_page(m, cpu, folio);  // 4.
    split = true;
  } else if (m.tracing()) {
    m.note(cpu, "split: folio " + std::to_string(folio.head) + " is held by someone else, map it back");
  }
  co_await remap_page(m, cpu, va_first, nr, folio.head, old, split);  // 5.
  co_await store(m.rmap_lock, 0);  // anon_vma_unlock_write()
  co_return split;
}

// unmap_folio(): try_to_migrate() with TTU_SPLIT_HUGE_PMD | TTU_SYNC |
// TTU_BATCH_FLUSH.  A huge PMD over the folio is split first (the model
// splits it as __split_huge_pmd() does and migrates the PTEs it made; the
// kernel's freeze path writes migration entries straight from the PMD).
// Each PTE that maps a page of the folio: try_to_migrate_one() clears it
// (the flush deferred), sets the page's migration entry, removes the
// mapping and puts its reference; try_to_unmap_flush() once at the end.
// Page k (of nr) is mapped at va_first + k; the entries replaced go to
// old[k] (0: page k not unmapped).  A PROT_NONE
// entry, which the model's migration entry cannot bring back, keeps its
// mapping and reference, so the freeze fails and the split gives up.
// Context: mmap_lock held for read, the anon_vma lock held for write; takes
// pmd_lock, then the PTL.
template <class A>
Task<void> Ops<A>::unmap_folio(Machine& m, int cpu, int va_first, int nr, Folio& folio,
                               std::array<pteval_t, PTRS_PER_PTE>& old) {
  const int p = va_first / PTRS_PER_PTE;
  const int i0 = va_first % PTRS_PER_PTE;
  const int pfn0 = folio.head;
  pmdval_t pmd = 0;
  const bool huge = co_await pmd_trans_huge_lock(m, cpu, p, pmd);
  if (huge) {  // split_huge_pmd_address()
    co_await split_huge_pmd_locked(m, cpu, p);
    co_await pmd_unlock(m);
  }
  const TableRef r = co_await pte_offset_map_lock(m, cpu, va_first);
  if (!r.t) co_return;
  for (int k = 0; k < nr; k++) {  // page_vma_mapped_walk() over the folio's range
    const pteval_t e = co_await pte_load(m, r, i0 + k);
    if (!A::pte_present(e) || A::pte_protnone(e) || A::pte_special(e) || A::pte_pfn(e) != uint64_t(pfn0 + k))
      continue;
    old[k] = co_await P::ptep_get_and_clear(m, cpu, r, i0 + k);  // should_defer_flush(): no flush yet
    co_await P::set_pte(m, r, i0 + k, A::swp_entry_pte(MIGRATION_TYPE, uint64_t(pfn0 + k)));
    m.mapcount_add(folio, -1);        // folio_remove_rmap_pte()
    co_await folio_put(m, folio, 1);  // the mapping's reference
  }
  co_await pte_unmap_unlock(m, cpu, r);
  co_await P::flush_tlb(m, cpu);  // try_to_unmap_flush()
}

// __split_huge_page() to order 0 on a frozen anon folio (not in the swap
// cache): each tail, last first (__split_huge_page_tail()), gets the head's
// flags (PG_dirty, PG_swapbacked), its own head (clear_compound_head()),
// then its refcount 1 (page_ref_unfreeze()); then the head stops being
// compound and gets its refcount 1 back — the kernel's folio_ref_inc() of
// the frozen head is its owner's unfreeze, a store here.  PageAnonExclusive
// is per page already (the kernel moves it through the migration entries).
// Context: the anon_vma lock held for write, the folio frozen (IRQs off in
// the kernel, not modelled: no one waits for this CPU here).
template <class A>
Task<void> Ops<A>::__split_huge_page(Machine& m, int cpu, Folio& folio) {
  const int pfn0 = folio.head;
  const int nr = folio_nr_pages(folio.order);
  for (int k = nr - 1; k >= 1; k--) {
    Folio& tail = m.folio[pfn0 + k];
    tail.anon = bool(folio.anon);
    tail.lazyfree = bool(folio.lazyfree);
    tail.dirty.poke(folio.dirty.peek());
    tail.pincount.poke(0);
    tail.mapcount = 0;
    tail.child_refs = 0;
    tail.order = 0;
    tail.allocated = true;
    tail.head = uint16_t(pfn0 + k);  // clear_compound_head()
    co_await store(tail.refcount, 1);  // page_ref_unfreeze(page_tail, 1)
  }
  folio.order = 0;                    // ClearPageCompound()
  co_await store(folio.refcount, 1);  // folio_ref_inc() of the frozen head: the caller's reference
  if (m.tracing()) m.note(cpu, "split: folio " + std::to_string(pfn0) + " is " + std::to_string(nr) + " small folios");
}

// remap_page(): remove_migration_ptes() wherever page k's migration entry
// still is, with the old entry's write, young and dirty state, a mapping and
// a reference on the page's folio: after a split the page's own, then
// __split_huge_page() drops each tail's own reference
// (free_page_and_swap_cache(): a tail nobody maps is freed); after a failed
// freeze the large folio's.  The kernel walks the rmap once per new folio;
// the model maps the range back under one PTL hold.  The kernel maps a
// zero-filled page of a split folio to the shared zero page instead
// (RMP_USE_SHARED_ZEROPAGE); whether a page is zero-filled is content, which
// only the oracles' Truth holds here, so every page is mapped back.
// Context: mmap_lock held for read, the anon_vma lock held for write; takes
// the PTL.
template <class A>
Task<void> Ops<A>::remap_page(Machine& m, int cpu, int va_first, int nr, int pfn0,
                              const std::array<pteval_t, PTRS_PER_PTE>& old, bool split) {
  const int i0 = va_first % PTRS_PER_PTE;
  const TableRef r = co_await pte_offset_map_lock(m, cpu, va_first);
  for (int k = 0; k < nr && r.t; k++) {
    if (!old[k]) continue;
    const pteval_t now = co_await pte_load(m, r, i0 + k);
    if (now != A::swp_entry_pte(MIGRATION_TYPE, uint64_t(pfn0 + k))) continue;
    Folio& to = m.head_of(uint64_t(pfn0 + k));
    const UserProt prot{.write = A::pte_write(old[k]), .young = A::pte_young(old[k]), .dirty = A::pte_dirty(old[k])};
    co_await folio_ref_add(m, to, 1);  // folio_get()
    m.mapcount_add(to, 1);
    co_await P::set_pte(m, r, i0 + k, A::mk_user_pte(uint64_t(pfn0 + k), prot));
  }
  if (r.t) co_await pte_unmap_unlock(m, cpu, r);
  if (split)
    for (int k = 1; k < nr; k++) co_await folio_put(m, m.folio[pfn0 + k], 1);
}

}  // namespace gf
