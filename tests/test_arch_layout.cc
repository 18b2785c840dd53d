// SPDX-License-Identifier: GPL-2.0
//
// Pins every architecture model (core/arch/*.h) to the kernel's PTE layout:
// x86_64 (without and with user shadow stacks), arm64, riscv64, s390x,
// ppc64le (book3s64 radix, 4K) and i386-pae.  For each one:
//   1. the named bit constants equal the kernel's bit positions, and the
//      predicates read them (single-bit entries);
//   2. what pte_mkold/mkyoung/mkclean/mkdirty/wrprotect/mkwrite set and
//      clear, as exact values on entries built by pfn_pte()/mk_user_pte();
//   3. what the MMU does on an access and a write (hw_access/hw_write,
//      nullopt = fault);
//   4. algebraic laws over values built only from the constructors and
//      helper sequences (TYPED_TEST_SUITE ArchLayoutLaws).
// Facts: /work/shared/kernel-facts.md ("Architectures") and the Linux 6.12
// headers: arch/x86/include/asm/{pgtable.h,pgtable_types.h,pgtable-3level.h},
// arch/arm64/include/asm/{pgtable.h,pgtable-hwdef.h,pgtable-prot.h},
// arch/riscv/include/asm/{pgtable.h,pgtable-bits.h,pgtable-64.h},
// arch/s390/include/asm/pgtable.h (protection_map: arch/s390/mm/mmap.c),
// arch/powerpc/include/asm/{book3s/64/pgtable.h,book3s/64/radix.h,pgtable-masks.h}.
// Expected values are derived by hand from those bit positions (worked in
// the comments), never taken from the models.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/arch/arm64.h"
#include "core/arch/i386_pae.h"
#include "core/arch/ppc64.h"
#include "core/arch/riscv64.h"
#include "core/arch/s390x.h"
#include "core/arch/x86_64.h"
#include "core/base/types.h"

