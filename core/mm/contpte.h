// SPDX-License-Identifier: GPL-2.0
//
// arch/arm64/mm/contpte.c (6.12): the contiguous-PTE helpers the accessors of
// core/mm/pgtable.h call on arm64 — contpte_ptep_get(),
// contpte_ptep_get_lockless(), contpte_try_unfold() / __contpte_try_fold()
// over contpte_convert(), contpte_ptep_set_access_flags() — and the
// contpte_fold operation.  Members of
// Pgtable<A> and Ops<A>; on an architecture without contpte (A::has_contpte
// false) they do nothing and are never reached.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// contpte_ptep_get(): gather young/dirty over the block of the valid CONT
// entry `orig_pte` read at i.
// Context: the PTL held, or a lockless reader's recheck.
template <class A>
Task<pteval_t> Pgtable<A>::contpte_ptep_get(Machine& m, TableRef r, int i, pteval_t orig_pte) {
  if constexpr (A::has_contpte) {
    if (m.bug(Bug::contpte_get_no_gather)) co_return orig_pte;
    int base = i & ~(CONT_PTES - 1);
    for (int k = 0; k < CONT_PTES; k++) {
      pteval_t p = co_await pte_load(m, r, base + k);
      orig_pte = A::contpte_gather(orig_pte, p);
    }
  }
  co_return orig_pte;
}

// contpte_ptep_get_lockless(): re-read the entry, then the block, gathering
// young/dirty; restart while any entry is not valid+CONT or disagrees in PFN
// or in its A/D-free protection with what the target implies.
// Context: lockless (GUP-fast: IRQs off).
template <class A>
Task<pteval_t> Pgtable<A>::contpte_ptep_get_lockless(Machine& m, TableRef r, int i) {
  if constexpr (A::has_contpte) {
    int base = i & ~(CONT_PTES - 1);
  retry:
    pteval_t orig = co_await pte_load(m, r, i);
    if (!A::pte_valid_cont(orig)) co_return orig;
    const pteval_t orig_prot = A::contpte_prot(orig);
    uint64_t pfn = A::pte_pfn(orig) - uint64_t(i - base);
    for (int k = 0; k < CONT_PTES; k++, pfn++) {
      pteval_t p = co_await pte_load(m, r, base + k);
      if (!A::contpte_consistent(p, orig_prot, pfn) && !m.bug(Bug::contpte_lockless_no_retry)) goto retry;
      orig = A::contpte_gather(orig, p);
    }
    co_return orig;
  } else {
    const pteval_t pte = co_await pte_load(m, r, i);
    co_return pte;
  }
}

// contpte_try_unfold() → contpte_convert(): clear all 16 gathering
// young/dirty, flush, then write 16 non-CONT entries with the gathered state.
// Context: the PTL held.
template <class A>
Task<void> Pgtable<A>::contpte_try_unfold(Machine& m, int cpu, TableRef r, int i) {
  if constexpr (A::has_contpte) {
    const pteval_t pte = co_await pte_load(m, r, i);
    if (!A::pte_valid_cont(pte)) co_return;
    co_await contpte_convert(m, cpu, r, i, A::pte_mknoncont(pte));
  }
}

// contpte_try_fold() → contpte_convert() (6.12 __contpte_try_fold): when
// the 16 entries of the block map the consecutive pages of one large
// folio, all valid, none CONT yet, with one protection apart from
// young/dirty, rewrite them as a CONT block.
// Context: the PTL held.
template <class A>
Task<bool> Pgtable<A>::contpte_try_fold(Machine& m, int cpu, TableRef r, int i) {
  if constexpr (A::has_contpte) {
    const int base = i & ~(CONT_PTES - 1);
    const pteval_t first = co_await pte_load(m, r, base);
    if (!A::pte_valid(first) || A::pte_cont(first)) co_return false;
    const uint64_t pfn0 = A::pte_pfn(first);
    const Folio& head = m.head_of(pfn0);
    // The block must lie inside one large folio (a 16-page one, or either
    // half of a PTE-mapped THP).
    if (pfn0 % CONT_PTES || head.order < 4 || pfn0 < head.head ||
        pfn0 + CONT_PTES > uint64_t(head.head) + uint64_t(folio_nr_pages(head.order)))
      co_return false;
    const pteval_t prot = A::contpte_prot(first);
    for (int k = 1; k < CONT_PTES; k++) {
      const pteval_t p = co_await pte_load(m, r, base + k);
      if (!A::pte_valid(p) || A::pte_cont(p) || A::pte_pfn(p) != pfn0 + k || A::contpte_prot(p) != prot)
        co_return false;
    }
    co_await contpte_convert(m, cpu, r, base, A::pte_mkcont(first));
    co_return true;
  } else {
    co_return false;
  }
}

