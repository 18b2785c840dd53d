// SPDX-License-Identifier: GPL-2.0
//
// s390x (4K pages) PTE layout and helpers, following Linux 6.12
// arch/s390/include/asm/pgtable.h (and page.h), with include/linux/pgtable.h,
// mm.h and asm-generic/pgtable_uffd.h for what s390 leaves generic
// (pte_access_permitted, pte_mkwrite, pmd_same, pte_devmap, uffd-wp).
// Configuration as in tools/kernel-truth/targets.sh (defconfig + fragment):
// NUMA_BALANCING (C.numa_balancing), MEM_SOFT_DIRTY (C.soft_dirty, bit 0x002).
// s390 has no HAVE_ARCH_USERFAULTFD_WP and no ARCH_HAS_PTE_DEVMAP, whatever
// the config.  Machine: z14 or later (MACHINE_HAS_NX, facility 130), so
// pfn_pte() keeps _PAGE_NOEXEC.
//
// The hardware bits are only invalid (0x400), protect (0x200) and no-exec
// (0x100); present/young/dirty/read/write are software bits.  The MMU never
// writes a PTE (referenced/changed live in the frame's storage key), so
// young and dirty are emulated: an old entry is hardware-invalid and faults
// on any access, a clean one is hardware-protected and faults on a write; the
// fault handler's pte_mkyoung()/pte_mkdirty() clear the bit again.  So
// pte_mkold() sets INVALID, pte_mkclean() and pte_wrprotect() set PROTECT, and
// INVALID/PROTECT are clear only while young+readable / dirty+writable.
// TLB invalidation is by broadcast instructions (IPTE, IDTE, CSP), no IPIs.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{}>
struct S390xT : Generic<S390xT<C>> {
  static constexpr Arch id = Arch::s390x;  // its arches.def row
  static constexpr const char* name = "s390x";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = false;
  static constexpr int PAGE_SHIFT = 12;
  static constexpr pteval_t PAGE_MASK = ~((1ull << PAGE_SHIFT) - 1);

  // Hardware bits.
  static constexpr pteval_t _PAGE_NOEXEC = 0x100;   // instruction-execution protection
  static constexpr pteval_t _PAGE_PROTECT = 0x200;  // read-only
  static constexpr pteval_t _PAGE_INVALID = 0x400;
  static constexpr pteval_t _PAGE_LARGE = 0x800;    // must be zero in a valid PTE
  // Software bits.
  static constexpr pteval_t _PAGE_PRESENT = 0x001;
  static constexpr pteval_t _PAGE_SOFT_DIRTY = C.soft_dirty ? 0x002 : 0;  // 0 without MEM_SOFT_DIRTY
  static constexpr pteval_t _PAGE_YOUNG = 0x004;
  static constexpr pteval_t _PAGE_DIRTY = 0x008;
  static constexpr pteval_t _PAGE_READ = 0x010;
  static constexpr pteval_t _PAGE_WRITE = 0x020;
  static constexpr pteval_t _PAGE_SPECIAL = 0x040;
  static constexpr pteval_t _PAGE_UNUSED = 0x080;   // pgste usage state
  static constexpr pteval_t _PAGE_SWP_EXCLUSIVE = _PAGE_LARGE;
  // What pte_swp_mkexclusive() and pte_swp_mksoft_dirty() (= pte_mksoft_dirty())
  // can set in a swap entry (`gupfuzz audit` enumerates them).
  static constexpr pteval_t swp_pte_flags = _PAGE_SWP_EXCLUSIVE | _PAGE_SOFT_DIRTY;
  // Bits pte_modify() keeps.
  static constexpr pteval_t _PAGE_CHG_MASK = PAGE_MASK | _PAGE_SPECIAL | _PAGE_DIRTY | _PAGE_YOUNG | _PAGE_SOFT_DIRTY;

  // protection_map[] entries.  All but PAGE_NONE carry READ; all are
  // INVALID+PROTECT (old, clean) until pte_mkyoung()/pte_mkdirty().
  static constexpr pteval_t PAGE_NONE = _PAGE_PRESENT | _PAGE_INVALID | _PAGE_PROTECT;
  static constexpr pteval_t PAGE_RO = _PAGE_PRESENT | _PAGE_READ | _PAGE_NOEXEC | _PAGE_INVALID | _PAGE_PROTECT;
  static constexpr pteval_t PAGE_RX = _PAGE_PRESENT | _PAGE_READ | _PAGE_INVALID | _PAGE_PROTECT;
  static constexpr pteval_t PAGE_RW = PAGE_RO | _PAGE_WRITE;
  static constexpr pteval_t PAGE_RWX = PAGE_RX | _PAGE_WRITE;
  static constexpr pteval_t prot_bits(Prot p) {
    switch (p) {
      case Prot::ro: return PAGE_RO;
      case Prot::rw: return PAGE_RW;
      case Prot::ro_x: return PAGE_RX;
      case Prot::rw_x: return PAGE_RWX;
      default: return PAGE_NONE;
    }
  }