namespace {

using namespace gf;
using namespace gf::arch;
using X86Shstk = X86_64T<ArchCfg{.shstk = true}>;
using Opt = std::optional<pteval_t>;
constexpr pteval_t B(int n) { return 1ull << n; }
constexpr Opt kFault = std::nullopt;

// ------------------------------------------------------------------ x86 family
// Low word shared by x86-64 and PAE (pgtable_types.h _PAGE_BIT_*).
template <class A>
void expect_x86_low_word() {
  EXPECT_EQ(A::_PAGE_PRESENT, B(0)); EXPECT_EQ(A::_PAGE_RW, B(1)); EXPECT_EQ(A::_PAGE_USER, B(2));
  EXPECT_EQ(A::_PAGE_PWT, B(3)); EXPECT_EQ(A::_PAGE_PCD, B(4)); EXPECT_EQ(A::_PAGE_ACCESSED, B(5));
  EXPECT_EQ(A::_PAGE_DIRTY, B(6)); EXPECT_EQ(A::_PAGE_GLOBAL, B(8)); EXPECT_EQ(A::_PAGE_SPECIAL, B(9));
  EXPECT_EQ(A::_PAGE_PROTNONE, B(8));  // _PAGE_BIT_PROTNONE = _PAGE_BIT_GLOBAL
  EXPECT_EQ(A::_PAGE_NX, B(63));
  EXPECT_EQ(A::PTE_PFN_MASK, 0x000ffffffffff000ull);  // bits 12-51
  EXPECT_TRUE(A::pte_young(B(5))); EXPECT_TRUE(A::pte_dirty(B(6))); EXPECT_TRUE(A::pte_write(B(1)));
  EXPECT_TRUE(A::pte_special(B(9)));
  EXPECT_TRUE(A::pte_present(B(8)));      // PROT_NONE: Present clear, Global set
  EXPECT_TRUE(A::pte_none(B(5) | B(6)));  // _PAGE_KNL_ERRATUM_MASK ignored
  EXPECT_EQ(A::pte_pfn(B(12) | 1), 1u);
  // PAGE_SHARED / PAGE_READONLY (P|U|A [|RW] |NX) and PAGE_SHARED_EXEC for pfn 0x10.
  EXPECT_EQ(A::pfn_pte(0x10, Prot::rw), 0x8000000000010027ull);
  EXPECT_EQ(A::pfn_pte(0x10, Prot::ro), 0x8000000000010025ull);
  EXPECT_EQ(A::pfn_pte(0x10, Prot::rw_x), 0x0000000000010027ull);
}

TEST(ArchLayoutX86_64, Bits) {
  using A = X86_64;
  expect_x86_low_word<A>();
  EXPECT_EQ(A::_PAGE_UFFD_WP, B(10)); EXPECT_EQ(A::_PAGE_SOFT_DIRTY, B(11)); EXPECT_EQ(A::_PAGE_DEVMAP, B(57));
  EXPECT_EQ(A::_PAGE_SAVED_DIRTY, B(58));  // _PAGE_BIT_SOFTW5 on 64-bit
  EXPECT_EQ(A::_PAGE_PKEY_MASK, 0xfull << 59);
  EXPECT_TRUE(A::pte_dirty(B(58))); EXPECT_TRUE(A::pte_soft_dirty(B(11))); EXPECT_TRUE(A::pte_uffd_wp(B(10)));
  EXPECT_FALSE(A::pte_write(B(6)));  // Write=0,Dirty=1 without X86_FEATURE_SHSTK
  // PROT_NONE keeps the PFN inverted (L1TF): A|G, PFN ^ bits 12-51.
  EXPECT_EQ(A::pfn_pte(0x10, Prot::none), 0x000ffffffffef120ull);
  EXPECT_EQ(A::pte_pfn(0x000ffffffffef120ull), 0x10u);
}

// Shared by both x86-64 variants: the helpers do not look at X86_FEATURE_SHSTK.
template <class A>
void expect_x86_64_helpers() {
  const pteval_t rw = A::mk_user_pte(0x10, UserProt{.write = true});  // 0x8000000000010027
  const pteval_t ro = A::mk_user_pte(0x10, UserProt{});                // 0x8000000000010025
  EXPECT_EQ(A::pte_mkold(rw), 0x8000000000010007ull);  // A (5) cleared
  EXPECT_EQ(A::pte_mkyoung(0x8000000000010007ull), rw);
  EXPECT_EQ(A::pte_mkdirty(rw), 0x8000000000010867ull);  // D (6) + soft-dirty (11)
  EXPECT_EQ(A::pte_mkclean(0x8000000000010867ull), 0x8000000000010827ull);  // soft-dirty stays
  // wrprotect moves Dirty (6) to SavedDirty (58), mkwrite moves it back, mkclean clears both.
  EXPECT_EQ(A::pte_wrprotect(0x8000000000010867ull), 0x8400000000010825ull);
  EXPECT_EQ(A::pte_mkwrite(0x8400000000010825ull), 0x8000000000010867ull);
  EXPECT_EQ(A::pte_mkclean(0x8400000000010825ull), 0x8000000000010825ull);
  EXPECT_EQ(A::pte_mkdirty(ro), 0x8400000000010825ull);  // Write=0: straight to SavedDirty
  EXPECT_EQ(A::pte_mkwrite(ro), rw);
  EXPECT_EQ(A::pte_wrprotect(rw), ro);
  EXPECT_TRUE(A::pte_dirty(0x8400000000010825ull));
  EXPECT_FALSE(A::pte_write(0x8400000000010825ull));  // also on a CET CPU: Dirty is clear
  // MMU: Accessed on any access, Dirty on a write through RW.
  EXPECT_EQ(A::hw_access(0x8000000000010005ull), Opt(ro));
  EXPECT_EQ(A::hw_write(0x8000000000010007ull), Opt(0x8000000000010067ull));
  EXPECT_EQ(A::hw_write(ro), kFault);
  EXPECT_EQ(A::hw_access(rw & ~A::_PAGE_USER), kFault);
  EXPECT_EQ(A::hw_access(A::pfn_pte(0x10, Prot::none)), kFault);
}

TEST(ArchLayoutX86_64, Helpers) { expect_x86_64_helpers<X86_64>(); }

TEST(ArchLayoutX86_64Shstk, BitsAndHelpers) {
  using A = X86Shstk;
  expect_x86_low_word<A>();
  EXPECT_EQ(A::_PAGE_SAVED_DIRTY, B(58));
  expect_x86_64_helpers<A>();
  // pte_shstk(): Write=0,Dirty=1 is (logically) writable, but not for GUP or a plain store.
  const pteval_t shstk = 0x8000000000010065ull;
  EXPECT_TRUE(A::pte_write(shstk)); EXPECT_FALSE(X86_64::pte_write(shstk));
  EXPECT_FALSE(A::pte_access_permitted(shstk, true)); EXPECT_TRUE(A::pte_access_permitted(shstk, false));
  EXPECT_EQ(A::hw_write(shstk), kFault);
}

TEST(ArchLayoutI386Pae, BitsAndHelpers) {
  using A = I386Pae;
  expect_x86_low_word<A>();
  EXPECT_EQ(A::_PAGE_SAVED_DIRTY, B(10));  // _PAGE_BIT_SOFTW2 on 32-bit
  EXPECT_EQ(A::_PAGE_SOFT_DIRTY, 0u);      // no HAVE_ARCH_SOFT_DIRTY
  EXPECT_EQ(A::_PAGE_UFFD_WP, 0u);         // no HAVE_ARCH_USERFAULTFD_WP
  EXPECT_TRUE(A::pte_dirty(B(10))); EXPECT_FALSE(A::pte_dirty(B(58))); EXPECT_FALSE(A::pte_soft_dirty(B(11)));
  EXPECT_FALSE(A::pte_write(B(6)));  // Write=0,Dirty=1: no X86_FEATURE_SHSTK in the pinned config
  EXPECT_EQ(A::pte_low(0x8000000000010425ull), 0x00010425u);
  EXPECT_EQ(A::pte_high(0x8000000000010425ull), 0x80000000u);
  const pteval_t rw = A::mk_user_pte(0x10, UserProt{.write = true});  // 0x8000000000010027
  EXPECT_EQ(A::pte_mkold(rw), 0x8000000000010007ull);
  EXPECT_EQ(A::pte_mkdirty(rw), 0x8000000000010067ull);  // no soft-dirty bit
  EXPECT_EQ(A::pte_mkclean(0x8000000000010067ull), rw);
  EXPECT_EQ(A::pte_wrprotect(0x8000000000010067ull), 0x8000000000010425ull);  // Dirty -> bit 10
  EXPECT_EQ(A::pte_mkwrite(0x8000000000010425ull), 0x8000000000010067ull);
  EXPECT_EQ(A::pte_mkclean(0x8000000000010425ull), 0x8000000000010025ull);
  EXPECT_EQ(A::pte_mkdirty(0x8000000000010025ull), 0x8000000000010425ull);
  EXPECT_EQ(A::hw_write(0x8000000000010007ull), Opt(0x8000000000010067ull));
  EXPECT_EQ(A::hw_access(0x8000000000010005ull), Opt(0x8000000000010025ull));
  EXPECT_EQ(A::hw_write(0x8000000000010025ull), kFault);
  EXPECT_EQ(A::hw_access(rw | B(52)), kFault);  // PAE reserves bits 52-62 of a present entry
}

// ------------------------------------------------------------------ arm64
// PAGE_SHARED for pfn 0x10: 0x10000 | 3 | SH 0x300 | AF 0x400 | User 0x40 |
// RDONLY 0x80 | nG 0x800 | WRITE 51 | PXN 53 | UXN 54 = 0x0068000000010fc3.
TEST(ArchLayoutArm64, BitsAndHelpers) {
  using A = Arm64;
  EXPECT_EQ(A::PTE_VALID, B(0)); EXPECT_EQ(A::PTE_TABLE_BIT, B(1)); EXPECT_EQ(A::PTE_USER, B(6));
  EXPECT_EQ(A::PTE_RDONLY, B(7)); EXPECT_EQ(A::PTE_SHARED, B(8) | B(9)); EXPECT_EQ(A::PTE_AF, B(10));
  EXPECT_EQ(A::PTE_NG, B(11)); EXPECT_EQ(A::PTE_PRESENT_INVALID, B(11)); EXPECT_EQ(A::PTE_GP, B(50));
  EXPECT_EQ(A::PTE_DBM, B(51)); EXPECT_EQ(A::PTE_WRITE, B(51)); EXPECT_EQ(A::PTE_CONT, B(52));
  EXPECT_EQ(A::PTE_PXN, B(53)); EXPECT_EQ(A::PTE_UXN, B(54)); EXPECT_EQ(A::PTE_DIRTY, B(55));
  EXPECT_EQ(A::PTE_SPECIAL, B(56)); EXPECT_EQ(A::PTE_DEVMAP, B(57)); EXPECT_EQ(A::PTE_UFFD_WP, B(58));
  EXPECT_TRUE(A::pte_young(B(10))); EXPECT_TRUE(A::pte_write(B(51))); EXPECT_TRUE(A::pte_dirty(B(55)));
  EXPECT_TRUE(A::pte_dirty(B(51)));          // hardware dirty: DBM and RDONLY clear
  EXPECT_FALSE(A::pte_dirty(B(51) | B(7)));  // DBM with RDONLY: clean
  EXPECT_TRUE(A::pte_present(B(11)));        // present-invalid (PROT_NONE)
  EXPECT_TRUE(A::pte_cont(B(52)));

  const pteval_t clean = A::mk_user_pte(0x10, UserProt{.write = true});
  const pteval_t ro = A::mk_user_pte(0x10, UserProt{});
  EXPECT_EQ(clean, 0x0068000000010fc3ull);
  EXPECT_EQ(ro, 0x0060000000010fc3ull);
  EXPECT_EQ(A::pte_mkold(clean), 0x0068000000010bc3ull);
  EXPECT_EQ(A::pte_mkyoung(0x0068000000010bc3ull), clean);
  EXPECT_EQ(A::pte_mkdirty(clean), 0x00e8000000010f43ull);  // PTE_DIRTY set, RDONLY cleared
  EXPECT_EQ(A::pte_mkdirty(ro), 0x00e0000000010fc3ull);     // not writable: RDONLY stays
  EXPECT_EQ(A::pte_mkclean(0x00e8000000010f43ull), clean);   // RDONLY set, PTE_DIRTY cleared
  EXPECT_EQ(A::pte_mkclean(0x0068000000010f43ull), clean);   // hardware-dirty only
  EXPECT_EQ(A::pte_wrprotect(0x0068000000010f43ull), 0x00e0000000010fc3ull);  // hw dirty -> PTE_DIRTY
  EXPECT_EQ(A::pte_wrprotect(clean), ro);
  EXPECT_EQ(A::pte_mkwrite(0x00e0000000010fc3ull), 0x00e8000000010f43ull);
  EXPECT_EQ(A::pte_mkwrite(ro), clean);
  // FEAT_HAFDBS: AF on access; a write through DBM clears RDONLY.
  EXPECT_EQ(A::hw_access(0x0060000000010bc3ull), Opt(ro));
  EXPECT_EQ(A::hw_write(0x0068000000010bc3ull), Opt(0x0068000000010f43ull));
  EXPECT_EQ(A::hw_write(ro), kFault);
  EXPECT_EQ(A::hw_access(A::mk_user_pte(0x10, UserProt{.protnone = true})), kFault);
}

// ------------------------------------------------------------------ riscv64
// pfn 0x10 at bit 10 = 0x4000; PAGE_SHARED = V|R|W|U|A = 0x57, PAGE_COPY =
// V|R|U|A = 0x53, PAGE_COPY_EXEC = 0x5b, PAGE_NONE = G|R = 0x22.
TEST(ArchLayoutRiscv64, BitsAndHelpers) {
  using A = Riscv64;
  EXPECT_EQ(A::_PAGE_PRESENT, B(0)); EXPECT_EQ(A::_PAGE_READ, B(1)); EXPECT_EQ(A::_PAGE_WRITE, B(2));
  EXPECT_EQ(A::_PAGE_EXEC, B(3)); EXPECT_EQ(A::_PAGE_USER, B(4)); EXPECT_EQ(A::_PAGE_GLOBAL, B(5));
  EXPECT_EQ(A::_PAGE_ACCESSED, B(6)); EXPECT_EQ(A::_PAGE_DIRTY, B(7)); EXPECT_EQ(A::_PAGE_SPECIAL, B(8));
  EXPECT_EQ(A::_PAGE_DEVMAP, B(9)); EXPECT_EQ(A::_PAGE_PROT_NONE, B(5)); EXPECT_EQ(A::_PAGE_PFN_SHIFT, 10);
  EXPECT_TRUE(A::pte_present(B(0))); EXPECT_TRUE(A::pte_present(B(5))); EXPECT_TRUE(A::pte_protnone(B(5)));
  EXPECT_TRUE(A::pte_write(B(2))); EXPECT_TRUE(A::pte_young(B(6))); EXPECT_TRUE(A::pte_dirty(B(7)));
  EXPECT_TRUE(A::pte_special(B(8))); EXPECT_TRUE(A::pte_devmap(B(9)));
  EXPECT_EQ(A::pte_pfn(B(10) | B(9)), 1u);

  const pteval_t rw = A::mk_user_pte(0x10, UserProt{.write = true});
  EXPECT_EQ(rw, 0x4057u);
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{}), 0x4053u);
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.exec = true}), 0x405bu);
  EXPECT_EQ(A::pte_mkold(rw), 0x4017u);
  EXPECT_EQ(A::pte_mkyoung(0x4017), rw);
  EXPECT_EQ(A::pte_mkdirty(rw), 0x40d7u);
  EXPECT_EQ(A::pte_mkclean(0x40d7), rw);
  EXPECT_EQ(A::pte_wrprotect(0x40d7), 0x40d3u);  // D stays
  EXPECT_EQ(A::pte_mkwrite(0x40d3), 0x40d7u);
  const pteval_t none = A::mk_user_pte(0x10, UserProt{.write = true, .protnone = true});
  EXPECT_EQ(none, 0x4062u);  // V U W cleared, A kept, G|R set
  // Svade (6.12 has no Svadu): the MMU never stores; A clear faults, D clear faults a write.
  EXPECT_EQ(A::hw_access(rw), Opt(rw));
  EXPECT_EQ(A::hw_access(0x4017), kFault);
  EXPECT_EQ(A::hw_write(rw), kFault);
  EXPECT_EQ(A::hw_write(0x40d7), Opt(0x40d7));
  EXPECT_EQ(A::hw_write(0x40d3), kFault);
  EXPECT_EQ(A::hw_access(none), kFault);
  // Generic pte_access_permitted(): PROT_NONE counts as present, A is not looked at.
  EXPECT_TRUE(A::pte_access_permitted(none, false));
  EXPECT_TRUE(A::pte_access_permitted(0x4017, false));
}

