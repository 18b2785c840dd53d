// SPDX-License-Identifier: GPL-2.0
//
// x86 32-bit PAE PTE layout and helpers, following Linux 6.12
// arch/x86/include/asm/pgtable.h, pgtable_types.h, pgtable-3level.h,
// pgtable-3level_types.h, page_32_types.h and pgtable-invert.h, with the
// generic fallbacks of include/linux/pgtable.h and asm-generic/pgtable_uffd.h,
// under the pinned configuration of tools/kernel-truth/targets.sh (i386
// defconfig + HIGHMEM64G, which selects X86_PAE and GUP_GET_PXX_LOW_HIGH).
//
// - An entry is 64 bits, two 32-bit words (pte_low, pte_high); a plain load
//   is two loads.  ptep_get_lockless() reads low, high, then low again and
//   retries while low changed; writers set high before low on set-up and
//   clear low before high on teardown.  A/D/software bits are all in low.
// - Same low-word layout as x86-64 and NX at bit 63, but the 64-bit-only
//   Kconfig options are absent: no soft-dirty (HAVE_ARCH_SOFT_DIRTY), no
//   uffd-wp (HAVE_ARCH_USERFAULTFD_WP), no devmap (ARCH_HAS_PTE_DEVMAP), no
//   protection keys, no NUMA balancing (ARCH_SUPPORTS_NUMA_BALANCING).  The
//   helpers of the absent ones read 0 / are the identity, whatever C says;
//   the default C is the pinned configuration (all four off).  pte_protnone()
//   follows C.numa_balancing as the shared x86 code would; Kconfig keeps it
//   off on 32-bit.
// - Saved-dirty is bit 10 (the 64-bit uffd-wp bit), and the Dirty<->SavedDirty
//   shifting is done unconditionally, as on 64-bit.  It has to live in the
//   low word: bit 58 is reserved in a present PAE entry, and
//   ptep_set_wrprotect()'s cmpxchg on a long only covers pte_low.
// - pte_shstk() tests the CPU capability X86_FEATURE_SHSTK, which 32-bit
//   kernels do not compile out (only X86_FEATURE_USER_SHSTK is): on a CET CPU
//   pte_write() is true for Write=0,Dirty=1.  C.shstk is that capability.
//   The 32-bit kernel never enables CET, so the MMU never sees shadow stacks.
// - unsigned long is 32 bits: pte_pfn() returns the PFN modulo 2^32 (the
//   "44-bit" physical limit), pfn_pte() takes a 32-bit PFN, swp_entry_t holds
//   5 type bits and a 27-bit offset.  __pte_access_permitted() looks at the
//   low word only.
// - PTE_PFN_MASK is bits 12-51 (__PHYSICAL_MASK_SHIFT 52 on PAE, so inverted
//   PROT_NONE/swap entries set every host PFN bit).  __supported_pte_mask is
//   taken as ~0: a CPU with NX and PGE.
// - The MMU sets Accessed on any access and Dirty on a write through RW=1.
//   Unlike 4-level paging, PAE reserves bits MAXPHYADDR-62 of a present
//   entry (no ignored high bits, no pkeys; cf. KVM's PT32E reserved-bit
//   masks): an access through one faults.  Bits 52-62 are modelled, the
//   CPU-dependent MAXPHYADDR-51 are not.
// TLB shootdown is an IPI, so a flush waits for CPUs running with IRQs off.
#pragma once

#include "core/arch/arches.h"
#include "core/arch/generic.h"
#include "core/arch/x86_common.h"
#include "core/base/types.h"

namespace gf::arch {

template <ArchCfg C = ArchCfg{.numa_balancing = false, .soft_dirty = false, .uffd_wp = false, .shstk = false}>
struct I386PaeT : x86::PageBits, Generic<I386PaeT<C>> {
  static constexpr Arch id = Arch::i386_pae;  // its arches.def row
  static constexpr const char* name = "i386-pae";
  static constexpr ArchCfg cfg = C;
  static constexpr bool has_contpte = false;
  static constexpr bool tlb_flush_waits_for_irqs_off = true;

