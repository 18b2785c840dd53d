// SPDX-License-Identifier: GPL-2.0
//
// The architecture models (core/arch/*.h): one typed suite of laws over every
// model of core/arch/arches.def, then each model pinned to the kernel's PTE
// layout by exact values.
//
// The laws (TYPED_TEST_SUITE ArchLaws, instantiated for every arches.def row
// through core/arch/registry.h, so a new model is covered by adding its row),
// in the manner of the kernel's mm/debug_vm_pgtable.c pte_basic_tests(), over
// values built only through the model's own constructors, two ways:
//   sequences: mk_user_pte() with every UserProt combination and a range of
//     PFNs, then random sequences of pte_mkold, pte_mkyoung, pte_mkclean,
//     pte_mkdirty, pte_wrprotect, pte_mkwrite, pte_mkcont and the MMU's
//     access and write (LAW);
//   closure: mk_user_pte() for every UserProt and a few PFNs, closed under the
//     helpers and the MMU updates (CLOSURE_LAW).
// A few laws hold only where the architecture's kernel promises them (the
// MMU faulting exactly where pte_access_permitted() says no, say); those are
// gated by a named property of the model, stated where it is defined.
//
// The exact values: x86-64 ones seen through the real kernel helpers
// (tools/kernel-truth), the rest derived by hand from the 6.12 bit positions
// (the Linux 6.12 headers: arch/x86/include/asm/{pgtable.h,pgtable_types.h,
// pgtable-3level.h}, arch/arm64/include/asm/{pgtable.h,pgtable-hwdef.h,
// pgtable-prot.h}, arch/riscv/include/asm/{pgtable.h,pgtable-bits.h,
// pgtable-64.h}, arch/s390/include/asm/pgtable.h (protection_map:
// arch/s390/mm/mmap.c), arch/powerpc/include/asm/{book3s/64/pgtable.h,
// book3s/64/radix.h,pgtable-masks.h}), worked in the comments, never taken
// from the models.  For each model: the named bit constants equal the
// kernel's bit positions and the predicates read them (single-bit entries);
// what pte_mkold/mkyoung/mkclean/mkdirty/wrprotect/mkwrite set and clear, as
// exact values on entries built by pfn_pte()/mk_user_pte(); what the MMU does
// on an access and a write (hw_access/hw_write, nullopt = fault).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/test_util.h"
#include "core/arch/registry.h"
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

// PFNs that fit every layout (x86-64 bits 12-51, arm64 48-bit PA: bits 12-49,
// riscv64 bits 10-53, ...), but for the last on PAE: its pte_pfn() returns a
// 32-bit unsigned long (kMaxPfn).
constexpr std::array<uint64_t, 11> kPfns = {0, 1, 2, 15, 16, 17, 31, 255, 256, 0x12345, (1ull << 38) - 1};
template <class A>
constexpr uint64_t kMaxPfn = A::id == gf::Arch::i386_pae ? 0xffffffffull : ~0ull;

