/* SPDX-License-Identifier: GPL-2.0 */
/* Stubs for the powerpc wrapper object (included at the end of wrappers.c). */
