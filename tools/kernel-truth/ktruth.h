/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ktruth.h: the kernel's real PTE helpers on raw values, as wrapped by
 * wrappers.c and built per architecture by build.sh.  Included by the kernel
 * build (C, kernel headers) and by the C++ drivers (plain C types).
 *
 * Entries are passed as 64-bit values on every target (x86 PAE entries are
 * 64-bit too).  Predicates return 0 or 1.
 */
#ifndef GUPFUZZ_KTRUTH_H
#define GUPFUZZ_KTRUTH_H

#ifdef __cplusplus
extern "C" {
#endif

typedef unsigned long long kt_pte;

/* Configuration switches the object was built with (k_config()). */
#define KT_CFG_NUMA_BALANCING (1u << 0)
#define KT_CFG_SOFT_DIRTY (1u << 1)     /* CONFIG_MEM_SOFT_DIRTY */
#define KT_CFG_UFFD_WP (1u << 2)        /* CONFIG_HAVE_ARCH_USERFAULTFD_WP */
#define KT_CFG_CONTPTE (1u << 3)        /* CONFIG_ARM64_CONTPTE */
#define KT_CFG_X86_PAE (1u << 4)        /* CONFIG_X86_PAE */
#define KT_CFG_SHSTK_POSSIBLE (1u << 5) /* x86: pte_shstk() reads X86_FEATURE_SHSTK */
#define KT_CFG_DEVMAP (1u << 6)         /* CONFIG_ARCH_HAS_PTE_DEVMAP */
#define KT_CFG_RADIX (1u << 7)          /* powerpc: radix_enabled() */
#define KT_CFG_THP (1u << 8)            /* CONFIG_TRANSPARENT_HUGEPAGE: the k_pmd_* helpers exist */
#define KT_CFG_PMD_MKINVALID (1u << 9)  /* pmd_mkinvalid() exists (x86, arm64, riscv) */
#define KT_CFG_THP_MIGRATION (1u << 11) /* CONFIG_ARCH_ENABLE_THP_MIGRATION: PMD migration entries */
#define KT_CFG_PFN_PMD (1u << 10)       /* k_pfn_pmd_huge() is real (not book3s64: pfn_pmd() out of line) */

/* Protections for k_pfn_pte() / k_pte_modify(): the private user mappings'
 * protection_map entries (read-only, writable, with or without exec), and
 * PAGE_NONE (what NUMA hinting installs with pte_modify()). */
enum kt_prot { KT_PROT_NONE, KT_PROT_RO, KT_PROT_RW, KT_PROT_RO_X, KT_PROT_RW_X, KT_NR_PROTS };

unsigned int k_config(void);
unsigned int k_page_shift(void);
unsigned int k_cont_ptes(void); /* arm64 CONT_PTES, 1 elsewhere */
const char *k_release(void);    /* UTS_RELEASE of the source tree */
const char *k_arch(void);
/* x86: the CPU capability X86_FEATURE_SHSTK (user shadow stacks); returns
 * whether it is now set (0 on non-x86). */
int k_set_shstk(int on);

int k_pte_none(kt_pte v);
int k_pte_present(kt_pte v);
int k_pte_protnone(kt_pte v);
int k_pte_write(kt_pte v);
int k_pte_young(kt_pte v);
int k_pte_dirty(kt_pte v);
int k_pte_special(kt_pte v);
int k_pte_devmap(kt_pte v);
int k_pte_uffd_wp(kt_pte v);
int k_pte_soft_dirty(kt_pte v);
unsigned long long k_pte_pfn(kt_pte v);
kt_pte k_pte_mkold(kt_pte v);
kt_pte k_pte_mkyoung(kt_pte v);
kt_pte k_pte_mkclean(kt_pte v);
kt_pte k_pte_mkdirty(kt_pte v);
kt_pte k_pte_wrprotect(kt_pte v);
kt_pte k_pte_mkwrite(kt_pte v); /* pte_mkwrite(pte, vma) for a plain VM_WRITE vma */
kt_pte k_pte_mkspecial(kt_pte v);
kt_pte k_pte_mkuffd_wp(kt_pte v); /* identity without uffd-wp */
kt_pte k_pte_mksoft_dirty(kt_pte v);
kt_pte k_pte_mkcont(kt_pte v);    /* arm64; identity elsewhere */
int k_pte_same(kt_pte a, kt_pte b);
int k_pte_access_permitted(kt_pte v, int write);
kt_pte k_pfn_pte(unsigned long long pfn, int prot);
kt_pte k_pte_modify(kt_pte v, int prot);
kt_pte k_swp_entry_pte(unsigned int type, unsigned long long offset);
/* PMD migration entries (KT_CFG_THP_MIGRATION): __swp_entry_to_pmd(__swp_entry()),
 * and __swp_type()/__swp_offset() of __pmd_to_swp_entry(). */
kt_pte k_swp_entry_pmd(unsigned int type, unsigned long long offset);
unsigned int k_pmd_swp_type(kt_pte v);
unsigned long long k_pmd_swp_offset(kt_pte v);

/* Huge-PMD helpers (KT_CFG_THP); values as kt_pte.  k_pfn_pmd_huge() is
 * pmd_mkhuge(pfn_pmd(pfn, prot)) (0 without KT_CFG_PFN_PMD); k_pmd_mkinvalid()
 * is the identity where the kernel has no pmd_mkinvalid()
 * (!KT_CFG_PMD_MKINVALID). */
kt_pte k_pfn_pmd_huge(unsigned long long pfn, int prot);
int k_pmd_present(kt_pte v);
int k_pmd_leaf(kt_pte v);
int k_pmd_trans_huge(kt_pte v);
unsigned long long k_pmd_pfn(kt_pte v);
int k_pmd_write(kt_pte v);
int k_pmd_young(kt_pte v);
int k_pmd_dirty(kt_pte v);
kt_pte k_pmd_mkold(kt_pte v);
kt_pte k_pmd_wrprotect(kt_pte v);
int k_pmd_access_permitted(kt_pte v, int write);
kt_pte k_pmd_mkinvalid(kt_pte v);

/* Reads of entry idx of a block of k_cont_ptes() entries, given as values:
 * the wrapper stores them in a page-table block of its own (aligned, in the
 * kernel's memory format: big-endian on book3s64), then reads: ptep_get() gathers young/dirty over an arm64
 * contpte block; ptep_get_lockless() is contpte_ptep_get_lockless() there,
 * the low/high/low read on x86 PAE.  The RFC's ptep_get_lockless_norecency()
 * and pte_same_norecency(), composed from the real helpers as the RFC does. */
kt_pte k_ptep_get(const kt_pte *block, int idx);
kt_pte k_ptep_get_lockless(const kt_pte *block, int idx);
kt_pte k_ptep_get_lockless_norecency(const kt_pte *block, int idx);
int k_pte_same_norecency(kt_pte a, kt_pte b);

#ifdef __cplusplus
}
#endif
#endif /* GUPFUZZ_KTRUTH_H */