// ------------------------------------------------------------------ s390x
// pfn 0x10 = 0x10000; PAGE_RW = P|R|W|NOEXEC|INVALID|PROTECT = 0x731, and
// pfn_pte() ends with pte_mkyoung() (YOUNG set, INVALID cleared): 0x10335.
TEST(ArchLayoutS390x, BitsAndHelpers) {
  using A = S390x;
  EXPECT_EQ(A::_PAGE_PRESENT, 0x001u); EXPECT_EQ(A::_PAGE_SOFT_DIRTY, 0x002u); EXPECT_EQ(A::_PAGE_YOUNG, 0x004u);
  EXPECT_EQ(A::_PAGE_DIRTY, 0x008u); EXPECT_EQ(A::_PAGE_READ, 0x010u); EXPECT_EQ(A::_PAGE_WRITE, 0x020u);
  EXPECT_EQ(A::_PAGE_SPECIAL, 0x040u); EXPECT_EQ(A::_PAGE_NOEXEC, 0x100u); EXPECT_EQ(A::_PAGE_PROTECT, 0x200u);
  EXPECT_EQ(A::_PAGE_INVALID, 0x400u); EXPECT_EQ(A::_PAGE_LARGE, 0x800u);
  EXPECT_EQ(A::PAGE_NONE, 0x601u); EXPECT_EQ(A::PAGE_RO, 0x711u); EXPECT_EQ(A::PAGE_RX, 0x611u);
  EXPECT_EQ(A::PAGE_RW, 0x731u); EXPECT_EQ(A::PAGE_RWX, 0x631u);
  EXPECT_TRUE(A::pte_none(0x400)); EXPECT_FALSE(A::pte_none(0)); EXPECT_TRUE(A::pte_present(0x001));
  EXPECT_TRUE(A::pte_soft_dirty(0x002)); EXPECT_TRUE(A::pte_young(0x004)); EXPECT_TRUE(A::pte_dirty(0x008));
  EXPECT_TRUE(A::pte_write(0x020)); EXPECT_TRUE(A::pte_special(0x040));
  EXPECT_EQ(A::pte_pfn(B(12) | 0xfff), 1u);

  const pteval_t rw = A::mk_user_pte(0x10, UserProt{.write = true});
  const pteval_t ro = A::mk_user_pte(0x10, UserProt{});
  EXPECT_EQ(rw, 0x10335u);
  EXPECT_EQ(ro, 0x10315u);
  EXPECT_EQ(A::pte_mkold(rw), 0x10731u);          // YOUNG cleared, INVALID set
  EXPECT_EQ(A::pte_mkyoung(0x10731), rw);          // READ: INVALID cleared
  EXPECT_EQ(A::pte_mkdirty(rw), 0x1013fu);         // DIRTY|SOFT_DIRTY; WRITE: PROTECT cleared
  EXPECT_EQ(A::pte_mkdirty(ro), 0x1031fu);         // no WRITE: PROTECT stays
  EXPECT_EQ(A::pte_mkclean(0x1013f), 0x10337u);    // DIRTY cleared, PROTECT set, soft-dirty stays
  EXPECT_EQ(A::pte_wrprotect(0x1013f), 0x1031fu);  // WRITE cleared, PROTECT set, DIRTY stays
  EXPECT_EQ(A::pte_mkwrite(0x1031f), 0x1013fu);    // dirty: PROTECT cleared
  EXPECT_EQ(A::pte_mkwrite(ro), 0x10335u);         // clean: PROTECT stays
  const pteval_t none = A::mk_user_pte(0x10, UserProt{.protnone = true});
  EXPECT_EQ(none, 0x10605u);
  EXPECT_EQ(A::pte_mkyoung(none), none);  // no READ: INVALID stays although YOUNG
  // DAT never stores: INVALID faults any access, PROTECT faults a store.
  EXPECT_EQ(A::hw_access(rw), Opt(rw));
  EXPECT_EQ(A::hw_write(rw), kFault);
  EXPECT_EQ(A::hw_write(0x1013f), Opt(0x1013f));
  EXPECT_EQ(A::hw_access(0x10731), kFault);
  EXPECT_EQ(A::hw_write(0x1031f), kFault);
  EXPECT_EQ(A::hw_access(none), kFault);
  EXPECT_TRUE(A::pte_access_permitted(none, false));  // generic: present only
}

