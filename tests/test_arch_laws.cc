// SPDX-License-Identifier: GPL-2.0
//
// The architecture models (core/arch/*.h) as algebraic laws, in the manner of
// the kernel's mm/debug_vm_pgtable.c pte_basic_tests(), over many values built
// only through the model's own constructors: mk_user_pte() with every UserProt
// combination and a range of PFNs, then random sequences of pte_mkold,
// pte_mkyoung, pte_mkclean, pte_mkdirty, pte_wrprotect, pte_mkwrite and
// pte_mkcont.  Then exact values: x86-64 ones seen through the real kernel
// helpers (/work/shared/kernel-ground-truth.md), arm64 ones derived by hand
// from the 6.12 bit positions (/work/shared/kernel-facts.md).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "tests/test_util.h"
#include "core/arch/arm64.h"
#include "core/arch/x86_64.h"
#include "core/base/types.h"

namespace {

using gf::pteval_t;
using gf::UserProt;
using gf::arch::Arm64;
using gf::arch::X86_64;

using gf::test::hex;

// ------------------------------------------------------------------ values

// The kernel helpers, plus what the MMU does on a user access and a write
// (a faulting access leaves the entry alone).
enum class Mod { mkold, mkyoung, mkclean, mkdirty, wrprotect, mkwrite, mkcont, hw_access, hw_write };
constexpr std::array<Mod, 7> kHelpers = {Mod::mkold,     Mod::mkyoung, Mod::mkclean, Mod::mkdirty,
                                         Mod::wrprotect, Mod::mkwrite, Mod::mkcont};
constexpr std::array<Mod, 9> kMods = {Mod::mkold,   Mod::mkyoung, Mod::mkclean, Mod::mkdirty,  Mod::wrprotect,
                                      Mod::mkwrite, Mod::mkcont,  Mod::hw_access, Mod::hw_write};

template <class A>
pteval_t apply(Mod m, pteval_t v) {
  switch (m) {
    case Mod::mkold: return A::pte_mkold(v);
    case Mod::mkyoung: return A::pte_mkyoung(v);
    case Mod::mkclean: return A::pte_mkclean(v);
    case Mod::mkdirty: return A::pte_mkdirty(v);
    case Mod::wrprotect: return A::pte_wrprotect(v);
    case Mod::mkwrite: return A::pte_mkwrite(v);
    case Mod::mkcont: return A::pte_mkcont(v);
    case Mod::hw_access: return A::hw_access(v).value_or(v);
    case Mod::hw_write: return A::hw_write(v).value_or(v);
  }
  return v;
}

UserProt prot_of_mask(unsigned m) {
  return UserProt{.write = bool(m & 1),
                  .exec = bool(m & 2),
                  .young = bool(m & 4),
                  .dirty = bool(m & 8),
                  .special = bool(m & 16),
                  .protnone = bool(m & 32)};
}

// PFNs that fit both layouts (x86-64 bits 12-51, arm64 48-bit PA: bits 12-49).
constexpr std::array<uint64_t, 11> kPfns = {0, 1, 2, 15, 16, 17, 31, 255, 256, 0x12345, (1ull << 38) - 1};

// Every constructor output, plus 6 random sequences (length 1..6) of helpers
// and MMU updates from each.  pte_mkcont is applied to valid entries only: the kernel's arm64
// pte_mkcont() also sets PTE_TYPE_PAGE (which includes PTE_VALID), and the
// kernel never makes an invalid entry CONT (contpte_set_ptes() warns).
template <class A>
const std::vector<pteval_t>& values() {
  static const std::vector<pteval_t> vs = [] {
    std::vector<pteval_t> out;
    std::mt19937 rng(12345);
    for (unsigned m = 0; m < 64; m++) {
      for (uint64_t pfn : kPfns) {
        const pteval_t base = A::mk_user_pte(pfn, prot_of_mask(m));
        out.push_back(base);
        for (int s = 0; s < 6; s++) {
          pteval_t v = base;
          const int len = 1 + int(rng() % 6);
          for (int k = 0; k < len; k++) {
            const Mod mod = kMods[rng() % kMods.size()];
            if (mod == Mod::mkcont && A::pte_protnone(v)) continue;
            v = apply<A>(mod, v);
          }
          out.push_back(v);
        }
      }
    }
    return out;
  }();
  return vs;
}

// Checks `law` on every value; reports how many fail and the first counterexample.
template <class F>
void for_all(const std::vector<pteval_t>& vs, const char* law_text, F law) {
  size_t fails = 0;
  pteval_t first = 0;
  for (pteval_t v : vs) {
    if (!law(v) && fails++ == 0) first = v;
  }
  EXPECT_EQ(fails, 0u) << "law `" << law_text << "` fails for " << fails << " of " << vs.size()
                       << " values, first p = " << hex(first);
}
#define LAW(expr) for_all(values<TypeParam>(), #expr, [&](pteval_t p) { return bool(expr); })

template <class A>
class ArchLaws : public ::testing::Test {};
using gf::test::ArchNames;
using gf::test::Arches;
TYPED_TEST_SUITE(ArchLaws, Arches, ArchNames);

// The laws below would be vacuous over a set where, say, nothing is protnone.
TYPED_TEST(ArchLaws, ValueSetCoversEveryState) {
  using A = TypeParam;
  const auto& vs = values<A>();
  auto count = [&](auto pred) {
    size_t n = 0;
    for (pteval_t v : vs) n += bool(pred(v));
    return n;
  };
  const size_t total = vs.size();
  EXPECT_GT(total, 4000u);
  const struct {
    const char* name;
    size_t n;
  } props[] = {
      {"young", count([](pteval_t v) { return A::pte_young(v); })},
      {"dirty", count([](pteval_t v) { return A::pte_dirty(v); })},
      {"write", count([](pteval_t v) { return A::pte_write(v); })},
      {"special", count([](pteval_t v) { return A::pte_special(v); })},
      {"protnone", count([](pteval_t v) { return A::pte_protnone(v); })},
      {"access(write)", count([](pteval_t v) { return A::pte_access_permitted(v, true); })},
      {"access(read)", count([](pteval_t v) { return A::pte_access_permitted(v, false); })},
  };
  for (const auto& p : props) {
    EXPECT_GT(p.n, total / 20) << p.name << " is rarely true";
    EXPECT_LT(p.n, total - total / 20) << p.name << " is rarely false";
  }
  if (A::has_contpte) { EXPECT_GT(count([](pteval_t v) { return A::pte_cont(v); }), total / 20); }
}

// mm/debug_vm_pgtable.c pte_basic_tests(), and each helper on its own.
TYPED_TEST(ArchLaws, MkyoungMakesYoung) { LAW(TypeParam::pte_young(TypeParam::pte_mkyoung(p))); }
TYPED_TEST(ArchLaws, MkoldMakesOld) { LAW(!TypeParam::pte_young(TypeParam::pte_mkold(p))); }
TYPED_TEST(ArchLaws, MkdirtyMakesDirty) { LAW(TypeParam::pte_dirty(TypeParam::pte_mkdirty(p))); }
TYPED_TEST(ArchLaws, MkcleanMakesClean) { LAW(!TypeParam::pte_dirty(TypeParam::pte_mkclean(p))); }
TYPED_TEST(ArchLaws, WrprotectMakesReadOnly) { LAW(!TypeParam::pte_write(TypeParam::pte_wrprotect(p))); }
TYPED_TEST(ArchLaws, MkwriteMakesWritable) { LAW(TypeParam::pte_write(TypeParam::pte_mkwrite(p))); }
TYPED_TEST(ArchLaws, BasicTestsRoundTrips) {
  using A = TypeParam;
  LAW(A::pte_young(A::pte_mkyoung(A::pte_mkold(p))));
  LAW(!A::pte_young(A::pte_mkold(A::pte_mkyoung(p))));
  LAW(A::pte_dirty(A::pte_mkdirty(A::pte_mkclean(p))));
  LAW(!A::pte_dirty(A::pte_mkclean(A::pte_mkdirty(p))));
  LAW(A::pte_write(A::pte_mkwrite(A::pte_wrprotect(p))));
  LAW(!A::pte_write(A::pte_wrprotect(A::pte_mkwrite(p))));
}

TYPED_TEST(ArchLaws, HelpersAreIdempotent) {
  using A = TypeParam;
  LAW(A::pte_mkold(A::pte_mkold(p)) == A::pte_mkold(p));
  LAW(A::pte_mkyoung(A::pte_mkyoung(p)) == A::pte_mkyoung(p));
  LAW(A::pte_mkclean(A::pte_mkclean(p)) == A::pte_mkclean(p));
  LAW(A::pte_mkdirty(A::pte_mkdirty(p)) == A::pte_mkdirty(p));
  LAW(A::pte_wrprotect(A::pte_wrprotect(p)) == A::pte_wrprotect(p));
  LAW(A::pte_mkwrite(A::pte_mkwrite(p)) == A::pte_mkwrite(p));
}

// Both archs keep the dirty state across a write-protect (x86 moves Dirty to
// SavedDirty, arm64 copies hardware dirty into PTE_DIRTY), and across mkwrite.
TYPED_TEST(ArchLaws, WrprotectKeepsDirty) {
  LAW(TypeParam::pte_dirty(TypeParam::pte_wrprotect(p)) == TypeParam::pte_dirty(p));
}
TYPED_TEST(ArchLaws, MkwriteKeepsDirty) {
  LAW(TypeParam::pte_dirty(TypeParam::pte_mkwrite(p)) == TypeParam::pte_dirty(p));
}

// Each helper changes one property only.
TYPED_TEST(ArchLaws, HelpersLeaveOtherPropertiesAlone) {
  using A = TypeParam;
  LAW(A::pte_dirty(A::pte_mkold(p)) == A::pte_dirty(p));
  LAW(A::pte_dirty(A::pte_mkyoung(p)) == A::pte_dirty(p));
  LAW(A::pte_write(A::pte_mkold(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkyoung(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkclean(p)) == A::pte_write(p));
  LAW(A::pte_write(A::pte_mkdirty(p)) == A::pte_write(p));
  LAW(A::pte_young(A::pte_mkclean(p)) == A::pte_young(p));
  LAW(A::pte_young(A::pte_mkdirty(p)) == A::pte_young(p));
  LAW(A::pte_young(A::pte_wrprotect(p)) == A::pte_young(p));
  LAW(A::pte_young(A::pte_mkwrite(p)) == A::pte_young(p));
}

TYPED_TEST(ArchLaws, HelpersKeepPfnSpecialAndPresence) {
  using A = TypeParam;
  for (Mod m : kHelpers) {
    SCOPED_TRACE(int(m));
    for_all(values<A>(), "pte_pfn / pte_special / pte_present / pte_protnone kept", [&](pteval_t p) {
      if (m == Mod::mkcont && A::pte_protnone(p)) return true;  // see values()
      const pteval_t q = apply<A>(m, p);
      return A::pte_pfn(q) == A::pte_pfn(p) && A::pte_special(q) == A::pte_special(p) &&
             A::pte_present(q) == A::pte_present(p) && A::pte_protnone(q) == A::pte_protnone(p);
    });
  }
}

// The review question on RFC 2/4: GUP-fast passes a norecency-read entry to
// pte_access_permitted(), so young/dirty must not change its answer.
TYPED_TEST(ArchLaws, RecencyDoesNotChangeAccessPermitted) {
  using A = TypeParam;
  for (bool w : {false, true}) {
    SCOPED_TRACE(w ? "write" : "read");
    LAW(A::pte_access_permitted(A::pte_mkold(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkyoung(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkclean(p), w) == A::pte_access_permitted(p, w));
    LAW(A::pte_access_permitted(A::pte_mkdirty(p), w) == A::pte_access_permitted(p, w));
  }
}

TYPED_TEST(ArchLaws, AccessPermittedImplications) {
  using A = TypeParam;
  LAW(!A::pte_access_permitted(p, true) || A::pte_write(p));
  LAW(!A::pte_access_permitted(p, true) || A::pte_access_permitted(p, false));
  LAW(!A::pte_access_permitted(p, false) || A::pte_present(p));
  LAW(!A::pte_access_permitted(A::pte_wrprotect(p), true));
}

TYPED_TEST(ArchLaws, ProtnoneIsPresentButInaccessible) {
  using A = TypeParam;
  LAW(!A::pte_protnone(p) || (A::pte_present(p) && !A::pte_access_permitted(p, false) &&
                              !A::pte_access_permitted(p, true)));
  LAW(!A::pte_protnone(p) || (!A::hw_access(p).has_value() && !A::hw_write(p).has_value()));
}

// What the constructor promises, for every UserProt and PFN.
TYPED_TEST(ArchLaws, MkUserPteHonoursUserProt) {
  using A = TypeParam;
  for (unsigned m = 0; m < 64; m++) {
    const UserProt u = prot_of_mask(m);
    for (uint64_t pfn : kPfns) {
      const pteval_t v = A::mk_user_pte(pfn, u);
      SCOPED_TRACE(testing::Message() << "mask " << m << " pfn " << pfn << " -> " << hex(v));
      EXPECT_TRUE(A::pte_present(v));
      EXPECT_FALSE(A::pte_none(v));
      EXPECT_EQ(A::pte_pfn(v), pfn);
      EXPECT_EQ(A::pte_protnone(v), u.protnone);
      EXPECT_EQ(A::pte_special(v), u.special);
      EXPECT_EQ(A::pte_dirty(v), u.dirty);
      EXPECT_EQ(A::pte_write(v), u.write && !u.protnone);
      EXPECT_EQ(A::pte_access_permitted(v, false), !u.protnone);
      EXPECT_EQ(A::pte_access_permitted(v, true), u.write && !u.protnone);
      EXPECT_FALSE(A::pte_cont(v));
      if (!u.protnone) { EXPECT_EQ(A::pte_young(v), u.young); }
    }
  }
}

// The MMU: an access makes the entry young, a write makes it young and dirty,
// and it succeeds exactly when the kernel's permission check says so.
TYPED_TEST(ArchLaws, HardwareAccessAndWrite) {
  using A = TypeParam;
  LAW(A::hw_access(p).has_value() == A::pte_access_permitted(p, false));
  LAW(A::hw_write(p).has_value() == A::pte_access_permitted(p, true));
  LAW(!A::hw_access(p) || A::pte_young(*A::hw_access(p)));
  LAW(!A::hw_write(p) || (A::pte_young(*A::hw_write(p)) && A::pte_dirty(*A::hw_write(p))));
  LAW(!A::hw_write(p) || A::pte_pfn(*A::hw_write(p)) == A::pte_pfn(p));
  LAW(!A::hw_write(p) || A::pte_write(*A::hw_write(p)));
}

// What the RFC relies on: what the MMU does to an entry is invisible once both
// sides go through pte_mkold(pte_mkclean()) (pte_same_norecency, RFC 2/4).
TYPED_TEST(ArchLaws, HardwareUpdatesAreRecencyOnly) {
  using A = TypeParam;
  auto norec = [](pteval_t v) { return A::pte_mkold(A::pte_mkclean(v)); };
  LAW(!A::hw_access(p) || norec(*A::hw_access(p)) == norec(p));
  LAW(!A::hw_write(p) || norec(*A::hw_write(p)) == norec(p));
  LAW(norec(A::pte_mkyoung(p)) == norec(p));
  LAW(norec(A::pte_mkold(p)) == norec(p));
  LAW(norec(A::pte_mkclean(p)) == norec(p));
  // ... and write permission is not recency.
  LAW(!A::pte_write(p) || norec(A::pte_wrprotect(p)) != norec(p));
}

// ------------------------------------------------------------------ x86-64

// Known values seen through the real 6.12 helpers (kernel-ground-truth.md).
TEST(X86_64Values, KernelGroundTruth) {
  using A = X86_64;
  const pteval_t v = 0x8000000000000067ull;
  EXPECT_TRUE(A::pte_present(v));
  EXPECT_TRUE(A::pte_write(v));
  EXPECT_TRUE(A::pte_young(v));
  EXPECT_TRUE(A::pte_dirty(v));
  EXPECT_EQ(A::pte_pfn(v), 0u);
  EXPECT_TRUE(A::pte_access_permitted(v, false));
  EXPECT_TRUE(A::pte_access_permitted(v, true));

  const pteval_t wp = A::pte_wrprotect(v);
  EXPECT_EQ(wp, 0x8400000000000025ull) << hex(wp);
  EXPECT_TRUE(A::pte_dirty(wp));
  EXPECT_FALSE(A::pte_write(wp));
  EXPECT_EQ(A::pte_mkdirty(wp), 0x8400000000000825ull) << hex(A::pte_mkdirty(wp));

  // Shadow-stack shape (Write=0, Dirty=1) on a CPU without shadow stacks.
  const pteval_t ss = 0x8000000000000065ull;
  EXPECT_FALSE(A::pte_write(ss));
  EXPECT_FALSE(A::pte_access_permitted(ss, true));
  EXPECT_TRUE(A::pte_access_permitted(ss, false));

  // A kernel mapping (User clear) is never accessible to GUP.
  EXPECT_FALSE(A::pte_access_permitted(0x8000000000000063ull, false));
  EXPECT_FALSE(A::pte_access_permitted(0x8000000000000063ull, true));
  EXPECT_FALSE(A::hw_access(0x8000000000000063ull).has_value());
}

// Derived from arch/x86/include/asm/pgtable.h (6.12): pte_mkwrite(pte, vma)
// for a normal vma = pte_clear_saveddirty(pte_mkwrite_novma()) moves
// SavedDirty (58) back to Dirty (6); pte_mkclean clears both.
TEST(X86_64Values, SavedDirtyMovesBack) {
  using A = X86_64;
  EXPECT_EQ(A::pte_mkwrite(0x8400000000000025ull), 0x8000000000000067ull);
  EXPECT_EQ(A::pte_mkclean(0x8400000000000825ull), 0x8000000000000825ull);
  EXPECT_EQ(A::pte_mkold(0x8000000000000067ull), 0x8000000000000047ull);
  // PAGE_SHARED (P|RW|U|A|NX) for pfn 0x10 = 0x8000000000010027; mkdirty adds D and soft-dirty.
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.write = true}), 0x8000000000010027ull);
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.write = true, .dirty = true}), 0x8000000000010867ull);
  // PAGE_COPY_EXEC (P|U|A), read-only and dirty: Dirty goes to SavedDirty at once.
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.exec = true, .dirty = true}), 0x0400000000010825ull);
  EXPECT_EQ(*A::hw_write(0x8000000000010007ull), 0x8000000000010067ull);
  EXPECT_FALSE(A::hw_write(0x8000000000010025ull).has_value());
}

