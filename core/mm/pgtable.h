// SPDX-License-Identifier: GPL-2.0
//
// The page-table accessors under test, written once over an architecture
// model A (core/arch/*.h).  These follow include/linux/pgtable.h and
// arch/arm64/include/asm/pgtable.h in Linux 6.12 (the contpte.c helpers they
// call on arm64 are core/mm/contpte.h), plus the RFC "Reduce cost of
// ptep_get_lockless on arm64" (Ryan Roberts, Feb 2024):
//
//   1/4  ptep_get_lockless_norecency(): generic = ptep_get_lockless();
//   2/4  pte_same_norecency(): present sides through pte_mkold(pte_mkclean()),
//        then pte_same();
//   4/4  arm64 override: the single entry (__ptep_get), no contpte gathering.
//
// Every access to an entry is a scheduling point (pte_load & co).  Injected
// bugs that live in these helpers are tested here with m.bug(...).
#pragma once

#include "core/arch/norecency.h"
#include "core/base/text.h"
#include "core/mm/machine.h"
#include "core/sched/task.h"

namespace gf {

template <class A>
struct Pgtable {
  // --- reads ---------------------------------------------------------------

  // Every getter below reports what it returned to the judge
  // (Judge::pte_read), with the step it started after: the read contracts
  // (core/oracle/read_contract.cc) judge it from the entries' histories.

  // PAE: the entry one 32-bit load's pte_low and another's pte_high make.
  static pteval_t join_halves(pteval_t lo, pteval_t hi) { return A::make_pte(A::pte_low(lo), A::pte_high(hi)); }

  // ptep_get(): on arm64 a valid CONT entry gathers young/dirty over its block
  // (contpte_ptep_get); elsewhere one load.
  // Context: the PTL held, or a lockless reader's recheck.
  static Task<pteval_t> ptep_get(Machine& m, TableRef r, int i) {
    const uint64_t t0 = m.now();
    pteval_t pte = co_await pte_load(m, r, i);
    if constexpr (A::pte_halves) {  // READ_ONCE() of a 64-bit entry on 32-bit: pte_low, then pte_high
      const pteval_t hi = co_await pte_load(m, r, i);
      pte = join_halves(pte, hi);
    }
    if constexpr (A::has_contpte) {
      if (A::pte_valid_cont(pte)) pte = co_await contpte_ptep_get(m, r, i, pte);
    }
    m.judge->pte_read(m, PteGetter::ptep_get, r.t, r.serial, i, t0, pte);
    co_return pte;
  }

  // ptep_get_lockless(): x86-64 reads the entry once (READ_ONCE).  arm64:
  // contpte_ptep_get_lockless() re-reads the block, gathers young/dirty and
  // restarts while any entry is not valid+CONT or disagrees in PFN or in its
  // A/D-free protection with what the target implies.
  // Context: lockless (GUP-fast: IRQs off).
  static Task<pteval_t> ptep_get_lockless(Machine& m, TableRef r, int i) {
    const uint64_t t0 = m.now();
    const pteval_t pte = co_await read_lockless(m, r, i);
    m.judge->pte_read(m, PteGetter::ptep_get_lockless, r.t, r.serial, i, t0, pte);
    if constexpr (A::pte_halves) m.set_known(-1);
    co_return pte;
  }

  // RFC 1/4 and 4/4.
  // Context: lockless (GUP-fast: IRQs off).
  static Task<pteval_t> ptep_get_lockless_norecency(Machine& m, TableRef r, int i) {
    const uint64_t t0 = m.now();
    pteval_t pte;
    if constexpr (A::has_contpte)
      pte = co_await pte_load(m, r, i);  // __ptep_get(): young/dirty may be stale
    else
      pte = co_await read_lockless(m, r, i);
    m.judge->pte_read(m, PteGetter::ptep_get_lockless_norecency, r.t, r.serial, i, t0, pte);
    if constexpr (A::pte_halves) m.set_known(-1);
    co_return pte;
  }

  // RFC 2/4.  The judge sees every answer (Judge::norecency_compare).
  // Context: any (compares values).
  static bool pte_same_norecency(Machine& m, pteval_t a, pteval_t b) {
    bool same = gf::pte_same_norecency<A>(a, b);
    if (m.bug(Bug::norecency_ignores_write)) {
      pteval_t x = pte_norecency<A>(a), y = pte_norecency<A>(b);
      if (A::pte_present(x)) x = A::pte_mkclean(A::pte_wrprotect(x));
      if (A::pte_present(y)) y = A::pte_mkclean(A::pte_wrprotect(y));
      same = A::pte_same(x, y);
    }
    m.judge->norecency_compare(m, a, b, same);
    return same;
  }

  // --- updates (callers hold the PTL) ----------------------------------------

