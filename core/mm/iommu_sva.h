// SPDX-License-Identifier: GPL-2.0
//
// drivers/iommu/iommu-sva.c (6.12): a device bound to the process
// (iommu_sva_bind_device(), Shared Virtual Addressing) translates the
// process's virtual addresses through its IOMMU, which walks the CPU's page
// table: on arm64 an SMMUv3 context descriptor built by
// arm_smmu_make_sva_cd(), on x86-64 Intel VT-d first-level or AMD IOMMU
// tables.  A translation the IOMMU refuses becomes an I/O page fault (PCIe
// ATS + PRI, or an SMMU stall): iopf → iommu_sva_iopf_handler() →
// iommu_sva_handle_mm() → handle_mm_fault(), and on IOMMU_PAGE_RESP_SUCCESS
// the device retries its translation.  Members of Ops<A>.
//
// What the IOMMU does with access/dirty state is the architecture's
// (A::iommu_walk()): x86-64's sets Accessed/Dirty like the CPU; 6.12's SMMU
// SVA descriptor enables neither HA nor HD, so it updates nothing, reads each
// descriptor alone and faults on a clear AF, or on PTE_RDONLY for a write.
// Other architectures have no SVA in 6.12: the operation does nothing there.
//
// The race against the kernel before 97c5550b7631 is sequential (0
// preemptions; tests/witnesses/contpte_access_flags_gathered_noop.json):
//   1. the CPU's MMU (FEAT_HAFDBS) sets AF on one entry of a contpte block
//      (hw_access), or clears its PTE_RDONLY (hw_write);
//   2. the device touches another page of the block: the SMMU reads that
//      descriptor alone, finds AF clear (PTE_RDONLY on a write) and faults;
//   3. handle_mm_fault() → handle_pte_fault(): orig_pte is the block's
//      gathered view (young/dirty ORed over the 16), entry =
//      pte_mkyoung(orig_pte) (pte_mkdirty() first on a write) →
//      ptep_set_access_flags() → contpte_ptep_set_access_flags();
//   4. before the fix its no-op check compares the gathered view with entry:
//      equal, nothing is written, the fault reports success;
//   5. the device retries, the descriptor is as in 2, and it faults again —
//      forever on a real device; here after SMMU_MAX_FAULTS faults it gives
//      up, and device_fault_no_progress reports the second one.
#pragma once

#include "core/mm/ops.h"

namespace gf {

// smmu_access: the device's read (or, with FOLL_WRITE, write) of page va:
// the IOMMU's walk, and on a fault iommu_sva_handle_mm() and a retry.  Each
// retry after a fault the kernel reported handled is shown to the judge
// (Judge::device_refault) with the step the faulting walk began at.
// Context: a device; no CPU lock.  The walk runs in this CPU slot's `walk`
// epoch, which TLB flushes wait for (the IOMMU's invalidation with its sync).
template <class A>
Task<void> Ops<A>::smmu_access(Machine& m, int cpu, Op op) {
  if constexpr (!A::iommu_sva) {
    m.note(cpu, "smmu_access: no SVA on this architecture in 6.12");
  } else {
    const bool write = op.flags & FOLL_WRITE;
    bool handled = false;  // the last fault was reported handled
    uint64_t since = 0;    // the step before the walk that faulted began
    for (int faults = 0;; faults++) {
      const uint64_t t0 = m.now();
      const bool ok = co_await mmu_access(m, cpu, op.va, write, true);
      if (ok) break;
      if (handled) m.judge->device_refault(m, cpu, op.va, write, since);
      if (faults == SMMU_MAX_FAULTS) {
        m.note(cpu, "device: faulted again; gives up here (a real device retries forever)");
        break;
      }
      since = t0;
      m.note(cpu, write ? "device write: I/O page fault" : "device read: I/O page fault");
      handled = co_await iommu_sva_handle_mm(m, cpu, op.va, write);
      if (!handled) {
        m.note(cpu, "IOMMU_PAGE_RESP_INVALID: the device's access fails");
        break;
      }
    }
  }
}

// iommu_sva_handle_mm(): under mmap_read_lock, the vma must exist and allow
// the access (VM_READ, VM_WRITE for a write), then handle_mm_fault() with
// FAULT_FLAG_REMOTE (| FAULT_FLAG_WRITE); IOMMU_PAGE_RESP_SUCCESS unless it
// returned an error.  Returns whether the device may retry.
// Context: the I/O page fault workqueue; takes mmap_lock for read.
template <class A>
Task<bool> Ops<A>::iommu_sva_handle_mm(Machine& m, int cpu, int va, bool write) {
  co_await mmap_read_lock(m);
  const VmaInfo vma = m.vma[va];
  bool ok = false;
  if (vma.mapped && !vma.prot_none && (!write || vma.write)) ok = co_await handle_mm_fault(m, cpu, va, write);
  co_await mmap_read_unlock(m);
  co_return ok;
}

}  // namespace gf