// x86-64 never creates a Write=0,Dirty=1 entry by accident: that is a shadow
// stack entry on a CET CPU (pte_wrprotect(), pte_mkdirty() and pte_modify()
// shift Dirty to SavedDirty for exactly this reason).
bool x86_accidental_shstk(pteval_t v) {
  return (v & (X86_64::_PAGE_RW | X86_64::_PAGE_DIRTY)) == X86_64::_PAGE_DIRTY;
}

TEST(X86_64Values, NoWriteZeroDirtyOneEntriesFromHelpers) {
  for_all(values<X86_64>(), "!(Write=0 && Dirty=1), valid entries", [](pteval_t p) {
    return X86_64::pte_protnone(p) || !x86_accidental_shstk(p);
  });
}

// Found model bug, fixed (1): mk_user_pte(.protnone) is commented as
// pte_modify(PAGE_NONE), but the 6.12 pte_modify() ends with
//     if (oldval & _PAGE_RW)
//             pte_result = pte_mksaveddirty(pte_result);
// (arch/x86/include/asm/pgtable.h, pte_modify(), "To avoid creating
// Write=0,Dirty=1 PTEs"), so a writable dirty entry made PROT_NONE keeps its
// dirtiness in SavedDirty (bit 58), not in Dirty (bit 6).  The model leaves
// Dirty set on a Write=0 entry.  By hand, pfn 0x10, write+dirty+young:
//   pfn_pte(0x10, PAGE_SHARED) = 0x8000000000010027, pte_mkdirty -> 0x8000000000010867
//   & _PAGE_CHG_MASK -> 0x10860, | _PAGE_PROTNONE -> 0x10960, PFN inverted
//   -> 0x000ffffffffef960, pte_mksaveddirty -> 0x040ffffffffef920.
TEST(X86_64Values, ProtnoneOfDirtyWritableUsesSavedDirty) {
  const pteval_t v = X86_64::mk_user_pte(0x10, UserProt{.write = true, .dirty = true, .protnone = true});
  EXPECT_EQ(v, 0x040ffffffffef920ull) << hex(v);
  for_all(values<X86_64>(), "!(Write=0 && Dirty=1), protnone entries", [](pteval_t p) {
    return !X86_64::pte_protnone(p) || !x86_accidental_shstk(p);
  });
}