// ------------------------------------------------------------------ ppc64le
// pfn 0x10 = 0x10000; PAGE_SHARED = PRESENT|ACCESSED|READ|WRITE, pfn_pte()
// adds _PAGE_PTE: 0xc000000000010106.
TEST(ArchLayoutPpc64, BitsAndHelpers) {
  using A = Ppc64;
  EXPECT_EQ(A::_PAGE_EXEC, 0x1u); EXPECT_EQ(A::_PAGE_WRITE, 0x2u); EXPECT_EQ(A::_PAGE_READ, 0x4u);
  EXPECT_EQ(A::_PAGE_PRIVILEGED, 0x8u); EXPECT_EQ(A::_PAGE_DIRTY, 0x80u); EXPECT_EQ(A::_PAGE_ACCESSED, 0x100u);
  EXPECT_EQ(A::_PAGE_SOFT_DIRTY, 0x200u); EXPECT_EQ(A::_PAGE_SPECIAL, 0x400u); EXPECT_EQ(A::_PAGE_DEVMAP, 0x800u);
  EXPECT_EQ(A::_PAGE_INVALID, B(61)); EXPECT_EQ(A::_PAGE_PTE, B(62)); EXPECT_EQ(A::_PAGE_PRESENT, B(63));
  EXPECT_EQ(A::PAGE_NONE, 0x8000000000000100ull);
  EXPECT_TRUE(A::pte_write(0x2)); EXPECT_TRUE(A::pte_read(0x4)); EXPECT_FALSE(A::pte_user(0x8));
  EXPECT_TRUE(A::pte_dirty(0x80)); EXPECT_TRUE(A::pte_young(0x100)); EXPECT_TRUE(A::pte_soft_dirty(0x200));
  EXPECT_TRUE(A::pte_special(0x400));
  EXPECT_TRUE(A::pte_devmap(0x800 | B(62))); EXPECT_FALSE(A::pte_devmap(0x800));  // needs _PAGE_PTE
  EXPECT_TRUE(A::pte_present(B(63) | B(62))); EXPECT_TRUE(A::pte_present(B(61) | B(62)));
  EXPECT_FALSE(A::pte_present(B(63)));
  EXPECT_TRUE(A::pte_none(0x180));  // radix__pte_none(): a late R/C writeback
  EXPECT_EQ(A::pte_pfn(B(12) | B(62)), 1u);

  const pteval_t rw = A::mk_user_pte(0x10, UserProt{.write = true});
  const pteval_t ro = A::mk_user_pte(0x10, UserProt{});
  EXPECT_EQ(rw, 0xc000000000010106ull);
  EXPECT_EQ(ro, 0xc000000000010104ull);
  EXPECT_EQ(A::pte_mkold(rw), 0xc000000000010006ull);
  EXPECT_EQ(A::pte_mkyoung(0xc000000000010006ull), rw);
  EXPECT_EQ(A::pte_mkdirty(rw), 0xc000000000010386ull);                      // C + soft-dirty
  EXPECT_EQ(A::pte_mkclean(0xc000000000010386ull), 0xc000000000010306ull);    // soft-dirty stays
  EXPECT_EQ(A::pte_wrprotect(0xc000000000010386ull), 0xc000000000010384ull);  // READ, C stay
  EXPECT_EQ(A::pte_mkwrite(ro), rw);
  // The MMU sets R (and C on a store) itself.
  EXPECT_EQ(A::hw_access(0xc000000000010004ull), Opt(ro));
  EXPECT_EQ(A::hw_write(0xc000000000010006ull), Opt(0xc000000000010186ull));
  EXPECT_EQ(A::hw_write(ro), kFault);
  EXPECT_EQ(A::hw_access(rw | A::_PAGE_PRIVILEGED), kFault);
  const pteval_t none = A::mk_user_pte(0x10, UserProt{.write = true, .protnone = true});
  EXPECT_EQ(none, 0xc000000000010100ull);
  EXPECT_EQ(A::hw_access(none), kFault);
  EXPECT_FALSE(A::pte_access_permitted(none, false));
  // _PAGE_INVALID form (PRESENT briefly clear): pte_present() but the MMU faults.
  EXPECT_EQ(A::hw_access((rw & ~A::_PAGE_PRESENT) | A::_PAGE_INVALID), kFault);
}