  // set_pte_at(): one store; PAE's native_set_pte() writes pte_high, then
  // (smp_wmb()) pte_low, so a lockless reader that sees the new low sees the
  // new high too (ptep_get_lockless() below).
  // Context: the PTL held.
  static Task<void> set_pte(Machine& m, TableRef r, int i, pteval_t v) {
    if constexpr (A::pte_halves) {
      co_await pte_store_part(m, r, i, v, A::PTE_HIGH);
      co_await pte_store_part(m, r, i, v, A::PTE_LOW);
    } else {
      co_await pte_store(m, r, i, v);
    }
  }

  // ptep_test_and_clear_young(): arm64 contpte clears AF in all 16 entries.
  // Context: the PTL held.
  static Task<bool> ptep_test_and_clear_young(Machine& m, TableRef r, int i) {
    const uint64_t t0 = m.now();
    bool young = false;
    bool block = false;
    if constexpr (A::has_contpte) {
      pteval_t orig = co_await pte_load(m, r, i);
      if (A::pte_valid_cont(orig)) {
        block = true;
        int base = i & ~(CONT_PTES - 1);
        for (int k = 0; k < CONT_PTES; k++) {
          const pteval_t old = co_await pte_fetch_and(m, r, base + k, ~A::YOUNG_BITS);
          young |= A::pte_young(old);
        }
      }
    }
    if constexpr (A::young_by_exchange) {
      const pteval_t cur = co_await pte_load(m, r, i);
      const pteval_t old = co_await pte_xchg(m, r, i, A::pte_mkold(cur));
      young = A::pte_young(old);
    } else if (!block) {
      const pteval_t old = co_await pte_fetch_and(m, r, i, ~A::YOUNG_BITS);
      young = A::pte_young(old);
    }
    m.judge->young_cleared(m, r.t, r.serial, i, t0, young);
    co_return young;
  }

  // ptep_get_and_clear(): arm64 first unfolds a contpte block (contpte_try_unfold).
  // Context: the PTL held.
  static Task<pteval_t> ptep_get_and_clear(Machine& m, int cpu, TableRef r, int i) {
    const uint64_t t0 = m.now();
    if constexpr (A::has_contpte) co_await contpte_try_unfold(m, cpu, r, i);
    const pteval_t old = co_await pte_xchg(m, r, i, A::PTE_NONE);
    m.judge->pte_read(m, PteGetter::ptep_get_and_clear, r.t, r.serial, i, t0, old);
    co_return old;
  }

  // ptep_set_wrprotect(): a cmpxchg loop so a racing hardware A/D update is
  // not lost; arm64 unfolds a contpte block first (wrprotect_ptes, nr = 1).
  // Context: the PTL held.
  static Task<void> ptep_set_wrprotect(Machine& m, int cpu, TableRef r, int i) {
    if constexpr (A::has_contpte) co_await contpte_try_unfold(m, cpu, r, i);
    pteval_t old = co_await pte_load(m, r, i);
    for (;;) {
      pteval_t found = co_await pte_cmpxchg(m, r, i, old, A::pte_wrprotect(old));
      if (found == old) break;
      old = found;
    }
  }

  // arm64 __ptep_set_access_flags() (arch/arm64/mm/fault.c, 6.12): nothing
  // when the entry already equals `entry`; else, in a cmpxchg loop against
  // the MMU's own updates, OR in entry's PTE_AF, PTE_DIRTY and PTE_WRITE and
  // keep PTE_RDONLY only if both have it (the more permissive of the two).
  // Returns whether it wrote.  Its flush_tlb_page() when `dirty` drops a
  // stale read-only TLB entry: the model keeps no TLB, and nothing waits on
  // that flush, so it is left out.  Only arm64 (A::has_contpte) calls it.
  // Context: the PTL held.
  static Task<bool> __ptep_set_access_flags(Machine& m, TableRef r, int i, pteval_t entry) {
    if constexpr (A::has_contpte) {
      pteval_t pte = co_await pte_load(m, r, i);
      if (A::pte_same(pte, entry)) co_return false;
      const pteval_t flags = (entry & (A::PTE_RDONLY | A::PTE_AF | A::PTE_WRITE | A::PTE_DIRTY)) ^ A::PTE_RDONLY;
      for (;;) {
        const pteval_t nv = ((pte ^ A::PTE_RDONLY) | flags) ^ A::PTE_RDONLY;
        const pteval_t found = co_await pte_cmpxchg(m, r, i, pte, nv);
        if (found == pte) break;
        pte = found;
      }
      co_return true;
    } else {
      co_return false;
    }
  }

  // flush_tlb_range(): x86 shoots down with IPIs, which wait for CPUs that have
  // IRQs disabled; arm64 broadcasts TLBI.  Both wait for in-flight MMU walks.
  // Context: process context, IRQs on (the caller's locks held, e.g. the PTL).
  static Task<void> flush_tlb(Machine& m, int cpu) {
    for (int c = 0; c < int(m.sc().cpus.size()); c++) {
      if (c == cpu) continue;
      if constexpr (A::tlb_flush_waits_for_irqs_off) co_await wait_epoch(m.cpu[c].irq);
      co_await wait_epoch(m.cpu[c].walk);
    }
  }

