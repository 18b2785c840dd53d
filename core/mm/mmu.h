// SPDX-License-Identifier: GPL-2.0
//
// What the hardware MMU does on a user access: the table walk, the atomic
// access/dirty update (x86 A/D, arm64 FEAT_HAFDBS AF and DBM), and on a fault
// the kernel's fault handler (core/mm/memory.h) and one retry.  No kernel
// file: the hardware side of every race with a PTE reader.  Members of Ops<A>.
#pragma once

#include <optional>

#include "core/mm/ops.h"

namespace gf {

// A user access: walk PMD and PTE, set the access flag (and dirty state on
// a write) with an atomic update.  False on a fault.
// Context: the hardware; no lock.  The `walk` epoch brackets it, which TLB
// flushes wait for.
// With `iommu`, the walk is the IOMMU's for a device bound to the mm
// (A::iommu_walk(), core/mm/iommu_sva.h), inside the same epoch.
template <class A>
Task<bool> Ops<A>::mmu_access(Machine& m, int cpu, int va, bool write, bool iommu) {
  co_await fetch_add(m.cpu[cpu].walk, 1);
  bool ok = false;
  pmdval_t pmd = co_await load(m.pmd[va / PTRS_PER_PTE]);
  const Machine::PmdKind kind = m.pmd_kind(pmd);
  if (kind == Machine::PmdKind::leaf) {
    ok = co_await mmu_access_huge(m, va, write, pmd, iommu);
  } else if (kind == Machine::PmdKind::table) {  // none or a swap (migration) entry: a fault
    const TableRef r{m.table_of(pmd), Machine::serial_of_pmd(pmd)};
    const int i = va % PTRS_PER_PTE;
    pteval_t old = co_await pte_load(m, r, i);
    for (;;) {
      std::optional<pteval_t> nv = iommu ? A::iommu_walk(old, write) : write ? A::hw_write(old) : A::hw_access(old);
      if (!nv) break;
      if (*nv != old) {
        pteval_t found = co_await pte_cmpxchg(m, r, i, old, *nv);
        if (found != old) {
          old = found;
          continue;
        }
      }
      ok = true;
      if (write) m.store_lands(m.folio[A::pte_pfn(old)], va);  // the user's store, read back at va
      break;
    }
  }
  co_await fetch_add(m.cpu[cpu].walk, 1);
  co_return ok;
}

// The MMU through a huge PMD: access and dirty state live in the PMD.
// Context: the hardware, inside mmu_access()'s walk.
template <class A>
Task<bool> Ops<A>::mmu_access_huge(Machine& m, int va, bool write, pmdval_t old, bool iommu) {
  Cell<pmdval_t>& pmdp = m.pmd[va / PTRS_PER_PTE];
  for (;;) {
    const pteval_t pte = A::pmd_pte(old);
    std::optional<pteval_t> nv = iommu ? A::iommu_walk(pte, write) : write ? A::hw_write(pte) : A::hw_access(pte);
    if (!nv) co_return false;
    const pmdval_t want = A::pmd_mkhuge(*nv);
    if (want != old) {
      const pmdval_t found = co_await cmpxchg(pmdp, old, want);
      if (found != old) {
        if (!m.pmd_leaf(found)) co_return false;
        old = found;
        continue;
      }
    }
    if (write) m.store_lands(m.folio[A::pte_pfn(A::pmd_pte(old)) + uint64_t(va % PTRS_PER_PTE)], va);
    co_return true;
  }
}

// Context: user mode.
template <class A>
Task<void> Ops<A>::hw_access(Machine& m, int cpu, Op op) {
  co_await user_access(m, cpu, op.va, false);
}

// Context: user mode.
template <class A>
Task<void> Ops<A>::hw_write(Machine& m, int cpu, Op op) {
  co_await user_access(m, cpu, op.va, true);
}

// A load or store: the MMU, else the fault handler and one retry.
// Context: user mode; the fault takes mmap_lock for read.
template <class A>
Task<void> Ops<A>::user_access(Machine& m, int cpu, int va, bool write) {
  const bool done = co_await mmu_access(m, cpu, va, write);
  if (done) co_return;
  m.note(cpu, write ? "write fault" : "read fault");
  const bool retry = co_await do_page_fault(m, cpu, va, write);
  if (!retry) co_return;
  const bool again = co_await mmu_access(m, cpu, va, write);
  if (!again) m.note(cpu, "faulted again, give up");
}

}  // namespace gf
