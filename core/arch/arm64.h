// SPDX-License-Identifier: GPL-2.0
//
// arm64 (4K pages, 48-bit VA/PA) PTE layout and helpers, following Linux 6.12
// arch/arm64/include/asm/pgtable.h, pgtable-hwdef.h and pgtable-prot.h, with
// NUMA_BALANCING, USERFAULTFD, ARM64_CONTPTE, no POE (POR_EL0 allows every
// overlay index) and FEAT_HAFDBS (hardware access flag and dirty state).
// ArchCfg: without NUMA_BALANCING pte_protnone() is always false; without
// uffd-wp PTE_UFFD_WP is 0.  arm64 has no soft-dirty.
//
// Linux "writable" is PTE_WRITE (= DBM, bit 51).  Hardware dirty is DBM set
// and RDONLY clear: the MMU clears RDONLY on the first write through a DBM
// entry.  Software dirty is PTE_DIRTY.  contpte: 16 aligned entries with CONT
// set map one folio; the MMU updates AF/dirty on the single entry it used, so
// ptep_get() gathers young/dirty over the block (arch/arm64/mm/contpte.c).
// TLB maintenance is broadcast TLBI: a flush does not wait for IRQs-off CPUs.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{}>
struct Arm64T : Generic<Arm64T<C>> {
  static constexpr Arch id = Arch::arm64;  // its arches.def row
  static constexpr const char* name = "arm64";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = true;
  static constexpr bool tlb_flush_waits_for_irqs_off = false;

  static constexpr pteval_t PTE_VALID = 1ull << 0;
  static constexpr pteval_t PTE_TABLE_BIT = 1ull << 1;
  static constexpr pteval_t PTE_TYPE_PAGE = 3ull;
  static constexpr pteval_t PTE_USER = 1ull << 6;    // AP[1]
  static constexpr pteval_t PTE_RDONLY = 1ull << 7;  // AP[2]
  static constexpr pteval_t PTE_SHARED = 3ull << 8;
  static constexpr pteval_t PTE_AF = 1ull << 10;
  // What ptep_test_and_clear_young() clears (generic code names no bit).
  static constexpr pteval_t YOUNG_BITS = PTE_AF;
  static constexpr pteval_t PTE_NG = 1ull << 11;
  static constexpr pteval_t PTE_GP = 1ull << 50;
  static constexpr pteval_t PTE_DBM = 1ull << 51;
  static constexpr pteval_t PTE_WRITE = PTE_DBM;
  static constexpr pteval_t PTE_CONT = 1ull << 52;
  static constexpr pteval_t PTE_PXN = 1ull << 53;
  static constexpr pteval_t PTE_UXN = 1ull << 54;
  static constexpr pteval_t PTE_DIRTY = 1ull << 55;
  static constexpr pteval_t PTE_SPECIAL = 1ull << 56;
  static constexpr pteval_t PTE_DEVMAP = 1ull << 57;
  static constexpr pteval_t PTE_UFFD_WP = C.uffd_wp ? 1ull << 58 : 0;
  static constexpr pteval_t PTE_PO_IDX_MASK = 7ull << 60;
  static constexpr pteval_t PTE_PRESENT_INVALID = PTE_NG;  // only when !PTE_VALID
  static constexpr pteval_t PTE_ATTRINDX_MASK = 7ull << 2;
  // Swap-entry flags (pgtable-prot.h, "only for swp ptes").
  static constexpr pteval_t PTE_SWP_EXCLUSIVE = 1ull << 2;
  static constexpr pteval_t PTE_SWP_UFFD_WP = C.uffd_wp ? 1ull << 3 : 0;
  // What pte_swp_mkexclusive() and pte_swp_mkuffd_wp() can set in a swap
  // entry (`gupfuzz audit` enumerates them).
  static constexpr pteval_t swp_pte_flags = PTE_SWP_EXCLUSIVE | PTE_SWP_UFFD_WP;
  static constexpr int PAGE_SHIFT = 12;
  static constexpr pteval_t PTE_ADDR_LOW = ((1ull << (50 - PAGE_SHIFT)) - 1) << PAGE_SHIFT;
  static constexpr pteval_t _PAGE_DEFAULT = PTE_TYPE_PAGE | PTE_AF | PTE_SHARED;  // MT_NORMAL = 0

