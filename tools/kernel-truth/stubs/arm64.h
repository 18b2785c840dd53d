/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stubs for the arm64 wrapper object, included at the end of wrappers.c.
 * contpte.c is compiled in for its gathering getters; the symbols below are
 * reached only from its other functions (fold, unfold, set_access_flags),
 * which the drivers never call: they trap, or are zero data.
 */
#include <linux/efi.h>

/* Alternative callback: alternatives are not patched, so capabilities read
 * as absent (no POE, no MTE, no hardware DBM workaround).  Never called. */
notrace void alt_cb_patch_nops(struct alt_instr *alt, __le32 *origptr, __le32 *updptr, int nr_inst)
{
	__builtin_trap();
}

notrace int __ptep_set_access_flags(struct vm_area_struct *vma, unsigned long address, pte_t *ptep,
				    pte_t entry, int dirty)
{
	__builtin_trap();
}

notrace void __sync_icache_dcache(pte_t pteval)
{
	__builtin_trap();
}

notrace void __mmu_notifier_arch_invalidate_secondary_tlbs(struct mm_struct *mm, unsigned long start,
							    unsigned long end)
{
	__builtin_trap();
}

s64 memstart_addr;
struct mm_struct init_mm;
struct mm_struct efi_mm;
