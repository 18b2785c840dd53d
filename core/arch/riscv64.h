// SPDX-License-Identifier: GPL-2.0
//
// riscv64 (Sv39/Sv48/Sv57, 4K pages) PTE layout and helpers, following Linux
// 6.12 arch/riscv/include/asm/pgtable.h, pgtable-bits.h and pgtable-64.h, with
// the generic fallbacks of include/linux/pgtable.h, linux/mm.h and
// asm-generic/pgtable_uffd.h, under the pinned configuration of
// tools/kernel-truth/targets.sh (defconfig + NUMA_BALANCING, THP, USERFAULTFD).
// The entry format is the same at every paging depth.
//
// - riscv 6.12 has neither soft-dirty nor uffd-wp (no HAVE_ARCH_SOFT_DIRTY,
//   no HAVE_ARCH_USERFAULTFD_WP): the generic helpers read 0 and the mk*
//   helpers are the identity, whatever C.soft_dirty / C.uffd_wp say.
//   ARCH_HAS_PTE_DEVMAP is always on (64BIT && MMU).  No shadow stacks.
// - Alternatives are unpatched, as on a CPU without Svnapot, Svpbmt or the
//   T-Head MAE erratum: has_svnapot() is false (pte_pfn() takes bits 10-53 as
//   they are, bit 63 is not a NAPOT marker), _PAGE_MTMASK reads 0 (so
//   pte_modify() keeps bits 61-62), ALT_THEAD_PMA adds nothing.
// - 6.12 has no Svadu support: the kernel never asks for hardware A/D
//   updates, so the MMU is modelled as Svade: an access through a clear A, or
//   a write through a clear D, faults and the fault path sets the bit under
//   the PTL (hw_access/hw_write never store anything).  C.svadu models a
//   kernel that turns Svadu on (menvcfg.ADUE): the MMU sets A on an access
//   and A|D on a write, atomically, as x86 does.
// - pte_access_permitted() is the generic one: pte_present() (a PROT_NONE
//   entry counts) and W for a write; it does not look at U.
// - TLB shootdown: with IPIs through SBI (no IMSIC; sbi_ipi_init() then turns
//   on riscv_sbi_for_rfence) remote flushes are SBI remote fences done by
//   M-mode firmware, which S-mode IRQs-off does not hold up; page tables are
//   then freed via RCU (riscv_tlb_remove_ptdesc).  Only with IMSIC IPIs does
//   flush use on_each_cpu_mask() and wait.  The model takes the SBI case.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{}>
struct Riscv64T : Generic<Riscv64T<C>> {
  static constexpr Arch id = C.svadu ? Arch::riscv64_svadu : Arch::riscv64;  // its arches.def row
  static constexpr const char* name = "riscv64";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = false;
  static constexpr bool tlb_flush_waits_for_irqs_off = false;  // SBI remote fence (see above)
  static constexpr int PAGE_SHIFT = 12;

  static constexpr pteval_t _PAGE_PRESENT = 1ull << 0;  // V
  static constexpr pteval_t _PAGE_READ = 1ull << 1;
  static constexpr pteval_t _PAGE_WRITE = 1ull << 2;
  static constexpr pteval_t _PAGE_EXEC = 1ull << 3;
  static constexpr pteval_t _PAGE_USER = 1ull << 4;
  static constexpr pteval_t _PAGE_GLOBAL = 1ull << 5;
  static constexpr pteval_t _PAGE_ACCESSED = 1ull << 6;
  // What ptep_test_and_clear_young() clears (generic code names no bit).
  static constexpr pteval_t YOUNG_BITS = _PAGE_ACCESSED;
  static constexpr pteval_t _PAGE_DIRTY = 1ull << 7;
  static constexpr pteval_t _PAGE_SPECIAL = 1ull << 8;  // RSW
  static constexpr pteval_t _PAGE_DEVMAP = 1ull << 9;   // RSW
  static constexpr pteval_t _PAGE_PROT_NONE = _PAGE_GLOBAL;       // only meaningful with V clear
  static constexpr pteval_t _PAGE_SWP_EXCLUSIVE = _PAGE_ACCESSED;  // swap entries only
  // What pte_swp_mkexclusive() can set in a swap entry (no swap soft-dirty or
  // uffd-wp on riscv 6.12; `gupfuzz audit` enumerates it).
  static constexpr pteval_t swp_pte_flags = _PAGE_SWP_EXCLUSIVE;
  static constexpr pteval_t _PAGE_LEAF = _PAGE_READ | _PAGE_WRITE | _PAGE_EXEC;
  static constexpr int _PAGE_PFN_SHIFT = 10;
  static constexpr pteval_t _PAGE_PFN_MASK = ((1ull << 54) - 1) & ~((1ull << _PAGE_PFN_SHIFT) - 1);  // GENMASK(53, 10)
  static constexpr pteval_t _PAGE_NAPOT = 1ull << 63;  // Svnapot: absent
  static constexpr pteval_t _PAGE_MTMASK_SVPBMT = 3ull << 61;  // Svpbmt: absent
  static constexpr pteval_t _PAGE_MTMASK = 0;  // riscv_page_mtmask() with the alternative unpatched
  static constexpr pteval_t _PAGE_RESERVED_HI = ~0ull << 54;  // bits 54-63: N, PBMT, reserved
  // Bits pte_modify() keeps.
  static constexpr pteval_t _PAGE_CHG_MASK =
      ~(_PAGE_PRESENT | _PAGE_READ | _PAGE_WRITE | _PAGE_EXEC | _PAGE_USER | _PAGE_GLOBAL | _PAGE_MTMASK);
  static constexpr int __SWP_TYPE_SHIFT = 7;
  static constexpr int __SWP_TYPE_BITS = 5;
  static constexpr int __SWP_OFFSET_SHIFT = __SWP_TYPE_SHIFT + __SWP_TYPE_BITS;