  static constexpr bool pte_none(pteval_t v) { return v == 0; }
  static constexpr bool pte_valid(pteval_t v) { return v & PTE_VALID; }
  static constexpr bool pte_present_invalid(pteval_t v) { return (v & (PTE_VALID | PTE_PRESENT_INVALID)) == PTE_PRESENT_INVALID; }
  static constexpr bool pte_present(pteval_t v) { return pte_valid(v) || pte_present_invalid(v); }
  static constexpr bool pte_user(pteval_t v) { return v & PTE_USER; }
  static constexpr bool pte_user_exec(pteval_t v) { return !(v & PTE_UXN); }
  static constexpr bool pte_protnone(pteval_t v) {
    return C.numa_balancing && pte_present_invalid(v) && !pte_user(v) && !pte_user_exec(v);
  }
  static constexpr uint64_t pte_pfn(pteval_t v) { return (v & PTE_ADDR_LOW) >> PAGE_SHIFT; }
  static constexpr bool pte_write(pteval_t v) {
    if constexpr (C.has_bug(Bug::write_from_rdonly)) return !(v & PTE_RDONLY);
    return v & PTE_WRITE;
  }
  static constexpr bool pte_rdonly(pteval_t v) { return v & PTE_RDONLY; }
  static constexpr bool pte_young(pteval_t v) { return v & PTE_AF; }
  static constexpr bool pte_hw_dirty(pteval_t v) { return pte_write(v) && !pte_rdonly(v); }
  static constexpr bool pte_sw_dirty(pteval_t v) { return v & PTE_DIRTY; }
  static constexpr bool pte_dirty(pteval_t v) { return pte_sw_dirty(v) || pte_hw_dirty(v); }
  static constexpr bool pte_special(pteval_t v) { return v & PTE_SPECIAL; }
  static constexpr bool pte_devmap(pteval_t v) { return v & PTE_DEVMAP; }
  static constexpr bool pte_uffd_wp(pteval_t v) { return v & PTE_UFFD_WP; }
  static constexpr bool pte_soft_dirty(pteval_t) { return false; }
  static constexpr bool pte_cont(pteval_t v) { return v & PTE_CONT; }
  static constexpr bool pte_valid_cont(pteval_t v) { return pte_valid(v) && pte_cont(v); }

