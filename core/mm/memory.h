// SPDX-License-Identifier: GPL-2.0
//
// mm/memory.c (6.12): unmap — zap_pte_range() through the shared walk, and
// free_pgtables() → free_pte_range() → tlb_remove_table(); fork —
// copy_page_range() → copy_pte_range() → copy_present_ptes() /
// copy_present_page(); faults — handle_mm_fault() → handle_pte_fault() →
// do_pte_missing() / do_wp_page().  Members of Ops<A>.
#pragma once

#include <algorithm>
#include <array>
#include <string>

#include "core/mm/ops.h"

namespace gf {

// ---------------------------------------------------------------- unmap

// munmap(): detach the vmas, zap_pte_range() (dirty to file folios, rmap
// removal, TLB flush, then the folio puts), free_pgtables() for every table
// the range covers entirely: pmd_clear, flush, grace period, free.
// Context: takes mmap_lock for write; the PTL (or pmd_lock) per PMD.
template <class A>
Task<void> Ops<A>::unmap(Machine& m, int cpu, Op op) {
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  co_await mmap_write_lock(m);
  for (int va = op.va; va < end; va++) {
    m.vma[va] = VmaInfo{};
    m.truth.expect[va] = int16_t(-1);  // the data goes with the mapping
    m.truth.vma_gen[va]++;
  }
  MmuGather tlb;
  // zap_pmd_range(): a huge PMD the range covers goes whole (zap_huge_pmd),
  // one it covers in part is split first.
  auto zap_pmd = [&](int va, int pmd_end) -> Task<bool> {
    const int huge = co_await zap_huge_pmd(m, cpu, va, pmd_end);
    if (huge >= 0) tlb.put[tlb.nput++] = uint16_t(huge);
    co_return huge >= 0;
  };
  // zap_pte_range() over one table's part of the range: each folio is put
  // after the flush.
  auto zap_pte_range = [&](TableRef r, int va, int pmd_end) -> Task<void> {
    for (; va < pmd_end; va++) co_await zap_pte(m, cpu, r, va, tlb);
  };
  co_await walk_page_range(m, cpu, op.va, end, zap_pmd, zap_pte_range);
  co_await P::flush_tlb(m, cpu);
  for (int k = 0; k < tlb.nput; k++) co_await folio_put(m, m.folio[tlb.put[k]], 1);
  for (int p = (op.va + PTRS_PER_PTE - 1) / PTRS_PER_PTE; (p + 1) * PTRS_PER_PTE <= end; p++)
    co_await free_pte_range(m, cpu, p);
  co_await mmap_write_unlock(m);
}

// zap_pte_range()'s work on one entry (6.12 zap_present_ptes() /
// zap_present_folio_ptes() for the model's entries): a none entry is left
// alone; any other is got and cleared; a present normal page gives its dirt
// to a file folio (folio_mark_dirty()), loses the mapping
// (folio_remove_rmap_ptes()) and is put after the flush (tlb->put).
// Context: the PTL held.
template <class A>
Task<void> Ops<A>::zap_pte(Machine& m, int cpu, TableRef r, int va, MmuGather& tlb) {
  const int i = va % PTRS_PER_PTE;
  pteval_t pte = co_await pte_load(m, r, i);
  if (A::pte_none(pte)) co_return;
  pte = co_await P::ptep_get_and_clear(m, cpu, r, i);
  if (!A::pte_present(pte) || A::pte_special(pte)) co_return;
  Folio& head = m.head_of(A::pte_pfn(pte));
  if (!head.anon && A::pte_dirty(pte)) co_await store(head.dirty, 1);  // folio_mark_dirty
  m.mapcount_add(head, -1);
  tlb.put[tlb.nput++] = head.head;
}

// zap_pte_range() as madvise(MADV_DONTNEED) runs it (zap_page_range_single()
// → unmap_page_range() → zap_pmd_range()), over [va, end) inside PMD p, with
// the retry both versions have: when need_resched() turns true (the op's
// NEED_RESCHED flag: from the table's midpoint on, once) the loop breaks,
// drops the PTL, cond_resched()s and goes on from where it stopped.
//   6.12: need_resched() is asked before zapping a non-none entry.
//   v6.14 with CONFIG_PT_RECLAIM (Scenario::pt_reclaim; 6375e95f381e and its
//   fix "mm: pgtable: fix incorrect reclaim of non-empty PTE pages"): asked at
//   the top of each round, and a zap that covers the whole PMD
//   (reclaim_pt_is_enabled(): details->reclaim_pt and end - start >=
//   PMD_SIZE) and skipped no entry frees the table it leaves empty:
//     1. the last pass reaches `end` with the PTL held and, if no pass before
//        it dropped the PTL (direct_reclaim, the fix), clears the PMD at once
//        under pmd_lock taken with a trylock (try_get_and_clear_pmd());
//     2. otherwise (a retry, or the trylock failed), after the PTL is gone,
//        try_to_free_pte() takes pmd_lock and the PTL and clears the PMD
//        only if all PTRS_PER_PTE entries are still none: a fault (on
//        another CPU, under mmap_lock for read, as MADV_DONTNEED is) may have
//        refilled an entry zapped before the PTL was dropped;
//     3. free_pte() → pte_free_tlb() queues the table in `tlb`: the caller's
//        tlb_finish_mmu() flushes once, then waits for the grace period and
//        frees it (tlb_remove_table(),
//        MMU_GATHER_RCU_TABLE_FREE, which CONFIG_PT_RECLAIM selects), so
//        GUP-fast (IRQs off) and pte_offset_map() users (RCU) never see it
//        freed under them.
// Bug pt_reclaim_after_retry is 6375e95f381e before the fix: step 1 clears
// the PMD after a retry too, and the refilled entry goes with the table.
// Context: mmap_lock held for read; takes the PTL, and pmd_lock in 1 and 2.
template <class A>
Task<void> Ops<A>::zap_pte_range(Machine& m, int cpu, int va, int end, bool resched, MmuGather& tlb) {
  const bool v614 = m.sc().pt_reclaim;
  const int start = va;
  const int p = va / PTRS_PER_PTE;
  const int mid = p * PTRS_PER_PTE + PTRS_PER_PTE / 2;
  const bool can_reclaim_pt = v614 && end - start >= PTRS_PER_PTE;  // reclaim_pt_is_enabled()
  bool direct_reclaim = true;
  pmdval_t pmdval = 0;
  for (;;) {  // retry:
    TableRef r = co_await pte_offset_map_lock(m, cpu, va);
    if (!r.t) co_return;
    bool broke = false;
    for (; va < end; va++) {
      if (v614 && resched && va >= mid) {  // need_resched() at the top of the round
        broke = true;
        break;
      }
      if (!v614 && resched && va >= mid) {  // 6.12: pte_none() first, then need_resched()
        const pteval_t pte = co_await pte_load(m, r, va % PTRS_PER_PTE);
        if (A::pte_none(pte)) continue;
        broke = true;
        break;
      }
      co_await zap_pte(m, cpu, r, va, tlb);
      m.zap_truth(va);  // madvise_dontneed(): what was written there goes
    }
    if (broke) {
      resched = false;  // cond_resched() below
      if (!m.bug(Bug::pt_reclaim_after_retry)) direct_reclaim = false;  // the fix
    }
    if (can_reclaim_pt && direct_reclaim && va == end) {  // 1.
      const bool cleared = co_await try_get_and_clear_pmd(m, cpu, p, pmdval);
      direct_reclaim = cleared;
    }
    co_await pte_unmap_unlock(m, cpu, r);
    if (va != end) {
      if (m.tracing()) m.note(cpu, "zap_pte_range: need_resched(), the PTL dropped at page " + std::to_string(va));
      continue;  // cond_resched(); goto retry
    }
    break;
  }
  if (!can_reclaim_pt) co_return;
  if (!direct_reclaim) {  // 2.
    const bool cleared = co_await try_to_free_pte(m, cpu, p, pmdval);
    if (!cleared) co_return;
  }
  tlb.tables[tlb.ntables++] = pmdval;  // 3. free_pte() → pte_free_tlb()
}

// free_pte_range() on PMD p (free_pgtables() calls it for each table the
// range covers whole): pmd_clear, flush, then pte_free_tlb() →
// tlb_remove_table() (mm/mmu_gather.c): the RCU / IRQ-disable grace period
// before the table is freed, so no GUP-fast still walks it.
// Context: mmap_lock held for write.
template <class A>
Task<void> Ops<A>::free_pte_range(Machine& m, int cpu, int p) {
  pmdval_t pmd = co_await load(m.pmd[p]);
  if (m.pmd_none(pmd)) co_return;
  co_await P::pmd_clear(m, p);
  co_await P::flush_tlb(m, cpu);
  co_await tlb_remove_table_grace(m, cpu);
  if (m.tracing()) m.note(cpu, "free PTE table #" + std::to_string(Machine::serial_of_pmd(pmd)));
  m.free_table(m.table_of(pmd));
}

// The grace period tlb_remove_table() (mm/mmu_gather.c,
// MMU_GATHER_RCU_TABLE_FREE) waits out before a batch of unhooked tables is
// freed: every other CPU has left the IRQs-off section (GUP-fast) and the RCU
// read side (pte_offset_map()) it was in.  One wait frees the whole batch.
// Context: process context, IRQs on.
template <class A>
Task<void> Ops<A>::tlb_remove_table_grace(Machine& m, int cpu) {
  if (m.bug(Bug::no_grace_period)) co_return;
  for (int c = 0; c < int(m.sc().cpus.size()); c++) {
    if (c == cpu) continue;
    co_await P::wait_epoch(m.cpu[c].irq);
    co_await P::wait_epoch(m.cpu[c].rcu);
  }
}

// ---------------------------------------------------------------- fork

// dup_mmap() (kernel/fork.c) → copy_page_range(), the parent's side, under
// mmap_write_lock and mm->write_protect_seq: copy_huge_pmd() for a huge PMD,
// copy_pte_range() for a table; one flush at the end.  The child is not
// modelled beyond the references it holds (Folio::child_refs).
// Context: takes mmap_lock for write, then write_protect_seq (odd while
// copying), pmd_lock or the PTL per PMD.
template <class A>
Task<void> Ops<A>::fork(Machine& m, int cpu, Op) {
  co_await mmap_write_lock(m);
  co_await fetch_add(m.write_protect_seq, 1);  // raw_write_seqcount_begin()
  bool any = false;
  for (int p = 0; p < NR_PMDS; p++) {
    const bool huge = co_await copy_huge_pmd(m, cpu, p);
    if (huge) {
      any = true;
      continue;
    }
    const bool wrprotected = co_await copy_pte_range(m, cpu, p);
    any |= wrprotected;
  }
  if (any) co_await P::flush_tlb(m, cpu);
  co_await fetch_add(m.write_protect_seq, 1);  // raw_write_seqcount_end()
  co_await mmap_write_unlock(m);
}

// copy_pte_range() over PMD p's table, with copy_present_ptes() for each
// mapped page written in its loop (one coroutine frame per table, not per
// page).  A present anon entry is either copied for the child at once, when
// the folio may be DMA-pinned (page_needs_cow_for_dma(): MMF_HAS_PINNED and
// folio_maybe_dma_pinned()), or shared: it loses PageAnonExclusive
// (folio_try_dup_anon_rmap_pte()), gains the child's reference, and the
// parent's entry is write-protected so both sides copy on write.  A shared
// file page and the zero page are simply shared.  Returns whether any parent
// entry was write-protected.
// Context: mmap_lock held for write, write_protect_seq odd; takes the PTL.
template <class A>
Task<bool> Ops<A>::copy_pte_range(Machine& m, int cpu, int p) {
  const int va0 = p * PTRS_PER_PTE;
  TableRef r = co_await pte_offset_map_lock(m, cpu, va0);
  if (!r.t) co_return false;
  bool any = false;
  for (int i = 0; i < PTRS_PER_PTE; i++) {
    const VmaInfo vma = m.vma[va0 + i];
    if (!vma.mapped) continue;
    // copy_present_ptes(), one entry.
    const pteval_t pte = co_await pte_load(m, r, i);
    if (!A::pte_present(pte) || A::pte_protnone(pte) || A::pte_special(pte)) continue;
    Folio& head = m.head_of(A::pte_pfn(pte));
    Folio& page = m.folio[A::pte_pfn(pte)];
    if (head.anon && page.exclusive && !m.bug(Bug::fork_shares_pinned)) {
      const bool pinned = co_await folio_maybe_dma_pinned(m, head);
      if (pinned) {
        copy_present_page(m, cpu, pte);
        continue;
      }
    }
    if (head.anon) page.exclusive = false;
    co_await folio_ref_add(m, head, 1);  // the child's mapping
    head.child_refs++;
    if (head.anon && vma.write && A::pte_write(pte)) {  // COW mapping: both sides read-only
      co_await P::ptep_set_wrprotect(m, cpu, r, i);
      any = true;
    }
  }
  co_await pte_unmap_unlock(m, cpu, r);
  co_return any;
}

// copy_present_page(): the child gets its own copy of a maybe-pinned page now.
// Context: mmap_lock held for write, the PTL held.
template <class A>
void Ops<A>::copy_present_page(Machine& m, int cpu, pteval_t pte) {
  const int c = m.alloc_pfn();
  if (c < 0) {
    m.note(cpu, "fork: no page left to copy a pinned page: the child goes without");
    return;
  }
  Folio& copy = m.folio[c];
  copy.anon = copy.exclusive = true;
  copy.truth.data = uint32_t(m.folio[A::pte_pfn(pte)].truth.data);
  copy.child_refs = 1;
  copy.refcount.poke(1);
  if (m.tracing()) m.note(cpu, "fork: pfn " + std::to_string(A::pte_pfn(pte)) + " may be pinned, copied for the child");
}

// ---------------------------------------------------------------- faults

// Context: user mode (a fault op); takes mmap_lock for read.
template <class A>
Task<void> Ops<A>::fault(Machine& m, int cpu, Op op) {
  co_await do_page_fault(m, cpu, op.va, op.flags & FOLL_WRITE);
}

// The architecture's fault handler (arm64 do_page_fault(), x86
// do_user_addr_fault()): mmap_read_lock, handle_mm_fault(), unlock.
// Returns whether the access may be retried.
// Context: a user access's fault, IRQs on; takes mmap_lock for read.
template <class A>
Task<bool> Ops<A>::do_page_fault(Machine& m, int cpu, int va, bool write) {
  co_await mmap_read_lock(m);
  bool ok = co_await handle_mm_fault(m, cpu, va, write);
  co_await mmap_read_unlock(m);
  co_return ok;
}

// handle_mm_fault() → __handle_mm_fault() → handle_pte_fault() for the cases
// the model has: the huge PMD (core/mm/huge_memory.h), __pte_alloc() for an
// empty PMD, then under the PTL do_pte_missing() (do_anonymous_page(),
// do_read_fault()/do_shared_fault() on a new page-cache folio), do_wp_page()
// (reuse an exclusive anon or shared file folio, else copy), or a spurious
// fault's ptep_set_access_flags().  Returns whether the access may be retried.
// Context: mmap_lock held for read; takes pmd_lock or the PTL.
template <class A>
Task<bool> Ops<A>::handle_mm_fault(Machine& m, int cpu, int va, bool write) {
  const VmaInfo vma = m.vma[va];
  if (!vma.mapped || vma.prot_none || (write && !vma.write)) {  // access_error()
    m.note(cpu, "SIGSEGV");
    co_return false;
  }
  const int p = va / PTRS_PER_PTE;
  const pmdval_t pmd = co_await load(m.pmd[p]);
  if (m.pmd_is_swap(pmd)) {  // is_pmd_migration_entry(): pmd_migration_entry_wait() in the kernel
    m.note(cpu, "fault on a PMD migration entry: waits in the kernel, gives up here");
    co_return false;
  }
  if (m.pmd_leaf(pmd)) {  // do_huge_pmd_wp_page() / huge_pmd_set_accessed(), or split and go on with PTEs
    const int done = co_await huge_pmd_fault(m, cpu, va, write);
    if (done >= 0) co_return done;
  } else if (m.pmd_none(pmd)) {  // __pte_alloc(): pmd_populate unless someone else did
    PteTable* t = m.alloc_table(p);
    if (!t) co_return false;
    const pmdval_t found = co_await cmpxchg(m.pmd[p], A::PMD_NONE, m.pmd_of_serial(t->serial));
    if (found != A::PMD_NONE) m.free_table(t);
  }
  TableRef r = co_await pte_offset_map_lock(m, cpu, va);
  // No table now: handle_pte_fault()'s pte_offset_map_nolock() failed (with
  // "pt_reclaim", MADV_DONTNEED freed the table since __pte_alloc()); it
  // returns 0 and the access is retried.
  if (!r.t) co_return true;
  const int i = va % PTRS_PER_PTE;
  pteval_t pte = co_await pte_load(m, r, i);
  if constexpr (A::has_contpte) {
    // vmf->orig_pte = ptep_get_lockless(): on arm64 a valid CONT entry comes
    // with young/dirty gathered over its block (the model reads it under the
    // PTL, where handle_pte_fault() rechecks it with ptep_get()).
    if (A::pte_valid_cont(pte)) pte = co_await P::contpte_ptep_get(m, r, i, pte);
  }
  int put_pfn = -1;
  bool ok = true;
  if (A::pte_none(pte)) {
    ok = co_await do_pte_missing(m, r, i, vma, write);
  } else if (A::pte_present(pte) && !A::pte_protnone(pte) && write && !A::pte_write(pte)) {
    ok = co_await do_wp_page(m, cpu, r, i, va, pte, put_pfn);
  } else if (A::pte_present(pte) && !A::pte_protnone(pte)) {
    // Spurious (or access-flag) fault: entry = pte_mkyoung(orig_pte), and
    // pte_mkdirty() first on a write.
    pteval_t entry = write ? A::pte_mkdirty(pte) : pte;
    entry = A::pte_mkyoung(entry);
    co_await ptep_set_access_flags(m, cpu, r, i, entry, write);
  } else {
    m.note(cpu, "fault on a NUMA-hinting or non-present entry: not modelled");
    ok = false;
  }
  co_await pte_unmap_unlock(m, cpu, r);
  if (put_pfn >= 0) co_await folio_put(m, m.folio[put_pfn], 1);
  co_return ok;
}

// do_pte_missing(): do_anonymous_page() maps the zero page on a read and a
// new exclusive folio on a write; do_fault() a new page-cache folio
// (writable on a write fault to a shared mapping).
// Context: mmap_lock held for read, the PTL held.
template <class A>
Task<bool> Ops<A>::do_pte_missing(Machine& m, TableRef r, int i, VmaInfo vma, bool write) {
  if (!write && vma.anon) {
    co_await P::set_pte(m, r, i, A::mk_user_pte(0, UserProt{.write = false, .special = true}));
    co_return true;
  }
  int pfn = m.alloc_pfn();
  if (pfn < 0) co_return false;
  Folio& f = m.folio[pfn];
  f.anon = vma.anon;
  f.exclusive = vma.anon;
  f.mapcount = 1;
  f.refcount.poke(1);
  // Anonymous: writable+dirty when the vma is writable; shared file: writable on a write fault.
  bool w = vma.write && (vma.anon || write);
  co_await P::set_pte(m, r, i, A::mk_user_pte(pfn, UserProt{.write = w, .dirty = w}));
  co_return true;
}

// do_wp_page(): wp_page_copy() for the zero page or a shared anon page (the
// old folio's mapping reference goes in *put_pfn, put after the PTL);
// wp_page_reuse() / wp_page_shared() otherwise: ptep_set_access_flags().
// Context: mmap_lock held for read, the PTL held.
template <class A>
Task<bool> Ops<A>::do_wp_page(Machine& m, int cpu, TableRef r, int i, int va, pteval_t pte, int& put_pfn) {
  Folio& old = m.head_of(A::pte_pfn(pte));
  if (!(A::pte_special(pte) || (old.anon && !m.folio[A::pte_pfn(pte)].exclusive))) {
    // wp_page_reuse(): maybe_mkwrite(pte_mkdirty(pte_mkyoung(orig_pte))), the vma is writable here.
    co_await ptep_set_access_flags(m, cpu, r, i, A::pte_mkwrite(A::pte_mkdirty(A::pte_mkyoung(pte))), true);
    co_return true;
  }
  if (!A::pte_special(pte)) m.judge->cow_copy(m, cpu, va, A::pte_pfn(pte));
  int pfn = m.alloc_pfn();
  if (pfn < 0) co_return false;
  Folio& f = m.folio[pfn];
  f.anon = true;
  f.exclusive = true;
  f.mapcount = 1;
  f.refcount.poke(1);
  f.truth.data = A::pte_special(pte) ? 0 : uint32_t(m.folio[A::pte_pfn(pte)].truth.data);
  co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_clear_flush()
  co_await P::flush_tlb(m, cpu);
  co_await P::set_pte(m, r, i, A::mk_user_pte(pfn, UserProt{.write = true, .dirty = true}));
  if (!A::pte_special(pte)) {
    m.mapcount_add(old, -1);
    put_pfn = old.head;
  }
  co_return true;
}

}  // namespace gf
