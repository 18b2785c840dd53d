// SPDX-License-Identifier: GPL-2.0
//
// The operations of core/base/ops.def, written once over an architecture model
// A: the one dispatch from an OpKind to the kernel path it follows.  Each is a
// coroutine; every co_await on a shared cell is a point where another CPU may
// run (awaiting another Task is not: it runs at once, by symmetric transfer).
//
// This file only declares the members of Ops<A>.  Each is defined in the
// model file of the kernel file it follows (core/mm/README.md has the table):
//
//   gup.h             mm/gup.c                 gup_fast, unpin
//   mmu.h             the hardware MMU         hw_access, hw_write
//   memory.h          mm/memory.c              unmap, fault, fork
//   huge_memory.h     mm/huge_memory.c         thp_split, folio_split
//   khugepaged.h      mm/khugepaged.c          thp_collapse
//   migrate.h         mm/migrate.c             migrate
//   mprotect.h        mm/mprotect.c            mprotect, mprotect_none, wrprotect
//   rmap.h            mm/rmap.c                age
//   page_writeback.h  mm/page-writeback.c      writeback
//   madvise.h         mm/madvise.c             madvise_free, madvise_dontneed
//   pt_reclaim.h      mm/pt_reclaim.c (v6.14)  (zap_pte_range()'s table reclaim)
//   vmscan.h          mm/vmscan.c              reclaim
//   contpte.h         arch/arm64/mm/contpte.c  contpte_fold
//   iommu_sva.h       drivers/iommu/iommu-sva.c smmu_access
//   mm.h, mmap_lock.h, pgtable_generic.h, pagewalk.h: the helpers they share.
#pragma once

#include <array>

#include "core/mm/machine.h"
#include "core/mm/pgtable.h"
#include "core/sched/task.h"

namespace gf {

// struct mmu_gather, as far as the model batches: the folios a zap puts after
// its flush (tlb_remove_folio_pages()) and the PTE tables it unhooked, by the
// PMD value that mapped them (pte_free_tlb()), freed after the grace period.
struct MmuGather {
  std::array<uint16_t, MAX_RANGE_PAGES + NR_PMDS> put{};
  int nput = 0;
  std::array<pmdval_t, NR_PMDS> tables{};
  int ntables = 0;
};

template <class A>
struct Ops {
  using P = Pgtable<A>;

  static Task<void> run(Machine& m, int cpu, Op op) {
    switch (op.kind) {
#define GF_OP(id, args, kernel, text) \
  case OpKind::id:                    \
    co_await id(m, cpu, op);          \
    break;
#include "core/base/ops.def"
#undef GF_OP
    }
  }

  // ---------------------------------------------------------------- gup.h
  static Task<void> gup_fast(Machine& m, int cpu, Op op);
  static Task<bool> gup_fast_pte_range(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end);
  static Task<bool> gup_fast_pte_recheck(Machine& m, int cpu, int va, pmdval_t pmd, TableRef r, pteval_t pte);
  static Task<bool> gup_fast_pmd_leaf(Machine& m, int cpu, Op op, pmdval_t pmd, int va, int end);
  static bool bail(Machine& m, int cpu, int va, const char* why);
  static bool protnone(const Machine& m, pteval_t pte);
  static bool known_prot_none(Machine& m, pteval_t pte);
  static bool access_permitted(Machine& m, pteval_t pte, bool write);
  static bool pmd_access_permitted(Machine& m, pmdval_t pmd, bool write);
  static Task<Folio*> try_get_folio(Machine& m, uint64_t pfn, int refs);
  static Task<Folio*> try_grab_folio_fast(Machine& m, uint64_t pfn, uint8_t flags, int refs = 1);
  static Task<void> gup_put_refs(Machine& m, Folio& head, uint8_t flags, int refs);
  static Task<void> gup_put_folio(Machine& m, const Held& h);
  static Task<void> gup_put_page(Machine& m, const Held& h);
  static bool gup_fast_folio_allowed(const Folio& head, uint8_t flags);
  static bool gup_must_unshare(const Folio& head, const Folio& page, uint8_t flags);
  static Task<void> unpin(Machine& m, int cpu, Op op);

  // ---------------------------------------------------------------- mm.h
  static Task<void> folio_ref_add(Machine& m, Folio& head, int64_t d);
  static Task<void> folio_put(Machine& m, Folio& head, int64_t n);
  static Task<bool> folio_maybe_dma_pinned(Machine& m, Folio& head);
  static Task<void> pmd_lock(Machine& m, int cpu);
  static Task<void> pmd_unlock(Machine& m);

  // ---------------------------------------------------------------- mmap_lock.h
  static Task<void> down_read(Cell<int32_t>& sem);
  static Task<void> down_write(Cell<int32_t>& sem);
  static Task<void> mmap_read_lock(Machine& m);
  static Task<void> mmap_read_unlock(Machine& m);
  static Task<void> mmap_write_lock(Machine& m);
  static Task<void> mmap_write_unlock(Machine& m);