// Every constructor output, plus 6 random sequences (length 1..6) of helpers
// and MMU updates from each.  pte_mkcont is applied to valid entries only: the kernel's arm64
// pte_mkcont() also sets PTE_TYPE_PAGE (which includes PTE_VALID), and the
// kernel never makes an invalid entry CONT (contpte_set_ptes() warns).
template <class A>
const std::vector<pteval_t>& sequences() {
  static const std::vector<pteval_t> vs = [] {
    std::vector<pteval_t> out;
    std::mt19937 rng(12345);
    for (unsigned m = 0; m < 64; m++) {
      for (uint64_t pfn : kPfns) {
        if (pfn > kMaxPfn<A>) continue;
        const pteval_t base = A::mk_user_pte(pfn, gf::uprot_of(m));
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
#define LAW(expr) for_all(sequences<TypeParam>(), #expr, [&](pteval_t p) { return bool(expr); })


// The closure.
// Built only from constructors: mk_user_pte() for every UserProt and a few
// PFNs, closed under the helpers and the MMU updates (everything any
// sequence of them reaches).  pte_mkwrite is not applied to PROT_NONE
// entries: the kernel pte_modify()s them back first (do_numa_page()).
enum class Step { mkold, mkyoung, mkclean, mkdirty, wrprotect, mkwrite, hw_access, hw_write, count };

template <class A>
pteval_t apply(Step op, pteval_t v) {
  switch (op) {
    case Step::mkold: return A::pte_mkold(v);
    case Step::mkyoung: return A::pte_mkyoung(v);
    case Step::mkclean: return A::pte_mkclean(v);
    case Step::mkdirty: return A::pte_mkdirty(v);
    case Step::wrprotect: return A::pte_wrprotect(v);
    case Step::mkwrite: return A::pte_mkwrite(v);
    case Step::hw_access: return A::hw_access(v).value_or(v);
    case Step::hw_write: return A::hw_write(v).value_or(v);
    case Step::count: break;
  }
  return v;
}

template <class A>
const std::vector<pteval_t>& closure() {
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
      for (int i = 0; i < int(Step::count); i++)
        if (!(none && Step(i) == Step::mkwrite)) todo.emplace_back(apply<A>(Step(i), v), none);
    }
    std::vector<pteval_t> out;
    for (const auto& [v, none] : seen) out.push_back(v);
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
  }();
  return vs;
}

#define CLOSURE_LAW(expr) for_all(closure<TypeParam>(), #expr, [&](pteval_t p) { return bool(expr); })

// The properties of a model some laws depend on.
//
// riscv and s390 use the generic pte_access_permitted() (present, and write
// for a write): a PROT_NONE entry passes a read although the MMU faults on it.
// There the MMU does not follow pte_access_permitted() either way: without
// Svadu riscv, and s390 always, also fault on an old entry (and on a write to
// a clean one) for the fault path to set young/dirty (FaultPathMakesProgress
// says what holds instead).
template <class A>
constexpr bool kGenericAccessPermitted =
    std::string_view(A::name) == "riscv64" || std::string_view(A::name) == "s390x";
// Without CONFIG_NUMA_BALANCING (PAE) pte_protnone() is always false: a
// PAGE_NONE entry is just not present.
template <class A>
constexpr bool kHasProtnone = A::cfg.numa_balancing;
// ppc64 encodes PROT_NONE as "no permission bit": pte_mkwrite() of it grants
// access (the kernel never calls it there: do_numa_page() pte_modify()s the
// entry back first, and the closure leaves it out everywhere).
template <class A>
constexpr bool kMkwriteEndsProtnone = A::id == gf::Arch::ppc64le;

template <class A>
class ArchLaws : public ::testing::Test {};
TYPED_TEST_SUITE(ArchLaws, gf::test::AllModels, gf::test::ModelNames);

// The laws below would be vacuous over a set where, say, nothing is protnone.
TYPED_TEST(ArchLaws, ValueSetCoversEveryState) {
  using A = TypeParam;
  const auto& vs = sequences<A>();
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
    if (!kHasProtnone<A> && std::string_view(p.name) == "protnone") continue;
    EXPECT_GT(p.n, total / 20) << p.name << " is rarely true";
    // Every PROT_NONE entry (a third) passes a read there: no bound.
    if (kGenericAccessPermitted<A> && std::string_view(p.name) == "access(read)") continue;
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
    for_all(sequences<A>(), "pte_pfn / pte_special / pte_present / pte_protnone kept", [&](pteval_t p) {
      if (m == Mod::mkcont && A::pte_protnone(p)) return true;  // see sequences()
      if (m == Mod::mkwrite && kMkwriteEndsProtnone<A> && A::pte_protnone(p)) return true;
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
  if constexpr (kGenericAccessPermitted<A>)  // it passes PROT_NONE: only the MMU faults (below)
    LAW(!A::pte_protnone(p) || A::pte_present(p));
  else
    LAW(!A::pte_protnone(p) || (A::pte_present(p) && !A::pte_access_permitted(p, false) &&
                                !A::pte_access_permitted(p, true)));
  LAW(!A::pte_protnone(p) || (!A::hw_access(p).has_value() && !A::hw_write(p).has_value()));
}

// What the constructor promises, for every UserProt and PFN.
TYPED_TEST(ArchLaws, MkUserPteHonoursUserProt) {
  using A = TypeParam;
  for (unsigned m = 0; m < 64; m++) {
    const UserProt u = gf::uprot_of(m);
    for (uint64_t pfn : kPfns) {
      if (pfn > kMaxPfn<A>) continue;
      const pteval_t v = A::mk_user_pte(pfn, u);
      SCOPED_TRACE(testing::Message() << "mask " << m << " pfn " << pfn << " -> " << hex(v));
      EXPECT_TRUE(A::pte_present(v));
      EXPECT_FALSE(A::pte_none(v));
      EXPECT_EQ(A::pte_pfn(v), pfn);
      EXPECT_EQ(A::pte_protnone(v), u.protnone && kHasProtnone<A>);
      EXPECT_EQ(A::pte_special(v), u.special);
      EXPECT_EQ(A::pte_dirty(v), u.dirty);
      EXPECT_EQ(A::pte_write(v), u.write && !u.protnone);
      EXPECT_EQ(A::pte_access_permitted(v, false), !u.protnone || kGenericAccessPermitted<A>);
      EXPECT_EQ(A::pte_access_permitted(v, true), u.write && !u.protnone);
      EXPECT_FALSE(A::pte_cont(v));
      if (!u.protnone) { EXPECT_EQ(A::pte_young(v), u.young); }
    }
  }
}

// The MMU: an access makes the entry young, a write makes it young and dirty,
// and it succeeds exactly when the kernel's permission check says so (not on
// riscv and s390: kGenericAccessPermitted).
TYPED_TEST(ArchLaws, HardwareAccessAndWrite) {
  using A = TypeParam;
  if constexpr (!kGenericAccessPermitted<A>) {
    LAW(A::hw_access(p).has_value() == A::pte_access_permitted(p, false));
    LAW(A::hw_write(p).has_value() == A::pte_access_permitted(p, true));
  }
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

// Otherwise the laws below could hold vacuously.
TYPED_TEST(ArchLaws, ValueSetIsVaried) {
  using A = TypeParam;
  const auto& vs = closure<A>();
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

TYPED_TEST(ArchLaws, RecencyHelpersDoWhatTheySay) {
  using A = TypeParam;
  CLOSURE_LAW(A::pte_young(A::pte_mkyoung(p)));  // s390 too: YOUNG is set even where INVALID stays
  CLOSURE_LAW(!A::pte_young(A::pte_mkold(p)));
  CLOSURE_LAW(A::pte_dirty(A::pte_mkdirty(p)));
  CLOSURE_LAW(!A::pte_dirty(A::pte_mkclean(p)));  // x86: Dirty and SavedDirty; arm64: PTE_DIRTY and hw dirty
  CLOSURE_LAW(A::pte_dirty(A::pte_wrprotect(p)) == A::pte_dirty(p));
}

// On a x86 CET CPU this relies on the constructors never making Write=0,Dirty=1:
// pte_mkclean() of a real shadow-stack entry would make it read-only.
TYPED_TEST(ArchLaws, RecencyHelpersKeepWrite) {
  using A = TypeParam;
  CLOSURE_LAW(A::pte_write(A::pte_mkold(p)) == A::pte_write(p));
  CLOSURE_LAW(A::pte_write(A::pte_mkyoung(p)) == A::pte_write(p));
  CLOSURE_LAW(A::pte_write(A::pte_mkclean(p)) == A::pte_write(p));
  CLOSURE_LAW(A::pte_write(A::pte_mkdirty(p)) == A::pte_write(p));
}

TYPED_TEST(ArchLaws, RecencyHelpersKeepAccessPermitted) {
  using A = TypeParam;
  for (bool w : {false, true}) {
    SCOPED_TRACE(w ? "write" : "read");
    CLOSURE_LAW(A::pte_access_permitted(A::pte_mkold(p), w) == A::pte_access_permitted(p, w));
    CLOSURE_LAW(A::pte_access_permitted(A::pte_mkyoung(p), w) == A::pte_access_permitted(p, w));
    CLOSURE_LAW(A::pte_access_permitted(A::pte_mkclean(p), w) == A::pte_access_permitted(p, w));
    CLOSURE_LAW(A::pte_access_permitted(A::pte_mkdirty(p), w) == A::pte_access_permitted(p, w));
  }
}

// pte_mkold(pte_mkclean()) hides whatever the MMU did.  (Not pte_mkdirty():
// it also sets soft-dirty on x86-64, s390 and ppc.)  On s390 this includes
// INVALID and PROTECT, which pte_mkold/pte_mkclean set.
TYPED_TEST(ArchLaws, NorecencyHidesHardwareUpdates) {
  using A = TypeParam;
  auto norec = [](pteval_t v) { return A::pte_mkold(A::pte_mkclean(v)); };
  CLOSURE_LAW(!A::hw_access(p) || norec(*A::hw_access(p)) == norec(p));
  CLOSURE_LAW(!A::hw_write(p) || norec(*A::hw_write(p)) == norec(p));
  CLOSURE_LAW(norec(A::pte_mkyoung(p)) == norec(p));
}

// An access that does not fault leaves (or finds, where the MMU stores
// nothing: riscv Svade, s390) a young entry, a write a young dirty one.
TYPED_TEST(ArchLaws, HardwareSuccessMeansYoungAndDirty) {
  using A = TypeParam;
  CLOSURE_LAW(!A::hw_access(p) || A::pte_young(*A::hw_access(p)));
  CLOSURE_LAW(!A::hw_write(p) || (A::pte_young(*A::hw_write(p)) && A::pte_dirty(*A::hw_write(p)) && A::pte_write(p)));
}

// The fault handler's pte_mkyoung() (and pte_mkdirty() for a write) lets the
// MMU through exactly when pte_access_permitted() says yes.  Skipped for the
// read of a PROT_NONE entry on riscv and s390, whose generic
// pte_access_permitted() passes it (checked instead); s390's pte_mkyoung()
// on PAGE_NONE keeps INVALID, riscv's leaves V clear.
TYPED_TEST(ArchLaws, FaultPathMakesProgress) {
  using A = TypeParam;
  CLOSURE_LAW(A::hw_write(A::pte_mkdirty(A::pte_mkyoung(p))).has_value() == A::pte_access_permitted(p, true));
  if constexpr (kGenericAccessPermitted<A>) {
    CLOSURE_LAW(A::pte_protnone(p) || A::hw_access(A::pte_mkyoung(p)).has_value() == A::pte_access_permitted(p, false));
    CLOSURE_LAW(!A::pte_protnone(p) || (A::pte_access_permitted(p, false) && !A::hw_access(A::pte_mkyoung(p))));
  } else {
    CLOSURE_LAW(A::hw_access(A::pte_mkyoung(p)).has_value() == A::pte_access_permitted(p, false));
  }
}

// ------------------------------------------------------------------ exact values

// ------------------------------------------------------------------ x86-64

// Known values seen through the real 6.12 helpers (tools/kernel-truth).
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
  for_all(sequences<X86_64>(), "!(Write=0 && Dirty=1), valid entries", [](pteval_t p) {
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
  for_all(sequences<X86_64>(), "!(Write=0 && Dirty=1), protnone entries", [](pteval_t p) {
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
// Bits (arch/arm64/include/asm/pgtable-hwdef.h, 6.12 4K): Valid 0, table/page 1, User 6, RDONLY 7,
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

namespace layout {

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

}  // namespace layout

}  // namespace
