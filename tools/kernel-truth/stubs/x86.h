/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stubs for the x86 (x86-64 and i386) wrapper object, included at the end of
 * wrappers.c: the kernel data and code the inline helpers reach, with what a
 * user process on bare metal would see.
 */
#ifdef CONFIG_X86
/* No capability set: unpatched alternatives test these bits at run time. */
struct cpuinfo_x86 boot_cpu_data;
#ifdef CONFIG_X86_64
phys_addr_t physical_mask = (1ULL << __PHYSICAL_MASK_SHIFT) - 1;
#endif
pteval_t __supported_pte_mask = ~0ULL;
#ifdef CONFIG_PARAVIRT_XXL
/* pte_val()/__pte() and pmd_val()/__pmd() are paravirt calls: the identity,
 * as on bare metal. */
unsigned long kt_ident_64(unsigned long v);
DEFINE_ASM_FUNC(kt_ident_64, "mov %rdi, %rax", .text);
struct paravirt_patch_template pv_ops = {
	.mmu.pte_val = __PV_IS_CALLEE_SAVE(kt_ident_64),
	.mmu.make_pte = __PV_IS_CALLEE_SAVE(kt_ident_64),
	.mmu.pmd_val = __PV_IS_CALLEE_SAVE(kt_ident_64),
	.mmu.make_pmd = __PV_IS_CALLEE_SAVE(kt_ident_64),
};
#endif
/* Alternatives are not patched, so an ALT_CALL site would call this: never. */
notrace void BUG_func(void) { __builtin_trap(); }
/* Return thunks (MITIGATION_RETHUNK): a plain return. */
asm(".pushsection .text\n.globl __x86_return_thunk\n.type __x86_return_thunk, @function\n"
    "__x86_return_thunk:\n\tret\n\tint3\n.size __x86_return_thunk, .-__x86_return_thunk\n.popsection");
#ifdef CONFIG_ARCH_HAS_CC_PLATFORM
u64 cc_mask; /* no memory encryption */
#endif
#endif /* CONFIG_X86 */
