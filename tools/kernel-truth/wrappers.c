// SPDX-License-Identifier: GPL-2.0
/*
 * wrappers.c: the kernel's own PTE helpers, exported as plain k_* functions
 * on raw values (ktruth.h).  Compiled by Kbuild as an external module object
 * against a configured linux-source-6.12 tree (build.sh), so every helper is
 * the real inline definition under that configuration.  Nothing here
 * re-implements a helper, except where noted: the RFC's norecency helpers
 * (never merged) are composed from the real ones exactly as the RFC does, and
 * x86's out-of-line pte_mkwrite() is the composition of the real inlines it
 * consists of.
 *
 * The stubs at the end stand in for the few kernel symbols the helpers touch
 * (capability words, unpatched alternatives, paravirt ops), with the values a
 * plain user process on bare metal would see.
 */
#ifdef CONFIG_S390
/* MACHINE_HAS_NX (mk_pte_phys(), so pfn_pte()) reads the lowcore, absolute
 * address 0x3ce with alternatives unpatched: not mapped in a user process.
 * Read the machine flags from a stub (stubs/s390.h) instead. */
#include <asm/setup.h>
extern unsigned long kt_s390_machine_flags;
#undef MACHINE_HAS_NX
#define MACHINE_HAS_NX (kt_s390_machine_flags & MACHINE_FLAG_NX)
#endif
#include <linux/mm.h>
#include <linux/pgtable.h>
#include <linux/swap.h>
#include <linux/swapops.h>
#include <generated/utsrelease.h>
#include "ktruth.h"

#ifdef CONFIG_ARM64_CONTPTE
/* The real gathering getters (contpte_ptep_get, contpte_ptep_get_lockless)
 * and the rest of contpte.c, in this translation unit. */
#include <../arch/arm64/mm/contpte.c>
#endif

#define KT notrace __visible

#ifndef CONFIG_X86
/* A plain writable vma: no VM_SHADOW_STACK, for pte_mkwrite(pte, vma). */
static struct vm_area_struct kt_vma;
#endif

static inline pte_t kt(kt_pte v) { return __pte(v); }
static inline kt_pte vk(pte_t p) { return (kt_pte)pte_val(p); }

KT unsigned int k_config(void)
{
	unsigned int c = 0;

	if (IS_ENABLED(CONFIG_NUMA_BALANCING))
		c |= KT_CFG_NUMA_BALANCING;
	if (IS_ENABLED(CONFIG_MEM_SOFT_DIRTY))
		c |= KT_CFG_SOFT_DIRTY;
	if (IS_ENABLED(CONFIG_HAVE_ARCH_USERFAULTFD_WP))
		c |= KT_CFG_UFFD_WP;
	if (IS_ENABLED(CONFIG_ARM64_CONTPTE))
		c |= KT_CFG_CONTPTE;
	if (IS_ENABLED(CONFIG_X86_PAE))
		c |= KT_CFG_X86_PAE;
	/* pte_shstk() tests X86_FEATURE_SHSTK on every x86 kernel (only
	 * X86_FEATURE_USER_SHSTK is compiled out without
	 * CONFIG_X86_USER_SHADOW_STACK): possible if the bit can be set. */
#ifdef CONFIG_X86
	{
		int was = cpu_feature_enabled(X86_FEATURE_SHSTK) ? 1 : 0;

		if (k_set_shstk(1))
			c |= KT_CFG_SHSTK_POSSIBLE;
		k_set_shstk(was);
	}
#endif
	if (IS_ENABLED(CONFIG_ARCH_HAS_PTE_DEVMAP))
		c |= KT_CFG_DEVMAP;
#ifdef CONFIG_PPC_BOOK3S_64
	if (radix_enabled())
		c |= KT_CFG_RADIX;
#endif
#if defined(CONFIG_TRANSPARENT_HUGEPAGE)
	c |= KT_CFG_THP;
#ifndef CONFIG_PPC_BOOK3S_64
	c |= KT_CFG_PFN_PMD;
#endif
#if defined(CONFIG_X86) || defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
	c |= KT_CFG_PMD_MKINVALID;
#endif
#ifdef CONFIG_ARCH_ENABLE_THP_MIGRATION
	c |= KT_CFG_THP_MIGRATION;
#endif
#endif
	return c;
}