// Found model bug (2), fixed: pte_modify() keeps _PAGE_ACCESSED from the old
// entry, because _PAGE_ACCESSED is in _COMMON_PAGE_CHG_MASK
// (arch/x86/include/asm/pgtable_types.h: "_PAGE_SPECIAL | _PAGE_ACCESSED |")
// and pte_modify() does
//     val &= _PAGE_CHG_MASK;
//     val |= check_pgprot(newprot) & ~_PAGE_CHG_MASK;
// so PAGE_NONE's ___A never reaches the result.  An old entry made PROT_NONE
// by change_prot_numa() stays old; the model sets Accessed.  By hand, pfn 0x10,
// read-only, old: 0x8000000000010005 & CHG -> 0x10000, | G -> 0x10100, PFN
// inverted -> 0x000ffffffffef100.
TEST(X86_64Values, ProtnoneKeepsOldAccessedBit) {
  const pteval_t v = X86_64::mk_user_pte(0x10, UserProt{.young = false, .protnone = true});
  EXPECT_EQ(v, 0x000ffffffffef100ull) << hex(v);
  EXPECT_FALSE(X86_64::pte_young(v));
}

// Read-only PROT_NONE entries agree with pte_modify() already.
TEST(X86_64Values, ProtnoneYoungReadOnly) {
  // 0x8000000000010025 & CHG -> 0x10020, | G -> 0x10120, inverted -> 0x000ffffffffef120.
  const pteval_t v = X86_64::mk_user_pte(0x10, UserProt{.protnone = true});
  EXPECT_EQ(v, 0x000ffffffffef120ull) << hex(v);
  EXPECT_EQ(X86_64::pte_pfn(v), 0x10u);
  EXPECT_TRUE(X86_64::pte_protnone(v));
}

