// SPDX-License-Identifier: GPL-2.0
//
// include/linux/mm.h and page_ref.h (6.12): the folio reference helpers
// folio_ref_add(), folio_put_refs() and folio_maybe_dma_pinned(), and the
// PMD page's lock, pmd_lock() / spin_unlock().  Members of Ops<A>.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// folio_ref_add() (the Judge sees the access itself, Judge::folio_access).
// Context: any; the caller holds a reference or the folio is not yet visible.
template <class A>
Task<void> Ops<A>::folio_ref_add(Machine&, Folio& head, int64_t d) {
  co_await fetch_add(head.refcount, d);
}

// folio_put_refs(): the last reference frees the folio.
// Context: any.
template <class A>
Task<void> Ops<A>::folio_put(Machine& m, Folio& head, int64_t n) {
  const int64_t before = co_await fetch_add(head.refcount, -n);
  if (before - n == 0) m.free_folio(head);
}

// folio_maybe_dma_pinned() behind MMF_HAS_PINNED (page_needs_cow_for_dma()).
// Context: fork, mmap_lock held for write and the PTL (or pmd_lock) held.
template <class A>
Task<bool> Ops<A>::folio_maybe_dma_pinned(Machine& m, Folio& head) {
  if (!m.has_pinned) co_return false;
  if (head.order) {
    const int64_t pins = co_await load(head.pincount);
    co_return pins > 0;
  }
  const int64_t refs = co_await load(head.refcount);
  co_return refs >= GUP_PIN_COUNTING_BIAS;
}

// pmd_lock(): the lock of the PMD page, for huge PMD changes (a spinlock;
// the owner is cpu + 1).
// Context: mmap_lock or the rmap lock held; takes pmd_lock.
template <class A>
Task<void> Ops<A>::pmd_lock(Machine& m, int cpu) {
  for (;;) {
    const uint32_t owner = co_await cmpxchg(m.pmd_ptl, 0, uint32_t(cpu + 1));
    if (owner == 0) break;
  }
}

// spin_unlock(pmd_ptl).
// Context: pmd_lock held; releases it.
template <class A>
Task<void> Ops<A>::pmd_unlock(Machine& m) {
  co_await store(m.pmd_ptl, 0);
}

}  // namespace gf
