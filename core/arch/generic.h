// SPDX-License-Identifier: GPL-2.0
//
// The generic fallbacks of include/linux/pgtable.h (and asm-generic/
// pgtable_uffd.h) that several models take, once, and the model's
// constructor mk_user_pte(): a base class on the model type, as
// `struct Riscv64T : Generic<Riscv64T<C>>`.  A model that has its own
// helper of the same name declares it, and it hides this one, as an arch's
// `#define pte_access_permitted` does in the kernel.  What these call on A
// (pte_present, pte_write, pfn_pte, pte_mkold, ...) is the model's own, so
// each model's injected helper bugs (C.has_bug(...)) apply as before.
// Header-only and constexpr: tools/kernel-truth cross-compiles it with the
// models.
#pragma once

#include <optional>

#include "core/base/types.h"

namespace gf::arch {

template <class A>
struct Generic {
  // pte_same(), pmd_same(): the words are equal.  (Some architectures
  // define their own; for every model's layout it is this compare too.)
  static constexpr bool pte_same(pteval_t a, pteval_t b) { return a == b; }
  static constexpr bool pmd_same(pmdval_t a, pmdval_t b) { return a == b; }
  // pmd_none(): the empty PMD is 0 (s390's is not: its model says so).
  static constexpr pmdval_t PMD_NONE = 0;
  // An entry is one access wide (READ_ONCE/WRITE_ONCE of the whole word).
  // i386 PAE's is two 32-bit halves: its model sets pte_halves, and the
  // accessors (core/mm/pgtable.h) read and write the halves as the kernel does.
  static constexpr bool pte_halves = false;
  // pmd_access_permitted() (include/linux/pgtable.h, riscv and s390 take it):
  // pmd_present() and pmd_write() for a write; the models with a pmd_leaf()
  // call it, x86, arm64 and ppc64 have their own.  pmd_write() is the
  // PTE's on the machine's PTE form of the huge PMD.
  static constexpr bool pmd_access_permitted(pmdval_t v, bool write) {
    return A::pmd_present(v) && (!write || A::pte_write(A::pmd_pte(v)));
  }
  // ARCH_ENABLE_THP_MIGRATION: PMD migration entries (swp_entry_pmd(),
  // swp_type(), swp_offset()).  The models that have it in the machine
  // (arm64, x86-64) say so; riscv and book3s64 have it in 6.12 too, but
  // their models do not carry the PMD swap helpers yet.
  static constexpr bool thp_migration = false;
  // pte_clear(): the empty PTE is 0 (s390's is not).
  static constexpr pteval_t PTE_NONE = 0;
  // ptep_test_and_clear_young() clears YOUNG_BITS with one atomic AND
  // (test_and_clear_bit()); s390's exchanges the entry for pte_mkold() of it.
  static constexpr bool young_by_exchange = false;

  // pte_access_permitted(): pte_present() && (!write || pte_write()).  No
  // user check, and a PROT_NONE entry that pte_present() counts passes a read.
  static constexpr bool pte_access_permitted(pteval_t v, bool write) {
    return A::pte_present(v) && (!write || A::pte_write(v));
  }

  // Without HAVE_ARCH_USERFAULTFD_WP / HAVE_ARCH_SOFT_DIRTY the mk helpers are
  // the identity; without a contiguous hint (arm64's PTE_CONT) so are these.
  static constexpr pteval_t pte_mkuffd_wp(pteval_t v) { return v; }
  static constexpr pteval_t pte_mksoft_dirty(pteval_t v) { return v; }
  static constexpr pteval_t pte_mkcont(pteval_t v) { return v; }
  static constexpr pteval_t pte_mknoncont(pteval_t v) { return v; }

  // Shared Virtual Addressing (drivers/iommu/iommu-sva.c): does 6.12 let a
  // device walk this architecture's process page tables through its IOMMU?
  // Not on riscv (no IOMMU driver in 6.12), s390, powerpc or 32-bit x86
  // (INTEL_IOMMU_SVM depends on X86_64); x86-64 and arm64 say so.
  static constexpr bool iommu_sva = false;
  // The IOMMU's walk of one leaf entry for a device access (smmu_access,
  // core/mm/iommu_sva.h): the entry as the IOMMU leaves it, or nullopt for a
  // translation fault.  This default updates access/dirty state atomically
  // as the CPU's MMU does (Intel VT-d first-level and AMD IOMMU v2 tables set
  // A and D); arm64's SMMU without HTTU has its own.
  static constexpr std::optional<pteval_t> iommu_walk(pteval_t v, bool write) {
    return write ? A::hw_write(v) : A::hw_access(v);
  }

  // A fresh private user mapping: pfn_pte() with the mapping's
  // protection_map[] entry (Prot), then the state; protnone is a NUMA-hinting
  // entry (change_pte_range(): pte_modify(PAGE_NONE)).  Each model says what
  // that makes of its bits.
  static constexpr pteval_t mk_user_pte(uint64_t pfn, const UserProt& p) {
    pteval_t v = A::pfn_pte(pfn, p.write ? (p.exec ? Prot::rw_x : Prot::rw) : (p.exec ? Prot::ro_x : Prot::ro));
    if (!p.young) v = A::pte_mkold(v);
    if (p.dirty) v = A::pte_mkdirty(v);
    if (p.special) v = A::pte_mkspecial(v);
    if (p.protnone) v = A::pte_modify(v, Prot::none);
    return v;
  }
};

}  // namespace gf::arch
