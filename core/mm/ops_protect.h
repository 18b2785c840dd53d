// SPDX-License-Identifier: GPL-2.0
//
// Protection changes that race with GUP-fast without touching the page:
// mprotect() and write-back's page_mkclean().  Members of Ops<A> declared in
// core/mm/ops.h; included by it only.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// mprotect(): change_protection() under mmap_write_lock.  A private vma's
// entries are read-only whatever the vma allows (PAGE_COPY); with
// MM_CP_TRY_CHANGE_WRITABLE an entry is made writable at once only where a
// write fault would reuse it (can_change_pte_writable(): an exclusive anon
// page, or a dirty page of a shared file mapping).  Each entry goes through
// ptep_modify_prot_start() (get and clear) and _commit(); one flush at the end.
template <class A>
Task<void> Ops<A>::mprotect(Machine& m, int cpu, Op op) {
  const bool w = op.flags & FOLL_WRITE;
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  co_await mmap_write_lock(m);
  for (int va = op.va; va < end; va++)
    if (m.vma[va].mapped) m.vma[va].write = w;
  auto newpte = [&m, w](pteval_t old) {
    pteval_t v = A::pte_modify(old, Prot::ro);
    const Folio& page = m.folio[A::pte_pfn(old)];
    const bool can_write = m.folio[page.head].anon ? bool(page.exclusive) : A::pte_dirty(old);
    if (w && !A::pte_special(old) && can_write) v = A::pte_mkwrite(v);
    return v;
  };
  bool any = false;
  for (int va = op.va; va < end;) {
    const int pmd_end = std::min(end, (va / PTRS_PER_PTE + 1) * PTRS_PER_PTE);
    const bool huge = co_await change_huge_pmd(m, cpu, va, pmd_end, newpte);
    if (huge) {
      any = true;
      va = pmd_end;
      continue;
    }
    TableRef r = co_await pte_offset_map_lock(m, cpu, va);
    if (r.t) {
      for (; va < pmd_end; va++) {
        const int i = va % PTRS_PER_PTE;
        const pteval_t pte = co_await pte_load(m, r, i);
        if (!A::pte_present(pte) || A::pte_protnone(pte) || !m.vma[va].mapped) continue;
        const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_modify_prot_start()
        co_await pte_store(m, r, i, newpte(old));                          // ptep_modify_prot_commit()
        any = true;
      }
      co_await pte_unmap_unlock(m, cpu, r);
    }
    va = pmd_end;
  }
  if (any) co_await P::flush_tlb(m, cpu);
  co_await mmap_write_unlock(m);
}

// Write-back of the file folio mapped at va: folio_clear_dirty_for_io().
// folio_mkclean() walks the rmap (i_mmap lock, then the PTL) and turns every
// dirty or writable entry of the folio into a clean read-only one through
// ptep_clear_flush(), so the next store faults; the entries' dirt moves to
// the folio, whose dirty flag is then cleared for the I/O.  Once written out
// the data is on disk: the pages no longer count as written (dirty_lost).
template <class A>
Task<void> Ops<A>::writeback(Machine& m, int cpu, Op op) {
  co_await rmap_read_lock(m);
  TableRef r = co_await pte_offset_map_lock(m, cpu, op.va);
  if (!r.t) {
    co_await rmap_read_unlock(m);
    co_return;
  }
  const pteval_t pte = co_await pte_load(m, r, op.va % PTRS_PER_PTE);
  Folio* head = nullptr;
  if (A::pte_present(pte) && !A::pte_protnone(pte) && !A::pte_special(pte) && !m.head_of(A::pte_pfn(pte)).anon)
    head = &m.head_of(A::pte_pfn(pte));
  bool cleaned = false;
  if (head) {
    co_await refcount_add(m, *head, 1);  // the page cache lookup's reference
    const int base = op.va - op.va % PTRS_PER_PTE;
    for (int i = 0; i < PTRS_PER_PTE; i++) {
      const pteval_t e = co_await pte_load(m, r, i);
      if (!A::pte_present(e) || A::pte_protnone(e) || A::pte_special(e) || A::pte_pfn(e) >= NR_PFNS ||
          m.folio[A::pte_pfn(e)].head != head->head)
        continue;
      if (!A::pte_dirty(e) && !A::pte_write(e)) continue;
      const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_clear_flush()
      co_await P::flush_tlb(m, cpu);
      co_await pte_store(m, r, i, A::pte_mkclean(A::pte_wrprotect(old)));
      cleaned |= A::pte_dirty(old);
      if (m.tracing()) m.note(cpu, "writeback: page " + std::to_string(base + i) + " cleaned and write-protected");
    }
  }
  co_await pte_unmap_unlock(m, cpu, r);
  co_await rmap_read_unlock(m);
  if (!head) co_return;
  if (cleaned) co_await store(head->dirty, 1);  // folio_mark_dirty()
  const uint8_t was = co_await xchg(head->dirty, 0);  // folio_test_clear_dirty()
  if (was) {
    for (int k = 0; k < folio_nr_pages(head->order); k++) m.folio[head->head + k].truth.written = false;
    if (m.tracing()) m.note(cpu, "writeback: folio " + std::to_string(head->head) + " written out");
  }
  co_await folio_put(m, *head, 1);
}

}  // namespace gf