  // ---------------------------------------------------------------- pgtable_generic.h
  static Task<TableRef> pte_offset_map_lock(Machine& m, int cpu, int va);
  static Task<void> pte_unmap_unlock(Machine& m, int cpu, TableRef r);
  static Task<bool> ptep_set_access_flags(Machine& m, int cpu, TableRef r, int i, pteval_t entry, bool dirty);

  // ---------------------------------------------------------------- pagewalk.h
  template <class PmdEntry, class PteRange>
  static Task<void> walk_page_range(Machine& m, int cpu, int start, int end, PmdEntry pmd_entry, PteRange pte_range);

  // ---------------------------------------------------------------- mmu.h
  static Task<bool> mmu_access(Machine& m, int cpu, int va, bool write, bool iommu = false);
  static Task<bool> mmu_access_huge(Machine& m, int va, bool write, pmdval_t old, bool iommu);
  static Task<void> hw_access(Machine& m, int cpu, Op op);
  static Task<void> hw_write(Machine& m, int cpu, Op op);
  static Task<void> user_access(Machine& m, int cpu, int va, bool write);

  // ---------------------------------------------------------------- rmap.h
  static Task<void> rmap_read_lock(Machine& m);
  static Task<void> rmap_read_unlock(Machine& m);
  static Task<void> age(Machine& m, int cpu, Op op);
  static Task<bool> pmdp_test_and_clear_young(Machine& m, int cpu, int va);
  static Task<bool> folio_mkclean(Machine& m, int cpu, TableRef r, int va, const Folio& head);
  static Task<pteval_t> try_to_migrate_one(Machine& m, int cpu, TableRef r, int i, Folio& src, pteval_t mig);

  // ---------------------------------------------------------------- memory.h
  static Task<void> unmap(Machine& m, int cpu, Op op);
  static Task<void> zap_pte(Machine& m, int cpu, TableRef r, int va, MmuGather& tlb);
  static Task<void> zap_pte_range(Machine& m, int cpu, int va, int end, bool resched, MmuGather& tlb);
  static Task<void> free_pte_range(Machine& m, int cpu, int p);
  static Task<void> tlb_remove_table_grace(Machine& m, int cpu);
  static Task<void> fork(Machine& m, int cpu, Op op);
  static Task<bool> copy_pte_range(Machine& m, int cpu, int p);
  static void copy_present_page(Machine& m, int cpu, pteval_t pte);
  static Task<void> fault(Machine& m, int cpu, Op op);
  static Task<bool> do_page_fault(Machine& m, int cpu, int va, bool write);
  static Task<bool> handle_mm_fault(Machine& m, int cpu, int va, bool write);
  static Task<bool> do_pte_missing(Machine& m, TableRef r, int i, VmaInfo vma, bool write);
  static Task<bool> do_wp_page(Machine& m, int cpu, TableRef r, int i, int va, pteval_t pte, int& put_pfn);

  // ---------------------------------------------------------------- huge_memory.h
  static Task<bool> pmd_trans_huge_lock(Machine& m, int cpu, int p, pmdval_t& pmd);
  static Task<bool> __pmd_trans_huge_lock(Machine& m, int cpu, int p, pmdval_t& pmd);
  template <class Again, class F>
  static Task<void> pmdp_update(Machine& m, int p, pmdval_t old, Again again, F fn);
  static Task<void> split_huge_pmd_locked(Machine& m, int cpu, int p);
  static Task<void> split_huge_pmd_migration(Machine& m, int cpu, int p, pmdval_t cur);
  static Task<int> zap_huge_pmd(Machine& m, int cpu, int va, int end);
  template <class F>
  static Task<bool> change_huge_pmd(Machine& m, int cpu, int va, int end, F fn);
  static Task<bool> copy_huge_pmd(Machine& m, int cpu, int p);
  static Task<int> huge_pmd_fault(Machine& m, int cpu, int va, bool write);
  static Task<void> thp_split(Machine& m, int cpu, Op op);
  static Task<void> folio_split(Machine& m, int cpu, Op op);
  static Task<int> folio_walk_start(Machine& m, int cpu, int va, int& va_first);
  static Task<bool> split_huge_page_to_list_to_order(Machine& m, int cpu, int va_first, Folio& folio);
  static Task<void> unmap_folio(Machine& m, int cpu, int va_first, int nr, Folio& folio,
                                std::array<pteval_t, PTRS_PER_PTE>& old);
  static Task<void> __split_huge_page(Machine& m, int cpu, Folio& folio);
  static Task<void> remap_page(Machine& m, int cpu, int va_first, int nr, int pfn0,
                               const std::array<pteval_t, PTRS_PER_PTE>& old, bool split);