  // The protection_map[] values (pgtable.h): _PAGE_BASE = V | A | U.
  static constexpr pteval_t _PAGE_BASE = _PAGE_PRESENT | _PAGE_ACCESSED | _PAGE_USER;
  static constexpr pteval_t PAGE_NONE = _PAGE_PROT_NONE | _PAGE_READ;
  static constexpr pteval_t PAGE_READ = _PAGE_BASE | _PAGE_READ;  // = PAGE_COPY
  static constexpr pteval_t PAGE_WRITE = _PAGE_BASE | _PAGE_READ | _PAGE_WRITE;  // = PAGE_SHARED
  static constexpr pteval_t PAGE_READ_EXEC = _PAGE_BASE | _PAGE_READ | _PAGE_EXEC;  // = PAGE_COPY_EXEC
  static constexpr pteval_t PAGE_WRITE_EXEC = _PAGE_BASE | _PAGE_READ | _PAGE_WRITE | _PAGE_EXEC;  // = PAGE_SHARED_EXEC

  // riscv has no PAGE_READONLY[_EXEC]: ro is PAGE_COPY[_EXEC], as kt_prot() picks.
  static constexpr pteval_t pgprot(Prot p) {
    switch (p) {
      case Prot::ro: return PAGE_READ;
      case Prot::rw: return PAGE_WRITE;
      case Prot::ro_x: return PAGE_READ_EXEC;
      case Prot::rw_x: return PAGE_WRITE_EXEC;
      case Prot::none: break;
    }
    return PAGE_NONE;
  }