  // Besides x86::PageBits:
  static constexpr pteval_t _PAGE_SAVED_DIRTY = 1ull << 10;  // SOFTW2 on 32-bit
  static constexpr pteval_t _PAGE_UFFD_WP = 0;
  static constexpr pteval_t _PAGE_SOFT_DIRTY = 0;
  static constexpr pteval_t _PAGE_PKEY_MASK = 0;
  static constexpr pteval_t _PAGE_DIRTY_BITS = _PAGE_DIRTY | _PAGE_SAVED_DIRTY;
  // pgtable-3level.h: PG_anon_exclusive in PSE; no swap soft-dirty or uffd-wp on 32-bit.
  static constexpr pteval_t _PAGE_SWP_EXCLUSIVE = _PAGE_PSE;
  // What pte_swp_mkexclusive() can set in a swap entry (`gupfuzz audit` enumerates it).
  static constexpr pteval_t swp_pte_flags = _PAGE_SWP_EXCLUSIVE;
  static constexpr pteval_t _PAGE_CHG_MASK = PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | _PAGE_SPECIAL | _PAGE_ACCESSED |
                                             _PAGE_DIRTY_BITS | _PAGE_SOFT_DIRTY | _PAGE_DEVMAP | _PAGE_UFFD_WP |
                                             _PAGE_PAT;
  static constexpr pteval_t PAE_RSVD_MASK = ((1ull << 63) - 1) & ~((1ull << 52) - 1);  // bits 52-62 (SDM PAE PTE)
  static constexpr int SWP_TYPE_BITS = 5;
  static constexpr int SWP_OFFSET_SHIFT = 9 + SWP_TYPE_BITS;  // offset from bit 9 (_PAGE_BIT_PROTNONE + 1)

  // The two 32-bit halves (core/arch/generic.h; core/mm/pgtable.h reads and
  // writes them apart).
  static constexpr bool pte_halves = true;
  static constexpr pteval_t PTE_LOW = 0xffffffffull, PTE_HIGH = ~PTE_LOW;
  static constexpr uint32_t pte_low(pteval_t v) { return uint32_t(v); }
  static constexpr uint32_t pte_high(pteval_t v) { return uint32_t(v >> 32); }
  static constexpr pteval_t make_pte(uint32_t low, uint32_t high) { return pteval_t(high) << 32 | low; }

  // ptep_get_lockless() with CONFIG_GUP_GET_PXX_LOW_HIGH (include/linux/pgtable.h):
  // load pte_low, smp_rmb(), pte_high, smp_rmb(), and retry while pte_low
  // changed.  Sound because writers set pte_high before pte_low when making an
  // entry present and clear pte_low before pte_high when tearing it down, and
  // a present entry never turns into another present one without a TLB flush
  // (which waits for GUP-fast's IRQs-off section).  load_low()/load_high() are
  // the two 32-bit loads, each at its own moment.
  template <class LoadLow, class LoadHigh>
  static constexpr pteval_t ptep_get_lockless(LoadLow load_low, LoadHigh load_high) {
    for (;;) {
      const uint32_t low = load_low();
      const uint32_t high = load_high();
      if (load_low() == low) return make_pte(low, high);
    }
  }

  // protnone_mask(): PROT_NONE and swap entries keep the PFN inverted (L1TF).
  static constexpr bool needs_invert(pteval_t v) { return v && !(v & _PAGE_PRESENT); }
  static constexpr pteval_t protnone_mask(pteval_t v) { return needs_invert(v) ? ~0ull : 0; }

