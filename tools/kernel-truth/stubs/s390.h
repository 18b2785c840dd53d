/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Stubs for the s390 wrapper object (included at the end of wrappers.c),
 * with what a user process on bare metal would see.
 */
#ifdef CONFIG_S390
/*
 * Return thunk of the expolines (EXPOLINE_EXTERN: -mfunction-return=
 * thunk-extern turns every "br %r14" into a jump here).  The kernel's
 * (arch/s390/lib/expoline.S) branches through EXRL to stop speculation; to
 * the caller it is a plain return, so: a plain return.
 */
asm(".pushsection .text\n.globl __s390_indirect_jump_r14\n"
    ".type __s390_indirect_jump_r14, @function\n"
    "__s390_indirect_jump_r14:\n\tbr %r14\n"
    ".size __s390_indirect_jump_r14, .-__s390_indirect_jump_r14\n.popsection");

/*
 * The lowcore's machine_flags (set by early.c from the facility list), read
 * by MACHINE_HAS_NX in mk_pte_phys() once wrappers.c points the macro here:
 * the real one sits in the lowcore at absolute address 0x3c8, which a user
 * process cannot read.  A z14 or later: instruction-execution protection
 * (facility 130), so pfn_pte() keeps _PAGE_NOEXEC.
 */
unsigned long kt_s390_machine_flags = MACHINE_FLAG_NX;

/*
 * The kernel's virtual layout (boot/startup.c fills it): pmd_pfn() goes
 * through __va()/__pa() of the identity mapping, whose base is read from
 * here.  Identity base 0: the pfn is the segment entry's origin, shifted,
 * which is what the two conversions amount to for any base.
 */
struct vm_layout vm_layout;
#endif /* CONFIG_S390 */
