// SPDX-License-Identifier: GPL-2.0
//
// x86-64 PTE layout and helpers, following Linux 6.12
// arch/x86/include/asm/pgtable.h, pgtable_types.h and pgtable_64.h.  The
// default configuration is Debian's amd64 kernel: NUMA_BALANCING (pte_protnone
// is real), MEM_SOFT_DIRTY, USERFAULTFD (uffd-wp bit 10), protection keys with
// PKRU allowing every key, on a CPU without user shadow stacks.  ArchCfg
// switches each: without NUMA_BALANCING pte_protnone() is always false,
// without soft-dirty or uffd-wp their bits are 0, and with C.shstk (the CPU
// capability X86_FEATURE_SHSTK) Write=0,Dirty=1 is a shadow-stack entry and
// pte_write() is true for it.
//
// The MMU sets Accessed on any access and Dirty on a write through RW=1.
// TLB shootdown is an IPI, so a flush waits for CPUs running with IRQs off.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/arch/x86_common.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{}>
struct X86_64T : x86::PageBits, Generic<X86_64T<C>> {
  static constexpr Arch id = C.shstk ? Arch::x86_64_shstk : Arch::x86_64;  // its arches.def row
  static constexpr const char* name = "x86_64";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = false;
  static constexpr bool tlb_flush_waits_for_irqs_off = true;
  // SVA: Intel VT-d (INTEL_IOMMU_SVM) and AMD IOMMU walk the process's
  // tables and set Accessed/Dirty like the CPU (Generic::iommu_walk()).
  static constexpr bool iommu_sva = true;

  // Besides x86::PageBits:
  static constexpr pteval_t _PAGE_UFFD_WP = C.uffd_wp ? 1ull << 10 : 0;
  static constexpr pteval_t _PAGE_SOFT_DIRTY = C.soft_dirty ? 1ull << 11 : 0;
  static constexpr pteval_t _PAGE_SAVED_DIRTY = 1ull << 58;
  static constexpr pteval_t _PAGE_PKEY_MASK = 0xfull << 59;
  static constexpr pteval_t _PAGE_DIRTY_BITS = _PAGE_DIRTY | _PAGE_SAVED_DIRTY;
  // Swap-entry flags (pgtable_types.h, pgtable_64_types.h): soft-dirty in RW,
  // uffd-wp in User, PG_anon_exclusive in PWT.  Bits 5-6 stay unused in the
  // non-present format (Knights Landing may set A/D there).
  static constexpr pteval_t _PAGE_SWP_SOFT_DIRTY = C.soft_dirty ? _PAGE_RW : 0;
  static constexpr pteval_t _PAGE_SWP_UFFD_WP = C.uffd_wp ? _PAGE_USER : 0;
  static constexpr pteval_t _PAGE_SWP_EXCLUSIVE = _PAGE_PWT;
  // What pte_swp_mksoft_dirty(), pte_swp_mkuffd_wp() and pte_swp_mkexclusive()
  // can set in a swap entry (`gupfuzz audit` enumerates them).
  static constexpr pteval_t swp_pte_flags = _PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_UFFD_WP | _PAGE_SWP_EXCLUSIVE;

  // protnone_mask(): PROT_NONE and swap entries keep the PFN inverted (L1TF).
  static constexpr pteval_t protnone_mask(pteval_t v) {
    return (v && !(v & _PAGE_PRESENT)) ? ~0ull : 0;  // __pte_needs_invert()
  }