// ------------------------------------------------------------------ arm64
//
// Bits (kernel-facts.md, 6.12 4K): Valid 0, table/page 1, User 6, RDONLY 7,
// SH 8-9, AF 10, nG 11, OA 12-49, DBM/PTE_WRITE 51, CONT 52, PXN 53, UXN 54,
// PTE_DIRTY 55, SPECIAL 56.  PAGE_SHARED for pfn 0x10:
//   0x10 << 12                       = 0x0000000000010000
//   _PAGE_DEFAULT (3 | SH 0x300 | AF) = 0x0000000000000703
//   User 0x40 | RDONLY 0x80 | nG 0x800 = 0x00000000000008c0
//   PXN | UXN | WRITE (53, 54, 51)    = 0x0068000000000000
// so a clean, young, writable entry is           0x0068000000010fc3,
// hardware-dirty (RDONLY cleared by the MMU) is  0x0068000000010f43,
// and PAGE_READONLY (no WRITE) is                0x0060000000010fc3.
constexpr pteval_t kArmClean = 0x0068000000010fc3ull;
constexpr pteval_t kArmHwDirty = 0x0068000000010f43ull;
constexpr pteval_t kArmReadOnly = 0x0060000000010fc3ull;

TEST(Arm64Values, Constructor) {
  using A = Arm64;
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.write = true}), kArmClean);
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{}), kArmReadOnly);
  // pte_mkdirty on a writable entry: set PTE_DIRTY (55), clear RDONLY.
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.write = true, .dirty = true}), 0x00e8000000010f43ull);
  // PAGE_READONLY_EXEC: UXN clear.
  EXPECT_EQ(A::mk_user_pte(0x10, UserProt{.exec = true}), 0x0020000000010fc3ull);
  // pte_modify(PAGE_NONE): Valid, User, WRITE cleared; nG (present-invalid),
  // RDONLY, PXN, UXN set; AF, SH and the table bit kept:
  //   0x10000 | 0x2 | 0x300 | 0x400 | 0x800 | 0x80 | PXN | UXN = 0x0060000000010f82.
  const pteval_t none = A::mk_user_pte(0x10, UserProt{.write = true, .protnone = true});
  EXPECT_EQ(none, 0x0060000000010f82ull);
  EXPECT_TRUE(A::pte_present(none));
  EXPECT_TRUE(A::pte_protnone(none));
  EXPECT_FALSE(A::pte_valid(none));
  EXPECT_FALSE(A::pte_access_permitted(none, false));
  EXPECT_EQ(A::pte_pfn(none), 0x10u);
}

