// SPDX-License-Identifier: GPL-2.0
//
// mm/migrate.c (6.12): migrate_pages() on one small folio — isolate it,
// unmap it (try_to_migrate_one(), core/mm/rmap.h), migrate_folio() (the
// refcount freeze of folio_migrate_mapping(), the copy), then
// remove_migration_pte() maps the copy (or the source back).  Faults on a
// migration entry wait in the kernel; here they give up.  And thp_migrate:
// migrate_pages() on a PMD-mapped THP where the architecture has
// ARCH_ENABLE_THP_MIGRATION — set_pmd_migration_entry() and
// remove_migration_pmd() (mm/huge_memory.c); a split meanwhile leaves
// migration PTEs, which remove_migration_pte() maps one by one.  Members of
// Ops<A>.
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

// ---------------------------------------------------------------- THP migration

// thp_migrate: migrate_pages() on the anon THP the huge PMD over va maps,
// with thp_migration_supported() (so it is not split first): isolate it;
// try_to_migrate_one() → set_pmd_migration_entry() under pmd_lock (the PMD
// becomes a migration entry; the mapping's reference and mapcount go);
// migrate_folio(): folio_ref_freeze(src, 1), a huge destination, the copy;
// remove_migration_ptes() → remove_migration_pmd() maps the destination (or
// src back) wherever the entry still is — or, if a split (thp_split, a
// partial mprotect or munmap) turned it into 32 migration PTEs meanwhile,
// remove_migration_pte() on each.  Young and dirty ride in the migration's
// own state (6.12 keeps them in the entry when
// migration_entry_supports_ad()); write and exclusivity in the entry's type.
// An architecture model without THP migration does nothing.
// Context: takes mmap_lock for read (as migrate's caller does), then
// pmd_lock; the PTL when mapping migration PTEs back.
template <class A>
Task<void> Ops<A>::thp_migrate(Machine& m, int cpu, Op op) {
  if constexpr (!A::thp_migration) {
    m.note(cpu, "thp_migrate: this model has no PMD migration entries");
    co_return;
  } else {
    const int p = op.va / PTRS_PER_PTE;
    co_await mmap_read_lock(m);
    co_await pmd_lock(m, cpu);
    const pmdval_t cur = co_await load(m.pmd[p]);
    const pteval_t pte = A::pmd_pte(cur);
    if (!m.pmd_leaf(cur) || !A::pte_access_permitted(pte, false) || !m.head_of(A::pte_pfn(pte)).anon) {
      co_await pmd_unlock(m);
      co_await mmap_read_unlock(m);
      co_return;  // the model migrates present, accessible anon THPs only
    }
    Folio& src = m.head_of(A::pte_pfn(pte));
    co_await folio_ref_add(m, src, 1);  // folio_isolate_lru(): the migration's reference
    pteval_t old = 0;
    const pmdval_t mig = co_await set_pmd_migration_entry(m, cpu, p, src, old);
    co_await pmd_unlock(m);
    if (!mig) {  // -EBUSY: the PMD is back, put the folio back
      co_await folio_put(m, src, 1);
      co_await mmap_read_unlock(m);
      co_return;
    }
    const int dst = co_await migrate_huge_folio(m, cpu, src);
    Folio& to = dst >= 0 ? m.folio[dst] : src;
    co_await remove_migration_pmd(m, cpu, p, mig, old, to, dst >= 0);
    if (dst >= 0) {
      m.free_folio(src);  // frozen at zero: nobody else can reach it
      co_await folio_put(m, to, 1);  // migrate_folio_move(): the allocation's reference
    } else {
      co_await folio_put(m, src, 1);  // putback: the isolation reference
    }
    co_await mmap_read_unlock(m);
  }
}

