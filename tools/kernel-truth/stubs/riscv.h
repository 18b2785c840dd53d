/* SPDX-License-Identifier: GPL-2.0 */
/* Stubs for the riscv wrapper object (included at the end of wrappers.c).
 *
 * None are needed (Linux 6.12, defconfig + the targets.sh fragment): the
 * helpers reach no kernel symbol.  Their alternatives stay unpatched and run
 * the default code, which is what a CPU without the extensions sees:
 * has_svnapot() jumps to "absent" (pte_pfn() does no NAPOT rounding),
 * ALT_SVPBMT loads 0 (_PAGE_MTMASK, _PAGE_NOCACHE, _PAGE_IO are 0, so
 * pte_modify() keeps bits 61-62) and ALT_THEAD_PMA is nops (pfn_pte() and
 * pte_modify() add no T-Head memory type).
 */