TEST(Arm64Values, PredicatesOnHandValues) {
  using A = Arm64;
  EXPECT_TRUE(A::pte_write(kArmClean));
  EXPECT_FALSE(A::pte_dirty(kArmClean));  // DBM set but RDONLY set: hardware-clean
  EXPECT_TRUE(A::pte_dirty(kArmHwDirty));  // DBM set, RDONLY clear
  EXPECT_FALSE(A::pte_sw_dirty(kArmHwDirty));
  EXPECT_TRUE(A::pte_access_permitted(kArmClean, true));
  EXPECT_FALSE(A::pte_access_permitted(kArmReadOnly, true));
  EXPECT_TRUE(A::pte_access_permitted(kArmReadOnly, false));
  EXPECT_EQ(A::pte_pfn(kArmClean), 0x10u);
  // User (AP[1], bit 6) clear: a kernel mapping, never accessible to GUP.
  EXPECT_FALSE(A::pte_access_permitted(kArmClean & ~A::PTE_USER, false));
  EXPECT_FALSE(A::pte_access_permitted(kArmClean & ~A::PTE_USER, true));
  EXPECT_FALSE(A::hw_write(kArmClean & ~A::PTE_USER).has_value());
  // Valid clear (and not present-invalid): not accessible either.
  EXPECT_FALSE(A::pte_access_permitted(kArmClean & ~A::PTE_VALID & ~A::PTE_NG, false));
}