KT unsigned int k_page_shift(void) { return PAGE_SHIFT; }
KT const char *k_release(void) { return UTS_RELEASE; }

KT unsigned int k_cont_ptes(void)
{
#ifdef CONFIG_ARM64_CONTPTE
	return CONT_PTES;
#else
	return 1;
#endif
}

KT const char *k_arch(void)
{
#if defined(CONFIG_X86_64)
	return "x86_64";
#elif defined(CONFIG_X86_PAE)
	return "i386-pae";
#elif defined(CONFIG_ARM64)
	return "arm64";
#elif defined(CONFIG_RISCV)
	return "riscv64";
#elif defined(CONFIG_S390)
	return "s390x";
#elif defined(CONFIG_PPC64)
	return "ppc64le";
#else
	return "unknown";
#endif
}

KT int k_set_shstk(int on)
{
#ifdef CONFIG_X86
	if (on)
		set_bit(X86_FEATURE_SHSTK, (unsigned long *)boot_cpu_data.x86_capability);
	else
		clear_bit(X86_FEATURE_SHSTK, (unsigned long *)boot_cpu_data.x86_capability);
	return cpu_feature_enabled(X86_FEATURE_SHSTK) ? 1 : 0;
#else
	return 0;
#endif
}

KT int k_pte_none(kt_pte v) { return pte_none(kt(v)) ? 1 : 0; }
KT int k_pte_present(kt_pte v) { return pte_present(kt(v)) ? 1 : 0; }
KT int k_pte_protnone(kt_pte v) { return pte_protnone(kt(v)) ? 1 : 0; }
KT int k_pte_write(kt_pte v) { return pte_write(kt(v)) ? 1 : 0; }
KT int k_pte_young(kt_pte v) { return pte_young(kt(v)) ? 1 : 0; }
KT int k_pte_dirty(kt_pte v) { return pte_dirty(kt(v)) ? 1 : 0; }
KT int k_pte_special(kt_pte v) { return pte_special(kt(v)) ? 1 : 0; }
KT int k_pte_devmap(kt_pte v) { return pte_devmap(kt(v)) ? 1 : 0; }
KT int k_pte_uffd_wp(kt_pte v) { return pte_uffd_wp(kt(v)) ? 1 : 0; }
KT int k_pte_soft_dirty(kt_pte v) { return pte_soft_dirty(kt(v)) ? 1 : 0; }
KT unsigned long long k_pte_pfn(kt_pte v) { return pte_pfn(kt(v)); }
KT kt_pte k_pte_mkold(kt_pte v) { return vk(pte_mkold(kt(v))); }
KT kt_pte k_pte_mkyoung(kt_pte v) { return vk(pte_mkyoung(kt(v))); }
KT kt_pte k_pte_mkclean(kt_pte v) { return vk(pte_mkclean(kt(v))); }
KT kt_pte k_pte_mkdirty(kt_pte v) { return vk(pte_mkdirty(kt(v))); }
KT kt_pte k_pte_wrprotect(kt_pte v) { return vk(pte_wrprotect(kt(v))); }
KT kt_pte k_pte_mkspecial(kt_pte v) { return vk(pte_mkspecial(kt(v))); }
KT kt_pte k_pte_mkuffd_wp(kt_pte v) { return vk(pte_mkuffd_wp(kt(v))); }
KT kt_pte k_pte_mksoft_dirty(kt_pte v) { return vk(pte_mksoft_dirty(kt(v))); }

KT kt_pte k_pte_mkwrite(kt_pte v)
{
#ifdef CONFIG_X86
	/* arch/x86/mm/pgtable.c pte_mkwrite() for a vma without VM_SHADOW_STACK. */
	return vk(pte_clear_saveddirty(pte_mkwrite_novma(kt(v))));
#else
	return vk(pte_mkwrite(kt(v), &kt_vma));
#endif
}

KT kt_pte k_pte_mkcont(kt_pte v)
{
#ifdef CONFIG_ARM64
	return vk(pte_mkcont(kt(v)));
#else
	return v;
#endif
}

KT int k_pte_same(kt_pte a, kt_pte b) { return pte_same(kt(a), kt(b)) ? 1 : 0; }
KT int k_pte_access_permitted(kt_pte v, int write) { return pte_access_permitted(kt(v), write) ? 1 : 0; }

