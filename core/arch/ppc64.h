// SPDX-License-Identifier: GPL-2.0
//
// powerpc book3s64 (ppc64le) PTE layout and helpers under the radix MMU,
// following Linux 6.12 arch/powerpc/include/asm/book3s/64/pgtable.h, radix.h,
// hash-4k.h, pkeys.h, asm/pgtable.h, asm/pgtable-masks.h and the generic
// fallbacks of include/linux/pgtable.h and asm-generic/pgtable_uffd.h, under
// the pinned ppc64le configuration (tools/kernel-truth/targets.sh:
// ppc64le_defconfig + NUMA_BALANCING, MEM_SOFT_DIRTY, PPC_RADIX_MMU,
// PPC_4K_PAGES): 4K pages, radix_enabled() true, and no memory protection
// keys in effect (the kernel never sets MMU_FTR_PKEY under radix, so
// arch_pte_access_permitted() allows everything).
//
// pteval_t values are what pte_val() returns (and the k_* helpers take): the
// entry as a number, with _PAGE_PRESENT as bit 63.  In memory the entry is
// stored big-endian (pte_t holds a __be64; the helpers test cpu_to_be64(mask)
// against the raw word, which is the same bit test), so on ppc64le a table
// handed to the kernel's ptep_get() must hold the byte-swapped value.
//
// The MMU sets R (_PAGE_ACCESSED) and C (_PAGE_DIRTY) itself, atomically
// ("PTE Subject to Atomic Hardware Updates", Power ISA 3.1B; hence the
// ldarx/stdcx. pte_update() and pte_none() ignoring a late R/C writeback).
// TLB flushes are broadcast tlbie: a flush does not wait for IRQs-off CPUs.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{}>
struct Ppc64T : Generic<Ppc64T<C>> {
  static constexpr Arch id = Arch::ppc64le;  // its arches.def row
  static constexpr const char* name = "ppc64le";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = false;
  static constexpr int PAGE_SHIFT = 12;  // PPC_4K_PAGES