  // pte_none() ignores Accessed/Dirty (Knights Landing erratum, 64-bit and PAE).
  static constexpr bool pte_none(pteval_t v) { return !(v & ~_PAGE_KNL_ERRATUM_MASK); }
  static constexpr bool pte_present(pteval_t v) { return v & (_PAGE_PRESENT | _PAGE_PROTNONE); }
  static constexpr bool pte_protnone(pteval_t v) {
    return C.numa_balancing && (v & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
  }
  // Returns unsigned long: bits 44-51 of the address are dropped.
  static constexpr uint64_t pte_pfn(pteval_t v) { return uint32_t(((v ^ protnone_mask(v)) & PTE_PFN_MASK) >> PAGE_SHIFT); }
  static constexpr bool pte_shstk(pteval_t v) { return C.shstk && (v & (_PAGE_RW | _PAGE_DIRTY)) == _PAGE_DIRTY; }
  static constexpr bool pte_write(pteval_t v) {
    if constexpr (C.has_bug(Bug::write_from_dirty)) return v & (_PAGE_RW | _PAGE_DIRTY);
    return (v & _PAGE_RW) || pte_shstk(v);
  }
  static constexpr bool pte_young(pteval_t v) { return v & _PAGE_ACCESSED; }
  static constexpr bool pte_dirty(pteval_t v) { return v & _PAGE_DIRTY_BITS; }
  static constexpr bool pte_special(pteval_t v) { return v & _PAGE_SPECIAL; }
  static constexpr bool pte_devmap(pteval_t) { return false; }      // linux/mm.h: no ARCH_HAS_PTE_DEVMAP
  static constexpr bool pte_uffd_wp(pteval_t) { return false; }     // asm-generic/pgtable_uffd.h
  static constexpr bool pte_soft_dirty(pteval_t) { return false; }  // linux/pgtable.h
  static constexpr bool pte_cont(pteval_t) { return false; }

  // core/arch/x86_common.h, with saved-dirty at bit 10.
  static constexpr pteval_t pte_mksaveddirty(pteval_t v) { return x86::mksaveddirty_shift(v, 10); }
  static constexpr pteval_t pte_clear_saveddirty(pteval_t v) { return x86::clear_saveddirty_shift(v, 10); }

  static constexpr pteval_t pte_mkold(pteval_t v) { return v & ~_PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkyoung(pteval_t v) { return v | _PAGE_ACCESSED; }
  static constexpr pteval_t pte_mkclean(pteval_t v) { return v & ~_PAGE_DIRTY_BITS; }
  static constexpr pteval_t pte_mkdirty(pteval_t v) { return pte_mksaveddirty(v | _PAGE_DIRTY | _PAGE_SOFT_DIRTY); }
  static constexpr pteval_t pte_wrprotect(pteval_t v) { return pte_mksaveddirty(v & ~_PAGE_RW); }
  // pte_mkwrite(pte, vma) for a non-shadow-stack vma (arch/x86/mm/pgtable.c).
  static constexpr pteval_t pte_mkwrite(pteval_t v) { return pte_clear_saveddirty(v | _PAGE_RW); }
  static constexpr pteval_t pte_mkspecial(pteval_t v) { return v | _PAGE_SPECIAL; }

  // __pte_access_permitted(unsigned long): Present and User (RW too for a
  // write) in the low word; no pkeys on 32-bit (read_pkru() is 0).
  static constexpr bool pte_access_permitted(pteval_t v, bool write) {
    uint32_t need = _PAGE_PRESENT | _PAGE_USER | (write ? _PAGE_RW : 0);
    return (pte_low(v) & need) == need;
  }
  // pte_same(), pmd_same() (Generic): whole 64-bit compares, as x86's own pte_same().

  static constexpr pteval_t prot_val(Prot p) { return x86::prot_val(p); }  // core/arch/x86_common.h
  // pfn_pte(unsigned long, prot): a 32-bit PFN; PROT_NONE entries get it
  // inverted.  massage_pgprot() with __supported_pte_mask ~0 keeps NX.
  static constexpr pteval_t pfn_pte(uint64_t pfn, Prot p) {
    const pteval_t prot = prot_val(p);
    return (((pteval_t(uint32_t(pfn)) << PAGE_SHIFT) ^ protnone_mask(prot)) & PTE_PFN_MASK) | prot;
  }
  // pte_modify(): keep _PAGE_CHG_MASK, take the rest from the protection,
  // re-invert the PFN when crossing PROT_NONE, and never leave Write=0,Dirty=1
  // behind (Dirty to SavedDirty if the old entry was writable, else back).
  static constexpr pteval_t pte_modify(pteval_t v, Prot p) {
    pteval_t n = (v & _PAGE_CHG_MASK) | (prot_val(p) & ~_PAGE_CHG_MASK);
    if (needs_invert(v) != needs_invert(n)) n ^= PTE_PFN_MASK;
    return (v & _PAGE_RW) ? pte_mksaveddirty(n) : pte_clear_saveddirty(n);
  }
  // __swp_entry_to_pte(__swp_entry(type, offset)): the 32-bit swp_entry_t
  // keeps 5 type bits and 27 offset bits; the PTE has the type in bits 59-63
  // and the offset inverted from bit 9 up (bits above it read as ones).
  static constexpr pteval_t swp_entry_pte(unsigned type, uint64_t offset) {
    const uint32_t val = uint32_t((type & 31u) | (offset << SWP_TYPE_BITS));
    const pteval_t t = val & 31u, off = val >> SWP_TYPE_BITS;
    return ((~off << SWP_OFFSET_SHIFT) >> SWP_TYPE_BITS) | (t << (64 - SWP_TYPE_BITS));
  }

  // mk_user_pte() (Generic): a fresh private user mapping, then the state
  // (protnone, NUMA hinting: never on 32-bit).

  // Huge PMDs (2 MiB with PAE, PSE): core/arch/x86_common.h.
  static constexpr uint64_t pfn_ulong(uint64_t pfn) { return uint32_t(pfn); }  // unsigned long is 32 bits
  using Pmd = x86::HugePmd<I386PaeT>;
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
    if (v & PAE_RSVD_MASK) return std::nullopt;  // reserved-bit fault, nothing stored
    return v | _PAGE_ACCESSED;
  }
  static constexpr std::optional<pteval_t> hw_write(pteval_t v) {
    if (!pte_access_permitted(v, true) || (v & PAE_RSVD_MASK)) return std::nullopt;
    return v | _PAGE_ACCESSED | _PAGE_DIRTY;
  }
};

using I386Pae = I386PaeT<>;

}  // namespace gf::arch
