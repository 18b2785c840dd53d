// SPDX-License-Identifier: GPL-2.0
//
// What the x86-64 and PAE models share (arch/x86/include/asm/pgtable.h and
// pgtable_types.h, 6.12).  Dirty <-> SavedDirty moves (mksaveddirty_shift(),
// clear_saveddirty_shift()): Write=0,Dirty=1 is a shadow-stack entry, so a
// write-protected dirty entry keeps its dirtiness in a software bit (58 on
// 64-bit, 10 on 32-bit).  Dirty is bit 6 and RW bit 1 on both.
#pragma once

#include "core/base/types.h"

namespace gf::arch::x86 {

// The bits both layouts give the same meaning and place
// (pgtable_types.h _PAGE_BIT_*); each model adds the ones that differ
// (SavedDirty, uffd-wp, soft-dirty, pkeys).
struct PageBits {
  static constexpr pteval_t _PAGE_PRESENT = 1ull << 0;
  static constexpr pteval_t _PAGE_RW = 1ull << 1;
  static constexpr pteval_t _PAGE_USER = 1ull << 2;
  static constexpr pteval_t _PAGE_PWT = 1ull << 3;
  static constexpr pteval_t _PAGE_PCD = 1ull << 4;
  static constexpr pteval_t _PAGE_ACCESSED = 1ull << 5;
  // What ptep_test_and_clear_young() clears (generic code names no bit).
  static constexpr pteval_t YOUNG_BITS = _PAGE_ACCESSED;
  static constexpr pteval_t _PAGE_DIRTY = 1ull << 6;
  static constexpr pteval_t _PAGE_PSE = 1ull << 7;  // a huge PMD; _PAGE_PAT in a PTE
  static constexpr pteval_t _PAGE_PAT = _PAGE_PSE;
  static constexpr pteval_t _PAGE_GLOBAL = 1ull << 8;
  static constexpr pteval_t _PAGE_SPECIAL = 1ull << 9;
  static constexpr pteval_t _PAGE_DEVMAP = 1ull << 57;
  static constexpr pteval_t _PAGE_NX = 1ull << 63;
  static constexpr pteval_t _PAGE_PROTNONE = _PAGE_GLOBAL;
  static constexpr pteval_t _PAGE_KNL_ERRATUM_MASK = _PAGE_DIRTY | _PAGE_ACCESSED;
  static constexpr int PAGE_SHIFT = 12;
  static constexpr pteval_t PTE_PFN_MASK = ((1ull << 52) - 1) & ~((1ull << PAGE_SHIFT) - 1);
  // pmd_populate(): a table PMD is the table's address | _PAGE_TABLE
  // (Present, RW, User, Accessed, Dirty; no PSE).
  static constexpr pmdval_t PMD_TABLE = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY;
};

// RW clear: Dirty moves to SavedDirty.
constexpr pteval_t mksaveddirty_shift(pteval_t v, int saved_dirty_bit) {
  const pteval_t cond = (~v >> 1) & 1;
  v |= ((v >> 6) & cond) << saved_dirty_bit;
  v &= ~(cond << 6);
  return v;
}

// RW set: SavedDirty moves back to Dirty.
constexpr pteval_t clear_saveddirty_shift(pteval_t v, int saved_dirty_bit) {
  const pteval_t cond = (v >> 1) & 1;
  v |= ((v >> saved_dirty_bit) & cond) << 6;
  v &= ~(cond << saved_dirty_bit);
  return v;
}

// protection_map[] entries of a private mapping: the same bits on both
// (Present 0, RW 1, User 2, Accessed 5, Global = PROTNONE 8, NX 63).
constexpr pteval_t prot_val(Prot p) {
  constexpr pteval_t present = PageBits::_PAGE_PRESENT, rw = PageBits::_PAGE_RW, user = PageBits::_PAGE_USER;
  constexpr pteval_t accessed = PageBits::_PAGE_ACCESSED, protnone = PageBits::_PAGE_PROTNONE, nx = PageBits::_PAGE_NX;
  constexpr pteval_t u = present | user | accessed;
  switch (p) {
    case Prot::none: return accessed | protnone;  // PAGE_NONE
    case Prot::ro: return u | nx;                  // PAGE_READONLY
    case Prot::rw: return u | rw | nx;             // PAGE_SHARED
    case Prot::ro_x: return u;                     // PAGE_READONLY_EXEC
    case Prot::rw_x: return u | rw;                // PAGE_SHARED_EXEC
  }
  return 0;
}

// Huge PMDs, the same on both (pgtable.h, pgtable_types.h).  A leaf has PSE;
// the PMD predicates are the PTE ones on the same bits (pmd_write(),
// pmd_access_permitted() = __pte_access_permitted(), ...).  The PFN field of
// a PSE entry is PHYSICAL_PMD_PAGE_MASK (pmd_pfn_mask()): pfn_pmd() masks
// the (for PROT_NONE inverted) address to it, so the inverted low PFN bits
// below the PMD page stay 0, and pmd_pfn() masks them off again.  The machine
// carries a huge PMD as the PTE of its first page (A::pmd_mkhuge(pte),
// A::pmd_pte(pmd)): pmd_mkhuge() makes of pfn_pte(pfn, prot) what
// pmd_mkhuge(pfn_pmd(pfn, prot)) is, and pmd_pte() gives that PTE back.
// A is the model (needs_invert(), protnone_mask(), cfg, pte_pfn()'s width
// through pfn_ulong()).
template <class A>
struct HugePmd {
  static constexpr pteval_t PMD_PAGE_LOW = ((1ull << A::cfg.pmd_page_order) - 1) << PageBits::PAGE_SHIFT;
  static constexpr pteval_t PMD_PFN_MASK = PageBits::PTE_PFN_MASK & ~PMD_PAGE_LOW;  // PHYSICAL_PMD_PAGE_MASK