  // Radix permission and attribute bits (shared with hash).
  static constexpr pteval_t _PAGE_EXEC = 0x1;
  static constexpr pteval_t _PAGE_WRITE = 0x2;
  static constexpr pteval_t _PAGE_READ = 0x4;
  static constexpr pteval_t _PAGE_PRIVILEGED = 0x8;  // kernel access only
  static constexpr pteval_t _PAGE_SAO = 0x10;
  static constexpr pteval_t _PAGE_NON_IDEMPOTENT = 0x20;
  static constexpr pteval_t _PAGE_TOLERANT = 0x30;
  static constexpr pteval_t _PAGE_DIRTY = 0x80;      // C: changed, set by the MMU
  static constexpr pteval_t _PAGE_ACCESSED = 0x100;  // R: referenced, set by the MMU
  // What ptep_test_and_clear_young() clears (generic code names no bit).
  static constexpr pteval_t YOUNG_BITS = _PAGE_ACCESSED;
  static constexpr pteval_t _PAGE_RW = _PAGE_READ | _PAGE_WRITE;
  static constexpr pteval_t _PAGE_RWX = _PAGE_RW | _PAGE_EXEC;
  // Software bits.
  static constexpr pteval_t _RPAGE_RSV1 = 0x40;
  static constexpr pteval_t _PAGE_SOFT_DIRTY = 0x200;    // _RPAGE_SW3
  static constexpr pteval_t _PAGE_SPECIAL = 0x400;       // _RPAGE_SW2
  static constexpr pteval_t _PAGE_DEVMAP = 0x800;        // _RPAGE_SW1
  static constexpr pteval_t _PAGE_INVALID = 1ull << 61;  // _RPAGE_SW0: present while PRESENT is briefly clear
  static constexpr pteval_t _PAGE_PTE = 1ull << 62;      // leaf entry, not a table pointer
  static constexpr pteval_t _PAGE_PRESENT = 1ull << 63;  // hardware valid
  static constexpr pteval_t _RPAGE_PKEY_BIT0 = 1ull << 56;
  static constexpr pteval_t _RPAGE_PKEY_BIT4 = 1ull << 60;
  static constexpr pteval_t _RPAGE_RPN41_43 = 7ull << 53;
  // hash-4k.h's _PAGE_HPTEFLAGS (BUSY, HASHPTE, F_SECOND, F_GIX): compiled into
  // _PAGE_CHG_MASK even under radix, where they are expected to be zero.
  static constexpr pteval_t _PAGE_HPTEFLAGS = _RPAGE_RSV1 | _RPAGE_PKEY_BIT4 | _RPAGE_PKEY_BIT0 | _RPAGE_RPN41_43;
  static constexpr int _PAGE_PA_MAX = 53;
  static constexpr pteval_t PTE_RPN_MASK = ((1ull << _PAGE_PA_MAX) - 1) & ~((1ull << PAGE_SHIFT) - 1);  // bits 12-52
  static constexpr pteval_t RADIX_PTE_NONE_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;
  // Bits pte_modify() keeps.
  static constexpr pteval_t _PAGE_CHG_MASK = PTE_RPN_MASK | _PAGE_HPTEFLAGS | _PAGE_DIRTY | _PAGE_ACCESSED |
                                             _PAGE_SPECIAL | _PAGE_PTE | _PAGE_SOFT_DIRTY | _PAGE_DEVMAP;
  // pgtable-masks.h: _PAGE_BASE and the protection_map entries.
  static constexpr pteval_t _PAGE_BASE = _PAGE_PRESENT | _PAGE_ACCESSED;
  static constexpr pteval_t PAGE_NONE = _PAGE_BASE;  // no R/W/X: the user cannot touch it
  static constexpr pteval_t PAGE_READONLY = _PAGE_BASE | _PAGE_READ;
  static constexpr pteval_t PAGE_SHARED = _PAGE_BASE | _PAGE_RW;
  static constexpr pteval_t PAGE_READONLY_X = _PAGE_BASE | _PAGE_READ | _PAGE_EXEC;
  static constexpr pteval_t PAGE_SHARED_X = _PAGE_BASE | _PAGE_RWX;
  static constexpr int SWP_TYPE_BITS = 5;
  // Swap-entry flags: soft-dirty with MEM_SOFT_DIRTY (C.soft_dirty), PG_anon_exclusive in
  // _PAGE_NON_IDEMPOTENT.  R/C (0x100/0x80) have no place in the swap format.
  static constexpr pteval_t _PAGE_SWP_SOFT_DIRTY = C.soft_dirty ? _PAGE_SOFT_DIRTY : 0;
  static constexpr pteval_t _PAGE_SWP_EXCLUSIVE = _PAGE_NON_IDEMPOTENT;
  // What pte_swp_mksoft_dirty() and pte_swp_mkexclusive() can set in a swap
  // entry (`gupfuzz audit` enumerates them).
  static constexpr pteval_t swp_pte_flags = _PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_EXCLUSIVE;

  static constexpr pteval_t prot_val(Prot p) {
    switch (p) {
      case Prot::ro: return PAGE_READONLY;
      case Prot::rw: return PAGE_SHARED;
      case Prot::ro_x: return PAGE_READONLY_X;
      case Prot::rw_x: return PAGE_SHARED_X;
      case Prot::none: break;
    }
    return PAGE_NONE;
  }

