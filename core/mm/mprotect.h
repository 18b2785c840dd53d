// SPDX-License-Identifier: GPL-2.0
//
// mm/mprotect.c (6.12): change_protection() → change_pmd_range() →
// change_huge_pmd() / change_pte_range(), for mprotect() and for the model's
// range write-protect, both over the shared walk (core/mm/pagewalk.h).
// Members of Ops<A>.
#pragma once

#include <algorithm>

#include "core/mm/ops.h"

namespace gf {

// mprotect(): change_protection() under mmap_write_lock.  A private vma's
// entries are read-only whatever the vma allows (PAGE_COPY); with
// MM_CP_TRY_CHANGE_WRITABLE an entry is made writable at once only where a
// write fault would reuse it (can_change_pte_writable(): an exclusive anon
// page, or a dirty page of a shared file mapping).  Each entry goes through
// ptep_modify_prot_start() (get and clear) and _commit(); one flush at the end.
// Context: takes mmap_lock for write; pmd_lock or the PTL per PMD.
template <class A>
Task<void> Ops<A>::mprotect(Machine& m, int cpu, Op op) {
  co_await change_protection(m, cpu, op, op.flags & FOLL_WRITE ? Prot::rw : Prot::ro);
}

// mprotect(PROT_NONE): the same walk with PAGE_NONE; every entry keeps its
// page and its young/dirty state (pte_modify()), and user space may not
// touch the range (the fault path's access_error(): SIGSEGV) until an
// mprotect() makes it accessible again.
// Context: takes mmap_lock for write; pmd_lock or the PTL per PMD.
template <class A>
Task<void> Ops<A>::mprotect_none(Machine& m, int cpu, Op op) {
  co_await change_protection(m, cpu, op, Prot::none);
}

// change_protection() for mprotect() to `prot` (none, ro, rw).  A present
// entry is modified whether or not it is PROT_NONE now (pte_protnone()
// matters only to MM_CP_PROT_NUMA, NUMA hinting, which the model leaves out).
// Context: takes mmap_lock for write; pmd_lock or the PTL per PMD.
template <class A>
Task<void> Ops<A>::change_protection(Machine& m, int cpu, Op op, Prot prot) {
  const bool w = prot == Prot::rw;
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  co_await mmap_write_lock(m);
  for (int va = op.va; va < end; va++)
    if (m.vma[va].mapped) {
      m.vma[va].write = w;
      m.vma[va].prot_none = prot == Prot::none;
    }
  auto newpte = [&m, w, prot](pteval_t old) {
    if (prot == Prot::none) return A::pte_modify(old, Prot::none);
    pteval_t v = A::pte_modify(old, Prot::ro);
    const Folio& page = m.folio[A::pte_pfn(old)];
    const bool can_write = m.folio[page.head].anon ? bool(page.exclusive) : A::pte_dirty(old);
    if (w && !A::pte_special(old) && can_write) v = A::pte_mkwrite(v);
    return v;
  };
  bool any = false;
  auto change_pmd = [&](int va, int pmd_end) -> Task<bool> {
    if (prot == Prot::none) {  // the model's PROT_NONE lives in PTEs: split a huge PMD first
      pmdval_t old = 0;
      const bool leaf = co_await pmd_trans_huge_lock(m, cpu, va / PTRS_PER_PTE, old);
      if (leaf) {
        co_await split_huge_pmd_locked(m, cpu, va / PTRS_PER_PTE);
        co_await pmd_unlock(m);
      }
      co_return false;
    }
    const bool huge = co_await change_huge_pmd(m, cpu, va, pmd_end, newpte);
    if (huge) any = true;
    co_return huge;
  };
  auto change_pte_range = [&](TableRef r, int va, int pmd_end) -> Task<void> {
    for (; va < pmd_end; va++) {
      const int i = va % PTRS_PER_PTE;
      const pteval_t pte = co_await pte_load(m, r, i);
      if (!A::pte_present(pte) || !m.vma[va].mapped) continue;
      const pteval_t old = co_await P::ptep_get_and_clear(m, cpu, r, i);  // ptep_modify_prot_start()
      co_await P::set_pte(m, r, i, newpte(old));                          // ptep_modify_prot_commit()
      any = true;
    }
  };
  co_await walk_page_range(m, cpu, op.va, end, change_pmd, change_pte_range);
  if (any) co_await P::flush_tlb(m, cpu);
  co_await mmap_write_unlock(m);
}

// wrprotect: no one kernel function — the model's write-protect of a range
// under mmap_read_lock, as userfaultfd's mwriteprotect_range() takes it
// (which goes through change_protection(), hence this file), with the
// primitive fork applies (copy_present_ptes() → wrprotect_ptes()):
// ptep_set_wrprotect() on each present entry (keeping dirty),
// change_huge_pmd() on a huge PMD the range covers, then flush_tlb_range().
// Context: takes mmap_lock for read; pmd_lock or the PTL per PMD.
template <class A>
Task<void> Ops<A>::wrprotect(Machine& m, int cpu, Op op) {
  const int end = std::min(int(op.va) + int(op.nr), NR_VPAGES);
  co_await mmap_read_lock(m);
  bool any = false;
  auto wrprotect_pmd = [&](int va, int pmd_end) -> Task<bool> {
    const bool huge = co_await change_huge_pmd(m, cpu, va, pmd_end, [](pteval_t pte) { return A::pte_wrprotect(pte); });
    if (huge) any = true;
    co_return huge;
  };
  auto wrprotect_pte_range = [&](TableRef r, int va, int pmd_end) -> Task<void> {
    for (; va < pmd_end; va++) {
      const int i = va % PTRS_PER_PTE;
      pteval_t pte = co_await pte_load(m, r, i);
      if (!A::pte_present(pte) || A::pte_protnone(pte)) continue;
      co_await P::ptep_set_wrprotect(m, cpu, r, i);
      any = true;
    }
  };
  co_await walk_page_range(m, cpu, op.va, end, wrprotect_pmd, wrprotect_pte_range);
  if (any) co_await P::flush_tlb(m, cpu);
  co_await mmap_read_unlock(m);
}

}  // namespace gf