  static constexpr pteval_t pmd_mkhuge(pteval_t pte) {
    return (pte | PageBits::_PAGE_PSE) & ~(A::needs_invert(pte) ? PMD_PAGE_LOW : 0);
  }
  static constexpr pteval_t pmd_pte(pteval_t pmd) {
    const pteval_t pte = pmd & ~PageBits::_PAGE_PSE;
    return A::needs_invert(pte) ? pte | PMD_PAGE_LOW : pte;
  }
  static constexpr bool pmd_present(pteval_t v) {
    return v & (PageBits::_PAGE_PRESENT | PageBits::_PAGE_PROTNONE | PageBits::_PAGE_PSE);
  }
  static constexpr bool pmd_leaf(pteval_t v) { return v & PageBits::_PAGE_PSE; }
  // pmd_access_permitted(): __pte_access_permitted(pmd_val()), Present and
  // User (RW for a write): an invalidated huge PMD (Present clear) fails.
  static constexpr bool pmd_access_permitted(pteval_t v, bool write) { return A::pte_access_permitted(v, write); }
  // pmd_mkinvalid() (pmdp_invalidate(), THP split): pfn_pmd(pmd_pfn(),
  // pmd_flags() without Present and PROTNONE), so PSE stays and
  // pmd_present() stays true; the PFN is stored inverted, as in any
  // non-present entry.  pmd_pfn() returns an unsigned long (A::pfn_ulong).
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) {
    const pteval_t pfn_mask = (v & PageBits::_PAGE_PSE) ? PMD_PFN_MASK : PageBits::PTE_PFN_MASK;  // pmd_pfn_mask()
    const uint64_t pfn = A::pfn_ulong(((v ^ A::protnone_mask(v)) & pfn_mask) >> PageBits::PAGE_SHIFT);
    const pteval_t flags = v & ~pfn_mask & ~(PageBits::_PAGE_PRESENT | PageBits::_PAGE_PROTNONE);
    return (((pteval_t(pfn) << PageBits::PAGE_SHIFT) ^ A::protnone_mask(flags)) & PMD_PFN_MASK) | flags;
  }
  // The machine's view of page k of a huge PMD as a PTE (what the MMU and
  // the oracles read of that page; no kernel helper): pmd_pte() moved k
  // pages on while present.
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) {
    const pteval_t pte = pmd_pte(pmd);
    return A::pte_present(pte) ? pte + (pteval_t(k) << PageBits::PAGE_SHIFT) : pte;
  }
};

}  // namespace gf::arch::x86
