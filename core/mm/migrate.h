// SPDX-License-Identifier: GPL-2.0
//
// mm/migrate.c (6.12): migrate_pages() on one small folio — isolate it,
// unmap it (try_to_migrate_one(), core/mm/rmap.h), migrate_folio() (the
// refcount freeze of folio_migrate_mapping(), the copy), then
// remove_migration_pte() maps the copy (or the source back).  Faults on a
// migration entry wait in the kernel; here they give up.  Members of Ops<A>.
#pragma once

#include <string>

#include "core/mm/ops.h"

namespace gf {

// migrate_pages() on the small folio mapped at `va`: isolate (the
// migration's own reference); try_to_migrate_one(): the entry becomes a
// migration entry, flushed, and the mapping's reference is dropped;
// migrate_folio(): folio_ref_freeze(src, 1) fails while anyone else (GUP)
// holds the folio, and remove_migration_pte() maps src back; otherwise the
// copy is mapped where the migration entry still is and src is freed.
// Context: takes mmap_lock for read (the model's caller, as a move_pages()
// lookup would; migrate_pages() itself needs none), then the PTL twice:
// unmap, then remap.
template <class A>
Task<void> Ops<A>::migrate(Machine& m, int cpu, Op op) {
  const int va = op.va, i = op.va % PTRS_PER_PTE;
  co_await mmap_read_lock(m);
  TableRef r = co_await pte_offset_map_lock(m, cpu, va);
  if (!r.t) {
    co_await mmap_read_unlock(m);
    co_return;
  }
  const pteval_t pte = co_await pte_load(m, r, i);
  const uint64_t pfn = A::pte_pfn(pte);
  if (!A::pte_present(pte) || A::pte_protnone(pte) || m.vma[va].prot_none || A::pte_special(pte) || m.head_of(pfn).order) {
    co_await pte_unmap_unlock(m, cpu, r);
    co_await mmap_read_unlock(m);
    co_return;  // the model migrates small, normally mapped folios only (not PROT_NONE ones)
  }
  Folio& src = m.folio[pfn];
  co_await folio_ref_add(m, src, 1);  // folio_isolate_lru(): the migration's reference
  const uint32_t early = src.truth.data;   // migrate_copy_before_unmap: the copy taken too soon
  const pteval_t mig = A::swp_entry_pte(MIGRATION_TYPE, pfn);
  const pteval_t old = co_await try_to_migrate_one(m, cpu, r, i, src, mig);
  co_await pte_unmap_unlock(m, cpu, r);
  co_await folio_put(m, src, 1);  // the mapping's reference
  const int dst = co_await migrate_folio(m, cpu, src, pfn, early);
  Folio& to = dst >= 0 ? m.folio[dst] : src;
  co_await remove_migration_pte(m, cpu, va, mig, old, to, dst >= 0, pfn);
  if (dst >= 0) {
    if (m.bug(Bug::migrate_ignores_refs))
      co_await folio_put(m, src, 1);  // src was never frozen: drop the isolation reference
    else
      m.free_folio(src);  // frozen at zero: nobody else can reach it
    // migrate_folio_move(): the allocation's reference goes; the copy is
    // freed if it was unmapped meanwhile.
    co_await folio_put(m, to, 1);
  } else {
    co_await folio_put(m, src, 1);  // putback: the isolation reference
  }
  co_await mmap_read_unlock(m);
}

// migrate_folio() → folio_migrate_mapping(): folio_ref_freeze(src, 1) (only
// the isolation's reference may be left), a destination page, then
// folio_migrate_copy() and folio_migrate_flags().  Returns the destination
// pfn, or -1 when src stays (held by someone else, or no page to move to:
// then it is unfrozen).
// Context: mmap_lock held for read; src isolated and unmapped.
template <class A>
Task<int> Ops<A>::migrate_folio(Machine& m, int cpu, Folio& src, uint64_t pfn, uint32_t early) {
  bool moved = false;
  if (m.bug(Bug::migrate_ignores_refs)) {
    moved = true;
  } else {
    const int64_t found = co_await cmpxchg(src.refcount, 1, 0);  // folio_ref_freeze(src, 1)
    moved = found == 1;
    if (!moved && m.tracing())
      m.note(cpu, "migrate: pfn " + std::to_string(pfn) + " is held by someone else, restore it");
  }
  const int dst = moved ? m.alloc_pfn() : -1;
  if (moved && dst < 0 && !m.bug(Bug::migrate_ignores_refs))
    co_await store(src.refcount, 1);  // no page to move to: unfreeze and restore
  if (dst >= 0) {
    Folio& to = m.folio[dst];
    to.anon = bool(src.anon);
    to.exclusive = bool(src.exclusive);
    to.lazyfree = bool(src.lazyfree);  // __folio_migrate_mapping(): PG_swapbacked only if src has it
    to.truth.data = m.bug(Bug::migrate_copy_before_unmap) ? early : uint32_t(src.truth.data);
    to.truth.written = bool(src.truth.written);
    to.dirty.poke(src.dirty.peek());  // folio_migrate_flags()
    to.refcount.poke(1);  // the allocation's reference, dropped by migrate_folio_move()
  }
  co_return dst;
}

// remove_migration_pte(): wherever the migration entry still is, map `to`
// (the copy when `moved`, else src back) with the old entry's write, young
// and dirty state.  Returns whether it mapped it.
// Context: mmap_lock held for read; takes the PTL.
template <class A>
Task<bool> Ops<A>::remove_migration_pte(Machine& m, int cpu, int va, pteval_t mig, pteval_t old, Folio& to,
                                        bool moved, uint64_t pfn) {
  const int i = va % PTRS_PER_PTE;
  TableRef r = co_await pte_offset_map_lock(m, cpu, va);
  bool mapped = false;
  if (r.t) {
    const pteval_t now = co_await pte_load(m, r, i);
    if (now == mig) {
      const pteval_t nv = A::mk_user_pte(uint64_t(&to - &m.folio[0]),
                                         UserProt{.write = A::pte_write(old), .young = A::pte_young(old),
                                                  .dirty = A::pte_dirty(old)});
      if (moved) m.judge->migration_replaces(m, cpu, va, pfn);
      co_await folio_ref_add(m, to, 1);
      m.mapcount_add(to, 1);
      co_await P::set_pte(m, r, i, nv);
      mapped = true;
    }
    co_await pte_unmap_unlock(m, cpu, r);
  }
  co_return mapped;
}

}  // namespace gf