  static constexpr bool pte_none(pteval_t v) { return v == 0; }
  static constexpr bool pte_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_PROT_NONE); }
  // riscv's own only with NUMA_BALANCING, else the generic 0.
  static constexpr bool pte_protnone(pteval_t v) {
    if constexpr (!C.numa_balancing) return false;
    return (v & (_PAGE_PRESENT | _PAGE_PROT_NONE)) == _PAGE_PROT_NONE;
  }
  static constexpr bool pte_write(pteval_t v) { return v & _PAGE_WRITE; }
  static constexpr bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
  static constexpr bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY; }
  static constexpr bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
  static constexpr bool pte_devmap(pteval_t v) { return v & _PAGE_DEVMAP; }
  static constexpr bool pte_uffd_wp(pteval_t) { return false; }     // asm-generic/pgtable_uffd.h
  static constexpr bool pte_soft_dirty(pteval_t) { return false; }  // linux/pgtable.h
  static constexpr bool pte_cont(pteval_t) { return false; }
  // __page_val_to_pfn(); the NAPOT rounding is skipped, has_svnapot() being false.
  static constexpr uint64_t pte_pfn(pteval_t v) { return (v & _PAGE_PFN_MASK) >> _PAGE_PFN_SHIFT; }

  // Plain bit operations: no saved-dirty, no RDONLY/DBM pairing.
  static constexpr pteval_t pte_mkold(pteval_t v) {
    if constexpr (C.has_bug(Bug::mkold_clears_valid)) return v & ~(_PAGE_ACCESSED | _PAGE_PRESENT);
    return v & ~_PAGE_ACCESSED;
  }
  static constexpr pteval_t pte_mkyoung(pteval_t v) { return v | _PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkclean(pteval_t v) { return v & ~_PAGE_DIRTY; }
  static constexpr pteval_t pte_mkdirty(pteval_t v) { return v | _PAGE_DIRTY; }
  static constexpr pteval_t pte_wrprotect(pteval_t v) { return v & ~_PAGE_WRITE; }  // D stays
  // Generic pte_mkwrite(pte, vma) = pte_mkwrite_novma().
  static constexpr pteval_t pte_mkwrite(pteval_t v) { return v | _PAGE_WRITE; }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | _PAGE_SPECIAL; }

  // pte_access_permitted(), pte_same(), pmd_same() and the mk helpers riscv
  // lacks (uffd-wp, soft-dirty, cont) are Generic's.  No U check, and a
  // PROT_NONE entry (G|R, V clear) passes a read.

  // pfn_pte(): the pfn shifted to bit 10, unmasked, ORed with the prot.
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) { return (pfn << _PAGE_PFN_SHIFT) | pgprot(p); }
  // pte_modify(): keeps A, D, RSW, the PFN and bits 54-63 (MTMASK reads 0).
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) { return (v & _PAGE_CHG_MASK) | pgprot(p); }
  // __swp_entry(): type (masked to 5 bits) at 7, offset from 12 (unmasked).
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    return ((pteval_t(type) & ((1ull << __SWP_TYPE_BITS) - 1)) << __SWP_TYPE_SHIFT) | (offset << __SWP_OFFSET_SHIFT);
  }

  // mk_user_pte() (Generic): pfn_pte(pfn, PAGE_SHARED / PAGE_COPY [_EXEC]), then
  // the state; protnone: G|R, V U W X cleared; A, D, special kept.

  // Huge PMDs (pgtable.h; the entry format is the same at every level): a
  // leaf has R, W or X.  pmd_mkhuge() and pte_pmd()/pmd_pte() are the
  // identity; pmd_present() with THP also counts a leaf whose V and
  // PROT_NONE pmd_mkinvalid() (pmdp_invalidate(), THP split) cleared.  A
  // table PMD is _PAGE_TABLE (V alone) with the table's PFN (pmd_populate()).
  static constexpr pmdval_t PMD_TABLE = _PAGE_PRESENT;
  static constexpr pteval_t pmd_mkhuge(pteval_t pte) { return pte; }
  static constexpr pteval_t pmd_pte(pteval_t pmd) { return pmd; }
  static constexpr bool pmd_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_PROT_NONE | _PAGE_LEAF); }
  static constexpr bool pmd_leaf(pteval_t v) { return pmd_present(v) && (v & _PAGE_LEAF); }
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) { return v & ~(_PAGE_PRESENT | _PAGE_PROT_NONE); }
  // The machine's view of page k of a huge PMD as a PTE (what the MMU and the
  // oracles read of that page; no kernel helper): the PFN k pages on while present.
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) {
    return pte_present(pmd) ? pmd + (pteval_t(k) << _PAGE_PFN_SHIFT) : pmd;
  }

  // What the MMU stores on a user access; nullopt = page fault.  A user leaf
  // needs V, U and R (W without R is reserved; MXR is not set for user
  // code), and bits 54-63 clear (Svnapot/Svpbmt absent: reserved, they
  // fault).  Svade: A clear faults, D clear faults a write; nothing is stored.
  static constexpr bool hw_leaf_ok(pteval_t v) {
    constexpr pteval_t need = _PAGE_PRESENT | _PAGE_USER | _PAGE_READ | (C.svadu ? 0 : _PAGE_ACCESSED);
    return (v & need) == need && !(v & _PAGE_RESERVED_HI);
  }
  static constexpr std::optional<pteval_t> hw_access(pteval_t v) {
    if (!hw_leaf_ok(v)) return std::nullopt;
    return C.svadu ? v | _PAGE_ACCESSED : v;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (!hw_leaf_ok(v) || !(v & _PAGE_WRITE)) return std::nullopt;
    if constexpr (C.svadu) return v | _PAGE_ACCESSED | _PAGE_DIRTY;
    if (!(v & _PAGE_DIRTY)) return std::nullopt;
    return v;
  }
};

using Riscv64 = Riscv64T<>;

}  // namespace gf::arch
