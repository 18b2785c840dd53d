/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stubs for the powerpc (book3s64) wrapper object, included at the end of
 * wrappers.c: the kernel data and code the inline helpers reach, with what a
 * user process on a radix (POWER9 and later) machine would see.
 */
#ifdef CONFIG_PPC_BOOK3S_64
#ifdef CONFIG_JUMP_LABEL_FEATURE_CHECKS
/*
 * mmu_has_feature() is a static branch on these keys.  The object's jump
 * sites are never patched, so every feature the configuration can have reads
 * as present: radix_enabled() is true.  The values here are never read; they
 * are the keys' initial state.
 */
struct static_key_true mmu_feature_keys[NUM_MMU_FTR_KEYS] = {
	[0 ... NUM_MMU_FTR_KEYS - 1] = STATIC_KEY_TRUE_INIT
};
#endif
#ifdef CONFIG_PPC_MEM_KEYS
/*
 * arch/powerpc/mm/book3s64/pkeys.c: without MMU_FTR_PKEY every access is
 * permitted.  The kernel never sets MMU_FTR_PKEY under radix
 * (scan_pkey_feature() returns no keys when early_radix_enabled()), so this
 * is what pte_access_permitted() sees on a radix machine.
 */
notrace bool arch_pte_access_permitted(u64 pte, bool write, bool execute)
{
	return true;
}
#endif
#endif /* CONFIG_PPC_BOOK3S_64 */