// pte_mkclean: clear PTE_DIRTY (bit 55), set RDONLY (bit 7).
TEST(Arm64Values, Mkclean) {
  using A = Arm64;
  EXPECT_EQ(A::pte_mkclean(kArmHwDirty), kArmClean);
  EXPECT_EQ(A::pte_mkclean(0x00e8000000010f43ull), kArmClean);  // sw + hw dirty
  EXPECT_EQ(A::pte_mkclean(0x00e0000000010fc3ull), kArmReadOnly);  // sw-dirty read-only
}

// pte_mkdirty: set PTE_DIRTY; clear RDONLY only when writable.
TEST(Arm64Values, Mkdirty) {
  using A = Arm64;
  EXPECT_EQ(A::pte_mkdirty(kArmClean), 0x00e8000000010f43ull);
  EXPECT_EQ(A::pte_mkdirty(kArmReadOnly), 0x00e0000000010fc3ull);
}

// pte_wrprotect: hardware dirty (DBM set, RDONLY clear) is copied to PTE_DIRTY,
// then WRITE (51) cleared and RDONLY set:
//   0x0068000000010f43 | 1<<55 = 0x00e8000000010f43, & ~1<<51 = 0x00e0000000010f43,
//   | RDONLY = 0x00e0000000010fc3.
TEST(Arm64Values, WrprotectSavesHardwareDirty) {
  using A = Arm64;
  const pteval_t wp = A::pte_wrprotect(kArmHwDirty);
  EXPECT_EQ(wp, 0x00e0000000010fc3ull) << hex(wp);
  EXPECT_TRUE(A::pte_sw_dirty(wp));
  EXPECT_TRUE(A::pte_dirty(wp));
  EXPECT_FALSE(A::pte_write(wp));
  // A clean writable entry stays clean: only WRITE goes.
  EXPECT_EQ(A::pte_wrprotect(kArmClean), kArmReadOnly);
  // pte_mkwrite_novma: set WRITE; clear RDONLY when PTE_DIRTY is set.
  EXPECT_EQ(A::pte_mkwrite(wp), 0x00e8000000010f43ull);
  EXPECT_EQ(A::pte_mkwrite(kArmReadOnly), kArmClean);
}