/* The private user mappings' entries of protection_map[]. */
static pgprot_t kt_prot(int prot)
{
	switch (prot) {
	case KT_PROT_RO:
#if defined(CONFIG_S390)
		return PAGE_RO;
#elif defined(PAGE_READONLY)
		return PAGE_READONLY;
#else
		return PAGE_COPY;
#endif
	case KT_PROT_RW:
#if defined(CONFIG_S390)
		return PAGE_RW;
#else
		return PAGE_SHARED;
#endif
	case KT_PROT_RO_X:
#if defined(CONFIG_S390)
		return PAGE_RX;
#elif defined(PAGE_READONLY_EXEC)
		return PAGE_READONLY_EXEC;
#elif defined(PAGE_READONLY_X)
		return PAGE_READONLY_X;
#else
		return PAGE_COPY_EXEC;
#endif
	case KT_PROT_RW_X:
#if defined(CONFIG_S390)
		return PAGE_RWX;
#elif defined(PAGE_SHARED_X)
		return PAGE_SHARED_X;
#else
		return PAGE_SHARED_EXEC;
#endif
	default:
		return PAGE_NONE;
	}
}

KT kt_pte k_pfn_pte(unsigned long long pfn, int prot) { return vk(pfn_pte(pfn, kt_prot(prot))); }
KT kt_pte k_pte_modify(kt_pte v, int prot) { return vk(pte_modify(kt(v), kt_prot(prot))); }

/* The huge-PMD helpers: a huge PMD made as the kernel makes one for a THP
 * (pmd_mkhuge(pfn_pmd())), and what GUP-fast's PMD leaf path and a THP split
 * ask of a PMD value.  pmd_t is 64-bit on every target, PAE included.
 * pmd_mkinvalid() exists only where the generic pmdp_invalidate() uses it
 * (x86, arm64, riscv): powerpc and s390 invalidate in place with their own
 * pmdp_invalidate(); k_config() says which (KT_CFG_PMD_MKINVALID). */
#ifdef CONFIG_TRANSPARENT_HUGEPAGE
static inline pmd_t ktm(kt_pte v) { return __pmd(v); }
static inline kt_pte vkm(pmd_t p) { return (kt_pte)pmd_val(p); }

KT kt_pte k_pfn_pmd_huge(unsigned long long pfn, int prot)
{
#ifdef CONFIG_PPC_BOOK3S_64
	/* Out of line there (arch/powerpc/mm/book3s64/pgtable.c), not in the
	 * object: KT_CFG_PFN_PMD is not set. */
	return 0;
#else
	return vkm(pmd_mkhuge(pfn_pmd(pfn, kt_prot(prot))));
#endif
}
KT int k_pmd_present(kt_pte v) { return pmd_present(ktm(v)) ? 1 : 0; }
KT int k_pmd_leaf(kt_pte v) { return pmd_leaf(ktm(v)) ? 1 : 0; }
KT int k_pmd_trans_huge(kt_pte v) { return pmd_trans_huge(ktm(v)) ? 1 : 0; }
KT unsigned long long k_pmd_pfn(kt_pte v) { return pmd_pfn(ktm(v)); }
KT int k_pmd_write(kt_pte v) { return pmd_write(ktm(v)) ? 1 : 0; }
KT int k_pmd_young(kt_pte v) { return pmd_young(ktm(v)) ? 1 : 0; }
KT int k_pmd_dirty(kt_pte v) { return pmd_dirty(ktm(v)) ? 1 : 0; }
KT kt_pte k_pmd_mkold(kt_pte v) { return vkm(pmd_mkold(ktm(v))); }
KT kt_pte k_pmd_wrprotect(kt_pte v) { return vkm(pmd_wrprotect(ktm(v))); }
KT int k_pmd_access_permitted(kt_pte v, int write) { return pmd_access_permitted(ktm(v), write) ? 1 : 0; }
KT kt_pte k_pmd_mkinvalid(kt_pte v)
{
#if defined(CONFIG_X86) || defined(CONFIG_ARM64) || defined(CONFIG_RISCV)
	return vkm(pmd_mkinvalid(ktm(v)));
#else
	return v;
#endif
}
#else
/* No THP in this configuration (KT_CFG_THP clear): the driver never calls
 * these, but links them. */