  static constexpr pteval_t pte_mkold(pteval_t v) { return v & ~PTE_AF; }
  static constexpr pteval_t pte_mkyoung(pteval_t v) { return v | PTE_AF; }
  static constexpr pteval_t pte_mkclean(pteval_t v) { return (v & ~PTE_DIRTY) | PTE_RDONLY; }
  static constexpr pteval_t pte_mkdirty(pteval_t v) {
    v |= PTE_DIRTY;
    return pte_write(v) ? v & ~PTE_RDONLY : v;
  }
  static constexpr pteval_t pte_wrprotect(pteval_t v) {
    if (pte_hw_dirty(v)) v |= PTE_DIRTY;
    return (v & ~PTE_WRITE) | PTE_RDONLY;
  }
  // pte_mkwrite_novma(): arm64's pte_mkwrite(pte, vma) is this for non-shadow-stack vmas.
  static constexpr pteval_t pte_mkwrite(pteval_t v) {
    v |= PTE_WRITE;
    return pte_sw_dirty(v) ? v & ~PTE_RDONLY : v;
  }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | PTE_SPECIAL; }
  static constexpr pteval_t pte_mkuffd_wp(pteval_t v) { return C.uffd_wp ? pte_wrprotect(v | PTE_UFFD_WP) : v; }
  static constexpr pteval_t pte_mkcont(pteval_t v) { return v | PTE_CONT; }
  static constexpr pteval_t pte_mknoncont(pteval_t v) { return v & ~PTE_CONT; }

  // pte_access_permitted_no_overlay() && por_el0_allows_pkey() (no POE: true).
  static constexpr bool pte_access_permitted(pteval_t v, bool write) {
    return (v & (PTE_VALID | PTE_USER)) == (PTE_VALID | PTE_USER) && (!write || pte_write(v));
  }

  // protection_map[] entries of a private mapping (pgtable-prot.h).
  static constexpr pteval_t prot_val(Prot p) {
    constexpr pteval_t user = _PAGE_DEFAULT | PTE_USER | PTE_RDONLY | PTE_NG | PTE_PXN;
    switch (p) {
      case Prot::none: return (_PAGE_DEFAULT & ~PTE_VALID) | PTE_PRESENT_INVALID | PTE_RDONLY | PTE_NG | PTE_PXN | PTE_UXN;
      case Prot::ro: return user | PTE_UXN;              // PAGE_READONLY
      case Prot::rw: return user | PTE_UXN | PTE_WRITE;  // PAGE_SHARED: writable and clean
      case Prot::ro_x: return user;                      // PAGE_READONLY_EXEC
      case Prot::rw_x: return user | PTE_WRITE;          // PAGE_SHARED_EXEC
    }
    return 0;
  }
  // pfn_pte(): with 48-bit PA the address is not masked.
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) { return (pfn << PAGE_SHIFT) | prot_val(p); }
  // pte_modify(): keep hardware dirtiness as PTE_DIRTY, replace the
  // permission and type bits, then re-derive hardware dirty from PTE_DIRTY.
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) {
    constexpr pteval_t mask = PTE_USER | PTE_PXN | PTE_UXN | PTE_RDONLY | PTE_PRESENT_INVALID | PTE_VALID |
                              PTE_WRITE | PTE_GP | PTE_ATTRINDX_MASK | PTE_PO_IDX_MASK;
    if (pte_hw_dirty(v)) v |= PTE_DIRTY;
    v = (v & ~mask) | (prot_val(p) & mask);
    return pte_sw_dirty(v) ? pte_mkdirty(v) : v;
  }
  // __swp_entry(): type in bits 6-10, offset from bit 12.
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    return (pteval_t(type) << 6) | (offset << 12);
  }

  // __swp_type(), __swp_offset() of a swap entry's value.
  static constexpr unsigned swp_type(pteval_t v) { return unsigned(v >> 6) & 31; }
  static constexpr uint64_t swp_offset(pteval_t v) { return (v >> 12) & ((1ull << 50) - 1); }
  // THP migration (ARCH_ENABLE_THP_MIGRATION): __swp_entry_to_pmd() and
  // __pmd_to_swp_entry() take the value as it is, so a PMD migration entry
  // is the PTE's: Valid and the table bit clear, nG (PTE_PRESENT_INVALID)
  // clear, so pmd_present() is false.  pmd_mkinvalid() of it sets nG and
  // pmd_present() and pmd_leaf() become true (3a5a8d343e1c's arm64 case).
  static constexpr bool thp_migration = true;
  static constexpr pmdval_t swp_entry_pmd(unsigned type, uint64_t offset) { return swp_entry_pte(type, offset); }

  // mk_user_pte() (Generic): a fresh private user mapping, then the state.

  // contpte.c, one step each, shared by the model's readers (core/mm/contpte.h)
  // and the pure block readers below.  contpte_ptep_get(): OR young/dirty of
  // every entry of the block into the target.
  static constexpr pteval_t contpte_gather(pteval_t orig, pteval_t p) {
    if (pte_dirty(p)) orig = pte_mkdirty(orig);
    if (pte_young(p)) orig = pte_mkyoung(orig);
    return orig;
  }
  // pte_pgprot(): every bit but the output address.
  static constexpr pteval_t pte_pgprot(pteval_t p) { return p & ~PTE_ADDR_LOW; }
  // pte_pgprot(pte_mkold(pte_mkclean(pte))): the A/D-free protection.
  static constexpr pteval_t contpte_prot(pteval_t p) { return pte_pgprot(pte_mkold(pte_mkclean(p))); }
  // contpte_ptep_get_lockless(): entry k of the block is consistent with the
  // target when it is valid+CONT, maps the PFN the target implies and has
  // the same A/D-free protection.
  static constexpr bool contpte_consistent(pteval_t p, pteval_t orig_prot, uint64_t pfn) {
    return pte_valid_cont(p) && pte_pfn(p) == pfn && contpte_prot(p) == orig_prot;
  }
  static constexpr pteval_t contpte_ptep_get(const pteval_t* block, int idx) {
    pteval_t orig = block[idx];
    if (!pte_valid_cont(orig)) return orig;
    for (int k = 0; k < CONT_PTES; k++) orig = contpte_gather(orig, block[k]);
    return orig;
  }
  // One pass; nullopt where the kernel would restart (a racing writer).
  static constexpr std::optional<pteval_t> contpte_ptep_get_lockless(const pteval_t* block, int idx) {
    pteval_t orig = block[idx];
    if (!pte_valid_cont(orig)) return orig;
    const pteval_t orig_prot = contpte_prot(orig);
    const uint64_t pfn0 = pte_pfn(orig) - uint64_t(idx);
    for (int k = 0; k < CONT_PTES; k++) {
      if (!contpte_consistent(block[k], orig_prot, pfn0 + k)) return std::nullopt;
      orig = contpte_gather(orig, block[k]);
    }
    return orig;
  }

  // Huge PMDs (the model maps a 32-page folio with one block descriptor):
  // pmd_mkhuge() clears the table bit (PMD_TYPE_SECT); pmd_leaf() is present
  // and not a table; the PMD predicates are the PTE ones on the same bits.
  // pmd_mkinvalid() (pmdp_invalidate(), THP split) clears Valid and sets
  // PMD_PRESENT_INVALID, so pmd_present() stays true.
  // pmd_populate(): PMD_TYPE_TABLE | PMD_TABLE_PXN with the table's address.
  static constexpr pmdval_t PMD_TABLE = 3ull | 1ull << 59;
  static constexpr pteval_t pmd_mkhuge(pteval_t pte) { return pte & ~PTE_TABLE_BIT; }
  static constexpr pteval_t pmd_pte(pteval_t pmd) { return pmd | PTE_TABLE_BIT; }
  static constexpr bool pmd_present(pteval_t v) { return pte_present(v); }
  static constexpr bool pmd_leaf(pteval_t v) { return pmd_present(v) && (v & PTE_TYPE_PAGE) != PTE_TYPE_PAGE; }
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) { return (v & ~PTE_VALID) | PTE_PRESENT_INVALID; }
  // pmd_access_permitted(): pte_access_permitted(pmd_pte()), which needs
  // PTE_VALID: an invalidated huge PMD fails.
  static constexpr bool pmd_access_permitted(pteval_t v, bool write) { return pte_access_permitted(pmd_pte(v), write); }
  // The machine's view of page k of a huge PMD as a PTE (what the MMU and the
  // oracles read of that page; no kernel helper): pmd_pte() moved k pages on
  // while valid.
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) {
    const pteval_t pte = pmd_pte(pmd);
    return pte_valid(pte) ? pte + (pteval_t(k) << PAGE_SHIFT) : pte;
  }

  // FEAT_HAFDBS: the MMU sets AF on access; on a write through a DBM entry it
  // clears RDONLY.  RDONLY without DBM is a permission fault.
  static constexpr std::optional<pteval_t> hw_access(pteval_t v) {
    if (!pte_access_permitted(v, false)) return std::nullopt;
    return v | PTE_AF;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (!pte_access_permitted(v, false)) return std::nullopt;
    if (pte_rdonly(v) && !(v & PTE_DBM)) return std::nullopt;
    return (v | PTE_AF) & ~PTE_RDONLY;
  }

  // SVA through an SMMUv3: 6.12's arm_smmu_make_sva_cd()
  // (drivers/iommu/arm/arm-smmu-v3/arm-smmu-v3-sva.c) sets neither CD.HA nor
  // CD.HD, so the SMMU updates no access flag and no dirty state: it reads
  // each descriptor alone (never a contpte block's gathered view) and takes
  // an access flag fault on a clear AF, a permission fault on a write
  // through AP[2] = RDONLY (DBM is ignored without HD).  The device's
  // request then goes to the kernel's I/O page fault handler.
  static constexpr bool iommu_sva = true;
  static constexpr std::optional<pteval_t> iommu_walk(pteval_t v, bool write) {
    if (!pte_access_permitted(v, false) || !pte_young(v)) return std::nullopt;
    if (write && pte_rdonly(v)) return std::nullopt;
    return v;
  }
};

using Arm64 = Arm64T<>;

}  // namespace gf::arch