  // ---------------------------------------------------------------- khugepaged.h
  static Task<void> thp_collapse(Machine& m, int cpu, Op op);
  static Task<void> collapse_huge_page(Machine& m, int cpu, int p);
  static bool hugepage_vma_revalidate(const Machine& m, int va0);
  static Task<void> tlb_remove_table_sync_one(Machine& m, int cpu);
  static Task<bool> __collapse_huge_page_isolate(Machine& m, int cpu, TableRef r,
                                                 std::array<uint16_t, PTRS_PER_PTE>& src, int& nsrc);
  static Task<void> __collapse_huge_page_copy(Machine& m, TableRef r, const std::array<uint16_t, PTRS_PER_PTE>& src,
                                              int hpage);

  // ---------------------------------------------------------------- migrate.h
  static constexpr unsigned MIGRATION_TYPE = 29;  // a swap type the model keeps for migration entries
  // The PMD path's migration entry types are the kernel's (include/linux/swap.h
  // with CONFIG_DEVICE_PRIVATE and CONFIG_MEMORY_FAILURE, as Debian's 6.12
  // builds: MAX_SWAPFILES = 23, SWP_HWPOISON = 23, then the three migration
  // types).  The small-folio path above keeps its one type.
  static constexpr unsigned SWP_MIGRATION_READ = 24;
  static constexpr unsigned SWP_MIGRATION_READ_EXCLUSIVE = 25;
  static constexpr unsigned SWP_MIGRATION_WRITE = 26;
  static Task<void> thp_migrate(Machine& m, int cpu, Op op);
  static Task<pmdval_t> set_pmd_migration_entry(Machine& m, int cpu, int p, Folio& src, pteval_t& old);
  static Task<int> migrate_huge_folio(Machine& m, int cpu, Folio& src);
  static Task<void> remove_migration_pmd(Machine& m, int cpu, int p, pmdval_t mig, pteval_t old, Folio& to,
                                         bool moved);
  static Task<void> migrate(Machine& m, int cpu, Op op);
  static Task<int> migrate_folio(Machine& m, int cpu, Folio& src, uint64_t pfn, uint32_t early);
  static Task<bool> remove_migration_pte(Machine& m, int cpu, int va, pteval_t mig, pteval_t old, Folio& to,
                                         bool moved, uint64_t pfn);

  // ---------------------------------------------------------------- mprotect.h
  static Task<void> mprotect(Machine& m, int cpu, Op op);
  static Task<void> mprotect_none(Machine& m, int cpu, Op op);
  static Task<void> change_protection(Machine& m, int cpu, Op op, Prot prot);
  static Task<void> wrprotect(Machine& m, int cpu, Op op);

  // ---------------------------------------------------------------- page_writeback.h
  static Task<void> writeback(Machine& m, int cpu, Op op);

  // ---------------------------------------------------------------- contpte.h
  static Task<void> contpte_fold(Machine& m, int cpu, Op op);

  // ---------------------------------------------------------------- madvise.h, vmscan.h (and rmap.h)
  static Task<void> madvise_free(Machine& m, int cpu, Op op);
  static Task<bool> madvise_free_pte_range(Machine& m, int cpu, TableRef r, int va, int pmd_end,
                                            std::array<int16_t, NR_VPAGES>& lazy);
  static Task<void> madvise_dontneed(Machine& m, int cpu, Op op);
  static Task<void> reclaim(Machine& m, int cpu, Op op);

  // ---------------------------------------------------------------- pt_reclaim.h
  static Task<bool> try_get_and_clear_pmd(Machine& m, int cpu, int p, pmdval_t& pmdval);
  static Task<bool> try_to_free_pte(Machine& m, int cpu, int p, pmdval_t& pmdval);
  static Task<bool> try_to_unmap_one(Machine& m, int cpu, TableRef r, int i, Folio& f);

  // ---------------------------------------------------------------- iommu_sva.h
  static constexpr int SMMU_MAX_FAULTS = 3;  // the device's retries the model runs (the kernel's never stop)
  static Task<void> smmu_access(Machine& m, int cpu, Op op);
  static Task<bool> iommu_sva_handle_mm(Machine& m, int cpu, int va, bool write);
};

}  // namespace gf

#include "core/mm/contpte.h"
#include "core/mm/gup.h"
#include "core/mm/huge_memory.h"
#include "core/mm/khugepaged.h"
#include "core/mm/memory.h"
#include "core/mm/migrate.h"
#include "core/mm/mm.h"
#include "core/mm/mmap_lock.h"
#include "core/mm/mmu.h"
#include "core/mm/mprotect.h"
#include "core/mm/page_writeback.h"
#include "core/mm/pagewalk.h"
#include "core/mm/pt_reclaim.h"
#include "core/mm/pgtable_generic.h"
#include "core/mm/rmap.h"
#include "core/mm/madvise.h"
#include "core/mm/vmscan.h"
#include "core/mm/iommu_sva.h"
