/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stubs for the s390 wrapper object (included at the end of wrappers.c),
 * with what a user process on bare metal would see.
 */
#ifdef CONFIG_S390
/*
 * Return thunk of the expolines (EXPOLINE_EXTERN: -mfunction-return=
 * thunk-extern makes every "br %r14" a jump here).  The kernel's
 * (arch/s390/lib/expoline.S) executes the branch through EXRL to stop
 * speculation; to the caller it is a plain return, so: a plain return.
 */
asm(".pushsection .text\n.globl __s390_indirect_jump_r14\n"
    ".type __s390_indirect_jump_r14, @function\n"
    "__s390_indirect_jump_r14:\n\tbr %r14\n"
    ".size __s390_indirect_jump_r14, .-__s390_indirect_jump_r14\n.popsection");
#endif /* CONFIG_S390 */