  // pte_none() ignores Accessed and Dirty: Knights Landing may set them in a
  // cleared entry (_PAGE_KNL_ERRATUM_MASK).  Found by tools/kernel-truth.
  static constexpr bool pte_none(pteval_t v) { return !(v & ~(_PAGE_ACCESSED | _PAGE_DIRTY)); }
  static constexpr bool pte_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_PROTNONE); }
  static constexpr bool pte_protnone(pteval_t v) {
    return C.numa_balancing && (v & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
  }
  static constexpr uint64_t pte_pfn(pteval_t v) { return ((v ^ protnone_mask(v)) & PTE_PFN_MASK) >> PAGE_SHIFT; }
  static constexpr bool pte_shstk(pteval_t v) { return C.shstk && (v & (_PAGE_RW | _PAGE_DIRTY)) == _PAGE_DIRTY; }
  static constexpr bool pte_write(pteval_t v) { return (v & _PAGE_RW) || pte_shstk(v); }
  static constexpr bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
  static constexpr bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY_BITS; }
  static constexpr bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
  static constexpr bool pte_devmap(pteval_t v) { return v & _PAGE_DEVMAP; }
  static constexpr bool pte_uffd_wp(pteval_t v) { return v & _PAGE_UFFD_WP; }
  static constexpr bool pte_soft_dirty(pteval_t v) { return v & _PAGE_SOFT_DIRTY; }
  static constexpr bool pte_cont(pteval_t) { return false; }

  // core/arch/x86_common.h, unconditional on 64-bit.
  static constexpr pteval_t pte_mksaveddirty(pteval_t v) { return x86::mksaveddirty_shift(v, 58); }
  static constexpr pteval_t pte_clear_saveddirty(pteval_t v) { return x86::clear_saveddirty_shift(v, 58); }

  static constexpr pteval_t pte_mkold(pteval_t v) { return v & ~_PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkyoung(pteval_t v) { return v | _PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkclean(pteval_t v) {
    if constexpr (C.has_bug(Bug::mkclean_clears_write)) return v & ~(_PAGE_DIRTY_BITS | _PAGE_RW);
    return v & ~_PAGE_DIRTY_BITS;
  }
  static constexpr pteval_t pte_mkdirty(pteval_t v) { return pte_mksaveddirty(v | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
  static constexpr pteval_t pte_wrprotect(pteval_t v) { return pte_mksaveddirty(v & ~_PAGE_RW); }
  // pte_mkwrite(pte, vma) for a non-shadow-stack vma (arch/x86/mm/pgtable.c).
  static constexpr pteval_t pte_mkwrite(pteval_t v) { return pte_clear_saveddirty(v | _PAGE_RW); }
  // pte_mkwrite_shstk(): a shadow-stack vma's entry is Write=0,Dirty=1.
  static constexpr pteval_t pte_mkwrite_shstk(pteval_t v) { return (v & ~_PAGE_RW) | _PAGE_DIRTY; }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | _PAGE_SPECIAL; }
  static constexpr pteval_t pte_mkuffd_wp(pteval_t v) { return C.uffd_wp ? pte_wrprotect(v | _PAGE_UFFD_WP) : v; }
  static constexpr pteval_t pte_mksoft_dirty(pteval_t v) { return v | _PAGE_SOFT_DIRTY; }

  // __pte_access_permitted(): Present and User (RW too for a write); PKRU allows every key.
  static constexpr bool pte_access_permitted(pteval_t v, bool write) {
    pteval_t need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
    return (v & need) == need;
  }

  static constexpr pteval_t prot_val(Prot p) { return x86::prot_val(p); }  // core/arch/x86_common.h
  // pfn_pte(): PROT_NONE entries get the PFN inverted.
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) {
    const pteval_t prot = prot_val(p);
    return (((pfn << PAGE_SHIFT) ^ protnone_mask(prot)) & PTE_PFN_MASK) | prot;
  }
  // pte_modify(): keep _PAGE_CHG_MASK, take the rest from the protection,
  // re-invert the PFN when crossing PROT_NONE, and never leave Write=0,Dirty=1
  // behind (Dirty to SavedDirty if the old entry was writable, else back).
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) {
    constexpr pteval_t chg = PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_PSE | _PAGE_SPECIAL | _PAGE_ACCESSED |
                             _PAGE_DIRTY_BITS | _PAGE_SOFT_DIRTY | _PAGE_DEVMAP | _PAGE_UFFD_WP;
    pteval_t n = (v & chg) | (prot_val(p) & ~chg);
    if (needs_invert(v) != needs_invert(n)) n ^= PTE_PFN_MASK;
    return (v & _PAGE_RW) ? pte_mksaveddirty(n) : pte_clear_saveddirty(n);
  }
  static constexpr bool needs_invert(pteval_t v) { return v && !(v & _PAGE_PRESENT); }
  // __swp_entry(): type in bits 59-63, the offset inverted from bit 14 down to bit 9.
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    return ((~offset << 14) >> 5) | (pteval_t(type) << 59);
  }
  // __swp_type(): the top 5 bits; __swp_offset(): ~val << 5 >> 14.
  static constexpr unsigned swp_type(pteval_t v) { return unsigned(v >> 59); }
  static constexpr uint64_t swp_offset(pteval_t v) { return (~v << 5) >> 14; }
  // THP migration (ARCH_ENABLE_THP_MIGRATION, x86-64 only): __swp_entry_to_pmd()
  // and __pmd_to_swp_entry() take the value as it is (pgtable_64.h).  PSE,
  // Present and PROTNONE are clear, so pmd_present() is false; pmd_mkinvalid()
  // of it keeps it non-present but rewrites the PFN field with PMD alignment
  // and inversion, corrupting the offset (3a5a8d343e1c's x86 case).
  static constexpr bool thp_migration = true;
  static constexpr pmdval_t swp_entry_pmd(unsigned type, uint64_t offset) { return swp_entry_pte(type, offset); }

  // mk_user_pte() (Generic): a fresh private user mapping, then the state.

  // Huge PMDs: core/arch/x86_common.h.
  static constexpr uint64_t pfn_ulong(uint64_t pfn) { return pfn; }  // unsigned long is 64 bits
  using Pmd = x86::HugePmd<X86_64T>;
  static constexpr pteval_t pmd_mkhuge(pteval_t pte) { return Pmd::pmd_mkhuge(pte); }
  static constexpr pteval_t pmd_pte(pteval_t pmd) { return Pmd::pmd_pte(pmd); }
  static constexpr bool pmd_present(pteval_t v) { return Pmd::pmd_present(v); }
  static constexpr bool pmd_leaf(pteval_t v) { return Pmd::pmd_leaf(v); }
  static constexpr bool pmd_access_permitted(pteval_t v, bool write) { return Pmd::pmd_access_permitted(v, write); }
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) { return Pmd::pmd_mkinvalid(v); }
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) { return Pmd::pmd_page_pte(pmd, k); }

  // What the MMU stores when a user access goes through this entry; nullopt = fault.
  static constexpr std::optional<pteval_t> hw_access(pteval_t v) {
    if ((v & (_PAGE_PRESENT | _PAGE_USER)) != (_PAGE_PRESENT | _PAGE_USER)) return std::nullopt;
    return v | _PAGE_ACCESSED;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (!pte_access_permitted(v, true)) return std::nullopt;
    return v | _PAGE_ACCESSED | _PAGE_DIRTY;
  }
};

using X86_64 = X86_64T<>;

}  // namespace gf::arch