// ------------------------------------------------------------------ laws
// Built only from constructors: mk_user_pte() for every UserProt and a few
// PFNs, closed under the helpers and the MMU updates (everything any
// sequence of them reaches).  pte_mkwrite is not applied to PROT_NONE
// entries: the kernel pte_modify()s them back first (do_numa_page()).
enum class Op { mkold, mkyoung, mkclean, mkdirty, wrprotect, mkwrite, hw_access, hw_write, count };

template <class A>
pteval_t apply(Op op, pteval_t v) {
  switch (op) {
    case Op::mkold: return A::pte_mkold(v);
    case Op::mkyoung: return A::pte_mkyoung(v);
    case Op::mkclean: return A::pte_mkclean(v);
    case Op::mkdirty: return A::pte_mkdirty(v);
    case Op::wrprotect: return A::pte_wrprotect(v);
    case Op::mkwrite: return A::pte_mkwrite(v);
    case Op::hw_access: return A::hw_access(v).value_or(v);
    case Op::hw_write: return A::hw_write(v).value_or(v);
    case Op::count: break;
  }
  return v;
}

template <class A>
const std::vector<pteval_t>& values() {
  static const std::vector<pteval_t> vs = [] {
    std::set<std::pair<pteval_t, bool>> seen;  // (value, built as PROT_NONE)
    std::vector<std::pair<pteval_t, bool>> todo;
    for (unsigned m = 0; m < 64; m++) {
      const UserProt u{.write = bool(m & 1), .exec = bool(m & 2), .young = bool(m & 4),
                       .dirty = bool(m & 8), .special = bool(m & 16), .protnone = bool(m & 32)};
      for (uint64_t pfn : {0ull, 1ull, 0x10ull, 0xfffffull}) todo.emplace_back(A::mk_user_pte(pfn, u), u.protnone);
    }
    while (!todo.empty()) {
      const auto [v, none] = todo.back();
      todo.pop_back();
      if (!seen.emplace(v, none).second) continue;
      for (int i = 0; i < int(Op::count); i++)
        if (!(none && Op(i) == Op::mkwrite)) todo.emplace_back(apply<A>(Op(i), v), none);
    }
    std::vector<pteval_t> out;
    for (const auto& [v, none] : seen) out.push_back(v);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return vs;
}

template <class F>
void for_all(const std::vector<pteval_t>& vs, const char* text, F law) {
  size_t fails = 0;
  pteval_t first = 0;
  for (pteval_t v : vs)
    if (!law(v) && fails++ == 0) first = v;
  EXPECT_EQ(fails, 0u) << "`" << text << "` fails for " << fails << " of " << vs.size() << " values, first "
                       << std::hex << "0x" << first;
}
#define LAW(expr) for_all(values<A>(), #expr, [&](pteval_t p) { return bool(expr); })

// riscv and s390 use the generic pte_access_permitted() (present, and write
// for a write): a PROT_NONE entry passes a read although the MMU faults on it.
template <class A>
constexpr bool kGenericAccessPermitted =
    std::string_view(A::name) == "riscv64" || std::string_view(A::name) == "s390x";

struct LayoutNames {
  template <class T>
  static std::string GetName(int) {
    std::string n = std::string(T::name) + (T::cfg.shstk ? "_shstk" : "");
    for (char& c : n)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';  // "i386-pae": '-' breaks --gtest_filter
    return n;
  }
};
template <class A>
class ArchLayoutLaws : public ::testing::Test {};
using LayoutArches = ::testing::Types<X86_64, X86Shstk, Arm64, Riscv64, S390x, Ppc64, I386Pae>;
TYPED_TEST_SUITE(ArchLayoutLaws, LayoutArches, LayoutNames);

// Otherwise the laws below could hold vacuously.
TYPED_TEST(ArchLayoutLaws, ValueSetIsVaried) {
  using A = TypeParam;
  const auto& vs = values<A>();
  auto share = [&](auto pred) { return double(std::count_if(vs.begin(), vs.end(), pred)) / double(vs.size()); };
  EXPECT_GT(vs.size(), 100u);
  for (double s : {share(A::pte_young), share(A::pte_dirty), share(A::pte_write),
                   share([](pteval_t v) { return A::pte_access_permitted(v, true); }),
                   share([](pteval_t v) { return A::hw_access(v).has_value(); }),
                   share([](pteval_t v) { return A::hw_write(v).has_value(); })}) {
    EXPECT_GT(s, 0.05);
    EXPECT_LT(s, 0.95);
  }
}

TYPED_TEST(ArchLayoutLaws, RecencyHelpersDoWhatTheySay) {
  using A = TypeParam;
  LAW(A::pte_young(A::pte_mkyoung(p)));  // s390 too: YOUNG is set even where INVALID stays
  LAW(!A::pte_young(A::pte_mkold(p)));
  LAW(A::pte_dirty(A::pte_mkdirty(p)));
  LAW(!A::pte_dirty(A::pte_mkclean(p)));  // x86: Dirty and SavedDirty; arm64: PTE_DIRTY and hw dirty
  LAW(A::pte_dirty(A::pte_wrprotect(p)) == A::pte_dirty(p));
}

// On a x86 CET CPU this relies on the constructors never making Write=0,Dirty=1:
// pte_mkclean() of a real shadow-stack entry would make it read-only.
TYPED_TEST(ArchLayoutLaws, RecencyHelpersKeepWrite) {
  using A = TypeParam;
  LAW(A::pte_write(A::pte_mkold(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkyoung(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkclean(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkdirty(p)) == A::pte_write(p));
}

TYPED_TEST(ArchLayoutLaws, RecencyHelpersKeepAccessPermitted) {
  using A = TypeParam;
  for (bool w : {false, true}) {
    SCOPED_TRACE(w ? "write" : "read");
    LAW(A::pte_access_permitted(A::pte_mkold(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkyoung(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkclean(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkdirty(p), w) == A::pte_access_permitted(p, w));
  }
}

// pte_mkold(pte_mkclean()) hides whatever the MMU did.  (Not pte_mkdirty():
// it also sets soft-dirty on x86-64, s390 and ppc.)  On s390 this includes
// INVALID and PROTECT, which pte_mkold/pte_mkclean set.
TYPED_TEST(ArchLayoutLaws, NorecencyHidesHardwareUpdates) {
  using A = TypeParam;
  auto norec = [](pteval_t v) { return A::pte_mkold(A::pte_mkclean(v)); };
  LAW(!A::hw_access(p) || norec(*A::hw_access(p)) == norec(p));
  LAW(!A::hw_write(p) || norec(*A::hw_write(p)) == norec(p));
  LAW(norec(A::pte_mkyoung(p)) == norec(p));
}

// An access that does not fault leaves (or finds, where the MMU stores
// nothing: riscv Svade, s390) a young entry, a write a young dirty one.
TYPED_TEST(ArchLayoutLaws, HardwareSuccessMeansYoungAndDirty) {
  using A = TypeParam;
  LAW(!A::hw_access(p) || A::pte_young(*A::hw_access(p)));
  LAW(!A::hw_write(p) || (A::pte_young(*A::hw_write(p)) && A::pte_dirty(*A::hw_write(p)) && A::pte_write(p)));
}

// The fault handler's pte_mkyoung() (and pte_mkdirty() for a write) lets the
// MMU through exactly when pte_access_permitted() says yes.  Skipped for the
// read of a PROT_NONE entry on riscv and s390, whose generic
// pte_access_permitted() passes it (checked instead); s390's pte_mkyoung()
// on PAGE_NONE keeps INVALID, riscv's leaves V clear.
TYPED_TEST(ArchLayoutLaws, FaultPathMakesProgress) {
  using A = TypeParam;
  LAW(A::hw_write(A::pte_mkdirty(A::pte_mkyoung(p))).has_value() == A::pte_access_permitted(p, true));
  if constexpr (kGenericAccessPermitted<A>) {
    LAW(A::pte_protnone(p) || A::hw_access(A::pte_mkyoung(p)).has_value() == A::pte_access_permitted(p, false));
    LAW(!A::pte_protnone(p) || (A::pte_access_permitted(p, false) && !A::hw_access(A::pte_mkyoung(p))));
  } else {
    LAW(A::hw_access(A::pte_mkyoung(p)).has_value() == A::pte_access_permitted(p, false));
  }
}

}  // namespace