TEST(Arm64Values, MkoldMkyoungMkcont) {
  using A = Arm64;
  EXPECT_EQ(A::pte_mkold(kArmClean), 0x0068000000010bc3ull);  // AF (0x400) cleared
  EXPECT_EQ(A::pte_mkyoung(0x0068000000010bc3ull), kArmClean);
  // pte_mkcont() sets CONT (52) and PTE_TYPE_PAGE (already set on a valid page).
  EXPECT_EQ(A::pte_mkcont(kArmClean), kArmClean | (1ull << 52) | 3);
  EXPECT_EQ(A::pte_mknoncont(A::pte_mkcont(kArmClean)), kArmClean);
}

// FEAT_HAFDBS: a write through a DBM entry clears RDONLY (and sets AF);
// RDONLY without DBM is a permission fault.
TEST(Arm64Values, HardwareWrite) {
  using A = Arm64;
  EXPECT_EQ(A::hw_write(kArmClean), std::optional<pteval_t>(kArmHwDirty));
  EXPECT_EQ(A::hw_write(0x0068000000010bc3ull), std::optional<pteval_t>(kArmHwDirty));  // old too
  EXPECT_EQ(A::hw_write(kArmHwDirty), std::optional<pteval_t>(kArmHwDirty));
  EXPECT_EQ(A::hw_write(kArmReadOnly), std::nullopt);
  EXPECT_EQ(A::hw_write(0x00e0000000010fc3ull), std::nullopt);  // sw-dirty but read-only
  EXPECT_EQ(A::hw_access(0x0060000000010bc3ull), std::optional<pteval_t>(kArmReadOnly));
  EXPECT_EQ(A::hw_access(0x0060000000010f82ull), std::nullopt);  // PROT_NONE
}

}  // namespace
