// SPDX-License-Identifier: GPL-2.0
//
// x86's Dirty <-> SavedDirty moves (arch/x86/include/asm/pgtable.h,
// mksaveddirty_shift() and clear_saveddirty_shift(), 6.12), shared by the
// x86-64 and PAE models: Write=0,Dirty=1 is a shadow-stack entry, so a
// write-protected dirty entry keeps its dirtiness in a software bit (58 on
// 64-bit, 10 on 32-bit).  Dirty is bit 6 and RW bit 1 on both.
#pragma once

#include "core/pte.h"

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

}  // namespace gf::arch::x86
