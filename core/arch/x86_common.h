// SPDX-License-Identifier: GPL-2.0
//
// What the x86-64 and PAE models share (arch/x86/include/asm/pgtable.h and
// pgtable_types.h, 6.12).  Dirty <-> SavedDirty moves (mksaveddirty_shift(),
// clear_saveddirty_shift()): Write=0,Dirty=1 is a shadow-stack entry, so a
// write-protected dirty entry keeps its dirtiness in a software bit (58 on
// 64-bit, 10 on 32-bit).  Dirty is bit 6 and RW bit 1 on both.
#pragma once

#include "core/base/types.h"

namespace gf::arch::x86 {

// RW clear: Dirty moves to SavedDirty.
constexpr pteval_t mksaveddirty_shift(pteval_t v, int saved_dirty_bit) {
  const pteval_t cond = (~v >> 1) & 1;
  v |= ((v >> 6) & cond) << saved_dirty_bit;
  v &= ~(cond << 6);
  return v;
}

// RW set: SavedDirty moves back to Dirty.
constexpr pteval_t clear_saveddirty_shift(pteval_t v, int saved_dirty_bit) {
  const pteval_t cond = (v >> 1) & 1;
  v |= ((v >> saved_dirty_bit) & cond) << 6;
  v &= ~(cond << saved_dirty_bit);
  return v;
}

// protection_map[] entries of a private mapping: the same bits on both
// (Present 0, RW 1, User 2, Accessed 5, Global = PROTNONE 8, NX 63).
constexpr pteval_t prot_val(Prot p) {
  constexpr pteval_t present = 1ull << 0, rw = 1ull << 1, user = 1ull << 2, accessed = 1ull << 5;
  constexpr pteval_t protnone = 1ull << 8, nx = 1ull << 63;
  constexpr pteval_t u = present | user | accessed;
  switch (p) {
    case Prot::none: return accessed | protnone;  // PAGE_NONE
    case Prot::ro: return u | nx;                  // PAGE_READONLY
    case Prot::rw: return u | rw | nx;             // PAGE_SHARED
    case Prot::ro_x: return u;                     // PAGE_READONLY_EXEC
    case Prot::rw_x: return u | rw;                // PAGE_SHARED_EXEC
  }
  return 0;
}

}  // namespace gf::arch::x86
