/* SPDX-License-Identifier: GPL-2.0 */
/* Stubs for the arm64 wrapper object (included at the end of wrappers.c). */