// set_pmd_migration_entry() on PMD p mapping `src`: pmdp_invalidate() (a
// present PMD: pmd_mkinvalid() and the flush), then, for an exclusive anon
// folio, folio_try_share_anon_rmap_pmd() — refused while the folio may be
// DMA-pinned, and then the PMD is put back; the folio is marked dirty from
// the PMD; the migration entry (write, read-exclusive or read) replaces the
// PMD; folio_remove_rmap_pmd() and folio_put().  Returns the entry (`old`:
// the invalidated PMD's PTE view), or 0 on -EBUSY.
// Context: pmd_lock held.
template <class A>
Task<pmdval_t> Ops<A>::set_pmd_migration_entry(Machine& m, int cpu, int p, Folio& src, pteval_t& old) {
  Cell<pmdval_t>& pmdp = m.pmd[p];
  const pmdval_t cur = co_await load(pmdp);
  const pmdval_t pmdval = co_await xchg(pmdp, A::pmd_mkinvalid(cur));  // pmdp_invalidate()
  co_await P::flush_tlb(m, cpu);
  const pteval_t pte = A::pmd_pte(pmdval);
  const uint64_t pfn0 = A::pte_pfn(pte);
  const bool anon_exclusive = src.anon && m.folio[pfn0].exclusive;
  if (anon_exclusive) {  // folio_try_share_anon_rmap_pmd()
    const bool pinned = co_await folio_maybe_dma_pinned(m, src);
    if (pinned) {
      co_await store(pmdp, pmdval);  // set_pmd_at(): -EBUSY
      m.note(cpu, "thp_migrate: the THP may be pinned, PMD restored");
      co_return 0;
    }
    for (int k = 0; k < HPAGE_PMD_NR; k++) m.folio[pfn0 + k].exclusive = false;
  }
  if (A::pte_dirty(pte)) co_await store(src.dirty, 1);  // folio_mark_dirty()
  const unsigned type = A::pte_write(pte) ? SWP_MIGRATION_WRITE
                        : anon_exclusive  ? SWP_MIGRATION_READ_EXCLUSIVE
                                          : SWP_MIGRATION_READ;
  const pmdval_t mig = A::swp_entry_pmd(type, pfn0);
  co_await store(pmdp, mig);  // set_pmd_at()
  m.mapcount_add(src, -1);    // folio_remove_rmap_pmd()
  co_await folio_put(m, src, 1);
  old = pte;
  if (m.tracing()) m.note(cpu, "thp_migrate: PMD " + std::to_string(p) + " holds a migration entry for " + std::to_string(pfn0));
  co_return mig;
}

// migrate_folio() → folio_migrate_mapping() for the THP: folio_ref_freeze(src,
// 1), a huge destination, folio_migrate_copy() of the 32 pages and
// folio_migrate_flags().  Returns the destination's head pfn, or -1 when
// src stays (held by someone else such as GUP, or no huge folio free).
// Context: mmap_lock held for read; src isolated and unmapped.
template <class A>
Task<int> Ops<A>::migrate_huge_folio(Machine& m, int cpu, Folio& src) {
  const int64_t found = co_await cmpxchg(src.refcount, 1, 0);  // folio_ref_freeze(src, 1)
  if (found != 1) {
    if (m.tracing()) m.note(cpu, "thp_migrate: folio " + std::to_string(src.head) + " is held by someone else, restore it");
    co_return -1;
  }
  const int dst = m.alloc_huge();
  if (dst < 0) {
    co_await store(src.refcount, 1);  // no page to move to: unfreeze and restore
    co_return -1;
  }
  Folio& to = m.folio[dst];
  to.anon = bool(src.anon);
  to.lazyfree = bool(src.lazyfree);
  for (int k = 0; k < HPAGE_PMD_NR; k++) {
    const Folio& from = m.folio[src.head + k];
    Folio& page = m.folio[dst + k];
    page.truth.data = uint32_t(from.truth.data);
    page.truth.written = bool(from.truth.written);
  }
  to.dirty.poke(src.dirty.peek());  // folio_migrate_flags()
  to.refcount.poke(1);  // the allocation's reference, dropped by migrate_folio_move()
  co_return dst;
}