  // Wait until the CPU owning `e` is outside the section it may be in now
  // (an IRQs-off, RCU or MMU-walk epoch: odd while inside).
  // Context: process context, IRQs on.
  static Task<void> wait_epoch(Cell<uint32_t>& e) {
    uint32_t v = co_await load(e);
    if (!(v & 1)) co_return;
    for (;;) {
      const uint32_t now = co_await load(e);
      if (now != v) break;
    }
  }

  // ptep_get_lockless() without the report: x86-64 reads the entry once
  // (READ_ONCE); arm64 goes to contpte_ptep_get_lockless() for a CONT entry;
  // PAE (CONFIG_GUP_GET_PXX_LOW_HIGH, include/linux/pgtable.h) reads
  // pte_low, smp_rmb(), pte_high, smp_rmb(), and retries while pte_low moved:
  // writers make an entry present high first and tear it down low first, so
  // a low that holds still vouches for the high read between.
  // Context: lockless (GUP-fast: IRQs off).
  static Task<pteval_t> read_lockless(Machine& m, TableRef r, int i) {
    if constexpr (A::pte_halves) {
      for (;;) {
        const pteval_t lo = co_await pte_load(m, r, i);
        const pteval_t hi = co_await pte_load(m, r, i);
        const pteval_t pte = join_halves(lo, hi);
        if (m.tracing())
          m.note(m.cur_cpu(), "ptep_get_lockless: pte_low of the first read, pte_high of the second: " + hex(pte));
        if (m.bug(Bug::pae_no_low_recheck)) co_return pte;
        const pteval_t again = co_await pte_load(m, r, i);
        if (A::pte_low(again) == A::pte_low(lo)) {
          // The kernel's own reader: what it returns may still be a mix
          // (core/base/known.def), judged by the caller's report.
          m.set_known(int(KnownRace::pae_lockless_torn_across_modify_prot));
          co_return pte;
        }
        m.note(m.cur_cpu(), "ptep_get_lockless: pte_low moved, read again");
      }
    }
    pteval_t pte = co_await pte_load(m, r, i);
    if constexpr (A::has_contpte) {
      if (A::pte_valid_cont(pte)) pte = co_await contpte_ptep_get_lockless(m, r, i);
    }
    co_return pte;
  }

  // pmdp_get_lockless(): one load; PAE (CONFIG_PGTABLE_LEVELS > 2) the
  // same low/high/low retry as ptep_get_lockless().
  // Context: lockless (GUP-fast: IRQs off).
  static Task<pmdval_t> pmdp_get_lockless(Machine& m, int p) {
    if constexpr (A::pte_halves) {
      for (;;) {
        const pmdval_t lo = co_await load(m.pmd[p]);
        const pmdval_t hi = co_await load(m.pmd[p]);
        const pmdval_t again = co_await load(m.pmd[p]);
        if (A::pte_low(again) == A::pte_low(lo)) co_return join_halves(lo, hi);
      }
    }
    co_return co_await load(m.pmd[p]);
  }
  // pmd_val(*pmdp): GUP-fast's PMD recheck; two loads on PAE (low, high).
  // Context: lockless (GUP-fast: IRQs off).
  static Task<pmdval_t> pmdp_get(Machine& m, int p) {
    const pmdval_t lo = co_await load(m.pmd[p]);
    if constexpr (A::pte_halves) {
      const pmdval_t hi = co_await load(m.pmd[p]);
      co_return join_halves(lo, hi);
    }
    co_return lo;
  }
  // pmd_clear(): one store; PAE's native_pmd_clear() clears pmd_low, then
  // (smp_wmb()) pmd_high.
  // Context: mmap_lock held for write, or the PMD lock.
  static Task<void> pmd_clear(Machine& m, int p) {
    if constexpr (A::pte_halves) {
      co_await store_part(m.pmd[p], A::PMD_NONE, A::PTE_LOW);
      co_await store_part(m.pmd[p], A::PMD_NONE, A::PTE_HIGH);
    } else {
      co_await store(m.pmd[p], A::PMD_NONE);
    }
  }

  // --- arch/arm64/mm/contpte.c ----------------------------------------------
  // Defined in core/mm/contpte.h, which core/mm/ops.h includes: a user of
  // these accessors on arm64 includes ops.h (or contpte.h).
  static Task<pteval_t> contpte_ptep_get(Machine& m, TableRef r, int i, pteval_t orig_pte);
  static Task<pteval_t> contpte_ptep_get_lockless(Machine& m, TableRef r, int i);
  static Task<void> contpte_try_unfold(Machine& m, int cpu, TableRef r, int i);
  static Task<bool> contpte_try_fold(Machine& m, int cpu, TableRef r, int i);
  static Task<void> contpte_convert(Machine& m, int cpu, TableRef r, int i, pteval_t pte);
  static Task<bool> contpte_ptep_set_access_flags(Machine& m, int cpu, TableRef r, int i, pteval_t entry, bool dirty);
};

}  // namespace gf