  // Swap entry: offset in bits 12-63, type in bits 2-6, INVALID+PROTECT set,
  // PRESENT clear (pte_swap(): (v & 0x201) == 0x200).  Bit 0x800 is the
  // exclusive marker, 0x002 soft-dirty (pte_swp_soft_dirty = pte_soft_dirty).
  static constexpr pteval_t __SWP_OFFSET_MASK = (1ull << 52) - 1;
  static constexpr int __SWP_OFFSET_SHIFT = 12;
  static constexpr pteval_t __SWP_TYPE_MASK = (1ull << 5) - 1;
  static constexpr int __SWP_TYPE_SHIFT = 2;

  // Empty is INVALID alone, not 0 (pte_clear() stores _PAGE_INVALID).
  static constexpr bool pte_none(pteval_t v) { return v == _PAGE_INVALID; }
  static constexpr bool pte_present(pteval_t v) { return v & _PAGE_PRESENT; }
  static constexpr bool pte_swap(pteval_t v) { return (v & (_PAGE_PROTECT | _PAGE_PRESENT)) == _PAGE_PROTECT; }
  // Present but not readable (PAGE_NONE); constant 0 without NUMA_BALANCING.
  static constexpr bool pte_protnone(pteval_t v) { return C.numa_balancing && pte_present(v) && !(v & _PAGE_READ); }
  // Software bits only: say nothing about whether the MMU allows the access.
  static constexpr bool pte_write(pteval_t v) { return v & _PAGE_WRITE; }
  static constexpr bool pte_young(pteval_t v) { return v & _PAGE_YOUNG; }
  static constexpr bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY; }
  static constexpr bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
  static constexpr bool pte_devmap(pteval_t) { return false; }    // no ARCH_HAS_PTE_DEVMAP
  static constexpr bool pte_uffd_wp(pteval_t) { return false; }   // no HAVE_ARCH_USERFAULTFD_WP
  static constexpr bool pte_soft_dirty(pteval_t v) { return v & _PAGE_SOFT_DIRTY; }
  static constexpr bool pte_cont(pteval_t) { return false; }
  // The whole value shifted: no mask (bits 12-63 are the frame address).
  static constexpr uint64_t pte_pfn(pteval_t v) { return v >> PAGE_SHIFT; }

  // pte_mkold(): clear YOUNG and set INVALID, so the next access faults.
  static constexpr pteval_t pte_mkold(pteval_t v) { return (v & ~_PAGE_YOUNG) | _PAGE_INVALID; }
  // pte_mkyoung(): set YOUNG; clear INVALID only if READ (PAGE_NONE stays invalid).
  static constexpr pteval_t pte_mkyoung(pteval_t v) {
    v |= _PAGE_YOUNG;
    if constexpr (C.has_bug(Bug::mkyoung_ignores_read)) v |= _PAGE_READ;
    return (v & _PAGE_READ) ? v & ~_PAGE_INVALID : v;
  }
  // pte_mkclean(): clear DIRTY and set PROTECT, so the next write faults.
  static constexpr pteval_t pte_mkclean(pteval_t v) { return (v & ~_PAGE_DIRTY) | _PAGE_PROTECT; }
  // pte_mkdirty(): set DIRTY and SOFT_DIRTY; clear PROTECT only if WRITE.
  static constexpr pteval_t pte_mkdirty(pteval_t v) {
    v |= _PAGE_DIRTY | _PAGE_SOFT_DIRTY;
    return (v & _PAGE_WRITE) ? v & ~_PAGE_PROTECT : v;
  }
  // pte_wrprotect(): clear WRITE and set PROTECT; DIRTY is kept.
  static constexpr pteval_t pte_wrprotect(pteval_t v) { return (v & ~_PAGE_WRITE) | _PAGE_PROTECT; }
  // Generic pte_mkwrite(pte, vma) = pte_mkwrite_novma(): set WRITE; clear
  // PROTECT only if DIRTY (a clean writable entry still faults on a write).
  static constexpr pteval_t pte_mkwrite(pteval_t v) {
    v |= _PAGE_WRITE;
    return (v & _PAGE_DIRTY) ? v & ~_PAGE_PROTECT : v;
  }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | _PAGE_SPECIAL; }
  static constexpr pteval_t pte_mksoft_dirty(pteval_t v) { return v | _PAGE_SOFT_DIRTY; }  // no-op without MEM_SOFT_DIRTY


  // s390 has no pte_access_permitted(): Generic's, pte_present() and
  // pte_write() for a write.  Software bits only: a PAGE_NONE entry
  // (present, no READ) passes for a read; GUP-fast's pte_protnone() check
  // before it is what refuses it, and only with NUMA_BALANCING.  pte_same(),
  // pmd_same(), pte_mkuffd_wp() and the cont helpers are Generic's too.

  // pfn_pte() = mk_pte_phys(pfn << PAGE_SHIFT, prot): OR in the protection,
  // keep _PAGE_NOEXEC (MACHINE_HAS_NX), then pte_mkyoung().  So a fresh
  // readable entry is young and valid, but clean: PROTECT stays set.
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) { return pte_mkyoung((pfn << PAGE_SHIFT) | prot_bits(p)); }

  // pte_modify(): keep _PAGE_CHG_MASK, OR in the new protection (which sets
  // INVALID and PROTECT), then clear INVALID if YOUNG and READ, and PROTECT
  // if DIRTY and WRITE.  PRESENT, READ, WRITE and NOEXEC come from newprot.
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) {
    v = (v & _PAGE_CHG_MASK) | prot_bits(p);
    if ((v & _PAGE_YOUNG) && (v & _PAGE_READ)) v &= ~_PAGE_INVALID;
    if ((v & _PAGE_DIRTY) && (v & _PAGE_WRITE)) v &= ~_PAGE_PROTECT;
    return v;
  }

  // __swp_entry_to_pte(__swp_entry(type, offset)) = mk_swap_pte().
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    return _PAGE_INVALID | _PAGE_PROTECT | ((offset & __SWP_OFFSET_MASK) << __SWP_OFFSET_SHIFT) |
           ((pteval_t(type) & __SWP_TYPE_MASK) << __SWP_TYPE_SHIFT);
  }

  // mk_user_pte() (Generic): pfn_pte(pfn, vm_get_page_prot(flags)) for a user
  // mapping (writable = PAGE_RW, what pte_mkwrite() makes of a private
  // mapping's PAGE_RO), then the state.  pfn_pte() already made it young.
  // protnone (NUMA hinting): READ, WRITE gone, INVALID+PROTECT.

  // DAT, as KVM's software walk (arch/s390/kvm/gaccess.c, asm/dat-bits.h)
  // also does it: INVALID set is a page-translation exception, the zero bit
  // 0x800 set a translation-specification exception, PROTECT set makes a
  // store a protection exception.  There is no user bit (user and kernel
  // use different address spaces).  A successful access stores nothing in
  // the PTE: the fault handler does the young/dirty bookkeeping.
  static constexpr std::optional<pteval_t> hw_access(pteval_t v) {
    if (v & (_PAGE_INVALID | _PAGE_LARGE)) return std::nullopt;
    return v;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (v & (_PAGE_INVALID | _PAGE_LARGE | _PAGE_PROTECT)) return std::nullopt;
    return v;
  }

  // ptep_flush_direct()/ptep_flush_lazy()/__tlb_flush_mm() invalidate with
  // IPTE/IDTE (or CSP), which the hardware broadcasts and completes without
  // the other CPUs taking an interrupt: a CPU with IRQs off (GUP-fast) does
  // not hold a flush up.  Page tables are still freed through
  // MMU_GATHER_RCU_TABLE_FREE, i.e. after an RCU grace period.
  static constexpr bool tlb_flush_waits_for_irqs_off = false;

  // --- what the machine asks (core/arch/README.md) ---
  // pte_clear() stores _PAGE_INVALID; ptep_test_and_clear_young() is
  // ptep_xchg_direct(pte_mkold(*ptep)) (the MMU never writes a PTE, so the
  // exchange under the PTL loses nothing); YOUNG_BITS for the bookkeeping.
  static constexpr pteval_t PTE_NONE = _PAGE_INVALID;
  static constexpr bool young_by_exchange = true;
  static constexpr pteval_t YOUNG_BITS = _PAGE_YOUNG;

  // Segment-table entries (the PMD level; pgtable.h _SEGMENT_ENTRY_*): a
  // table PMD is the table's origin alone (pmd_populate(): _SEGMENT_ENTRY is
  // 0); the empty one is _SEGMENT_ENTRY_EMPTY, i.e. invalid; a large (huge)
  // one has its own bit layout, with young/dirty/read/write software bits of
  // its own.  pmd_present() is "not empty", pmd_leaf() the LARGE bit.
  static constexpr pmdval_t _SEGMENT_ENTRY_READ = 0x0001, _SEGMENT_ENTRY_WRITE = 0x0002;
  static constexpr pmdval_t _SEGMENT_ENTRY_INVALID = 0x20, _SEGMENT_ENTRY_NOEXEC = 0x100;
  static constexpr pmdval_t _SEGMENT_ENTRY_PROTECT = 0x200, _SEGMENT_ENTRY_LARGE = 0x400;
  static constexpr pmdval_t _SEGMENT_ENTRY_YOUNG = 0x1000, _SEGMENT_ENTRY_DIRTY = 0x2000;
  static constexpr pmdval_t _SEGMENT_ENTRY_SOFT_DIRTY = C.soft_dirty ? 0x4000 : 0;
  static constexpr pmdval_t PMD_NONE = _SEGMENT_ENTRY_INVALID;  // _SEGMENT_ENTRY_EMPTY
  static constexpr pmdval_t PMD_TABLE = 0;                       // _SEGMENT_ENTRY
  // _SEGMENT_ENTRY_ORIGIN_LARGE: the kernel's segment is 1 MiB (order 8);
  // here the PMD page of the geometry (ArchCfg::pmd_page_order).
  static constexpr pmdval_t ORIGIN_LARGE = ~((1ull << (PAGE_SHIFT + C.pmd_page_order)) - 1);
  static constexpr pmdval_t move_bit(pmdval_t v, pmdval_t from, pmdval_t to) { return (v & from) ? to : 0; }
  // The machine carries a huge PMD as the PTE of its first page: pmd_mkhuge()
  // makes the large segment entry of that PTE (arch/s390/mm/hugetlbpage.c's
  // __pte_to_rste() with _SEGMENT_ENTRY_LARGE, as set_huge_pte_at() stores
  // it), pmd_pte() the PTE back (__rste_to_pte(), without the _PAGE_LARGE
  // marker hugetlb adds: here the PTE form is what the MMU model reads).
  // For pfn_pte(pfn, prot) this is pmd_mkhuge(pfn_pmd(pfn, prot)) exactly.
  static constexpr pteval_t pmd_mkhuge(pteval_t pte) {
    if (!pte_present(pte)) return PMD_NONE;
    return (pte & PAGE_MASK) | move_bit(pte, _PAGE_READ, _SEGMENT_ENTRY_READ) |
           move_bit(pte, _PAGE_WRITE, _SEGMENT_ENTRY_WRITE) | move_bit(pte, _PAGE_INVALID, _SEGMENT_ENTRY_INVALID) |
           move_bit(pte, _PAGE_PROTECT, _SEGMENT_ENTRY_PROTECT) | move_bit(pte, _PAGE_DIRTY, _SEGMENT_ENTRY_DIRTY) |
           move_bit(pte, _PAGE_YOUNG, _SEGMENT_ENTRY_YOUNG) | move_bit(pte, _PAGE_SOFT_DIRTY, _SEGMENT_ENTRY_SOFT_DIRTY) |
           move_bit(pte, _PAGE_NOEXEC, _SEGMENT_ENTRY_NOEXEC) | _SEGMENT_ENTRY_LARGE;
  }
  static constexpr pteval_t pmd_pte(pteval_t pmd) {
    if (!pmd_present(pmd)) return PTE_NONE;
    return (pmd & ORIGIN_LARGE) | _PAGE_PRESENT | move_bit(pmd, _SEGMENT_ENTRY_READ, _PAGE_READ) |
           move_bit(pmd, _SEGMENT_ENTRY_WRITE, _PAGE_WRITE) | move_bit(pmd, _SEGMENT_ENTRY_INVALID, _PAGE_INVALID) |
           move_bit(pmd, _SEGMENT_ENTRY_PROTECT, _PAGE_PROTECT) | move_bit(pmd, _SEGMENT_ENTRY_DIRTY, _PAGE_DIRTY) |
           move_bit(pmd, _SEGMENT_ENTRY_YOUNG, _PAGE_YOUNG) | move_bit(pmd, _SEGMENT_ENTRY_SOFT_DIRTY, _PAGE_SOFT_DIRTY) |
           move_bit(pmd, _SEGMENT_ENTRY_NOEXEC, _PAGE_NOEXEC);
  }
  static constexpr bool pmd_present(pteval_t v) { return v != PMD_NONE; }
  static constexpr bool pmd_leaf(pteval_t v) { return v & _SEGMENT_ENTRY_LARGE; }
  // pmdp_invalidate() sets _SEGMENT_ENTRY_INVALID in place (pmdp_xchg_direct()).
  static constexpr pteval_t pmd_mkinvalid(pteval_t v) { return v | _SEGMENT_ENTRY_INVALID; }
  // The machine's view of page k of a huge PMD as a PTE (no kernel helper).
  static constexpr pteval_t pmd_page_pte(pteval_t pmd, int k) {
    const pteval_t pte = pmd_pte(pmd);
    return pte_present(pte) ? pte + (pteval_t(k) << PAGE_SHIFT) : pte;
  }
};

using S390x = S390xT<>;

}  // namespace gf::arch