// contpte_convert(): clear the block's 16 entries gathering young/dirty,
// flush, write 16 entries from `pte` (CONT or not) with the gathered state.
// Context: the PTL held.
template <class A>
Task<void> Pgtable<A>::contpte_convert(Machine& m, int cpu, TableRef r, int i, pteval_t pte) {
  if constexpr (A::has_contpte) {
    const int base = i & ~(CONT_PTES - 1);
    const uint64_t pfn0 = A::pte_pfn(pte) & ~uint64_t(CONT_PTES - 1);
    pte = A::pte_pgprot(pte) | (pfn0 << A::PAGE_SHIFT);
    for (int k = 0; k < CONT_PTES; k++) {
      pteval_t ptent = co_await pte_xchg(m, r, base + k, 0);
      if (A::pte_dirty(ptent) && !m.bug(Bug::contpte_clear_drops_dirty)) pte = A::pte_mkdirty(pte);
      if (A::pte_young(ptent)) pte = A::pte_mkyoung(pte);
    }
    co_await flush_tlb(m, cpu);
    for (int k = 0; k < CONT_PTES; k++)
      co_await pte_store(m, r, base + k, pte + (pteval_t(k) << A::PAGE_SHIFT));
  }
}

// contpte_ptep_set_access_flags() (6.12 as Debian's 6.12.118 has it, with
// 97c5550b7631 "arm64: contpte: fix set_access_flags() no-op check for
// SMMU/ATS faults"): `entry` (already pte_mknoncont()) is what the fault
// wants: young, and dirty (and writable) on a write fault.
//   - no-op check, contpte_all_subptes_match_access_flags(): return 0 only
//     when every one of the 16 raw sub-PTEs has entry's PTE_RDONLY, PTE_AF,
//     PTE_WRITE and PTE_DIRTY;
//   - orig_pte is the raw target (__ptep_get()), for the write-bit decision;
//   - the write bit unchanged: __ptep_set_access_flags() on all 16 with
//     entry (only its access bits are taken), the range flush left out as in
//     __ptep_set_access_flags();
//   - the write bit changing: __contpte_try_unfold() (contpte_convert() of
//     pte_mknoncont(orig_pte)), then __ptep_set_access_flags() on the target.
// The injected bug contpte_access_flags_gathered_noop is the code before the
// fix (4602e5757bcc, v6.9): orig_pte = pte_mknoncont(ptep_get(ptep)), the
// gathered view, returns 0 when it equals entry — so a target still old or
// PTE_RDONLY stays so while a sibling is young/dirty — and decides the
// unfold from it too (pte_write() of the gathered view is the target's, and
// contpte_convert() gathers the block again: that half changes nothing).
// Context: the PTL held.
template <class A>
Task<bool> Pgtable<A>::contpte_ptep_set_access_flags(Machine& m, int cpu, TableRef r, int i, pteval_t entry,
                                                     bool dirty) {
  if constexpr (A::has_contpte) {
    (void)dirty;  // only the flushes the model leaves out read it
    const int base = i & ~(CONT_PTES - 1);
    pteval_t orig_pte;
    if (m.bug(Bug::contpte_access_flags_gathered_noop)) {
      const pteval_t gathered = co_await ptep_get(m, r, i);
      orig_pte = A::pte_mknoncont(gathered);
      if (orig_pte == entry) co_return false;
    } else {
      constexpr pteval_t cmp_mask = A::PTE_RDONLY | A::PTE_AF | A::PTE_WRITE | A::PTE_DIRTY;
      bool all_match = true;
      for (int k = 0; k < CONT_PTES && all_match; k++) {
        const pteval_t p = co_await pte_load(m, r, base + k);
        all_match = (p & cmp_mask) == (entry & cmp_mask);
      }
      if (all_match) co_return false;
      const pteval_t raw = co_await pte_load(m, r, i);
      orig_pte = A::pte_mknoncont(raw);
    }
    if (A::pte_write(orig_pte) == A::pte_write(entry)) {
      for (int k = 0; k < CONT_PTES; k++) co_await __ptep_set_access_flags(m, r, base + k, entry);
    } else {
      co_await contpte_convert(m, cpu, r, i, A::pte_mknoncont(orig_pte));
      co_await __ptep_set_access_flags(m, r, i, entry);
    }
    co_return true;
  } else {
    co_return false;
  }
}

// contpte_fold: what set_ptes() and the unfolding helpers do to a block on
// arm64, as one operation: fold the block around va if it qualifies
// (contpte_try_fold()), else unfold it (contpte_try_unfold()).  The kernel
// folds in set_ptes() and unfolds in the helpers, from paths that hold the
// mmap (or VMA) lock and the PTL.
// Context: takes mmap_lock for read, then the PTL.
template <class A>
Task<void> Ops<A>::contpte_fold(Machine& m, int cpu, Op op) {
  if constexpr (A::has_contpte) {
    co_await mmap_read_lock(m);
    TableRef r = co_await pte_offset_map_lock(m, cpu, op.va);
    if (r.t) {
      const int i = op.va % PTRS_PER_PTE;
      const bool folded = co_await P::contpte_try_fold(m, cpu, r, i);
      if (!folded) co_await P::contpte_try_unfold(m, cpu, r, i);
      co_await pte_unmap_unlock(m, cpu, r);
    }
    co_await mmap_read_unlock(m);
  } else {
    m.note(cpu, "contpte_fold: no contpte on this architecture");
  }
}

}  // namespace gf
