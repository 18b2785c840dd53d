// SPDX-License-Identifier: GPL-2.0
//
// mm/page-writeback.c (6.12): folio_clear_dirty_for_io() on the file folio
// mapped at va — folio_mkclean() (core/mm/rmap.h) moves the entries' dirt to
// the folio, folio_test_clear_dirty() takes it for the I/O.  Member of Ops<A>.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// Write-back of the file folio mapped at va: folio_clear_dirty_for_io().
// folio_mkclean() walks the rmap (i_mmap lock, then the PTL) and turns every
// dirty or writable entry of the folio into a clean read-only one through
// ptep_clear_flush(), so the next store faults; the entries' dirt moves to
// the folio, whose dirty flag is then cleared for the I/O.  Once written out
// the data is on disk: the pages no longer count as written (dirty_lost).
// Context: process context (the flusher), the folio locked in the kernel (no
// folio lock in the model); takes the rmap (i_mmap) lock for read, then the
// PTL; the folio's own dirty state after both are released.
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
    co_await folio_ref_add(m, *head, 1);  // the page cache lookup's reference
    cleaned = co_await folio_mkclean(m, cpu, r, op.va, *head);
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