KT kt_pte k_pfn_pmd_huge(unsigned long long pfn, int prot) { return 0; }
KT int k_pmd_present(kt_pte v) { return 0; }
KT int k_pmd_leaf(kt_pte v) { return 0; }
KT int k_pmd_trans_huge(kt_pte v) { return 0; }
KT unsigned long long k_pmd_pfn(kt_pte v) { return 0; }
KT int k_pmd_write(kt_pte v) { return 0; }
KT int k_pmd_young(kt_pte v) { return 0; }
KT int k_pmd_dirty(kt_pte v) { return 0; }
KT kt_pte k_pmd_mkold(kt_pte v) { return v; }
KT kt_pte k_pmd_wrprotect(kt_pte v) { return v; }
KT int k_pmd_access_permitted(kt_pte v, int write) { return 0; }
KT kt_pte k_pmd_mkinvalid(kt_pte v) { return v; }
#endif

KT kt_pte k_swp_entry_pte(unsigned int type, unsigned long long offset)
{
	return vk(__swp_entry_to_pte(__swp_entry(type, offset)));
}

#if defined(CONFIG_TRANSPARENT_HUGEPAGE) && defined(CONFIG_ARCH_ENABLE_THP_MIGRATION)
KT kt_pte k_swp_entry_pmd(unsigned int type, unsigned long long offset)
{
	return vkm(__swp_entry_to_pmd(__swp_entry(type, offset)));
}
KT unsigned int k_pmd_swp_type(kt_pte v) { return __swp_type(__pmd_to_swp_entry(ktm(v))); }
KT unsigned long long k_pmd_swp_offset(kt_pte v) { return __swp_offset(__pmd_to_swp_entry(ktm(v))); }
#else
/* No PMD migration entries here (KT_CFG_THP_MIGRATION clear): linked, never called. */
KT kt_pte k_swp_entry_pmd(unsigned int type, unsigned long long offset) { return 0; }
KT unsigned int k_pmd_swp_type(kt_pte v) { return 0; }
KT unsigned long long k_pmd_swp_offset(kt_pte v) { return 0; }
#endif

/* A page-table block of the wrapper's own, in the kernel's memory format
 * (set_pte stores: big-endian on book3s64).  Static, not on the stack: arm64
 * keeps the stack-protector guard in sp_el0, which user space does not set. */
#define KT_BLOCK 16
static pte_t kt_block[KT_BLOCK] __aligned(KT_BLOCK * sizeof(pte_t));

static pte_t *kt_fill(const kt_pte *block, int idx)
{
	int i, n = k_cont_ptes();

	for (i = 0; i < n; i++)
		kt_block[i] = kt(block[i]);
	return &kt_block[idx];
}

KT kt_pte k_ptep_get(const kt_pte *block, int idx) { return vk(ptep_get(kt_fill(block, idx))); }
KT kt_pte k_ptep_get_lockless(const kt_pte *block, int idx) { return vk(ptep_get_lockless(kt_fill(block, idx))); }

/* RFC 1/4 (generic) and 4/4 (arm64 with CONFIG_ARM64_CONTPTE: the single
 * entry, no gathering). */
KT kt_pte k_ptep_get_lockless_norecency(const kt_pte *block, int idx)
{
#ifdef CONFIG_ARM64_CONTPTE
	return vk(__ptep_get(kt_fill(block, idx)));
#else
	return vk(ptep_get_lockless(kt_fill(block, idx)));
#endif
}

/* RFC 2/4: present sides through pte_mkold(pte_mkclean()), then pte_same(). */
KT int k_pte_same_norecency(kt_pte a, kt_pte b)
{
	pte_t x = kt(a), y = kt(b);

	if (pte_present(x))
		x = pte_mkold(pte_mkclean(x));
	if (pte_present(y))
		y = pte_mkold(pte_mkclean(y));
	return pte_same(x, y) ? 1 : 0;
}

/* ---- stubs: what a user process on bare metal would read ------------------ */

#if defined(CONFIG_X86)
#include "stubs/x86.h"
#elif defined(CONFIG_ARM64)
#include "stubs/arm64.h"
#elif defined(CONFIG_RISCV)
#include "stubs/riscv.h"
#elif defined(CONFIG_S390)
#include "stubs/s390.h"
#elif defined(CONFIG_PPC64)
#include "stubs/powerpc.h"
#endif