  // radix__pte_none(): an empty entry may still get a late R/C writeback.
  static constexpr bool pte_none(pteval_t v) { return (v & ~RADIX_PTE_NONE_MASK) == 0; }
  static constexpr bool pte_hw_valid(pteval_t v) { return (v & (_PAGE_PRESENT | _PAGE_PTE)) == (_PAGE_PRESENT | _PAGE_PTE); }
  // Also present: PRESENT cleared with _PAGE_INVALID (a PTE/PMD being invalidated).
  static constexpr bool pte_present(pteval_t v) {
    return pte_hw_valid(v) || (v & (_PAGE_INVALID | _PAGE_PTE)) == (_PAGE_INVALID | _PAGE_PTE);
  }
  // Hardware valid leaf with no R/W/X; the generic version (always 0) without NUMA_BALANCING.
  static constexpr bool pte_protnone(pteval_t v) {
    if constexpr (!C.numa_balancing) return false;
    return (v & (_PAGE_PRESENT | _PAGE_PTE | _PAGE_RWX)) == (_PAGE_PRESENT | _PAGE_PTE);
  }
  static constexpr bool pte_write(pteval_t v) { return v & _PAGE_WRITE; }
  static constexpr bool pte_read(pteval_t v) { return v & _PAGE_READ; }
  static constexpr bool pte_user(pteval_t v) { return !(v & _PAGE_PRIVILEGED); }
  static constexpr bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
  static constexpr bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY; }
  static constexpr bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
  // Needs _PAGE_PTE too: bit 11 is not a software bit in a table pointer.
  static constexpr bool pte_devmap(pteval_t v) { return (v & (_PAGE_DEVMAP | _PAGE_PTE)) == (_PAGE_DEVMAP | _PAGE_PTE); }
  // No HAVE_ARCH_USERFAULTFD_WP on powerpc: asm-generic/pgtable_uffd.h, whatever C.uffd_wp says.
  static constexpr bool pte_uffd_wp(pteval_t) { return false; }
  // Book3s64 selects HAVE_ARCH_SOFT_DIRTY with either page size, and that (not
  // MEM_SOFT_DIRTY, C.soft_dirty) gates the PTE soft-dirty helpers; MEM_SOFT_DIRTY
  // only decides whether swap entries carry the bit.
  static constexpr bool pte_soft_dirty(pteval_t v) { return v & _PAGE_SOFT_DIRTY; }
  static constexpr bool pte_cont(pteval_t) { return false; }
  static constexpr uint64_t pte_pfn(pteval_t v) { return (v & PTE_RPN_MASK) >> PAGE_SHIFT; }

  static constexpr pteval_t pte_mkold(pteval_t v) { return v & ~_PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkyoung(pteval_t v) { return v | _PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkclean(pteval_t v) { return v & ~_PAGE_DIRTY; }  // soft-dirty stays
  static constexpr pteval_t pte_mkdirty(pteval_t v) { return v | _PAGE_DIRTY | _PAGE_SOFT_DIRTY; }
  static constexpr pteval_t pte_wrprotect(pteval_t v) { return v & ~_PAGE_WRITE; }  // READ stays, C stays
  // Generic pte_mkwrite(pte, vma) = pte_mkwrite_novma(): write implies read, both set.
  static constexpr pteval_t pte_mkwrite(pteval_t v) { return v | _PAGE_RW; }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | _PAGE_SPECIAL; }
  static constexpr pteval_t pte_mksoft_dirty(pteval_t v) { return v | _PAGE_SOFT_DIRTY; }

  // radix__pte_same()/radix__pmd_same(): the raw words are equal, Generic's
  // pte_same()/pmd_same() (hash would mask _PAGE_HPTEFLAGS).

  // Book3s64's own: pte_present() (so the _PAGE_INVALID form counts), not
  // privileged, READ (PROT_NONE and exec-only fail here), WRITE for a write;
  // arch_pte_access_permitted() allows every access without MMU_FTR_PKEY.
  static constexpr bool pte_access_permitted(pteval_t v, bool write) {
    if (!pte_present(v) || !pte_user(v) || !pte_read(v)) return false;
    if constexpr (C.has_bug(Bug::access_permitted_needs_young))
      if (!(v & _PAGE_ACCESSED)) return false;
    return !write || pte_write(v);
  }

  // pfn_pte(): no masking of the pfn (VM_BUG_ON in the kernel if it does not fit PTE_RPN_MASK).
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) { return (pfn << PAGE_SHIFT) | prot_val(p) | _PAGE_PTE; }
  // pte_modify(): keep _PAGE_CHG_MASK (R/C, soft-dirty, special, devmap, _PAGE_PTE, pfn, hash
  // flags), replace the rest (PRESENT, _PAGE_INVALID, R/W/X, PRIVILEGED, cache bits, pkey bits).
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) { return (v & _PAGE_CHG_MASK) | prot_val(p); }
  // __swp_entry(): type in bits 0-4 (not masked), offset in the pfn field; then _PAGE_PTE.
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    return pteval_t{type} | ((offset << PAGE_SHIFT) & PTE_RPN_MASK) | _PAGE_PTE;
  }

  // mk_user_pte() (Generic): pfn_pte(pfn, PAGE_READONLY / PAGE_SHARED [_X]) (young:
  // _PAGE_BASE has R), then the state; protnone: R/W/X cleared, R/C and soft-dirty kept.

  // What the radix MMU stores on a user access; nullopt = fault.  It needs a
  // hardware-valid leaf (PRESENT and _PAGE_PTE; the _PAGE_INVALID form
  // faults), no PRIVILEGED, READ (WRITE for a store: Linux never sets WRITE
  // without READ), and then sets R, and C on a store, atomically.
  static constexpr std::optional<pteval_t> hw_access(pteval_t v) {
    if (!pte_hw_valid(v) || !pte_access_permitted(v, false)) return std::nullopt;
    return v | _PAGE_ACCESSED;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (!pte_hw_valid(v) || !pte_access_permitted(v, true)) return std::nullopt;
    return v | _PAGE_ACCESSED | _PAGE_DIRTY;
  }

  // Huge PMDs (book3s/64/pgtable.h, radix.h): a leaf has _PAGE_PTE, which
  // pfn_pte() already sets, so pmd_mkhuge() (radix__pmd_mkhuge()) and
  // pmd_pte()/pte_pmd() change nothing.  pmd_present() counts the
  // _PAGE_INVALID form that pmdp_invalidate() (arch/powerpc/mm/book3s64/
  // pgtable.c: pmd_hugepage_update(PRESENT -> INVALID)) leaves during a THP
  // split.  A table PMD is the table's address | RADIX_PMD_VAL_BITS (PRESENT
  // and the PTE index size, 9 with 4K pages; pmd_populate()).
  static constexpr pmdval_t PMD_TABLE = _PAGE_PRESENT | 9;
  static constexpr pteval_t pmd_mkhuge(pteval_t pte) { return pte | _PAGE_PTE; }
  static constexpr pteval_t pmd_pte(pteval_t pmd) { return pmd; }
  static constexpr bool pmd_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_INVALID); }
  static constexpr bool pmd_leaf(pteval_t v) { return v & _PAGE_PTE; }
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) { return (v & ~_PAGE_PRESENT) | _PAGE_INVALID; }
  // pmd_access_permitted(): not while pmd_is_serializing() (PRESENT clear,
  // _PAGE_INVALID set: what pmdp_invalidate() leaves, "to prevent lock-free
  // lookups", serialize_against_pte_lookup()), then the PTE's check.  The
  // PTE's alone would pass it: pte_present() counts the _PAGE_INVALID form.
  static constexpr bool pmd_access_permitted(pteval_t v, bool write) {
    if ((v & (_PAGE_PRESENT | _PAGE_INVALID)) == _PAGE_INVALID) return false;
    return pte_access_permitted(pmd_pte(v), write);
  }
  // The machine's view of page k of a huge PMD as a PTE (no kernel helper):
  // the PFN k pages on while present.
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) {
    return pte_present(pmd) ? pmd + (pteval_t(k) << PAGE_SHIFT) : pmd;
  }

  // Radix flushes with broadcast tlbie (cputlb_use_tlbie(): tlbie_enabled is
  // true unless booted with disable_tlbie), which needs no IPI.  Only the
  // occasional mm_cpumask trim (every 1073rd flush) or disable_tlbie IPIs,
  // and the kernel relies on neither for GUP-fast.
  static constexpr bool tlb_flush_waits_for_irqs_off = false;
};

using Ppc64 = Ppc64T<>;

}  // namespace gf::arch