// remove_migration_ptes() for the THP: under pmd_lock, where PMD p still
// holds a migration entry for src (its type may have dropped to read since:
// mprotect, fork), remove_migration_pmd() maps `to` huge — write from the
// type, young and dirty from the old PMD, exclusive unless the type is
// read; the forked child's entries (copy_huge_pmd()) become the child's
// mappings.  If a split left migration PTEs instead, remove_migration_pte()
// maps `to`'s page k at each under the PTL.
// Context: mmap_lock held for read; takes pmd_lock, then maybe the PTL.
template <class A>
Task<void> Ops<A>::remove_migration_pmd(Machine& m, int cpu, int p, pmdval_t mig, pteval_t old, Folio& to,
                                        bool moved) {
  const uint64_t pfn0 = A::swp_offset(mig);
  const int va0 = p * PTRS_PER_PTE;
  const uint64_t to0 = uint64_t(&to - &m.folio[0]);
  auto is_mig = [](pteval_t v, uint64_t pfn) {
    if (A::pte_present(v) || v == A::PTE_NONE || A::swp_offset(v) != pfn) return -1;
    const unsigned t = A::swp_type(v);
    return t >= SWP_MIGRATION_READ && t <= SWP_MIGRATION_WRITE ? int(t) : -1;
  };
  auto map_as = [&](int type, int k) {
    return A::mk_user_pte(to0 + uint64_t(k), UserProt{.write = type == int(SWP_MIGRATION_WRITE),
                                                      .young = A::pte_young(old), .dirty = A::pte_dirty(old)});
  };
  co_await pmd_lock(m, cpu);
  if (m.child_migration_n[p] && m.child_migration_pfn[p] == pfn0) {  // the child's PMD migration entries
    const int n = m.child_migration_n[p];
    co_await folio_ref_add(m, to, n);
    to.child_refs = to.child_refs + n;
    m.child_migration_n[p] = 0;
  }
  const pmdval_t now = co_await load(m.pmd[p]);
  const int type = m.pmd_is_swap(now) ? is_mig(now, pfn0) : -1;
  if (type >= 0) {  // remove_migration_pmd()
    if (moved)
      for (int k = 0; k < HPAGE_PMD_NR; k++) m.judge->migration_replaces(m, cpu, va0 + k, pfn0 + uint64_t(k));
    co_await folio_ref_add(m, to, 1);  // folio_get()
    m.mapcount_add(to, 1);             // folio_add_anon_rmap_pmd()
    const bool excl = type != int(SWP_MIGRATION_READ);
    for (int k = 0; k < HPAGE_PMD_NR; k++) m.folio[to0 + uint64_t(k)].exclusive = excl;
    co_await store(m.pmd[p], A::pmd_mkhuge(map_as(type, 0)));  // set_pmd_at()
    co_await pmd_unlock(m);
    co_return;
  }
  co_await pmd_unlock(m);
  if (!m.pmd_is_table(now)) co_return;  // unmapped meanwhile
  TableRef r = co_await pte_offset_map_lock(m, cpu, va0);
  if (!r.t) co_return;
  for (int k = 0; k < HPAGE_PMD_NR; k++) {  // remove_migration_pte() on each
    const pteval_t e = co_await pte_load(m, r, k);
    const int t = is_mig(e, pfn0 + uint64_t(k));
    if (t < 0) continue;
    if (moved) m.judge->migration_replaces(m, cpu, va0 + k, pfn0 + uint64_t(k));
    co_await folio_ref_add(m, to, 1);
    m.mapcount_add(to, 1);
    m.folio[to0 + uint64_t(k)].exclusive = t != int(SWP_MIGRATION_READ);
    co_await P::set_pte(m, r, k, map_as(t, k));
  }
  co_await pte_unmap_unlock(m, cpu, r);
}

}  // namespace gf
